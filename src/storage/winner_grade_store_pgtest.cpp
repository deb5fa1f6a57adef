#include "storage/winner_grade_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::grade_suite {

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakeGradeDatabase(testing::FakeClock&) {
    static std::unique_ptr<testing::PostgresDatabase> current;
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), 2});
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
