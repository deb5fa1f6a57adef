// A giveaway's return over REST on SQLite (the real SqlRoiSource): staff read the figures and the days for the
// chart, "open" with the days to come as nulls while the window runs; staff set the prize cost; members are
// refused; a bad cost is named and changes nothing.
#include <gtest/gtest.h>

#include "http/api/giveaways_api.hpp"
#include "storage/giveaway_roi_store.hpp"
#include "storage/giveaway_store.hpp"
#include "support/api_server.hpp"

namespace maxis::http {
namespace {

namespace json = boost::json;
using core::Role;
using std::chrono::days;
using std::chrono::hours;

class Everyone final : public giveaways::EntrantFactsSource {
public:
    giveaways::MemberFacts Facts(core::UserId) override { return {}; }
};

class GiveawayStatsApiTest : public testing::ApiServerTest {
protected:
    GiveawayStatsApiTest() {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
        staff = Token(9001, Role::kStaff, "staff");
        alice = Token(1001, Role::kMember, "alice");
        AddGiveawayRoutes(router, service, Bearer());
        AddGiveawayStatsRoutes(router, stats, service, Bearer());
        Serve();
    }
    void Sql(const std::string& sql) {
        db.Write(core::Viewer::System(), [&](storage::Transaction& tx) { tx.sql() << sql; });
    }
    static std::string At(core::TimePoint t) { return std::to_string(core::ToEpochMillis(t)); }

    storage::SqlGiveawayRepository repo{db, clock};
    Everyone facts;
    giveaways::GiveawayService service{repo, facts, clock, giveaways::GiveawayOptions{}};
    storage::SqlRoiSource roi{db};
    giveaways::GiveawayStatsService stats{service, roi, clock, {{"pro", 999}}};
    std::string staff, alice;
};

TEST_F(GiveawayStatsApiTest, StaffReadTheReturnAndItsDays) {
    auto t0 = clock.Now();
    auto created = Call("POST", "/api/v1/giveaways", staff,
                        R"({"prize":"Nitro","winners":1,"duration_seconds":86400,"prize_cost_cents":2000})");
    ASSERT_EQ(created.status, 201) << created.body;
    Sql("INSERT INTO member_events (user_id, kind, at) VALUES (71, 'join', " + At(t0 + hours(1)) + ")");
    Sql("INSERT INTO member_events (user_id, kind, at) VALUES (72, 'join', " + At(t0 + hours(2)) + ")");
    Sql("INSERT INTO member_events (user_id, kind, at) VALUES (72, 'leave', " + At(t0 + days(2)) + ")");
    Sql("INSERT INTO orders (number, user_id, status, total_minor, currency, created_at, updated_at) VALUES "
        "('2026-00001', 71, 'paid', 3000, 'EUR', 0, 0)");
    Sql("INSERT INTO payments (order_id, user_id, kind, amount_minor, currency, stripe_id, at) VALUES (1, 71, "
        "'charge', 3000, 'EUR', 'pi_1', " +
        At(t0 + days(1)) + ")");

    clock.Set(t0 + days(5) + hours(1));
    auto r = Call("GET", "/api/v1/giveaways/1/stats", staff);
    ASSERT_EQ(r.status, 200) << r.body;
    auto s = Json(r).as_object();
    EXPECT_EQ(s.at("open").as_bool(), true);
    EXPECT_EQ(s.at("currency").as_string(), "EUR");
    EXPECT_EQ(s.at("prize_cost_minor").as_int64(), 2000);
    EXPECT_EQ(s.at("members").at("joined").as_int64(), 2);
    EXPECT_EQ(s.at("members").at("left").as_int64(), 1);
    EXPECT_EQ(s.at("members").at("gained").as_int64(), 1);
    EXPECT_EQ(s.at("revenue").at("shop_minor").as_int64(), 3000);
    EXPECT_EQ(s.at("revenue").at("total_minor").as_int64(), 3000);
    EXPECT_EQ(s.at("net_minor").as_int64(), 1000);
    EXPECT_EQ(s.at("roi_percent").as_int64(), 50);
    EXPECT_EQ(s.at("cost_per_member_minor").as_int64(), 2000);
    // 1 day + 30 days from 20:26 UTC: 32 UTC days; the first 6 counted, the rest to come (null).
    const auto& d = s.at("days").as_array();
    ASSERT_EQ(d.size(), 32u);
    EXPECT_EQ(d[0].at("day").as_string(), "2026-05-28");
    EXPECT_EQ(d[0].at("joins").as_int64(), 2);
    EXPECT_EQ(d[1].at("revenue_minor").as_int64(), 3000);
    EXPECT_EQ(d[2].at("leaves").as_int64(), 1);
    EXPECT_EQ(d[5].at("joins").as_int64(), 0);
    EXPECT_TRUE(d[6].at("joins").is_null());
    EXPECT_TRUE(d[31].at("revenue_minor").is_null());
    // No person is named: the answer carries no people to look up.
    EXPECT_EQ(r.body.find("\"71\""), std::string::npos);

    clock.Set(t0 + days(40));
    EXPECT_EQ(Json(Call("GET", "/api/v1/giveaways/1/stats", staff)).at("open").as_bool(), false);
}

TEST_F(GiveawayStatsApiTest, StaffSetTheCostMembersAreRefusedAndBadCostsChangeNothing) {
    ASSERT_EQ(
        Call("POST", "/api/v1/giveaways", staff, R"({"prize":"Nitro","winners":1,"duration_seconds":3600})").status,
        201);
    auto set = Call("PATCH", "/api/v1/giveaways/1", staff, R"({"prize_cost_cents":2500})");
    ASSERT_EQ(set.status, 200) << set.body;
    EXPECT_EQ(Json(set).at("prize_cost_cents").as_int64(), 2500);
    auto negative = Call("PATCH", "/api/v1/giveaways/1", staff, R"({"prize_cost_cents":-5})");
    EXPECT_EQ(negative.status, 400);
    EXPECT_EQ(Json(negative).at("error").at("key").as_string(), "giveaways.bad_cost");
    EXPECT_EQ(Call("PATCH", "/api/v1/giveaways/1", staff, R"({"prize":"x"})").status, 400);
    EXPECT_EQ(Call("PATCH", "/api/v1/giveaways/1", staff, R"({})").status, 400);
    EXPECT_EQ(Call("PATCH", "/api/v1/giveaways/1", alice, R"({"prize_cost_cents":1})").status, 403);
    EXPECT_EQ(Count("SELECT prize_cost_cents FROM giveaways WHERE id = 1"), 2500);
    EXPECT_EQ(Call("GET", "/api/v1/giveaways/1/stats", alice).status, 403);
    EXPECT_EQ(Call("GET", "/api/v1/giveaways/7/stats", staff).status, 404);
    EXPECT_EQ(Call("PATCH", "/api/v1/giveaways/7", staff, R"({"prize_cost_cents":1})").status, 404);
}

}  // namespace
}  // namespace maxis::http
