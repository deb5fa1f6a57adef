#include "storage/plan_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::plan_suite {

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakePlanDatabase(testing::FakeClock&, int pool) {
    static std::unique_ptr<testing::PostgresDatabase> current;
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), pool});
}

TEST_F(PlanSuite, MembersReadOnlyTheirOwnGrantsAndUsage) {
    Sync("evt_rls", Sub("pro", "active", clock.Now() + 24h), clock.Now());
    ASSERT_TRUE(TryUse(kAlice.user_id, "2026-01-01", "message", 10));
    auto count = [&](const Viewer& v, const std::string& table) {
        return db->Read(v, [&](Transaction& tx) {
            long long n = -1;
            tx.sql() << "SELECT COUNT(*) FROM " + table, soci::into(n);
            return n;
        });
    };
    const Viewer bob{UserId{3002}, Role::kMember};
    EXPECT_EQ(count(kAlice, "user_subscriptions"), 1);
    EXPECT_EQ(count(bob, "user_subscriptions"), 0);
    EXPECT_EQ(count(bob, "assistant_usage"), 0);
    EXPECT_EQ(count(kAlice, "assistant_usage"), 1);
    EXPECT_THROW(db->Write(bob,
                           [](Transaction& tx) {
                               tx.sql() << "UPDATE assistant_usage SET used = 0";
                               long long n = 0;
                               tx.sql() << "SELECT COUNT(*) FROM assistant_usage WHERE used = 0", soci::into(n);
                               if (n == 0) throw std::runtime_error("no row visible to change");
                           }),
                 std::exception);
}

}  // namespace maxis::storage::plan_suite
