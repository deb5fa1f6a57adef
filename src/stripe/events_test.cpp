// The Stripe events Maxis handles, parsed once (stripe/events) and routed by the payment service
// (domain/payments) to the feature they concern. Every payload starts from Stripe's own example objects,
// ../shared/stripe-openapi/fixtures3.json; the features behind the ports are recorded, the ports being
// the payment domain's own (the real stores are covered by the storage and end-to-end suites).
#include "stripe/events.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "core/errors.hpp"
#include "domain/payments/payment_service.hpp"
#include "stripe/webhook.hpp"
#include "stripe/webhook_routes.hpp"
#include "support/fake_clock.hpp"

namespace maxis::stripe {
namespace {

namespace json = boost::json;
using core::EventOutcome;

/// Stripe's example objects; a missing file fails every test that needs it.
const json::object& Resources() {
    static const json::object resources = [] {
        const std::string path = MAXIS_SOURCE_DIR "/../shared/stripe-openapi/fixtures3.json";
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot open " + path);
        std::stringstream text;
        text << in.rdbuf();
        return json::parse(text.str()).as_object().at("resources").as_object();
    }();
    return resources;
}

json::object Fixture(std::string_view kind) { return Resources().at(kind).as_object(); }

/// Stripe's example event around an object.
std::string Event(const std::string& type, const json::object& object, const std::string& id = "evt_test_1") {
    auto event = Fixture("event");
    event["id"] = id;
    event["type"] = type;
    event["data"] = json::object{{"object", object}};
    return json::serialize(event);
}

json::object WithMeta(json::object o, json::object metadata) {
    o["metadata"] = std::move(metadata);
    return o;
}

json::object ShopSession(const std::string& status = "paid") {
    auto s = WithMeta(Fixture("checkout.session"), {{"order_id", "12"}, {"user_id", "42"}});
    s["payment_status"] = status;
    s["amount_total"] = 2990;
    s["currency"] = "eur";
    s["invoice"] = "in_paid_1";
    return s;
}

json::object PlanSubscription() {
    // Stripe's example subscription, for member 42; its price is the one [plans] sells Pro at below.
    return WithMeta(Fixture("subscription"), {{"user_id", "42"}, {"plan", "pro"}});
}

std::string Problem(const std::string& body) {
    try {
        ParseEvent(body);
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::ErrorCode::kInvalidArgument);
        return e.what();
    }
    return "parsed";
}

// --- the parser ---------------------------------------------------------------------------------------

TEST(StripeEvents, ReadsStripesExampleObjectsWithTheFieldsMaxisUses) {
    auto fixture_session = Fixture("checkout.session");
    auto e = ParseEvent(Event("checkout.session.completed", fixture_session));
    EXPECT_EQ(e.id, "evt_test_1");
    EXPECT_EQ(e.type, "checkout.session.completed");
    EXPECT_EQ(core::ToEpochMillis(e.created), 1'234'567'890'000LL);
    const auto& s = std::get<payments::CheckoutSession>(e.object);
    EXPECT_EQ(s.id, fixture_session.at("id").as_string());
    EXPECT_EQ(s.mode, "payment");
    EXPECT_EQ(s.payment_status, "unpaid");
    EXPECT_EQ(s.payment_intent, "pi_1PgafyB7WZ01zgkWSjxsAJo3");
    EXPECT_EQ(s.amount_total, 0) << "null in the example: empty, not an error";
    EXPECT_EQ(s.customer, "");
    EXPECT_TRUE(s.metadata.empty());

    auto sub =
        std::get<payments::Subscription>(ParseEvent(Event("customer.subscription.updated", PlanSubscription())).object);
    EXPECT_EQ(sub.id, "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw");
    EXPECT_EQ(sub.customer, "cus_QXg1o8vcGmoR32");
    EXPECT_EQ(sub.status, "active");
    EXPECT_TRUE(sub.cancel_at_period_end);
    EXPECT_EQ(sub.price_ids, std::vector<std::string>{"price_1PgafmB7WZ01zgkW6dKueIc5"});
    EXPECT_EQ(payments::MetaValue(sub.metadata, "user_id"), "42");

    auto charge = Fixture("charge");
    auto c = std::get<payments::Charge>(ParseEvent(Event("charge.refunded", charge)).object);
    EXPECT_EQ(c.id, "ch_1PgafuB7WZ01zgkWXYmPNZs8");
    EXPECT_EQ(c.amount, 100);
    EXPECT_FALSE(c.refunded);
    EXPECT_EQ(c.first_refund_id, "") << "an empty refund list";
    charge["refunds"].as_object()["data"] = json::array{Fixture("refund")};
    charge["amount_refunded"] = 100;
    charge["refunded"] = true;
    c = std::get<payments::Charge>(ParseEvent(Event("charge.refunded", charge)).object);
    EXPECT_EQ(c.first_refund_id, "re_1Pgc72B7WZ01zgkWqPvrRrPE");
    EXPECT_EQ(c.amount_refunded, 100);
    EXPECT_TRUE(c.refunded);

    auto d = std::get<payments::Dispute>(ParseEvent(Event("charge.dispute.created", Fixture("dispute"))).object);
    EXPECT_EQ(d.id, "dp_1Pgc71B7WZ01zgkWMevJiAUx");
    EXPECT_EQ(d.charge, "ch_1PgafuB7WZ01zgkWXYmPNZs8");
    EXPECT_EQ(d.payment_intent, "");
    EXPECT_EQ(d.reason, "general");

    // Stripe's example event itself (a plan.created Maxis does not handle): its object is not read.
    auto unknown = ParseEvent(json::serialize(Fixture("event")));
    EXPECT_EQ(unknown.id, "evt_1Pgc76B7WZ01zgkWwyRHS12y");
    EXPECT_EQ(unknown.type, "plan.created");
    EXPECT_TRUE(std::holds_alternative<std::monostate>(unknown.object));
}

TEST(StripeEvents, ReadsBothApiVersionsOfTheInvoicesSubscriptionAndTheSubscriptionsPeriod) {
    // 2025-03-31 and later: invoice.subscription is gone, parent.subscription_details names it (the example).
    auto invoice = Fixture("invoice");
    ASSERT_TRUE(invoice.at("subscription").is_null());
    auto i = std::get<payments::Invoice>(ParseEvent(Event("invoice.paid", invoice)).object);
    EXPECT_EQ(i.subscription, "subscription");
    EXPECT_EQ(i.id, "in_1Pgc6tB7WZ01zgkWu9fdqL6I");
    // Before: top level.
    invoice["subscription"] = "sub_old_api";
    invoice.erase("parent");
    i = std::get<payments::Invoice>(ParseEvent(Event("invoice.paid", invoice)).object);
    EXPECT_EQ(i.subscription, "sub_old_api");
    // An invoice of no subscription.
    invoice["subscription"] = nullptr;
    i = std::get<payments::Invoice>(ParseEvent(Event("invoice.paid", invoice)).object);
    EXPECT_EQ(i.subscription, "");

    // 2025-03-31 and later: the period end on the item only (the example).
    auto sub = PlanSubscription();
    ASSERT_FALSE(sub.contains("current_period_end"));
    auto s = ParseSubscription(sub, "subscription");
    ASSERT_TRUE(s.current_period_end);
    EXPECT_EQ(core::ToEpochMillis(*s.current_period_end), 976'287'773'000LL);
    // Before: on the subscription itself, which wins.
    sub["current_period_end"] = 1'800'000'000;
    s = ParseSubscription(sub, "subscription");
    EXPECT_EQ(core::ToEpochMillis(*s.current_period_end), 1'800'000'000'000LL);
    // Neither: unknown.
    sub.erase("current_period_end");
    sub["items"].as_object()["data"].as_array()[0].as_object().erase("current_period_end");
    EXPECT_FALSE(ParseSubscription(sub, "subscription").current_period_end);
}

TEST(StripeEvents, MalformedBodiesAreRefusedNamingTheField) {
    EXPECT_EQ(Problem("not json"), "the body is not JSON");
    EXPECT_EQ(Problem("[]"), "the body is not a JSON object");
    EXPECT_EQ(Problem(R"({"id":"evt_x"})"), "type: missing");
    EXPECT_EQ(Problem(R"({"type":"charge.refunded","data":{"object":{}}})"), "id: missing");
    EXPECT_EQ(Problem(R"({"id":7,"type":"charge.refunded"})"), "id: not a string");
    EXPECT_EQ(Problem(R"({"id":"evt_x","type":"plan.created"})"), "data: missing");
    EXPECT_EQ(Problem(R"({"id":"evt_x","type":"plan.created","data":{"object":"price"}})"),
              "data.object: not an object");
    EXPECT_EQ(Problem(R"({"id":"evt_x","type":"plan.created","created":"yesterday","data":{"object":{}}})"),
              "created: not an integer");

    auto session = ShopSession();
    session["metadata"] = json::array{"order_id"};
    EXPECT_EQ(Problem(Event("checkout.session.completed", session)), "data.object.metadata: not an object");
    session["metadata"] = json::object{{"order_id", 12}};
    EXPECT_EQ(Problem(Event("checkout.session.completed", session)), "data.object.metadata.order_id: not a string");
    session = ShopSession();
    session["amount_total"] = "2990";
    EXPECT_EQ(Problem(Event("checkout.session.completed", session)), "data.object.amount_total: not an integer");
    session = ShopSession();
    session.erase("id");
    EXPECT_EQ(Problem(Event("checkout.session.expired", session)), "data.object.id: missing");
    session = ShopSession();
    session["payment_intent"] = true;
    EXPECT_EQ(Problem(Event("checkout.session.completed", session)),
              "data.object.payment_intent: not an id or an object");
    // An object of another kind than the type announces.
    EXPECT_EQ(Problem(Event("customer.subscription.updated", Fixture("charge"))),
              R"(data.object.object: "charge", expected "subscription")");
    auto no_kind = Fixture("dispute");
    no_kind.erase("object");
    EXPECT_EQ(Problem(Event("charge.dispute.created", no_kind)), R"(data.object.object: missing, expected "dispute")");

    auto charge = Fixture("charge");
    charge["refunds"].as_object()["data"] = json::object{};
    EXPECT_EQ(Problem(Event("charge.refunded", charge)), "data.object.refunds.data: not a list");
    charge["refunds"].as_object()["data"] = json::array{"re_1"};
    EXPECT_EQ(Problem(Event("charge.refunded", charge)), "data.object.refunds.data[0]: not an object");
    charge = Fixture("charge");
    charge["refunded"] = "yes";
    EXPECT_EQ(Problem(Event("charge.refunded", charge)), "data.object.refunded: not a boolean");

    auto sub = PlanSubscription();
    sub["items"].as_object()["data"].as_array()[0].as_object()["price"] = 5;
    EXPECT_EQ(Problem(Event("customer.subscription.updated", sub)),
              "data.object.items.data[0].price: not an id or an object");
    auto invoice = Fixture("invoice");
    invoice["parent"].as_object()["subscription_details"] = "sub_1";
    EXPECT_EQ(Problem(Event("invoice.paid", invoice)), "data.object.parent.subscription_details: not an object");

    // What Maxis does not read is not checked: an unhandled type's object, a field Maxis does not use.
    EXPECT_EQ(Problem(R"({"id":"evt_x","type":"plan.created","data":{"object":{"amount":"x"}}})"), "parsed");
    session = ShopSession();
    session["shipping_options"] = "anything";
    EXPECT_EQ(Problem(Event("checkout.session.completed", session)), "parsed");
}

// --- the payment service ------------------------------------------------------------------------------

/// The payment domain's ports, recording each call as a line.
class Ports final : public payments::ShopPayments,
                    public payments::PlanPayments,
                    public payments::EventJournal,
                    public payments::PaymentProvider {
public:
    std::vector<std::string> calls;
    std::set<std::string> recorded;
    std::set<std::string> plan_payments;
    std::map<std::string, payments::Subscription> subscriptions;
    std::map<std::string, std::string> invoices;
    bool provider_down = false;
    bool database_busy = false;  // the feature's write finds its database locked
    int reads = 0;

    EventOutcome Apply(const std::string& event_id, std::string line) {
        if (database_busy) throw core::Error(core::ErrorCode::kUnavailable, "database is locked").RetryAfter(1);
        if (!recorded.insert(event_id).second) return EventOutcome::kDuplicate;
        calls.push_back(std::move(line));
        return EventOutcome::kApplied;
    }

    EventOutcome OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                     const std::string& payment_intent, long long amount_minor,
                                     const std::string& currency, const std::string& invoice_url) override {
        return Apply(event_id, "shop.completed " + event_id + " " + session_id + " paid=" + std::to_string(paid) + " " +
                                   payment_intent + " " + std::to_string(amount_minor) + " " + currency +
                                   " invoice=" + invoice_url);
    }
    EventOutcome OnCheckoutPaymentFailed(const std::string& event_id, const std::string& session_id,
                                         const std::string& type) override {
        return Apply(event_id, "shop.failed " + event_id + " " + session_id + " " + type);
    }
    EventOutcome OnCheckoutExpired(const std::string& event_id, const std::string& session_id) override {
        return Apply(event_id, "shop.expired " + event_id + " " + session_id);
    }
    EventOutcome OnRefunded(const std::string& event_id, const std::string& payment_intent,
                            const std::string& refund_id, long long amount_refunded, bool fully) override {
        return Apply(event_id, "shop.refunded " + event_id + " " + payment_intent + " " + refund_id + " " +
                                   std::to_string(amount_refunded) + " fully=" + std::to_string(fully));
    }
    EventOutcome OnDisputed(const std::string& event_id, const std::string& payment_intent,
                            const std::string& reason) override {
        return Apply(event_id, "shop.disputed " + event_id + " pi=" + payment_intent + " " + reason);
    }

    std::optional<std::string> PlanAtPrice(std::string_view price_id) override {
        if (price_id == "price_1PgafmB7WZ01zgkW6dKueIc5") return "pro";
        if (price_id == "price_ultra") return "ultra";
        return std::nullopt;
    }
    bool Sells(std::string_view plan) override { return plan == "pro" || plan == "ultra" || plan == "founder"; }
    EventOutcome OnSubscription(const payments::EventRef& event, const payments::Subscription& s, core::UserId user,
                                const std::string& plan, core::TimePoint observed_at,
                                const payments::SubscriptionNews& news) override {
        return Apply(event.id,
                     "plans.subscription " + event.id + " " + event.type + " " + s.id + " member=" + user.ToString() +
                         " " + plan + " " + s.status + " end=" +
                         std::to_string(s.current_period_end ? core::ToEpochMillis(*s.current_period_end) : 0) +
                         " observed=" + std::to_string(core::ToEpochMillis(observed_at)) +
                         " failed=" + std::to_string(news.payment_failed) + " promotion=" +
                         (news.promotion ? std::to_string(*news.promotion) : "-") + " confirm=" + news.confirm_url);
    }
    EventOutcome OnOneTimePaid(const payments::EventRef& event, core::UserId user, const std::string& plan,
                               const std::string& payment_ref, const std::string& customer,
                               std::optional<long long> promotion) override {
        return Apply(event.id, "plans.paid " + event.id + " member=" + user.ToString() + " " + plan + " " +
                                   payment_ref + " customer=" + customer +
                                   " promotion=" + (promotion ? std::to_string(*promotion) : "-"));
    }
    EventOutcome OnOneTimeRevoked(const payments::EventRef& event, const std::string& payment_ref,
                                  payments::Reversal how, const std::string& detail) override {
        return Apply(event.id, "plans.revoked " + event.id + " " + payment_ref + " " +
                                   (how == payments::Reversal::kRefund ? "refunded" : "disputed: " + detail));
    }
    bool OwnsPayment(const std::string& payment_ref) override { return plan_payments.contains(payment_ref); }

    bool Recorded(const std::string& event_id) override { return recorded.contains(event_id); }
    EventOutcome RecordUnhandled(const std::string& event_id, const std::string& type) override {
        if (!recorded.insert(event_id).second) return EventOutcome::kDuplicate;
        calls.push_back("unhandled " + event_id + " " + type);
        return EventOutcome::kIgnored;
    }

    payments::Subscription ReadSubscription(const std::string& id) override {
        ++reads;
        if (provider_down) throw core::Error(core::ErrorCode::kUnavailable, "cannot reach Stripe");
        auto it = subscriptions.find(id);
        if (it == subscriptions.end()) throw core::Error(core::ErrorCode::kNotFound, "No such subscription");
        return it->second;
    }
    std::string HostedInvoiceUrl(const std::string& invoice_id) override {
        ++reads;
        if (provider_down) throw core::Error(core::ErrorCode::kUnavailable, "cannot reach Stripe");
        return invoices[invoice_id];
    }
};

/// Pre-orders' port, recorded in the same lines (its methods share the shop's names, so it is its own object).
class PreorderPorts final : public payments::PreorderPayments {
public:
    explicit PreorderPorts(Ports& ports) : ports_(ports) {}
    EventOutcome OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                     const std::string& payment_intent, long long amount_minor) override {
        return ports_.Apply(event_id, "preorders.completed " + event_id + " " + session_id +
                                          " paid=" + std::to_string(paid) + " " + payment_intent + " " +
                                          std::to_string(amount_minor));
    }
    EventOutcome OnCheckoutExpired(const std::string& event_id, const std::string& session_id) override {
        return ports_.Apply(event_id, "preorders.expired " + event_id + " " + session_id);
    }
    EventOutcome OnRefunded(const std::string& event_id, const std::string& payment_intent,
                            const std::string& refund_id, bool fully) override {
        return ports_.Apply(event_id, "preorders.refunded " + event_id + " " + payment_intent + " " + refund_id +
                                          " fully=" + std::to_string(fully));
    }
    bool OwnsPayment(const std::string& payment_intent) override { return payments.contains(payment_intent); }
    EventOutcome OnDisputed(const std::string& event_id, const std::string& payment_intent,
                            const std::string& reason) override {
        return ports_.Apply(event_id, "preorders.disputed " + event_id + " " + payment_intent + " " + reason);
    }
    std::set<std::string> payments;  // what OwnsPayment answers yes to

private:
    Ports& ports_;
};

json::object PreorderSession(const std::string& status = "paid") {
    auto s =
        WithMeta(Fixture("checkout.session"), {{"preorder_purchase", "17"}, {"preorder_item", "3"}, {"user_id", "42"}});
    s["payment_status"] = status;
    s["amount_total"] = 1400;
    s["currency"] = "eur";
    s["invoice"] = "in_paid_1";
    return s;
}

class PaymentServiceTest : public ::testing::Test {
protected:
    PaymentServiceTest() {
        clock.Set(core::FromEpochMillis(1'790'000'000'000LL));
        // What Stripe answers for the subscription now: Stripe's example, for member 42.
        ports.subscriptions["sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"] = ParseSubscription(PlanSubscription(), "subscription");
        ports.subscriptions["subscription"] = ports.subscriptions["sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"];
        ports.invoices["in_paid_1"] = "https://invoice.stripe.com/i/acct_1/in_paid_1";
    }

    payments::PaymentResult Deliver(const std::string& type, const json::object& object,
                                    const std::string& id = "evt_test_1") {
        return service.Apply(ParseEvent(Event(type, object, id)));
    }

    testing::FakeClock clock;
    Ports ports;
    PreorderPorts preorder_ports{ports};
    payments::PaymentService service{ports, &ports, ports, ports, clock, &preorder_ports};
};

TEST_F(PaymentServiceTest, AnOrdersSessionGoesToTheShopWithItsHostedInvoiceReadOnce) {
    auto result = Deliver("checkout.session.completed", ShopSession());
    EXPECT_EQ(result.outcome, EventOutcome::kApplied);
    ASSERT_EQ(ports.calls.size(), 1u);
    EXPECT_EQ(ports.calls[0],
              "shop.completed evt_test_1 cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY paid=1 "
              "pi_1PgafyB7WZ01zgkWSjxsAJo3 2990 eur invoice=https://invoice.stripe.com/i/acct_1/in_paid_1");
    EXPECT_EQ(ports.reads, 1);
    // Delivered again: the invoice is not read again and nothing more is applied.
    EXPECT_EQ(Deliver("checkout.session.completed", ShopSession()).outcome, EventOutcome::kDuplicate);
    EXPECT_EQ(ports.reads, 1);
    EXPECT_EQ(ports.calls.size(), 1u);

    // An asynchronous method: completed unpaid (no invoice yet), then succeeded; a session free of charge is paid.
    Deliver("checkout.session.completed", ShopSession("unpaid"), "evt_async_1");
    Deliver("checkout.session.async_payment_succeeded", ShopSession(), "evt_async_2");
    Deliver("checkout.session.completed", ShopSession("no_payment_required"), "evt_free");
    ASSERT_EQ(ports.calls.size(), 4u);
    EXPECT_NE(ports.calls[1].find("evt_async_1 cs_test_"), std::string::npos);
    EXPECT_NE(ports.calls[1].find(" paid=0 "), std::string::npos);
    EXPECT_NE(ports.calls[1].find("invoice="), std::string::npos);
    EXPECT_EQ(ports.calls[1].substr(ports.calls[1].size() - 8), "invoice=");
    EXPECT_NE(ports.calls[2].find("evt_async_2 cs_test_"), std::string::npos);
    EXPECT_NE(ports.calls[2].find(" paid=1 "), std::string::npos);
    EXPECT_NE(ports.calls[3].find(" paid=1 "), std::string::npos);

    Deliver("checkout.session.async_payment_failed", ShopSession("unpaid"), "evt_failed");
    Deliver("checkout.session.expired", ShopSession("unpaid"), "evt_expired");
    EXPECT_EQ(ports.calls[4],
              "shop.failed evt_failed cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY "
              "checkout.session.async_payment_failed");
    EXPECT_EQ(ports.calls[5],
              "shop.expired evt_expired cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY");
}

TEST_F(PaymentServiceTest, APreordersSessionsAndRefundsGoToPreOrdersNeverToTheShop) {
    const std::string session = "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY";
    EXPECT_EQ(Deliver("checkout.session.completed", PreorderSession(), "evt_p1").outcome, EventOutcome::kApplied);
    EXPECT_EQ(Deliver("checkout.session.completed", PreorderSession(), "evt_p1").outcome, EventOutcome::kDuplicate);
    // An asynchronous method: completed unpaid, then its payment succeeded, or failed (the seat goes back).
    Deliver("checkout.session.completed", PreorderSession("unpaid"), "evt_p2");
    Deliver("checkout.session.async_payment_succeeded", PreorderSession(), "evt_p3");
    Deliver("checkout.session.async_payment_failed", PreorderSession("unpaid"), "evt_p4");
    Deliver("checkout.session.expired", PreorderSession("unpaid"), "evt_p5");
    auto charge = WithMeta(Fixture("charge"), {{"preorder_purchase", "17"}, {"user_id", "42"}});
    charge["payment_intent"] = "pi_pre";
    charge["amount_refunded"] = 1400;
    charge["refunded"] = true;
    Deliver("charge.refunded", charge, "evt_p6");
    charge["refunds"].as_object()["data"] = json::array{Fixture("refund")};
    Deliver("charge.refunded", charge, "evt_p7");
    EXPECT_EQ(ports.calls, (std::vector<std::string>{
                               "preorders.completed evt_p1 " + session + " paid=1 pi_1PgafyB7WZ01zgkWSjxsAJo3 1400",
                               "preorders.completed evt_p2 " + session + " paid=0 pi_1PgafyB7WZ01zgkWSjxsAJo3 1400",
                               "preorders.completed evt_p3 " + session + " paid=1 pi_1PgafyB7WZ01zgkWSjxsAJo3 1400",
                               "preorders.expired evt_p4 " + session,
                               "preorders.expired evt_p5 " + session,
                               "preorders.refunded evt_p6 pi_pre evt_p6.refund fully=1",
                               "preorders.refunded evt_p7 pi_pre re_1Pgc72B7WZ01zgkWqPvrRrPE fully=1",
                           }));
    EXPECT_EQ(ports.reads, 0) << "a pre-order's invoice is not read";
    // Another mode than payment is not a pre-order's payment.
    auto setup = PreorderSession();
    setup["mode"] = "setup";
    EXPECT_EQ(Deliver("checkout.session.completed", setup, "evt_p8").outcome, EventOutcome::kIgnored);
    EXPECT_EQ(ports.calls.back(), "unhandled evt_p8 checkout.session.completed");
}

TEST_F(PaymentServiceTest, WithoutPreOrdersWiredTheirEventsAreAcknowledgedOnceAndNeverReachTheShop) {
    payments::PaymentService without{ports, &ports, ports, ports, clock};
    auto apply = [&](const std::string& type, const json::object& o, const std::string& id) {
        return without.Apply(ParseEvent(Event(type, o, id))).outcome;
    };
    auto both = PreorderSession();  // even beside an order's id, a pre-order's session is never the shop's
    both["metadata"].as_object()["order_id"] = "12";
    EXPECT_EQ(apply("checkout.session.completed", both, "evt_n1"), EventOutcome::kIgnored);
    EXPECT_EQ(apply("checkout.session.completed", both, "evt_n1"), EventOutcome::kDuplicate);
    auto charge = WithMeta(Fixture("charge"), {{"preorder_purchase", "17"}});
    EXPECT_EQ(apply("charge.refunded", charge, "evt_n2"), EventOutcome::kIgnored);
    EXPECT_EQ(ports.calls, (std::vector<std::string>{"unhandled evt_n1 checkout.session.completed",
                                                     "unhandled evt_n2 charge.refunded"}));
}

TEST_F(PaymentServiceTest, AnInvoiceStripeCannotGiveNowMeansRetryLaterWithNothingApplied) {
    ports.provider_down = true;
    auto result = Deliver("checkout.session.completed", ShopSession());
    EXPECT_EQ(result.outcome, EventOutcome::kRetryLater);
    EXPECT_EQ(result.detail, "the invoice could not be read: cannot reach Stripe");
    EXPECT_TRUE(ports.calls.empty());
    EXPECT_TRUE(ports.recorded.empty());
    ports.provider_down = false;
    EXPECT_EQ(Deliver("checkout.session.completed", ShopSession()).outcome, EventOutcome::kApplied);
}

TEST_F(PaymentServiceTest, RefundsAndDisputesGoToTheFeatureThatOwnsThePayment) {
    auto charge = WithMeta(Fixture("charge"), {{"order_id", "12"}});
    charge["payment_intent"] = "pi_order";
    charge["amount_refunded"] = 40;
    Deliver("charge.refunded", charge, "evt_partial");
    charge["refunds"].as_object()["data"] = json::array{Fixture("refund")};
    charge["amount_refunded"] = 100;
    charge["refunded"] = true;
    Deliver("charge.refunded", charge, "evt_full");
    ASSERT_EQ(ports.calls.size(), 2u);
    // Without the embedded list (newer API versions), the refund is named after the event.
    EXPECT_EQ(ports.calls[0], "shop.refunded evt_partial pi_order evt_partial.refund 40 fully=0");
    EXPECT_EQ(ports.calls[1], "shop.refunded evt_full pi_order re_1Pgc72B7WZ01zgkWqPvrRrPE 100 fully=1");

    // Founder's payment: refunded in full revokes the plan; a partial refund is only acknowledged.
    auto founder = WithMeta(Fixture("charge"), {{"plan", "founder"}, {"user_id", "42"}});
    founder["payment_intent"] = "pi_founder";
    founder["amount_refunded"] = 50;
    EXPECT_EQ(Deliver("charge.refunded", founder, "evt_f_partial").outcome, EventOutcome::kIgnored);
    founder["refunded"] = true;
    Deliver("charge.refunded", founder, "evt_f_full");
    EXPECT_EQ(ports.calls[2], "unhandled evt_f_partial charge.refunded");
    EXPECT_EQ(ports.calls[3], "plans.revoked evt_f_full pi_founder refunded");

    // A charge of nobody's: acknowledged once.
    Deliver("charge.refunded", Fixture("charge"), "evt_foreign");
    EXPECT_EQ(ports.calls[4], "unhandled evt_foreign charge.refunded");

    // A dispute names only the payment: plans are asked, the shop takes any other.
    ports.plan_payments.insert("pi_founder");
    auto dispute = Fixture("dispute");
    dispute["payment_intent"] = "pi_founder";
    dispute["reason"] = "fraudulent";
    Deliver("charge.dispute.created", dispute, "evt_d_plan");
    dispute["payment_intent"] = "pi_order";
    Deliver("charge.dispute.created", dispute, "evt_d_shop");
    Deliver("charge.dispute.created", Fixture("dispute"), "evt_d_none");
    EXPECT_EQ(ports.calls[5], "plans.revoked evt_d_plan pi_founder disputed: fraudulent");
    EXPECT_EQ(ports.calls[6], "shop.disputed evt_d_shop pi=pi_order fraudulent");
    EXPECT_EQ(ports.calls[7], "shop.disputed evt_d_none pi= general");
}

TEST_F(PaymentServiceTest, ADisputeOfAPreOrdersPaymentGoesToPreOrders) {
    preorder_ports.payments.insert("pi_seat");
    auto dispute = Fixture("dispute");
    dispute["payment_intent"] = "pi_seat";
    dispute["reason"] = "fraudulent";
    EXPECT_EQ(Deliver("charge.dispute.created", dispute, "evt_d_seat").outcome, EventOutcome::kApplied);
    dispute["payment_intent"] = "pi_order";
    Deliver("charge.dispute.created", dispute, "evt_d_order");
    EXPECT_EQ(ports.calls, (std::vector<std::string>{"preorders.disputed evt_d_seat pi_seat fraudulent",
                                                     "shop.disputed evt_d_order pi=pi_order fraudulent"}));
}

TEST_F(PaymentServiceTest, PlanCheckoutsGrantTheOneTimePlanOrSyncTheSubscriptionReadFromStripe) {
    auto once = WithMeta(Fixture("checkout.session"), {{"plan", "founder"}, {"user_id", "42"}, {"promotion", "7"}});
    once["customer"] = "cus_42";
    EXPECT_EQ(Deliver("checkout.session.completed", once, "evt_unpaid").outcome, EventOutcome::kIgnored);
    once["payment_status"] = "paid";
    Deliver("checkout.session.completed", once, "evt_paid");
    ASSERT_EQ(ports.calls.size(), 2u);
    EXPECT_EQ(ports.calls[0], "unhandled evt_unpaid checkout.session.completed");
    EXPECT_EQ(ports.calls[1],
              "plans.paid evt_paid member=42 founder pi_1PgafyB7WZ01zgkWSjxsAJo3 customer=cus_42 promotion=7");
    auto nobody = WithMeta(once, {{"plan", "founder"}, {"user_id", "someone"}});
    Deliver("checkout.session.completed", nobody, "evt_nobody");
    EXPECT_EQ(ports.calls[2], "unhandled evt_nobody checkout.session.completed");

    auto sub = WithMeta(Fixture("checkout.session"), {{"plan", "pro"}, {"user_id", "42"}, {"promotion", "9"}});
    sub["mode"] = "subscription";
    sub["payment_status"] = "paid";
    sub["subscription"] = "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw";
    EXPECT_EQ(Deliver("checkout.session.completed", sub, "evt_sub").outcome, EventOutcome::kApplied);
    EXPECT_EQ(ports.calls[3],
              "plans.subscription evt_sub checkout.session.completed sub_1Pgc6rB7WZ01zgkWNy0Cn5nw member=42 pro active "
              "end=976287773000 observed=1790000000000 failed=0 promotion=9 confirm=");
}

TEST_F(PaymentServiceTest, SubscriptionEventsSyncTheSubscriptionAsStripeHasItNowOncePerEvent) {
    // The payload is only a hint: what is applied is the subscription read from Stripe.
    auto payload = PlanSubscription();
    payload["status"] = "canceled";
    auto& now = ports.subscriptions["sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"];
    now.status = "past_due";
    EXPECT_EQ(Deliver("customer.subscription.updated", payload, "evt_u1").outcome, EventOutcome::kApplied);
    ASSERT_EQ(ports.calls.size(), 1u);
    EXPECT_EQ(ports.calls[0],
              "plans.subscription evt_u1 customer.subscription.updated sub_1Pgc6rB7WZ01zgkWNy0Cn5nw member=42 pro "
              "past_due end=976287773000 observed=1790000000000 failed=0 promotion=- confirm=");
    // Delivered again: not read again.
    EXPECT_EQ(Deliver("customer.subscription.updated", payload, "evt_u1").outcome, EventOutcome::kDuplicate);
    EXPECT_EQ(ports.reads, 1);

    // A plan changed in the portal shows in the price only: the price wins over the metadata.
    now.price_ids = {"price_ultra"};
    Deliver("customer.subscription.updated", payload, "evt_u2");
    EXPECT_NE(ports.calls[1].find(" member=42 ultra "), std::string::npos) << ports.calls[1];
    // A price [plans] does not sell: the plan named in the metadata, if sold.
    now.price_ids = {"price_other"};
    Deliver("customer.subscription.updated", payload, "evt_u3");
    EXPECT_NE(ports.calls[2].find(" member=42 pro "), std::string::npos) << ports.calls[2];

    // Not a member's subscription to a plan sold: acknowledged once, Stripe not asked.
    int reads = ports.reads;
    auto foreign = Fixture("subscription");
    EXPECT_EQ(Deliver("customer.subscription.created", foreign, "evt_foreign").outcome, EventOutcome::kIgnored);
    auto unsold = WithMeta(Fixture("subscription"), {{"user_id", "42"}, {"plan", "gold"}});
    unsold["items"].as_object()["data"] = json::array{};
    EXPECT_EQ(Deliver("customer.subscription.created", unsold, "evt_unsold").outcome, EventOutcome::kIgnored);
    EXPECT_EQ(ports.reads, reads);
    EXPECT_EQ(ports.calls[3], "unhandled evt_foreign customer.subscription.created");
    EXPECT_EQ(ports.calls[4], "unhandled evt_unsold customer.subscription.created");

    // Stripe's answer no longer names a member: acknowledged, nothing granted.
    now.metadata.clear();
    auto result = Deliver("customer.subscription.updated", payload, "evt_u4");
    EXPECT_EQ(result.outcome, EventOutcome::kIgnored);
    EXPECT_NE(result.detail.find("names no member or no plan sold"), std::string::npos) << result.detail;
}

TEST_F(PaymentServiceTest, InvoicesSyncTheirSubscriptionInEitherApiShapeAndSayWhatFailed) {
    // Stripe's example invoice names its subscription under parent (API 2025-03-31 and later).
    auto invoice = Fixture("invoice");
    Deliver("invoice.paid", invoice, "evt_i1");
    ASSERT_EQ(ports.calls.size(), 1u);
    EXPECT_EQ(
        ports.calls[0].rfind("plans.subscription evt_i1 invoice.paid sub_1Pgc6rB7WZ01zgkWNy0Cn5nw member=42 pro ", 0),
        0u)
        << ports.calls[0];
    // Older versions: at the top level.
    invoice.erase("parent");
    invoice["subscription"] = "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw";
    Deliver("invoice.payment_failed", invoice, "evt_i2");
    EXPECT_NE(ports.calls[1].find("evt_i2 invoice.payment_failed sub_1Pgc6rB7WZ01zgkWNy0Cn5nw member=42 pro"),
              std::string::npos)
        << ports.calls[1];
    EXPECT_NE(ports.calls[1].find(" failed=1 promotion=- confirm="), std::string::npos) << ports.calls[1];
    // The renewal awaits the member's confirmation: sent to the hosted invoice (an https page only).
    invoice["hosted_invoice_url"] = "https://invoice.stripe.com/i/acct_1/in_sca";
    Deliver("invoice.payment_action_required", invoice, "evt_i3");
    EXPECT_NE(ports.calls[2].find(" failed=1 promotion=- confirm=https://invoice.stripe.com/i/acct_1/in_sca"),
              std::string::npos)
        << ports.calls[2];
    invoice["hosted_invoice_url"] = "javascript:alert(1)";
    Deliver("invoice.payment_action_required", invoice, "evt_i4");
    EXPECT_EQ(ports.calls[3].substr(ports.calls[3].size() - 9), " confirm=");
    Deliver("invoice.payment_succeeded", invoice, "evt_i5");
    EXPECT_NE(ports.calls[4].find(" failed=0 "), std::string::npos);

    // An invoice of no subscription (a shop order's): acknowledged, Stripe not asked.
    int reads = ports.reads;
    invoice["subscription"] = nullptr;
    EXPECT_EQ(Deliver("invoice.paid", invoice, "evt_i6").outcome, EventOutcome::kIgnored);
    EXPECT_EQ(ports.reads, reads);

    // The subscription cannot be read now: retry later, nothing recorded.
    ports.provider_down = true;
    invoice["subscription"] = "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw";
    auto result = Deliver("invoice.paid", invoice, "evt_i7");
    EXPECT_EQ(result.outcome, EventOutcome::kRetryLater);
    EXPECT_EQ(result.detail, "the subscription could not be read: cannot reach Stripe");
    EXPECT_FALSE(ports.recorded.contains("evt_i7"));
    ports.provider_down = false;
    EXPECT_EQ(Deliver("invoice.paid", invoice, "evt_i7").outcome, EventOutcome::kApplied);
}

TEST_F(PaymentServiceTest, AnEventNobodyHandlesIsRecordedOnce) {
    // Stripe's example event: a plan.created.
    auto event = ParseEvent(json::serialize(Fixture("event")));
    EXPECT_EQ(service.Apply(event).outcome, EventOutcome::kIgnored);
    EXPECT_EQ(service.Apply(event).outcome, EventOutcome::kDuplicate);
    EXPECT_EQ(ports.calls, std::vector<std::string>{"unhandled evt_1Pgc76B7WZ01zgkWwyRHS12y plan.created"});
    // A session of no order and no plan, and an order's session in another mode.
    Deliver("checkout.session.completed", Fixture("checkout.session"), "evt_s1");
    auto setup = ShopSession();
    setup["mode"] = "setup";
    Deliver("checkout.session.completed", setup, "evt_s2");
    EXPECT_EQ(ports.calls[1], "unhandled evt_s1 checkout.session.completed");
    EXPECT_EQ(ports.calls[2], "unhandled evt_s2 checkout.session.completed");
    EXPECT_EQ(ports.reads, 0);
}

TEST_F(PaymentServiceTest, WithoutPlansTheirEventsAreAcknowledgedAndTheShopsStillApplied) {
    payments::PaymentService shop_only{ports, nullptr, ports, ports, clock};
    auto apply = [&](const std::string& type, const json::object& o, const std::string& id) {
        return shop_only.Apply(ParseEvent(Event(type, o, id))).outcome;
    };
    EXPECT_EQ(apply("customer.subscription.updated", PlanSubscription(), "evt_p1"), EventOutcome::kIgnored);
    EXPECT_EQ(apply("invoice.paid", Fixture("invoice"), "evt_p2"), EventOutcome::kIgnored);
    auto once = WithMeta(Fixture("checkout.session"), {{"plan", "founder"}, {"user_id", "42"}});
    once["payment_status"] = "paid";
    EXPECT_EQ(apply("checkout.session.completed", once, "evt_p3"), EventOutcome::kIgnored);
    EXPECT_EQ(apply("checkout.session.completed", ShopSession(), "evt_p4"), EventOutcome::kApplied);
    EXPECT_EQ(ports.reads, 1) << "only the order's invoice";
}

// --- the sale listener (the marketing ledger hears of sales, refunds and disputes) ---------------------------

TEST(StripeEvents, ReadsWhoPaidAndHowThePromotionCodeTheCustomerAndTheCard) {
    // A session with the promotion code the buyer typed (discounts[], each with its promotion code or coupon).
    auto session = ShopSession();
    session["customer"] = "cus_buyer";
    session["discounts"] = json::array{json::object{{"coupon", "maxis-referral-5"}, {"promotion_code", "promo_ref"}}};
    auto s = std::get<payments::CheckoutSession>(ParseEvent(Event("checkout.session.completed", session)).object);
    EXPECT_EQ(s.promotion_code, "promo_ref");
    EXPECT_EQ(s.customer, "cus_buyer");
    session["discounts"] =
        json::array{json::object{{"coupon", json::object{{"id", "co_1"}}}, {"promotion_code", nullptr}}};
    EXPECT_EQ(std::get<payments::CheckoutSession>(ParseEvent(Event("checkout.session.completed", session)).object)
                  .promotion_code,
              "");
    session["discounts"] = "promo_ref";
    EXPECT_EQ(Problem(Event("checkout.session.completed", session)), "data.object.discounts: not a list");

    // The charge's customer and card fingerprint (Stripe's example: a card).
    auto charge = Fixture("charge");
    charge["customer"] = "cus_buyer";
    auto c = std::get<payments::Charge>(ParseEvent(Event("charge.refunded", charge)).object);
    EXPECT_EQ(c.card_fingerprint, "AOB934RVNwzk6xtn");
    EXPECT_EQ(c.customer, "cus_buyer");

    // An invoice, 2025-03-31 and later (the example): amount paid, currency, the subscription's metadata under
    // parent, no payment_intent unless the payments list is included, the discounts expanded or not.
    auto invoice = Fixture("invoice");
    invoice["amount_paid"] = 1200;
    invoice["parent"].as_object()["subscription_details"].as_object()["metadata"] = json::object{{"user_id", "42"}};
    auto i = std::get<payments::Invoice>(ParseEvent(Event("invoice.paid", invoice)).object);
    EXPECT_EQ(i.amount_paid, 1200);
    EXPECT_EQ(i.currency, "usd");
    EXPECT_EQ(payments::MetaValue(i.subscription_metadata, "user_id"), "42");
    EXPECT_EQ(i.payment_intent, "");
    EXPECT_EQ(i.promotion_code, "");
    invoice["payments"] = json::object{
        {"object", "list"},
        {"data", json::array{json::object{
                     {"object", "invoice_payment"},
                     {"id", "inpay_1"},
                     {"payment", json::object{{"type", "payment_intent"}, {"payment_intent", "pi_renewal"}}}}}}};
    invoice["discounts"] = json::array{"di_1", json::object{{"id", "di_2"}, {"promotion_code", "promo_new"}}};
    i = std::get<payments::Invoice>(ParseEvent(Event("invoice.paid", invoice)).object);
    EXPECT_EQ(i.payment_intent, "pi_renewal");
    EXPECT_EQ(i.promotion_code, "promo_new");
    // Before: payment_intent, discount and subscription_details at the top level.
    invoice = Fixture("invoice");
    invoice.erase("parent");
    invoice["subscription"] = "sub_old";
    invoice["payment_intent"] = "pi_old";
    invoice["discount"] = json::object{{"id", "di_old"}, {"promotion_code", "promo_old"}};
    invoice["subscription_details"] = json::object{{"metadata", json::object{{"user_id", "43"}}}};
    i = std::get<payments::Invoice>(ParseEvent(Event("invoice.paid", invoice)).object);
    EXPECT_EQ(i.payment_intent, "pi_old");
    EXPECT_EQ(i.promotion_code, "promo_old");
    EXPECT_EQ(payments::MetaValue(i.subscription_metadata, "user_id"), "43");
}

/// The listener, recording each call as a line; it can be made to fail.
class SaleLines final : public payments::SaleListener {
public:
    std::vector<std::string> lines;
    bool failing = false;
    void OnSale(const payments::Sale& s) override {
        Fail();
        lines.push_back("sale " + s.source + " " + s.payment_ref + " buyer=" + s.buyer.ToString() + " " +
                        std::to_string(s.amount_minor) + " " + s.currency + " customer=" + s.customer +
                        " promo=" + s.promotion_code + " at=" + std::to_string(core::ToEpochMillis(s.paid_at)));
    }
    void OnSaleRefunded(const std::string& payment_ref, long long refunded_minor, bool fully) override {
        Fail();
        lines.push_back("refunded " + payment_ref + " " + std::to_string(refunded_minor) +
                        " fully=" + std::to_string(fully));
    }
    void OnSaleDisputed(const std::string& payment_ref) override {
        Fail();
        lines.push_back("disputed " + payment_ref);
    }

private:
    void Fail() const {
        if (failing) throw core::Error(core::ErrorCode::kUnavailable, "the ledger is away");
    }
};

class SaleListenerTest : public PaymentServiceTest {
protected:
    SaleLines sales;
    payments::PaymentService told{ports, &ports, ports, ports, clock, &preorder_ports, &sales};
    payments::PaymentResult Tell(const std::string& type, const json::object& object, const std::string& id) {
        return told.Apply(ParseEvent(Event(type, object, id)));
    }
};

TEST_F(SaleListenerTest, PaidSessionsOfOrdersPreOrdersAndOneTimePlansAreSalesOfTheMemberInTheirMetadata) {
    const std::string at = " at=1790000000000";
    auto order = ShopSession();
    order["customer"] = "cus_buyer";
    order["discounts"] = json::array{json::object{{"promotion_code", "promo_ref"}}};
    EXPECT_EQ(Tell("checkout.session.completed", order, "evt_o1").outcome, EventOutcome::kApplied);
    // Unpaid yet (an asynchronous method): no sale until it succeeds.
    Tell("checkout.session.completed", PreorderSession("unpaid"), "evt_p1");
    Tell("checkout.session.async_payment_succeeded", PreorderSession(), "evt_p2");
    auto once = WithMeta(Fixture("checkout.session"), {{"plan", "founder"}, {"user_id", "7"}});
    once["payment_status"] = "paid";
    once["amount_total"] = 9900;
    once["currency"] = "eur";
    Tell("checkout.session.completed", once, "evt_f1");
    // A subscription's session is no sale: its invoice is.
    auto sub = WithMeta(Fixture("checkout.session"), {{"plan", "pro"}, {"user_id", "42"}});
    sub["mode"] = "subscription";
    sub["payment_status"] = "paid";
    sub["subscription"] = "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw";
    sub["amount_total"] = 1200;
    EXPECT_EQ(Tell("checkout.session.completed", sub, "evt_s1").outcome, EventOutcome::kApplied);
    // Expired, free of charge or naming no member: no sale.
    Tell("checkout.session.expired", ShopSession("unpaid"), "evt_o2");
    auto free = ShopSession("no_payment_required");
    free["amount_total"] = 0;
    Tell("checkout.session.completed", free, "evt_o3");
    auto nobody = WithMeta(ShopSession(), {{"order_id", "13"}});
    Tell("checkout.session.completed", nobody, "evt_o4");
    EXPECT_EQ(sales.lines, (std::vector<std::string>{
                               "sale order pi_1PgafyB7WZ01zgkWSjxsAJo3 buyer=42 2990 EUR customer=cus_buyer "
                               "promo=promo_ref" +
                                   at,
                               "sale preorder pi_1PgafyB7WZ01zgkWSjxsAJo3 buyer=42 1400 EUR customer= promo=" + at,
                               "sale plan pi_1PgafyB7WZ01zgkWSjxsAJo3 buyer=7 9900 EUR customer= promo=" + at,
                           }));
    // The shop's event delivered again: the listener hears it again (it is idempotent), the shop applies nothing.
    EXPECT_EQ(Tell("checkout.session.completed", order, "evt_o1").outcome, EventOutcome::kDuplicate);
    EXPECT_EQ(sales.lines.size(), 4u);
    EXPECT_EQ(sales.lines[3], sales.lines[0]);
}

TEST_F(SaleListenerTest, APaidRenewalIsAPlanSaleByItsPaymentOrItsInvoice) {
    auto invoice = Fixture("invoice");
    invoice["amount_paid"] = 1200;
    invoice["currency"] = "eur";
    invoice["parent"].as_object()["subscription_details"].as_object()["metadata"] =
        json::object{{"user_id", "42"}, {"plan", "pro"}};
    EXPECT_EQ(Tell("invoice.paid", invoice, "evt_i1").outcome, EventOutcome::kApplied);
    // invoice.payment_succeeded comes with invoice.paid for the same payment: only one is a sale.
    EXPECT_EQ(Tell("invoice.payment_succeeded", invoice, "evt_i2").outcome, EventOutcome::kApplied);
    invoice.erase("parent");
    invoice["subscription"] = "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw";
    invoice["payment_intent"] = "pi_renewal";
    invoice["subscription_details"] = json::object{{"metadata", json::object{{"user_id", "42"}}}};
    invoice["discount"] = json::object{{"promotion_code", "promo_ref"}};
    Tell("invoice.paid", invoice, "evt_i3");
    // Nothing paid (a 100 % discount) is no sale.
    invoice["amount_paid"] = 0;
    Tell("invoice.paid", invoice, "evt_i4");
    EXPECT_EQ(sales.lines,
              (std::vector<std::string>{
                  "sale plan in_1Pgc6tB7WZ01zgkWu9fdqL6I buyer=42 1200 EUR customer=cus_QXg1o8vcGmoR32 promo= "
                  "at=1790000000000",
                  "sale plan pi_renewal buyer=42 1200 EUR customer=cus_QXg1o8vcGmoR32 promo=promo_ref at=1790000000000",
              }));
}

TEST_F(SaleListenerTest, RefundsAndDisputesOfAnyPaymentAreToldWithTheCumulativeAmount) {
    auto charge = WithMeta(Fixture("charge"), {{"order_id", "12"}});
    charge["payment_intent"] = "pi_order";
    charge["amount_refunded"] = 40;
    Tell("charge.refunded", charge, "evt_r1");
    charge["amount_refunded"] = 100;
    charge["refunded"] = true;
    Tell("charge.refunded", charge, "evt_r2");
    // A renewal's charge carries no metadata: unhandled by the features, but the ledger may know the payment.
    auto renewal = Fixture("charge");
    renewal["payment_intent"] = "pi_renewal";
    renewal["amount_refunded"] = 600;
    EXPECT_EQ(Tell("charge.refunded", renewal, "evt_r3").outcome, EventOutcome::kIgnored);
    auto dispute = Fixture("dispute");
    dispute["payment_intent"] = "pi_order";
    Tell("charge.dispute.created", dispute, "evt_d1");
    // A dispute that names no payment: nothing to tell.
    Tell("charge.dispute.created", Fixture("dispute"), "evt_d2");
    EXPECT_EQ(sales.lines, (std::vector<std::string>{"refunded pi_order 40 fully=0", "refunded pi_order 100 fully=1",
                                                     "refunded pi_renewal 600 fully=0", "disputed pi_order"}));
}

TEST_F(SaleListenerTest, AListenerThatFailsMakesStripeDeliverAgainAndTheRedeliveryTellsIt) {
    sales.failing = true;
    auto result = Tell("checkout.session.completed", ShopSession(), "evt_o1");
    EXPECT_EQ(result.outcome, EventOutcome::kRetryLater);
    EXPECT_EQ(result.detail, "the sale's listener failed: the ledger is away");
    EXPECT_EQ(ports.calls.size(), 1u) << "the shop applied its part once";
    sales.failing = false;
    EXPECT_EQ(Tell("checkout.session.completed", ShopSession(), "evt_o1").outcome, EventOutcome::kDuplicate);
    EXPECT_EQ(ports.calls.size(), 1u);
    ASSERT_EQ(sales.lines.size(), 1u);
    EXPECT_EQ(sales.lines[0].rfind("sale order pi_1PgafyB7WZ01zgkWSjxsAJo3 buyer=42 2990 EUR", 0), 0u);
    // The feature asking to retry: the listener is not told.
    ports.database_busy = true;
    EXPECT_THROW(Tell("checkout.session.completed", ShopSession(), "evt_o9"), core::Error);
    EXPECT_EQ(sales.lines.size(), 1u);
}

// --- the route: verify, parse, apply, answer ----------------------------------------------------------

/// The real route over the real service, the ports recorded; nothing owned by the shared pointer.
class WebhookRouteTest : public PaymentServiceTest {
protected:
    WebhookRouteTest() {
        AddWebhookRoute(router, WebhookOptions{.secrets = {"whsec_route"}}, clock,
                        std::shared_ptr<payments::PaymentService>(std::shared_ptr<void>(), &service), nullptr);
    }

    http::Response Post(const std::string& body) {
        http::Request req;
        req.method = "POST";
        req.path = req.target = "/stripe/webhook";
        req.body = body;
        auto now = core::ToEpochMillis(clock.Now()) / 1000;
        req.headers["stripe-signature"] = SignatureHeader(body, "whsec_route", now);
        auto match = router.Find(req);
        EXPECT_NE(match.handler, nullptr);
        return (*match.handler)(req);
    }

    http::Router router;
};

TEST_F(WebhookRouteTest, AnUnreadableEventIs400NamingTheFieldAndNothingIsApplied) {
    auto session = ShopSession();
    session["metadata"] = json::object{{"order_id", 12}};
    auto res = Post(Event("checkout.session.completed", session));
    EXPECT_EQ(res.status, 400);
    EXPECT_NE(res.body.find("not a Stripe event Maxis can read: data.object.metadata.order_id: not a string"),
              std::string::npos)
        << res.body;
    EXPECT_TRUE(ports.calls.empty());
    EXPECT_TRUE(ports.recorded.empty());
    EXPECT_EQ(ports.reads, 0);
}

TEST_F(WebhookRouteTest, OutcomesBecomeStripesAnswers) {
    auto res = Post(Event("checkout.session.completed", ShopSession()));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(json::parse(res.body).at("outcome").as_string(), "applied");
    EXPECT_EQ(json::parse(Post(Event("checkout.session.completed", ShopSession())).body).at("outcome").as_string(),
              "duplicate");
    EXPECT_EQ(json::parse(Post(json::serialize(Fixture("event"))).body).at("outcome").as_string(), "ignored");
    // Stripe cannot say what the subscription is now: 503 with the reason, so that Stripe delivers it again.
    ports.provider_down = true;
    res = Post(Event("invoice.paid", Fixture("invoice"), "evt_later"));
    EXPECT_EQ(res.status, 503);
    EXPECT_NE(res.body.find("the subscription could not be read: cannot reach Stripe"), std::string::npos) << res.body;
    EXPECT_FALSE(ports.recorded.contains("evt_later"));
}

TEST_F(WebhookRouteTest, ABusyDatabaseIs503WithRetryAfterNever500) {
    ports.database_busy = true;
    auto res = Post(Event("checkout.session.completed", ShopSession(), "evt_busy"));
    EXPECT_EQ(res.status, 503) << res.body;
    EXPECT_EQ(res.Header("retry-after"), "1");
    EXPECT_FALSE(ports.recorded.contains("evt_busy"));
    ports.database_busy = false;  // Stripe's next delivery applies it
    EXPECT_EQ(Post(Event("checkout.session.completed", ShopSession(), "evt_busy")).status, 200);
    EXPECT_TRUE(ports.recorded.contains("evt_busy"));
}

}  // namespace
}  // namespace maxis::stripe
