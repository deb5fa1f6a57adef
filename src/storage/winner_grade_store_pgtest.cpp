#include <atomic>
#include <future>
#include <thread>

#include "storage/winner_grade_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::grade_suite {

namespace {
std::unique_ptr<testing::PostgresDatabase> current;
}  // namespace

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakeGradeDatabase(testing::FakeClock&) {
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), 2});
}

// READ COMMITTED: a member's grade decisions (a grade given, one ended, the role restored) take the member's lock
// first, so a rejoin's "a grade lasts, give the role" waits while another transaction decides about that member, and
// then sees what it committed.
TEST_F(GradeSuite, OnPostgresAMembersGradeDecisionsWaitForOneAnother) {
    Database observer(DatabaseOptions{current->LoginUrl(), 1});
    auto waiting = [&] {
        return observer.Read(Viewer::System(), [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
                        "(SELECT oid FROM pg_database WHERE datname = current_database())",
                soci::into(n);
            return n;
        });
    };
    std::promise<void> locked, release;
    auto release_future = release.get_future().share();
    std::thread holder([&] {
        repo.Write(Viewer::System(), [&](giveaways::WinnerGradeStore& store) {
            store.LockMember(UserId{1});
            locked.set_value();
            release_future.wait();
        });
    });
    locked.get_future().wait();
    std::atomic<bool> restored{false};
    std::thread rejoin([&] {
        grades.RestoreRole(UserId{1});
        restored = true;
    });
    // Until the rejoin either waits on the lock or (were there no lock) finishes.
    while (waiting() == 0 && !restored) std::this_thread::yield();
    EXPECT_FALSE(restored);
    EXPECT_EQ(waiting(), 1);
    release.set_value();
    holder.join();
    rejoin.join();
    EXPECT_TRUE(restored);
    EXPECT_EQ(waiting(), 0);
}

// Underneath the store's own filters: a member's transaction in raw SQL reads only their own grade and writes none;
// staff read every grade and write none either (only Maxis does).
TEST_F(GradeSuite, OnPostgresMembersReadTheirOwnGradeAndOnlyMaxisWrites) {
    auto g = Drawn(2, 2);
    grades.Crown(g, Current(g));
    auto count_as = [&](const Viewer& viewer) {
        return db->Read(viewer, [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << "SELECT COUNT(*) FROM winner_grades", soci::into(n);
            return n;
        });
    };
    EXPECT_EQ(count_as(Member(1)), 1);
    EXPECT_EQ(count_as(Member(3)), 0);
    EXPECT_EQ(count_as(kStaff), 2);
    auto write_as = [&](const Viewer& viewer, const std::string& sql) {
        try {
            db->Write(viewer, [&](Transaction& tx) { tx.sql() << sql; });
        } catch (const std::exception&) {
        }
        return Count("SELECT COUNT(*) FROM winner_grades WHERE until > 9000000000000");
    };
    EXPECT_EQ(write_as(Member(1), "UPDATE winner_grades SET until = 9999999999999 WHERE user_id = 1"), 0);
    EXPECT_EQ(write_as(kStaff, "UPDATE winner_grades SET until = 9999999999999"), 0);
    EXPECT_EQ(write_as(Member(1), "INSERT INTO winner_grades (giveaway_id, user_id, granted_at, until) VALUES (" +
                                      g.ToString() + ", 3, 0, 9999999999999)"),
              0);
}

}  // namespace maxis::storage::grade_suite
