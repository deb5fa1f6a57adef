#include "storage/coin_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::coin_suite {

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakeCoinDatabase(testing::FakeClock&, int pool) {
    static std::unique_ptr<testing::PostgresDatabase> current;
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), pool});
}

TEST_F(CoinSuite, MembersReadTheirOwnCoinsAndWriteNone) {
    service.Credit(kAlice.user_id, 10, CoinReason::kGiveaway, "g1");
    service.Credit(kBob.user_id, 10, CoinReason::kGiveaway, "g1");
    service.OnMessage(kBob.user_id, false, "c", 10, "m1");
    auto count = [&](const Viewer& v, const std::string& table) {
        return db->Read(v, [&](Transaction& tx) {
            long long n = -1;
            tx.sql() << "SELECT COUNT(*) FROM " + table, soci::into(n);
            return n;
        });
    };
    EXPECT_EQ(count(kAlice, "coin_ledger"), 1);
    EXPECT_EQ(count(kAlice, "coin_balances"), 1);
    EXPECT_EQ(count(kAlice, "coin_activity"), 0);
    EXPECT_EQ(count(kBob, "coin_activity"), 1);
    EXPECT_EQ(count(kStaff, "coin_ledger"), 3);
    // A member's transaction writes nothing, not even their own balance; staff never change a ledger row.
    for (const std::string sql :
         {"UPDATE coin_balances SET balance = 1000000 WHERE user_id = 3001",
          "INSERT INTO coin_ledger (user_id, amount, reason, balance_after, created_at) VALUES (3001, 5, 'daily', 15, "
          "0)",
          "INSERT INTO coin_activity (user_id, day, earned, last_at) VALUES (3001, 'x', 0, 0)"}) {
        EXPECT_THROW(db->Write(kAlice, [&](Transaction& tx) { tx.sql() << sql; }), std::exception) << sql;
    }
    EXPECT_THROW(db->Write(kStaff, [](Transaction& tx) { tx.sql() << "UPDATE coin_ledger SET amount = 1000"; }),
                 std::exception);
    EXPECT_THROW(db->Write(kStaff, [](Transaction& tx) { tx.sql() << "DELETE FROM coin_ledger"; }), std::exception);
    EXPECT_EQ(service.Balance(kStaff, kAlice.user_id), 10);
}

}  // namespace maxis::storage::coin_suite
