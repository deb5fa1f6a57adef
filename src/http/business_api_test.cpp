// The REST routes the admin panel's business pages use: products (a price of 0 needs "free": true),
// promotions (created by the same service as !promo, listed with their uses, ended now) and temporary
// grants (given and revoked with a reason), against the real server, SQLite and services.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "domain/plans/assistant.hpp"
#include "domain/plans/plan_service.hpp"
#include "domain/shop/shop_service.hpp"
#include "http/api/plans_api.hpp"
#include "http/api/shop_api.hpp"
#include "storage/coin_store.hpp"
#include "storage/plan_store.hpp"
#include "storage/shop_store.hpp"
#include "support/api_server.hpp"
#include "support/scripted_payments.hpp"

namespace maxis::http {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::HttpResult;

/// Stripe's side of plans, as the port sees it: promotion codes made and deactivated (the adapter itself is
/// tested against the Stripe simulator). Refuses on demand.
class PromotionCodes final : public plans::BillingGateway {
public:
    [[nodiscard]] bool configured() const override { return true; }
    std::string CreatePlanCheckout(const PlanCheckout&) override { return {}; }
    std::string PortalUrl(const std::string&, const std::string&) override { return {}; }
    void CreatePromotion(plans::Promotion& p, const plans::Plan& plan) override {
        p.code = "PRO" + std::to_string(p.percent_off) + "-" + std::to_string(++made);
        p.coupon_id = "co_" + plan.id;
        p.promotion_code_id = "promo_" + std::to_string(made);
    }
    void ExpirePromotion(const plans::Promotion& p) override {
        if (refuse) throw core::Error(core::ErrorCode::kUnavailable, "Stripe is down", "plans.promo_expire_failed");
        deactivated.push_back(p.promotion_code_id);
    }
    int made = 0;
    bool refuse = false;
    std::vector<std::string> deactivated;
};

class NoModel final : public plans::LanguageModel {
public:
    [[nodiscard]] bool configured() const override { return false; }
    std::string Chat(const std::vector<plans::ChatMessage>&) override { return {}; }
    std::string Image(const std::string&) override { return {}; }
};

plans::PlanCatalog Catalog() {
    return plans::PlanCatalog({
        {.id = "free", .rank = 0, .entitlements = {.messages_per_day = 10}},
        {.id = "pro", .rank = 2, .billing = plans::Billing::kMonthly, .price_id = "price_pro", .role_id = "r-pro"},
        {.id = "ultra",
         .rank = 3,
         .billing = plans::Billing::kMonthly,
         .price_id = "price_ultra",
         .role_id = "r-ultra"},
    });
}

class BusinessApiTest : public testing::ApiServerTest {
protected:
    BusinessApiTest() {
        alice = Token(1001, core::Role::kMember, "alice");
        staff = Token(9001, core::Role::kStaff, "staff");
        AddShopRoutes(router, shop, clock, Bearer());
        AddPlanRoutes(router, plans, assistant, zone, Bearer());
        Serve();
    }

    core::TimeZone zone = core::TimeZone::Load("Europe/Paris");
    storage::SqlShopRepository shop_repo{db, clock};
    testing::ScriptedPayments payments;
    shop::ShopService shop{shop_repo, payments, clock, shop::ShopOptions{}};
    plans::PlanCatalog catalog = Catalog();
    storage::SqlPlanRepository plan_repo{db, clock};
    PromotionCodes billing;
    plans::PlanService plans{catalog, plan_repo, billing, clock, zone, plans::PlanOptions{}};
    NoModel model;
    plans::Assistant assistant{plans, plan_repo, model, zone, plans::AssistantOptions{}};
    std::string alice, staff;
};

TEST_F(BusinessApiTest, AMemberBuysACoinPricedProductWithCoinsAndStaffRefundTheCoins) {
    auto r = Call("POST", "/api/v1/products", staff, R"({"name":"Badge","coin_price":250,"stock":2})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Json(r).at("coin_price").as_int64(), 250);
    EXPECT_EQ(Json(r).at("price_minor").as_int64(), 0);
    auto badge = "/api/v1/products/" + std::to_string(Json(r).at("id").as_int64());
    // Not enough coins: 409, nothing changes.
    r = Call("POST", badge + "/buy-with-coins", alice);
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(Key(r), "shop.coins_short");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 0);
    EXPECT_EQ(Count("SELECT stock FROM products WHERE name = 'Badge'"), 2);
    db.Write(core::Viewer::System(), [&](storage::Transaction& tx) {
        storage::MoveCoinsIn(
            tx,
            coins::Movement{.user = core::UserId{1001}, .amount = 300, .reason = coins::CoinReason::kDaily, .ref = "d"},
            clock.Now());
    });
    EXPECT_EQ(Call("POST", badge + "/buy-with-coins", alice, R"({"quantity":0})").status, 400);
    r = Call("POST", badge + "/buy-with-coins", alice, R"({"quantity":1})");
    ASSERT_EQ(r.status, 201) << r.body;
    auto order = Json(r).as_object();
    EXPECT_EQ(order.at("status").as_string(), "paid");
    EXPECT_EQ(order.at("currency").as_string(), "COINS");
    EXPECT_EQ(order.at("total_minor").as_int64(), 250);
    EXPECT_EQ(Count("SELECT balance FROM coin_balances WHERE user_id = 1001"), 50);
    EXPECT_EQ(Count("SELECT stock FROM products WHERE name = 'Badge'"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM payments"), 0);
    // A product with no coin price is not sold for coins.
    r = Call("POST", "/api/v1/products", staff, R"({"name":"Mug","price_minor":1250})");
    auto mug = "/api/v1/products/" + std::to_string(Json(r).at("id").as_int64());
    EXPECT_EQ(Key(Call("POST", mug + "/buy-with-coins", alice)), "shop.not_for_coins");
    // Staff refund: whole, the coins back once.
    auto refund = "/api/v1/orders/" + std::string(order.at("number").as_string()) + "/refund";
    EXPECT_EQ(Call("POST", refund, alice).status, 403);
    r = Call("POST", refund, staff);
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(Json(r).at("order").at("status").as_string(), "refunded");
    EXPECT_EQ(Count("SELECT balance FROM coin_balances WHERE user_id = 1001"), 300);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM coin_ledger WHERE reason = 'refund'"), 1);
    EXPECT_EQ(Call("POST", refund, staff).status, 409);
    EXPECT_EQ(Count("SELECT balance FROM coin_balances WHERE user_id = 1001"), 300);
}

TEST_F(BusinessApiTest, AZeroPriceIsRefusedWithItsReasonUnlessFreeIsConfirmed) {
    auto r = Call("POST", "/api/v1/products", staff, R"({"name":"Gratuit","price_minor":0,"stock":10})");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(Key(r), "shop.free_unconfirmed");
    EXPECT_NE(Json(r).at("error").at("message").as_string().find("free"), json::string::npos);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM products"), 0);
    EXPECT_EQ(Call("POST", "/api/v1/products", staff, R"({"name":"Gratuit","price_minor":0,"free":"yes"})").status,
              400);
    r = Call("POST", "/api/v1/products", staff, R"({"name":"Gratuit","price_minor":0,"stock":10,"free":true})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Json(r).at("price_minor").as_int64(), 0);

    // A paid product set to 0 by mistake keeps its price.
    r = Call("POST", "/api/v1/products", staff, R"({"name":"Mug","price_minor":1250,"stock":3})");
    ASSERT_EQ(r.status, 201) << r.body;
    auto mug = "/api/v1/products/" + std::to_string(Json(r).at("id").as_int64());
    r = Call("PATCH", mug, staff, R"({"price_minor":0,"stock":1})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Key(r), "shop.free_unconfirmed");
    EXPECT_EQ(Count("SELECT price_minor FROM products WHERE name = 'Mug'"), 1250);
    EXPECT_EQ(Count("SELECT stock FROM products WHERE name = 'Mug'"), 3);
    r = Call("PATCH", mug, staff, R"({"price_minor":990,"active":false})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Json(r).at("price_minor").as_int64(), 990);
    EXPECT_FALSE(Json(r).at("active").as_bool());
    EXPECT_EQ(Call("PATCH", mug, alice, R"({"price_minor":1})").status, 403);
}

TEST_F(BusinessApiTest, PromotionsAreCreatedListedWithTheirUsesAndEndedNow) {
    EXPECT_EQ(
        Call("POST", "/api/v1/promotions", alice, R"({"plan":"pro","percent_off":20,"duration_minutes":60})").status,
        403);
    auto r = Call("POST", "/api/v1/promotions", staff, R"({"plan":"pro","percent_off":120,"duration_minutes":60})");
    EXPECT_EQ(r.status, 400);
    r = Call("POST", "/api/v1/promotions", staff, R"({"plan":"pro","percent_off":20,"duration_minutes":5})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Key(r), "plans.promo_bad_duration");
    r = Call("POST", "/api/v1/promotions", staff, R"({"plan":"free","percent_off":20,"duration_minutes":60})");
    EXPECT_EQ(r.status / 100, 4);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM promotions"), 0);
    EXPECT_TRUE(billing.deactivated.empty());

    r = Call("POST", "/api/v1/promotions", staff, R"({"plan":"pro","percent_off":20,"duration_minutes":2880})");
    ASSERT_EQ(r.status, 201) << r.body;
    auto id = Json(r).at("id").as_int64();
    EXPECT_TRUE(Json(r).at("active").as_bool());
    EXPECT_EQ(plans.ActivePromotion("pro")->id, id);
    // A checkout reported with the promotion counts one use, once per event.
    plans::SubscriptionState sub{.id = "sub_1",
                                 .customer = "cus_1",
                                 .user = core::UserId{1001},
                                 .plan = "pro",
                                 .status = "active",
                                 .period_end = clock.Now() + 24h * 30};
    for (int i = 0; i < 2; ++i)
        plans.OnSubscription({"evt_1", "customer.subscription.created"}, sub, clock.Now(), {.promotion = id});
    r = Call("GET", "/api/v1/promotions", staff);
    ASSERT_EQ(r.status, 200);
    auto listed = Json(r).at("items").as_array().at(0);
    EXPECT_EQ(listed.at("code").as_string(), "PRO20-1");
    EXPECT_EQ(listed.at("uses").as_int64(), 1);
    EXPECT_EQ(Call("GET", "/api/v1/promotions", alice).status, 403);

    auto expire = "/api/v1/promotions/" + std::to_string(id) + "/expire";
    billing.refuse = true;
    r = Call("POST", expire, staff);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(Key(r), "plans.promo_expire_failed");
    EXPECT_TRUE(plans.ActivePromotion("pro"));  // Stripe refused: nothing changed here
    billing.refuse = false;
    EXPECT_EQ(Call("POST", expire, alice).status, 403);
    r = Call("POST", expire, staff);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(Json(r).at("active").as_bool());
    EXPECT_EQ(billing.deactivated, std::vector<std::string>{"promo_1"});
    EXPECT_FALSE(plans.ActivePromotion("pro"));
    r = Call("POST", expire, staff);
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(Key(r), "plans.promo_expired");
    EXPECT_EQ(billing.deactivated.size(), 1u);
    EXPECT_EQ(Call("POST", "/api/v1/promotions/999/expire", staff).status, 404);
    EXPECT_EQ(Call("POST", "/api/v1/promotions/abc/expire", staff).status, 404);
}

TEST_F(BusinessApiTest, AGrantIsGivenAndRevokedWithAReasonAndListedWithItsState) {
    const std::string grants = "/api/v1/members/1001/plan/grants";
    EXPECT_EQ(Call("POST", grants, alice, R"({"plan":"ultra","duration_hours":48,"reason":"prix"})").status, 403);
    auto r = Call("POST", grants, staff, R"({"plan":"ultra","duration_hours":48})");
    EXPECT_EQ(r.status, 400);
    r = Call("POST", grants, staff, R"({"plan":"ultra","duration_hours":48,"reason":"  "})");
    EXPECT_EQ(r.status, 400);
    r = Call("POST", grants, staff, R"({"plan":"ultra","duration_hours":0,"reason":"prix"})");
    EXPECT_EQ(r.status, 400);
    r = Call("POST", grants, staff, R"({"plan":"gold","duration_hours":48,"reason":"prix"})");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM user_subscriptions"), 0);

    r = Call("POST", grants, staff, R"({"plan":"ultra","duration_hours":48,"reason":"concours de novembre"})");
    ASSERT_EQ(r.status, 201) << r.body;
    auto grant = Json(r).at("id").as_int64();
    EXPECT_EQ(Json(r).at("reason").as_string(), "concours de novembre");
    EXPECT_EQ(Json(r).at("granted_by").as_string(), "9001");
    EXPECT_EQ(plans.StandingOf(core::UserId{1001}).plan->id, "ultra");

    r = Call("GET", "/api/v1/plans/ultra/members", staff);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(Json(r).at("items").as_array().size(), 1u);
    EXPECT_EQ(Json(r).at("items").at(0).at("user").as_string(), "1001");
    EXPECT_EQ(Json(r).at("items").at(0).at("state").as_string(), "granted");
    EXPECT_EQ(Call("GET", "/api/v1/plans/pro/members", staff).body.find("1001"), std::string::npos);
    EXPECT_EQ(Call("GET", "/api/v1/plans/ultra/members", alice).status, 403);
    EXPECT_EQ(Call("GET", "/api/v1/plans/free/members", staff).status, 404);

    auto revoke = grants + "/" + std::to_string(grant) + "/revoke";
    r = Call("POST", revoke, staff, R"({})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(plans.StandingOf(core::UserId{1001}).plan->id, "ultra");
    EXPECT_EQ(Call("POST", "/api/v1/members/1002/plan/grants/" + std::to_string(grant) + "/revoke", staff,
                   R"({"reason":"erreur"})")
                  .status,
              404);
    r = Call("POST", revoke, staff, R"({"reason":"gagnant disqualifié"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Json(r).at("status").as_string(), "revoked");
    EXPECT_EQ(Json(r).at("reason").as_string(), "concours de novembre");
    EXPECT_EQ(Json(r).at("end").as_string(), "revoked");
    EXPECT_EQ(Json(r).at("end_reason").as_string(), "gagnant disqualifié");
    EXPECT_EQ(Json(r).at("ended_by").as_string(), "9001");
    EXPECT_EQ(plans.StandingOf(core::UserId{1001}).plan->id, "free");
    EXPECT_TRUE(Json(Call("GET", "/api/v1/plans/ultra/members", staff)).at("items").as_array().empty());
    r = Call("POST", revoke, staff, R"({"reason":"encore"})");
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(Key(r), "plans.grant_over");
}

}  // namespace
}  // namespace maxis::http
