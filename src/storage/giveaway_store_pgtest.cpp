#include <future>
#include <thread>

#include "storage/giveaway_milestone_suite.hpp"
#include "storage/giveaway_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::giveaway_suite {

namespace {
std::unique_ptr<testing::PostgresDatabase> current;  // the database MakeGiveawayDatabase made last
}  // namespace

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakeGiveawayDatabase(testing::FakeClock&) {
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), 2});
}

std::unique_ptr<Database> OpenSameGiveawayDatabase() {
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), 2});
}

// The member count's state: staff read it, only Maxis (the system viewer) writes it, members have no access.
TEST_F(MilestoneSuite, OnPostgresOnlyMaxisWritesTheMemberCountAndStaffReadIt) {
    service.ObserveMemberCount(98);
    repo.Read(kStaff, [](giveaways::GiveawayStore& s) {
        auto state = s.FindMilestoneState();
        ASSERT_TRUE(state.has_value());
        EXPECT_EQ(state->baseline, 98);
    });
    EXPECT_ANY_THROW(repo.Read(Member(1), [](giveaways::GiveawayStore& s) { (void)s.FindMilestoneState(); }));
    // Staff's update reaches no row, and their insert is refused: the row is as Maxis wrote it.
    repo.Write(kStaff, [](giveaways::GiveawayStore& s) {
        s.UpdateMilestoneState(giveaways::MilestoneState{.baseline = 5000, .highest = 5000});
    });
    EXPECT_ANY_THROW(repo.Write(kStaff, [](giveaways::GiveawayStore& s) {
        (void)s.InsertMilestoneState(giveaways::MilestoneState{.baseline = 5000, .highest = 5000});
    }));
    EXPECT_EQ(Count("SELECT baseline FROM giveaway_milestone_state"), 98);
    EXPECT_EQ(Count("SELECT highest FROM giveaway_milestone_state"), 98);
    EXPECT_EQ(service.ObserveMemberCount(100).size(), 1u);
}

// Two writers of one giveaway take turns: a post's delivery that reads the giveaway while a draw holds it waits
// for the draw, then reads what it committed (it used to write back a stale copy: running again, or the post lost).
TEST_F(GiveawaySuite, OnPostgresAWriterWaitsForTheDrawHoldingTheGiveaway) {
    auto g = StartOne();
    service.Enter(Member(1), g.id);
    std::promise<void> held;
    std::thread draw([&] {
        repo.Write(core::Viewer::System(), [&](giveaways::GiveawayStore& s) {
            auto found = s.Find(g.id);
            held.set_value();
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            found->status = giveaways::Status::kEnded;
            found->ended_at = clock.Now();
            s.Update(*found);
        });
    });
    held.get_future().wait();
    service.RecordPost(g.id, core::ChannelId{555}, 778, 1);
    draw.join();
    auto got = service.Get(kStaff, g.id).giveaway;
    EXPECT_EQ(got.status, giveaways::Status::kEnded);
    EXPECT_EQ(got.message_id, 778);
    EXPECT_EQ(got.posted_count, 1);
}

// Underneath the store's own filters: what a member's transaction may do in raw SQL.
TEST_F(GiveawaySuite, OnPostgresAMemberReachesOnlyTheirOwnEntryAndNeverTheSeedEarly) {
    auto g = StartOne();
    service.Enter(Member(1), g.id);
    service.Enter(Member(2), g.id);
    long long gid = g.id.value;
    auto member_count = [&](long long who, const std::string& sql) {
        return db->Read(Member(who), [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << sql, soci::use(gid), soci::into(n);
            return n;
        });
    };
    EXPECT_EQ(member_count(1, "SELECT COUNT(*) FROM giveaway_entries WHERE giveaway_id = :g"), 1);
    EXPECT_EQ(member_count(1, "SELECT COUNT(*) FROM giveaway_seeds WHERE giveaway_id = :g"), 0);
    EXPECT_EQ(db->Read(kStaff,
                       [&](Transaction& tx) {
                           long long n = 0;
                           tx.sql() << "SELECT COUNT(*) FROM giveaway_seeds WHERE giveaway_id = :g", soci::use(gid),
                               soci::into(n);
                           return n;
                       }),
              0);
    // Someone else's entry: neither added nor taken back.
    EXPECT_THROW(db->Write(Member(1),
                           [&](Transaction& tx) {
                               tx.sql() << "INSERT INTO giveaway_entries (giveaway_id, user_id, entered_at) VALUES "
                                           "(:g, 3, 0)",
                                   soci::use(gid);
                           }),
                 std::exception);
    db->Write(Member(1), [&](Transaction& tx) {
        tx.sql() << "DELETE FROM giveaway_entries WHERE giveaway_id = :g AND user_id = 2", soci::use(gid);
    });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaway_entries"), 2);
    // Nor the draw's columns, nor the giveaway itself.
    EXPECT_THROW(db->Write(Member(1),
                           [&](Transaction& tx) {
                               tx.sql() << "UPDATE giveaway_entries SET excluded = '' WHERE giveaway_id = :g",
                                   soci::use(gid);
                           }),
                 std::exception);
    EXPECT_THROW(db->Write(Member(1),
                           [&](Transaction& tx) {
                               tx.sql() << "UPDATE giveaways SET status = 'ended' WHERE id = :g", soci::use(gid);
                           }),
                 std::exception);
    service.EndEarly(kStaff, g.id);
    EXPECT_EQ(member_count(1, "SELECT COUNT(*) FROM giveaway_entries WHERE giveaway_id = :g"), 2);
    EXPECT_EQ(member_count(1, "SELECT COUNT(*) FROM giveaway_seeds WHERE giveaway_id = :g"), 1);
    // Once ended, a member no longer enters or leaves, even in raw SQL.
    EXPECT_THROW(db->Write(Member(5),
                           [&](Transaction& tx) {
                               tx.sql() << "INSERT INTO giveaway_entries (giveaway_id, user_id, entered_at) VALUES "
                                           "(:g, 5, 0)",
                                   soci::use(gid);
                           }),
                 std::exception);
    db->Write(Member(1), [&](Transaction& tx) {
        tx.sql() << "DELETE FROM giveaway_entries WHERE giveaway_id = :g AND user_id = 1", soci::use(gid);
    });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaway_entries"), 2);
}

}  // namespace maxis::storage::giveaway_suite
