// The pre-orders over REST on SQLite, through the real server and the SQL store: staff define and open an item
// (the JSON the panel reads), bad input refused with its key and nothing written, a member buys (the payment page,
// or 409 preorders.price_changed with the tier they would get now), sees only their own purchases, cancels after a
// moved release; staff-only routes refused to members; the buyers' CSV.
#include "http/api/preorders_api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/time_zone.hpp"
#include "storage/preorder_store.hpp"
#include "support/api_server.hpp"

namespace maxis::http {
namespace {

namespace json = boost::json;
using core::Role;
using namespace preorders;

/// The provider's hosted page and refunds, as the routes see them.
class PaymentPages final : public PreorderCheckout {
public:
    [[nodiscard]] bool configured() const override { return true; }
    Session CreateCheckout(const Purchase& purchase, const Item&, const Tier&, core::TimePoint,
                           const std::string&) override {
        auto id = "cs_test_" + purchase.id.ToString();
        return {id, "https://checkout.example/" + id};
    }
    std::string Refund(const Purchase& purchase, const std::string&) override { return "re_" + purchase.id.ToString(); }
};

constexpr const char* kItem =
    R"({"name":"Carte collector","price_minor":4999,"release_at":"2026-12-25T17:00:00Z","description":"Numérotée",)"
    R"("delivery":"Le code arrive en message privé."})";

class PreordersApiTest : public testing::ApiServerTest {
protected:
    PreordersApiTest() {
        alice = Token(1001, Role::kMember, "alice");
        bob = Token(1002, Role::kMember, "bob");
        staff = Token(9001, Role::kStaff, "staff");
        AddPreorderRoutes(router, service, Bearer(), [](const std::vector<core::UserId>&) {
            return std::map<core::UserId, std::string>{{core::UserId{1001}, "Alice \"A\", first"}};
        });
        Serve();
    }
    long long Rows(const std::string& table) { return Count("SELECT COUNT(*) FROM " + table); }
    json::object Object(const testing::HttpResult& r) { return Json(r).as_object(); }
    /// Creates and opens the item: its JSON once open.
    json::object OpenItem(const std::string& tiers = {}) {
        EXPECT_EQ(Call("POST", "/api/v1/preorders", staff, kItem).status, 201);
        if (!tiers.empty()) {
            EXPECT_EQ(Call("PUT", "/api/v1/preorders/1/tiers", staff, tiers).status, 200);
        }
        auto opened = Call("POST", "/api/v1/preorders/1/open", staff);
        EXPECT_EQ(opened.status, 200) << opened.body;
        return Object(opened);
    }
    static std::string TierId(const json::object& item, std::size_t i) {
        return std::to_string(item.at("tiers").as_array().at(i).at("id").as_int64());
    }

    core::TimeZone zone = core::TimeZone::Load("Europe/Paris");
    storage::SqlPreorderRepository repo{db, clock};
    PaymentPages pages;
    PreorderService service{repo, pages, clock, zone, PreorderOptions{}};
    std::string alice, bob, staff;
};

TEST_F(PreordersApiTest, StaffDefineAndOpenAnItemInTheFieldsThePanelReads) {
    auto created = Call("POST", "/api/v1/preorders", staff, kItem);
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.Header("location"), "/api/v1/preorders/1");
    auto item = Object(created);
    EXPECT_EQ(item.at("id"), 1);
    EXPECT_EQ(item.at("status"), "draft");
    EXPECT_EQ(item.at("price_minor"), 4999);
    EXPECT_EQ(item.at("currency"), "EUR");
    EXPECT_EQ(item.at("release_at"), "2026-12-25T17:00:00.000Z");
    EXPECT_EQ(item.at("delivery"), "Le code arrive en message privé.");
    EXPECT_EQ(item.at("per_member_limit"), 1);
    EXPECT_EQ(item.at("release_moves"), 0);
    EXPECT_TRUE(item.at("opened_at").is_null());
    EXPECT_TRUE(item.at("next_tier_id").is_null());  // a draft sells nothing
    const auto& tiers = item.at("tiers").as_array();
    ASSERT_EQ(tiers.size(), 4u);
    EXPECT_EQ(tiers[0].as_object(), (json::object{{"id", tiers[0].at("id")},
                                                  {"position", tiers[0].at("position")},
                                                  {"name", "Early Bird"},
                                                  {"discount_percent", 30},
                                                  {"seats", 20},
                                                  {"sold", 0},
                                                  {"held", 0},
                                                  {"open", 20},
                                                  {"unsold", 20},
                                                  {"price_minor", 3499}}));
    EXPECT_TRUE(tiers[3].at("seats").is_null());
    EXPECT_TRUE(tiers[3].at("open").is_null());
    EXPECT_TRUE(tiers[3].at("unsold").is_null());
    EXPECT_EQ(tiers[3].at("price_minor"), 4999);

    // Members see neither drafts nor staff's routes.
    EXPECT_EQ(Object(Call("GET", "/api/v1/preorders", alice)).at("items").as_array().size(), 0u);
    EXPECT_EQ(Call("GET", "/api/v1/preorders/1", alice).status, 404);
    EXPECT_EQ(Call("POST", "/api/v1/preorders", alice, kItem).status, 403);
    EXPECT_EQ(Call("PATCH", "/api/v1/preorders/1", alice, R"({"name":"X"})").status, 403);
    EXPECT_EQ(Call("PUT", "/api/v1/preorders/1/tiers", alice, R"({"tiers":[]})").status, 403);
    for (const char* action : {"open", "close", "cancel"}) {
        EXPECT_EQ(Call("POST", std::string("/api/v1/preorders/1/") + action, alice).status, 403) << action;
    }
    EXPECT_EQ(Object(Call("GET", "/api/v1/preorders/1", staff)).at("status"), "draft");

    auto patched =
        Call("PATCH", "/api/v1/preorders/1", staff,
             R"({"name":"Carte collector II","release_at":"2027-01-10T20:30:00+01:00","per_member_limit":2})");
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(Object(patched).at("name"), "Carte collector II");
    EXPECT_EQ(Object(patched).at("release_at"), "2027-01-10T19:30:00.000Z");
    EXPECT_EQ(Object(patched).at("per_member_limit"), 2);
    auto tiered = Call("PUT", "/api/v1/preorders/1/tiers", staff,
                       R"({"tiers":[{"name":"Early Bird","discount_percent":30,"seats":1},)"
                       R"({"name":"Regular","discount_percent":0,"seats":null}]})");
    ASSERT_EQ(tiered.status, 200) << tiered.body;
    EXPECT_EQ(Object(tiered).at("tiers").as_array().size(), 2u);

    auto opened = Call("POST", "/api/v1/preorders/1/open", staff);
    ASSERT_EQ(opened.status, 200);
    EXPECT_EQ(Object(opened).at("status"), "open");
    EXPECT_FALSE(Object(opened).at("opened_at").is_null());
    auto listed = Object(Call("GET", "/api/v1/preorders", alice)).at("items").as_array();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].at("next_tier_id"), listed[0].at("tiers").as_array().at(0).at("id"));

    ASSERT_EQ(Call("POST", "/api/v1/preorders/1/cancel", staff).status, 200);
    EXPECT_EQ(Object(Call("GET", "/api/v1/preorders", staff)).at("items").as_array().size(), 0u);
    EXPECT_EQ(Object(Call("GET", "/api/v1/preorders?all=1", staff)).at("items").as_array().size(), 1u);
    EXPECT_EQ(Call("GET", "/api/v1/preorders?all=yes", staff).status, 400);
}

TEST_F(PreordersApiTest, BadInputIsRefusedWithItsKeyAndChangesNothing) {
    struct Case {
        std::string body;
        std::string key;  // empty: the route's own 400, without a catalog key
    };
    const std::vector<Case> cases = {
        {R"({"name":"Carte","price_minor":4999,"release_at":"2020-01-01T10:00:00Z"})", "preorders.release_past"},
        {R"({"name":"Carte","price_minor":4999,"release_at":"2026-12-25 18:00"})", ""},
        {R"({"name":"Carte","price_minor":4999,"release_at":"2026-12-25T17:00:00"})", ""},
        {R"({"name":"Carte","release_at":"2026-12-25T17:00:00Z"})", ""},
        {R"({"name":"","price_minor":4999,"release_at":"2026-12-25T17:00:00Z"})", "preorders.name"},
        {R"({"name":"Carte","price_minor":4999,"release_at":"2026-12-25T17:00:00Z","color":"red"})", ""},
        {R"({"name":"Carte","price_minor":4999,"release_at":"2026-12-25T17:00:00Z",)"
         R"("tiers":[{"name":"EB","discount_percent":120,"seats":20},{"name":"R","discount_percent":0,"seats":null}]})",
         "preorders.tier_discount"},
        {R"({"name":"Carte","price_minor":4999,"release_at":"2026-12-25T17:00:00Z",)"
         R"("tiers":[{"name":"EB","discount_percent":30,"seats":0},{"name":"R","discount_percent":0,"seats":null}]})",
         "preorders.tier_seats"},
        {R"({"name":"Carte","price_minor":4999,"release_at":"2026-12-25T17:00:00Z","tiers":"four"})", ""},
    };
    for (const auto& c : cases) {
        auto r = Call("POST", "/api/v1/preorders", staff, c.body);
        EXPECT_EQ(r.status, 400) << c.body << " -> " << r.body;
        EXPECT_EQ(Key(r), c.key) << c.body;
    }
    EXPECT_EQ(Rows("preorder_items"), 0);
    EXPECT_EQ(Rows("preorder_tiers"), 0);

    ASSERT_EQ(Call("POST", "/api/v1/preorders", staff, kItem).status, 201);
    for (const char* bad : {R"({"per_member_limit":0})", R"({"release_at":"2020-01-01T10:00:00Z"})",
                            R"({"release_at":"soon"})", R"({"name":42})"}) {
        EXPECT_EQ(Call("PATCH", "/api/v1/preorders/1", staff, bad).status, 400) << bad;
    }
    auto unchanged = Object(Call("GET", "/api/v1/preorders/1", staff));
    EXPECT_EQ(unchanged.at("name"), "Carte collector");
    EXPECT_EQ(unchanged.at("release_at"), "2026-12-25T17:00:00.000Z");
    EXPECT_EQ(unchanged.at("per_member_limit"), 1);
    EXPECT_EQ(
        Key(Call("PUT", "/api/v1/preorders/1/tiers", staff,
                 R"({"tiers":[{"name":"Founder","discount_percent":20,"seats":50},)"
                 R"({"name":"EB","discount_percent":30,"seats":5},{"name":"R","discount_percent":0,"seats":null}]})")),
        "preorders.tier_order");
    EXPECT_EQ(Rows("preorder_tiers"), 4);
    EXPECT_EQ(Call("GET", "/api/v1/preorders/99", staff).status, 404);
    EXPECT_EQ(Call("GET", "/api/v1/preorders/abc", staff).status, 404);

    // Buying a draft, an unknown or a closed item.
    EXPECT_EQ(Key(Call("POST", "/api/v1/preorders/1/buy", alice)), "preorders.unknown");
    EXPECT_EQ(Key(Call("POST", "/api/v1/preorders/7/buy", alice)), "preorders.unknown");
    ASSERT_EQ(Call("POST", "/api/v1/preorders/1/open", staff).status, 200);
    ASSERT_EQ(Call("POST", "/api/v1/preorders/1/close", staff).status, 200);
    EXPECT_EQ(Key(Call("POST", "/api/v1/preorders/1/buy", alice)), "preorders.not_open");
    EXPECT_EQ(Call("POST", "/api/v1/preorders/1/buy", alice, R"({"named":"yes"})").status, 400);
    EXPECT_EQ(Rows("preorder_purchases"), 0);
}

TEST_F(PreordersApiTest, MembersBuySeeTheNewPriceAndReachOnlyTheirOwnPurchases) {
    auto item = OpenItem(R"({"tiers":[{"name":"Early Bird","discount_percent":30,"seats":1},)"
                         R"({"name":"Founder","discount_percent":20,"seats":50},)"
                         R"({"name":"Regular","discount_percent":0,"seats":null}]})");
    const auto early = TierId(item, 0), founder = TierId(item, 1);

    auto bought = Call("POST", "/api/v1/preorders/1/buy", alice, R"({"tier_id":)" + early + "}");
    ASSERT_EQ(bought.status, 200) << bought.body;
    auto b = Object(bought);
    EXPECT_EQ(b.at("checkout_url"), "https://checkout.example/cs_test_1");
    const auto& p = b.at("purchase").as_object();
    EXPECT_EQ(p.at("id"), 1);
    EXPECT_EQ(p.at("item_id"), 1);
    EXPECT_EQ(p.at("tier_name"), "Early Bird");
    EXPECT_EQ(p.at("user"), "1001");
    EXPECT_EQ(p.at("status"), "held");
    EXPECT_EQ(p.at("price_minor"), 3499);
    EXPECT_EQ(p.at("named"), false);
    EXPECT_TRUE(p.at("refund_reason").is_null());
    EXPECT_TRUE(p.at("paid_at").is_null());
    EXPECT_EQ(b.at("tier").at("held"), 1);
    EXPECT_EQ(b.at("tier").at("open"), 0);
    EXPECT_EQ(b.at("tier").at("unsold"), 1);

    // Bob saw Early Bird; it has just filled: nothing held, the tier he would get now.
    auto changed = Call("POST", "/api/v1/preorders/1/buy", bob, R"({"tier_id":)" + early + "}");
    ASSERT_EQ(changed.status, 409) << changed.body;
    EXPECT_EQ(Key(changed), "preorders.price_changed");
    EXPECT_EQ(Object(changed).at("tier").at("name"), "Founder");
    EXPECT_EQ(Object(changed).at("tier").at("price_minor"), 3999);
    EXPECT_EQ(Rows("preorder_purchases"), 1);
    auto confirmed = Call("POST", "/api/v1/preorders/1/buy", bob, R"({"tier_id":)" + founder + R"(,"named":true})");
    ASSERT_EQ(confirmed.status, 200) << confirmed.body;
    EXPECT_EQ(Object(confirmed).at("purchase").at("named"), true);
    EXPECT_EQ(Key(Call("POST", "/api/v1/preorders/1/buy", bob)), "preorders.limit");
    EXPECT_EQ(Rows("preorder_purchases"), 2);

    ASSERT_EQ(service.OnCheckoutCompleted("evt_1", "cs_test_1", true, "pi_1", 3499), EventOutcome::kApplied);
    auto mine = Object(Call("GET", "/api/v1/preorders/purchases?user=me", alice)).at("items").as_array();
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].at("status"), "paid");
    EXPECT_FALSE(mine[0].at("paid_at").is_null());
    EXPECT_EQ(Object(Call("GET", "/api/v1/preorders/purchases", bob)).at("items").as_array().at(0).at("user"), "1002");
    EXPECT_EQ(Call("GET", "/api/v1/preorders/purchases?user=1002", alice).status, 404);
    EXPECT_EQ(Call("GET", "/api/v1/preorders/purchases?user=bob", staff).status, 400);
    auto bobs = Object(Call("GET", "/api/v1/preorders/purchases?user=1002", staff)).at("items").as_array();
    ASSERT_EQ(bobs.size(), 1u);
    EXPECT_EQ(bobs[0].at("tier_name"), "Founder");

    // Staff's views of the sales; members are refused them.
    for (const char* path : {"/api/v1/preorders/1/buyers", "/api/v1/preorders/1/buyers.csv",
                             "/api/v1/preorders/1/stats", "/api/v1/preorders/early-adopters"}) {
        EXPECT_EQ(Call("GET", path, alice).status, 403) << path;
    }
    auto buyers = Object(Call("GET", "/api/v1/preorders/1/buyers", staff)).at("items").as_array();
    ASSERT_EQ(buyers.size(), 1u);  // Bob's seat is only held
    EXPECT_EQ(buyers[0].at("user"), "1001");
    auto stats = Object(Call("GET", "/api/v1/preorders/1/stats", staff));
    EXPECT_EQ(stats.at("revenue_minor"), 3499);
    EXPECT_EQ(stats.at("refunded_minor"), 0);
    EXPECT_EQ(stats.at("buyers"), 1);
    EXPECT_EQ(stats.at("item").at("tiers").as_array().at(0).at("sold"), 1);
    ASSERT_EQ(stats.at("days").as_array().size(), 1u);
    EXPECT_EQ(stats.at("days").as_array().at(0).at("tier_id").as_int64(), std::stoll(early));
    EXPECT_EQ(stats.at("days").as_array().at(0).at("seats"), 1);
    EXPECT_EQ(stats.at("days").as_array().at(0).at("revenue_minor"), 3499);
    auto adopters = Object(Call("GET", "/api/v1/preorders/early-adopters", staff)).at("items").as_array();
    ASSERT_EQ(adopters.size(), 1u);
    EXPECT_EQ(adopters[0].at("user"), "1001");
    EXPECT_EQ(adopters[0].at("purchases"), 1);

    auto csv = Call("GET", "/api/v1/preorders/1/buyers.csv", staff);
    ASSERT_EQ(csv.status, 200);
    EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
    EXPECT_EQ(csv.Header("content-disposition"), "attachment; filename=\"preorder-1-buyers.csv\"");
    EXPECT_EQ(csv.body,
              "purchase,buyer_name,buyer_id,tier,price,currency,status,paid_at,refunded_at\r\n"
              "1,\"Alice \"\"A\"\", first\",1001,Early Bird,34.99,EUR,paid," +
                  std::string(mine[0].at("paid_at").as_string()) + ",\r\n");
}

TEST_F(PreordersApiTest, AMovedReleaseLetsTheBuyerCancelTheirOwnPurchaseOnly) {
    OpenItem();
    ASSERT_EQ(Call("POST", "/api/v1/preorders/1/buy", alice).status, 200);
    ASSERT_EQ(service.OnCheckoutCompleted("evt_1", "cs_test_1", true, "pi_1", 3499), EventOutcome::kApplied);
    EXPECT_EQ(Key(Call("POST", "/api/v1/preorders/purchases/1/cancel", alice)), "preorders.cancel_not_offered");
    auto moved = Call("PATCH", "/api/v1/preorders/1", staff, R"({"release_at":"2027-02-01T17:00:00Z"})");
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_EQ(Object(moved).at("release_moves"), 1);
    EXPECT_EQ(Key(Call("POST", "/api/v1/preorders/purchases/1/cancel", bob)), "preorders.purchase_unknown");
    EXPECT_EQ(Call("POST", "/api/v1/preorders/purchases/x/cancel", alice).status, 404);
    auto cancelled = Call("POST", "/api/v1/preorders/purchases/1/cancel", alice);
    ASSERT_EQ(cancelled.status, 200) << cancelled.body;
    auto p = Object(cancelled);
    EXPECT_EQ(p.at("refund_reason"), "member_cancelled");
    EXPECT_EQ(p.at("tier_name"), "Early Bird");
    EXPECT_TRUE(p.at("status") == "refunded" || p.at("status") == "refunding") << p.at("status");
    EXPECT_EQ(Key(Call("POST", "/api/v1/preorders/purchases/1/cancel", alice)), "preorders.cancel_not_offered");
}

}  // namespace
}  // namespace maxis::http
