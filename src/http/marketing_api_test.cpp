// The marketing staff routes on SQLite, through the real server, the SQL store and the real services: every route
// refuses anonymous callers (401) and members (403) with nothing written; applications approved and rejected by id,
// holders revoked; invite leaderboards, one member's invites and staff's bonuses; rewards within the role's bounds,
// payouts never above what is due, the month's statement (with what is due now) and the CSV of every marketer's.
// Bad input gets its key and changes nothing.
#include "http/api/marketing_api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/time_zone.hpp"
#include "storage/marketing_store.hpp"
#include "support/api_server.hpp"
#include "support/marketing_providers.hpp"

namespace maxis::http {
namespace {

namespace json = boost::json;
using core::Role;
using core::UserId;
using core::Viewer;
using namespace marketing;
using namespace std::chrono_literals;

class MarketingApiTest : public testing::ApiServerTest {
protected:
    MarketingApiTest() {
        alice = Token(3001, Role::kMember, "alice");
        staff = Token(9001, Role::kStaff, "staff");
        roles.MirrorRoles();
        AddMarketingRoutes(router, Bearer(), roles, invites, commissions, [](const std::vector<UserId>&) {
            return std::map<UserId, std::string>{{UserId{3001}, "Alice \"A\", first"}};
        });
        Serve();
    }
    json::object Object(const testing::HttpResult& r) { return Json(r).as_object(); }
    long long Rows(const std::string& table) { return Count("SELECT COUNT(*) FROM " + table); }
    /// The rows staff's routes write, all together.
    long long Written() {
        return Rows("marketing_applications") + Rows("user_marketing_roles") + Rows("marketing_activity") +
               Rows("invite_bonuses") + Rows("commissions") + Rows("payouts") +
               Count("SELECT COUNT(*) FROM marketing_applications WHERE status <> 'pending'");
    }
    Application Apply(UserId member, RoleKind role, ApplicationForm form) {
        return roles.Apply(Viewer{member, Role::kMember}, role, form);
    }
    /// Alice holds the influencer role.
    void AliceInfluencer() {
        auto a = Apply(UserId{3001}, RoleKind::kInfluencer,
                       ApplicationForm{.followers = 1500, .links = "https://x.example/alice"});
        ASSERT_EQ(Call("POST", "/api/v1/marketing/applications/" + a.id.ToString() + "/approve", staff).status, 200);
    }

    core::TimeZone zone = core::TimeZone::Load("Europe/Paris");
    storage::SqlMarketingRepository repo{db, clock};
    testing::OutboxMarketingPerks perks;
    testing::NoStripeReferrals referrals;
    std::vector<RoleConfig> roles_config = DefaultRoles();
    MarketingService roles{repo, perks, &referrals, clock, roles_config, MarketingOptions{}};
    InviteService invites{repo, clock, InviteOptions{}};
    CommissionService commissions{repo, referrals, clock, zone, roles_config, CommissionOptions{}};
    std::string alice, staff;
};

TEST_F(MarketingApiTest, EveryRouteIsStaffsAndRefusesOthersWithNothingWritten) {
    auto a = Apply(UserId{3001}, RoleKind::kCreator, ApplicationForm{.portfolio = "https://art.example/alice"});
    auto id = a.id.ToString();
    struct Route {
        const char* method;
        std::string path;
        std::string body;
    };
    std::vector<Route> routes{
        {"GET", "/api/v1/marketing/roles", ""},
        {"GET", "/api/v1/marketing/applications", ""},
        {"POST", "/api/v1/marketing/applications/" + id + "/approve", ""},
        {"POST", "/api/v1/marketing/applications/" + id + "/reject", R"({"reason":"Non"})"},
        {"GET", "/api/v1/marketing/holders", ""},
        {"POST", "/api/v1/marketing/holders/3001/creator/revoke", R"({"reason":"Non"})"},
        {"GET", "/api/v1/marketing/invites/leaderboard", ""},
        {"GET", "/api/v1/marketing/invites/3001", ""},
        {"POST", "/api/v1/marketing/invites/3001/bonus", R"({"amount":5,"reason":"Moi"})"},
        {"GET", "/api/v1/marketing/marketers", ""},
        {"GET", "/api/v1/marketing/marketers/3001/statement", ""},
        {"GET", "/api/v1/marketing/statements.csv", ""},
        {"POST", "/api/v1/marketing/marketers/3001/rewards", R"({"role":"creator","amount_minor":2000,"note":"Moi"})"},
        {"POST", "/api/v1/marketing/marketers/3001/payouts", R"({"amount_minor":100,"reference":"Moi"})"},
        {"POST", "/api/v1/marketing/marketers/3001/events", R"({"name":"Moi"})"},
    };
    auto before = Written();
    for (const auto& r : routes) {
        EXPECT_EQ(Call(r.method, r.path, "", r.body).status, 401) << r.method << " " << r.path;
        EXPECT_EQ(Call(r.method, r.path, alice, r.body).status, 403) << r.method << " " << r.path;
    }
    EXPECT_EQ(Written(), before);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_applications WHERE status = 'pending'"), 1);

    auto listed = Call("GET", "/api/v1/marketing/roles", staff);
    ASSERT_EQ(listed.status, 200) << listed.body;
    auto body = Object(listed);
    const auto& items = body.at("items").as_array();
    ASSERT_EQ(items.size(), 7u);
    EXPECT_EQ(items[0].at("role"), "ambassador");
    EXPECT_EQ(items[0].at("reward"), "commission");
    EXPECT_EQ(items[0].at("commission_percent"), 20);
    EXPECT_EQ(items[0].at("required_invites"), 10);
    EXPECT_EQ(items[1].at("role"), "influencer");
    EXPECT_EQ(items[1].at("min_minor"), 5000);
    EXPECT_EQ(items[1].at("max_minor"), 20000);
    EXPECT_EQ(items[1].at("currency"), "EUR");
}

TEST_F(MarketingApiTest, StaffApproveAndRejectApplicationsByIdAndRevokeAHolder) {
    auto creator = Apply(UserId{3001}, RoleKind::kCreator, ApplicationForm{.portfolio = "https://art.example/alice"});
    auto partner = Apply(UserId{3002}, RoleKind::kPartner, ApplicationForm{.message = "Nous organisons des tournois."});

    auto pending = Call("GET", "/api/v1/marketing/applications?status=pending", staff);
    ASSERT_EQ(pending.status, 200) << pending.body;
    auto body = Object(pending);
    const auto& items = body.at("items").as_array();
    ASSERT_EQ(items.size(), 2u);
    for (const auto& item : items) {
        if (item.at("id") != creator.id.value) continue;
        EXPECT_EQ(item.at("user"), "3001");
        EXPECT_EQ(item.at("role"), "creator");
        EXPECT_EQ(item.at("status"), "pending");
        EXPECT_EQ(item.at("portfolio"), "https://art.example/alice");
        EXPECT_TRUE(item.at("actor").is_null());
        EXPECT_TRUE(item.at("decided_at").is_null());
    }
    EXPECT_EQ(Call("GET", "/api/v1/marketing/applications?status=maybe", staff).status, 400);

    auto approved = Call("POST", "/api/v1/marketing/applications/" + creator.id.ToString() + "/approve", staff);
    ASSERT_EQ(approved.status, 200) << approved.body;
    EXPECT_EQ(Object(approved).at("user"), "3001");
    EXPECT_EQ(Object(approved).at("role"), "creator");
    EXPECT_EQ(Object(approved).at("granted_by"), "9001");
    EXPECT_TRUE(Object(approved).at("revoked_at").is_null());
    // Decided already, or never made: nothing to approve.
    EXPECT_EQ(Call("POST", "/api/v1/marketing/applications/" + creator.id.ToString() + "/approve", staff).status, 404);
    EXPECT_EQ(Call("POST", "/api/v1/marketing/applications/999/approve", staff).status, 404);
    EXPECT_EQ(Call("POST", "/api/v1/marketing/applications/x/approve", staff).status, 404);

    // A rejection needs its reason; without it nothing changes.
    auto path = "/api/v1/marketing/applications/" + partner.id.ToString() + "/reject";
    auto no_reason = Call("POST", path, staff, R"({"reason":""})");
    EXPECT_EQ(no_reason.status, 400) << no_reason.body;
    EXPECT_EQ(Key(no_reason), "marketing.reason_required");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_applications WHERE status = 'pending'"), 1);
    EXPECT_EQ(Call("POST", path, staff, R"({"reason":"Non","extra":1})").status, 400);
    auto rejected = Call("POST", path, staff, R"({"reason":"Pas de partenariat pour l'instant"})");
    ASSERT_EQ(rejected.status, 200) << rejected.body;
    EXPECT_EQ(Object(rejected).at("status"), "rejected");
    EXPECT_EQ(Object(rejected).at("actor"), "9001");
    EXPECT_EQ(Object(rejected).at("reason"), "Pas de partenariat pour l'instant");
    EXPECT_EQ(
        Object(Call("GET", "/api/v1/marketing/applications?status=rejected", staff)).at("items").as_array().size(), 1u);

    auto holders = Call("GET", "/api/v1/marketing/holders?role=Créateur", staff);
    ASSERT_EQ(holders.status, 200) << holders.body;
    ASSERT_EQ(Object(holders).at("items").as_array().size(), 1u);
    EXPECT_EQ(Object(Call("GET", "/api/v1/marketing/holders?role=partner", staff)).at("items").as_array().size(), 0u);
    EXPECT_EQ(Call("GET", "/api/v1/marketing/holders?role=astronaut", staff).status, 400);
    EXPECT_EQ(Call("POST", "/api/v1/marketing/holders/3001/astronaut/revoke", staff, R"({"reason":"x"})").status, 400);
    auto not_holder = Call("POST", "/api/v1/marketing/holders/3002/creator/revoke", staff, R"({"reason":"x"})");
    EXPECT_EQ(Key(not_holder), "marketing.not_holder");
    auto revoked = Call("POST", "/api/v1/marketing/holders/3001/creator/revoke", staff, R"({"reason":"Fin"})");
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_FALSE(Object(revoked).at("revoked_at").is_null());
    EXPECT_EQ(Object(revoked).at("revoke_reason"), "Fin");
    EXPECT_EQ(Object(Call("GET", "/api/v1/marketing/holders", staff)).at("items").as_array().size(), 0u);
}

TEST_F(MarketingApiTest, InviteLeaderboardsAMembersInvitesAndStaffBonuses) {
    for (long long m = 5000; m < 5003; ++m) {
        invites.OnJoin(JoinFacts{.member = UserId{m},
                                 .source = JoinSource::kInvite,
                                 .code = "aliceInv",
                                 .inviter = UserId{3001},
                                 .at = clock.Now()});
    }
    clock.Advance(24h * 8);
    ASSERT_EQ(invites.ValidateDue(), 3);

    auto top = Call("GET", "/api/v1/marketing/invites/leaderboard?window=all", staff);
    ASSERT_EQ(top.status, 200) << top.body;
    EXPECT_EQ(Object(top).at("window"), "all");
    ASSERT_EQ(Object(top).at("items").as_array().size(), 1u);
    EXPECT_EQ(Object(top).at("items").as_array()[0].as_object(),
              (json::object{{"user", "3001"}, {"total", 3}, {"validated", 3}}));
    // Joins more than 7 days old are not this week's.
    EXPECT_EQ(
        Object(Call("GET", "/api/v1/marketing/invites/leaderboard?window=7d", staff)).at("items").as_array().size(),
        0u);
    EXPECT_EQ(Call("GET", "/api/v1/marketing/invites/leaderboard?window=year", staff).status, 400);

    auto mine = Call("GET", "/api/v1/marketing/invites/3001", staff);
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(Object(mine).at("counts").at("regular"), 3);
    EXPECT_EQ(Object(mine).at("counts").at("validated"), 3);
    ASSERT_EQ(Object(mine).at("recent").as_array().size(), 3u);
    EXPECT_EQ(Object(mine).at("recent").as_array()[0].at("status"), "validated");
    EXPECT_EQ(Call("GET", "/api/v1/marketing/invites/alice", staff).status, 400);

    auto zero = Call("POST", "/api/v1/marketing/invites/3001/bonus", staff, R"({"amount":0,"reason":"Rien"})");
    EXPECT_EQ(zero.status, 400) << zero.body;
    EXPECT_EQ(Key(zero), "invites.bonus_range");
    EXPECT_EQ(Call("POST", "/api/v1/marketing/invites/3001/bonus", staff, R"({"reason":"Rien"})").status, 400);
    EXPECT_EQ(Rows("invite_bonuses"), 0);
    auto bonus = Call("POST", "/api/v1/marketing/invites/3001/bonus", staff, R"({"amount":-2,"reason":"Doublons"})");
    ASSERT_EQ(bonus.status, 200) << bonus.body;
    EXPECT_EQ(Object(bonus).at("bonus"), -2);
    EXPECT_EQ(Object(bonus).at("total"), 1);
    EXPECT_EQ(Rows("invite_bonuses"), 1);
}

TEST_F(MarketingApiTest, RewardsWithinBoundsPayoutsWithinWhatIsDueTheStatementAndItsCsv) {
    AliceInfluencer();
    auto rewards = "/api/v1/marketing/marketers/3001/rewards";
    auto over = Call("POST", rewards, staff, R"({"role":"influencer","amount_minor":25000,"note":"Mai"})");
    EXPECT_EQ(over.status, 400) << over.body;
    EXPECT_EQ(Key(over), "marketing.reward_bounds");
    EXPECT_EQ(Key(Call("POST", rewards, staff, R"({"role":"creator","amount_minor":2000,"note":"Mai"})")),
              "marketing.not_holder");
    EXPECT_EQ(Call("POST", rewards, staff, R"({"role":"astronaut","amount_minor":2000})").status, 400);
    EXPECT_EQ(Call("POST", rewards, staff, R"({"role":"influencer","amount_minor":"150"})").status, 400);
    EXPECT_EQ(Rows("commissions"), 0);
    auto reward = Call("POST", rewards, staff, R"({"role":"Influenceur","amount_minor":15000,"note":"Mai"})");
    ASSERT_EQ(reward.status, 201) << reward.body;
    EXPECT_EQ(Object(reward).at("user"), "3001");
    EXPECT_EQ(Object(reward).at("kind"), "monthly");
    EXPECT_EQ(Object(reward).at("status"), "due");
    EXPECT_EQ(Object(reward).at("amount_minor"), 15000);
    EXPECT_EQ(Object(reward).at("created_by"), "9001");

    auto payouts = "/api/v1/marketing/marketers/3001/payouts";
    auto too_much = Call("POST", payouts, staff, R"({"amount_minor":15001,"reference":"VIR-1"})");
    EXPECT_EQ(Key(too_much), "marketing.payout_exceeds");
    EXPECT_EQ(Rows("payouts"), 0);
    auto paid = Call("POST", payouts, staff, R"({"amount_minor":10000,"reference":"VIR-2026-05"})");
    ASSERT_EQ(paid.status, 201) << paid.body;
    EXPECT_EQ(Object(paid).at("reference"), "VIR-2026-05");
    EXPECT_EQ(Object(paid).at("amount_minor"), 10000);

    auto statement = Call("GET", "/api/v1/marketing/marketers/3001/statement?month=2026-05", staff);
    ASSERT_EQ(statement.status, 200) << statement.body;
    auto s = Object(statement);
    EXPECT_EQ(s.at("user"), "3001");
    EXPECT_EQ(s.at("month"), "2026-05");
    EXPECT_EQ(s.at("opening_minor"), 0);
    EXPECT_EQ(s.at("earned_minor"), 15000);
    EXPECT_EQ(s.at("paid_minor"), 10000);
    EXPECT_EQ(s.at("closing_minor"), 5000);
    EXPECT_EQ(s.at("lines").as_array().size(), 1u);
    EXPECT_EQ(s.at("payouts").as_array().size(), 1u);
    EXPECT_EQ(s.at("balance").at("due_minor"), 5000);
    auto bad_month = Call("GET", "/api/v1/marketing/marketers/3001/statement?month=mai", staff);
    EXPECT_EQ(Key(bad_month), "marketing.month_format");

    auto all = Call("GET", "/api/v1/marketing/marketers?month=2026-05", staff);
    ASSERT_EQ(all.status, 200) << all.body;
    ASSERT_EQ(Object(all).at("items").as_array().size(), 1u);
    EXPECT_EQ(Object(all).at("items").as_array()[0].at("closing_minor"), 5000);

    auto csv = Call("GET", "/api/v1/marketing/statements.csv?month=2026-05", staff);
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
    EXPECT_EQ(csv.Header("content-disposition"), "attachment; filename=\"marketing-statements-2026-05.csv\"");
    EXPECT_EQ(csv.body,
              "month,marketer_name,marketer_id,opening,earned,reversed,paid,pending,closing,currency,lines,payouts\r\n"
              "2026-05,\"Alice \"\"A\"\", first\",3001,0.00,150.00,0.00,100.00,0.00,50.00,EUR,1,1\r\n");
    EXPECT_EQ(Key(Call("GET", "/api/v1/marketing/statements.csv?month=2026-5x", staff)), "marketing.month_format");
}

TEST_F(MarketingApiTest, StaffMarkEventsOnceEach) {
    auto path = "/api/v1/marketing/marketers/3002/events";
    auto marked = Call("POST", path, staff, R"({"name":"Tournoi de printemps"})");
    ASSERT_EQ(marked.status, 201) << marked.body;
    EXPECT_EQ(Object(marked).at("user"), "3002");
    EXPECT_EQ(Object(marked).at("kind"), "event");
    EXPECT_EQ(Object(marked).at("actor"), "9001");
    EXPECT_EQ(Key(Call("POST", path, staff, R"({"name":"Tournoi de printemps"})")), "marketing.event_duplicate");
    EXPECT_EQ(Key(Call("POST", path, staff, R"({"name":""})")), "marketing.event_name_required");
    EXPECT_EQ(Rows("marketing_activity"), 1);
}

}  // namespace
}  // namespace maxis::http
