// The coins' REST routes against the real server, SQLite and service: a member reads their own coins only,
// staff give and take with a reason, bad input is a 4xx with its key and changes nothing, and no route buys
// or withdraws coins.
#include "http/api/coins_api.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json.hpp>

#include "domain/coins/coin_service.hpp"
#include "storage/coin_store.hpp"
#include "storage/users.hpp"
#include "support/api_server.hpp"

namespace maxis::http {
namespace {

namespace json = boost::json;
using testing::HttpResult;

class CoinsApiTest : public testing::ApiServerTest {
protected:
    CoinsApiTest() {
        for (auto id : {1001, 1002, 9001}) storage::EnsureUser(db, core::UserId{id}, "p", "fr", clock.Now());
        alice = Token(1001, core::Role::kMember, "alice");
        bob = Token(1002, core::Role::kMember, "bob");
        staff = Token(9001, core::Role::kStaff, "staff");
        AddCoinRoutes(router, coins, Bearer());
        Serve();
    }

    core::TimeZone zone = core::TimeZone::Load("Europe/Paris");
    storage::SqlCoinRepository repo{db};
    coins::CoinService coins{repo, clock, zone, coins::CoinOptions{}};
    std::string alice, bob, staff;
};

TEST_F(CoinsApiTest, AMemberReadsTheirOwnCoinsAndStaffAnyone) {
    coins.Credit(core::UserId{1001}, 30, coins::CoinReason::kGiveaway, "giveaway-1");
    auto r = Call("GET", "/api/v1/coins/me", alice);
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = Json(r);
    EXPECT_EQ(body.at("balance").as_int64(), 30);
    ASSERT_EQ(body.at("entries").as_array().size(), 1u);
    EXPECT_EQ(body.at("entries").at(0).at("reason").as_string(), "giveaway");
    EXPECT_EQ(body.at("entries").at(0).at("ref").as_string(), "giveaway-1");
    EXPECT_TRUE(body.at("next_cursor").is_null());
    EXPECT_EQ(Call("GET", "/api/v1/coins/1001", bob).status, 404);
    EXPECT_EQ(Call("GET", "/api/v1/coins/1001", staff).status, 200);
    EXPECT_EQ(Call("GET", "/api/v1/coins/abc", staff).status, 400);
    EXPECT_EQ(Call("GET", "/api/v1/coins/me", "").status, 401);
}

TEST_F(CoinsApiTest, StaffGiveAndTakeWithAReasonAndBadInputChangesNothing) {
    EXPECT_EQ(Call("POST", "/api/v1/coins/1001/give", alice, R"({"amount":100,"reason":"moi"})").status, 403);
    auto r = Call("POST", "/api/v1/coins/1001/give", staff, R"({"amount":-5,"reason":"cadeau"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Key(r), "coins.amount_invalid");
    r = Call("POST", "/api/v1/coins/1001/give", staff, R"({"amount":5,"reason":"  "})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Key(r), "coins.why_required");
    EXPECT_EQ(Call("POST", "/api/v1/coins/1001/give", staff, R"({"amount":"5","reason":"x"})").status, 400);
    EXPECT_EQ(Call("POST", "/api/v1/coins/1001/give", staff, R"({"amount":5,"reason":"x","price":1})").status, 400);
    r = Call("POST", "/api/v1/coins/4242/give", staff, R"({"amount":5,"reason":"x"})");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(Key(r), "coins.member_unknown");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM coin_ledger"), 0);

    r = Call("POST", "/api/v1/coins/1001/give", staff, R"({"amount":50,"reason":"quiz gagné"})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Json(r).at("actor").as_string(), "9001");
    EXPECT_EQ(Json(r).at("note").as_string(), "quiz gagné");
    EXPECT_EQ(Json(r).at("balance_after").as_int64(), 50);
    r = Call("POST", "/api/v1/coins/1001/take", staff, R"({"amount":51,"reason":"erreur"})");
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(Key(r), "coins.take_insufficient");
    r = Call("POST", "/api/v1/coins/1001/take", staff, R"({"amount":20,"reason":"erreur"})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Json(r).at("amount").as_int64(), -20);
    EXPECT_EQ(Json(Call("GET", "/api/v1/coins/me", alice)).at("balance").as_int64(), 30);
}

TEST_F(CoinsApiTest, LeaderboardsByPeriod) {
    coins.Credit(core::UserId{1001}, 5, coins::CoinReason::kDaily, "d1");
    coins.Credit(core::UserId{1002}, 9, coins::CoinReason::kDaily, "d1");
    auto r = Call("GET", "/api/v1/coins/leaderboard?period=month", alice);
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = Json(r);
    const auto& leaders = body.at("leaders").as_array();
    ASSERT_EQ(leaders.size(), 2u);
    EXPECT_EQ(leaders[0].at("user").as_string(), "1002");
    EXPECT_EQ(leaders[0].at("earned").as_int64(), 9);
    EXPECT_FALSE(Json(r).at("since").is_null());
    EXPECT_TRUE(Json(Call("GET", "/api/v1/coins/leaderboard?period=all", alice)).at("since").is_null());
    EXPECT_EQ(Call("GET", "/api/v1/coins/leaderboard?period=year", alice).status, 400);
}

TEST_F(CoinsApiTest, NoRouteBuysOrWithdrawsCoins) {
    for (const auto& path : {"/api/v1/coins/me/buy", "/api/v1/coins/me/withdraw", "/api/v1/coins/1001/purchase"}) {
        auto status = Call("POST", path, staff, R"({"amount":5})").status;
        EXPECT_TRUE(status == 404 || status == 405) << path << " " << status;
    }
}

}  // namespace
}  // namespace maxis::http
