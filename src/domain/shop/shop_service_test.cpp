// The shop's rules on an in-memory store: limits, transitions, holds, late payments, events applied once,
// refunds, disputes and the reservation sweep. The same rules on SQLite and PostgreSQL are in
// storage/shop_store_suite.hpp.
#include "domain/shop/shop_service.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "support/error_key.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_shop_store.hpp"
#include "support/scripted_payments.hpp"

namespace maxis::shop {

using testing::KeyOf;
namespace {

using namespace std::chrono_literals;
using core::Role;
using core::UserId;
using core::Viewer;

const Viewer kAlice{UserId{2001}, Role::kMember};
const Viewer kBob{UserId{2002}, Role::kMember};
const Viewer kStaff{UserId{9001}, Role::kStaff};

class ShopRules : public ::testing::Test {
protected:
    explicit ShopRules(ShopOptions options = {.release_grace = 10min}) : service(repo, payments, clock, options) {}

    ProductId Product(const std::string& name, long long price, std::optional<int> stock,
                      const std::string& currency = "EUR") {
        shop::Product p;
        p.name = name;
        p.price_minor = price;
        p.stock = stock;
        p.currency = currency;
        return service.CreateProduct(kStaff, p);
    }
    int Stock(ProductId id) { return service.FindProduct(id)->stock.value_or(-1); }
    Order Buy(const Viewer& who, ProductId id, int quantity, const std::string& session) {
        service.AddToCart(who, id, quantity);
        payments.NextSession(session);
        return service.Checkout(who, "fr").order;
    }
    Order Paid(const Viewer& who, ProductId id, int quantity, const std::string& name) {
        auto order = Buy(who, id, quantity, "cs_" + name);
        EXPECT_EQ(service.OnCheckoutCompleted("evt_pay_" + name, "cs_" + name, true, "pi_" + name, order.total_minor,
                                              "eur", ""),
                  EventOutcome::kApplied);
        return *service.FindOrder(kStaff, order.id);
    }
    Order Get(OrderId id) { return *service.FindOrder(kStaff, id); }
    /// The catalog keys of the notices written since a point, "member key" or "staff key".
    std::vector<std::string> NoticesSince(std::size_t from) {
        std::vector<std::string> out;
        const auto& all = repo.state.notices;
        for (auto i = from; i < all.size(); ++i) {
            out.push_back(std::string(all[i].audience == scheduling::Notice::Audience::kStaff ? "staff " : "member ") +
                          all[i].key);
        }
        return out;
    }

    testing::FakeClock clock;
    testing::MemoryShopRepository repo;
    testing::ScriptedPayments payments;
    ShopService service;
};

TEST_F(ShopRules, AMemberHasAtMostMaxPendingOrdersWaitingForPayment) {
    auto mug = Product("Mug", 1200, std::nullopt);
    for (int i = 0; i < 3; ++i) Buy(kAlice, mug, 1, "cs_" + std::to_string(i));
    service.AddToCart(kAlice, mug, 1);
    EXPECT_EQ(KeyOf([&] { service.Checkout(kAlice, "fr"); }), "shop.too_many_pending");
    EXPECT_EQ(service.Cart(kAlice).size(), 1u);  // kept, and nothing else reserved
    EXPECT_EQ(service.ListOrders(kStaff, {}).size(), 3u);
    // Bob is not limited by Alice's orders; Alice can buy again once one is paid.
    service.AddToCart(kBob, mug, 1);
    EXPECT_EQ(KeyOf([&] { service.Checkout(kBob, "fr"); }), "accepted");
    service.OnCheckoutCompleted("evt_0", "cs_0", true, "pi_0", 1200, "eur", "");
    EXPECT_EQ(KeyOf([&] { service.Checkout(kAlice, "fr"); }), "accepted");
}

TEST_F(ShopRules, CheckoutRefusesInactiveProductsMixedCurrenciesAndShortStockReservingNothing) {
    // Declared in this order, the mug has the smaller id and is reserved first, before the shirt is met.
    auto mug = Product("Mug", 1200, 10), shirt = Product("T-shirt", 2500, 5), usd = Product("Cap", 1500, 3, "USD");
    service.AddToCart(kAlice, mug, 2);
    service.AddToCart(kAlice, shirt, 1);
    auto hidden = *service.FindProduct(shirt);
    hidden.active = false;
    service.UpdateProduct(kStaff, hidden);
    EXPECT_EQ(KeyOf([&] { service.Checkout(kAlice, "fr"); }), "shop.unavailable");
    EXPECT_EQ(Stock(mug), 10);  // the mug, reserved before the shirt was met, is given back
    // A product no longer sold can still leave the cart.
    service.RemoveFromCart(kAlice, shirt);
    EXPECT_EQ(KeyOf([&] { service.RemoveFromCart(kAlice, shirt); }), "shop.not_in_cart");
    EXPECT_EQ(KeyOf([&] { service.AddToCart(kAlice, shirt, 1); }), "shop.product_not_found");

    service.AddToCart(kAlice, usd, 1);
    EXPECT_EQ(KeyOf([&] { service.Checkout(kAlice, "fr"); }), "shop.mixed_currencies");
    service.SetCartQuantity(kAlice, usd, 0);

    service.SetCartQuantity(kAlice, mug, 11);
    try {
        service.Checkout(kAlice, "fr");
        ADD_FAILURE() << "a checkout for more than the stock was accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.key(), "shop.out_of_stock");
        EXPECT_EQ(e.params().at("left"), "10");
    }
    EXPECT_EQ(Stock(mug), 10);
    EXPECT_TRUE(service.ListOrders(kStaff, {}).empty());
    EXPECT_EQ(service.Cart(kAlice).size(), 1u);
    EXPECT_EQ(payments.expiries().size(), 0u);  // no payment page asked for any of them
    service.SetCartQuantity(kAlice, mug, 10);
    auto order = service.Checkout(kAlice, "fr").order;
    EXPECT_EQ(order.status, OrderStatus::kPending);
    EXPECT_EQ(order.total_minor, 12000);
    EXPECT_EQ(Stock(mug), 0);
    EXPECT_TRUE(service.Cart(kAlice).empty());
}

TEST_F(ShopRules, CartQuantitiesAndStoredTextAreCheckedBeforeAnythingIsWritten) {
    auto mug = Product("Mug", 1200, std::nullopt);
    EXPECT_EQ(KeyOf([&] { service.AddToCart(kAlice, mug, 0); }), "shop.bad_quantity");
    service.AddToCart(kAlice, mug, 98);
    EXPECT_EQ(KeyOf([&] { service.AddToCart(kAlice, mug, 2); }), "shop.bad_quantity");
    EXPECT_EQ(service.Cart(kAlice)[0].quantity, 98);
    shop::Product p;
    p.name = "Bol\x1b[2J";
    p.price_minor = 900;
    EXPECT_EQ(KeyOf([&] { service.CreateProduct(kStaff, p); }), "text.control.name");
    p.name = "Bol";
    EXPECT_EQ(KeyOf([&] { service.CreateProduct(kAlice, p); }), "forbidden");
    EXPECT_EQ(service.CountProducts(kStaff), 1);
    auto order = Paid(kBob, mug, 1, "t");
    int writes = repo.writes;
    EXPECT_EQ(KeyOf([&] { service.SetStatus(kStaff, order.id, OrderStatus::kFulfilled, "vu\x1b]0;x\a"); }),
              "text.control.note");
    EXPECT_EQ(KeyOf([&] { service.SetTracking(kStaff, order.id, "La\bPoste", "6A123", ""); }), "text.control.carrier");
    EXPECT_EQ(repo.writes, writes);
}

TEST_F(ShopRules, StaffMoveOrdersOnlyWhereTheTimelineAllows) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Buy(kAlice, shirt, 1, "cs_s");
    EXPECT_EQ(KeyOf([&] { service.SetStatus(kStaff, order.id, OrderStatus::kShipped, ""); }), "shop.bad_transition");
    EXPECT_EQ(KeyOf([&] { service.SetTracking(kStaff, order.id, "La Poste", "6A123", ""); }), "shop.not_trackable");
    EXPECT_EQ(KeyOf([&] { service.SetStatus(kStaff, order.id, OrderStatus::kPaid, ""); }), "shop.status_from_stripe");
    service.OnCheckoutCompleted("evt_s", "cs_s", true, "pi_s", 2500, "eur", "");
    EXPECT_EQ(KeyOf([&] { service.SetStatus(kAlice, order.id, OrderStatus::kFulfilled, ""); }), "forbidden");
    EXPECT_EQ(KeyOf([&] { service.SetStatus(kStaff, order.id, OrderStatus::kRefunded, ""); }),
              "shop.status_from_stripe");
    EXPECT_EQ(KeyOf([&] { service.SetStatus(kStaff, order.id, OrderStatus::kCancelled, ""); }),
              "shop.bad_transition");  // a paid order is refunded, not cancelled
    EXPECT_EQ(service.SetStatus(kStaff, order.id, OrderStatus::kFulfilled, "emballée").status, OrderStatus::kFulfilled);
    auto shipped = service.SetTracking(kStaff, order.id, "La Poste", "6A123", "https://www.laposte.fr/suivi?c=6A123");
    EXPECT_EQ(shipped.status, OrderStatus::kShipped);
    EXPECT_EQ(KeyOf([&] { service.SetStatus(kStaff, order.id, OrderStatus::kFulfilled, ""); }), "shop.bad_transition");
    auto delivered = service.SetStatus(kStaff, order.id, OrderStatus::kDelivered, "");
    ASSERT_EQ(delivered.events.size(), 5u);  // reserved, paid, fulfilled, shipped, delivered
    EXPECT_EQ(delivered.events[3].from, "fulfilled");
    EXPECT_EQ(delivered.events[3].to, "shipped");
    EXPECT_EQ(delivered.events[3].actor, "9001");
    // A pending order cancelled by staff gives its stock back, and its owner is told.
    auto other = Buy(kBob, shirt, 2, "cs_t");
    EXPECT_EQ(Stock(shirt), 2);
    auto before = repo.state.notices.size();
    EXPECT_EQ(service.SetStatus(kStaff, other.id, OrderStatus::kCancelled, "à la demande").status,
              OrderStatus::kCancelled);
    EXPECT_EQ(Stock(shirt), 4);
    EXPECT_EQ(NoticesSince(before), std::vector<std::string>{"member shop.notify.status_cancelled"});
    EXPECT_EQ(repo.state.notices.back().params.at("note"), "à la demande");
    EXPECT_EQ(repo.state.notices.back().recipient, kBob.user_id);
}

TEST_F(ShopRules, AnAsynchronousPaymentHoldsTheStockForSevenDaysThenSettles) {
    auto shirt = Product("T-shirt", 2500, 3);
    auto order = Buy(kAlice, shirt, 1, "cs_a");
    auto before = repo.state.notices.size();
    EXPECT_EQ(service.OnCheckoutCompleted("evt_a1", "cs_a", false, "pi_a", 2500, "eur", ""), EventOutcome::kApplied);
    auto waiting = Get(order.id);
    EXPECT_EQ(waiting.status, OrderStatus::kPending);
    EXPECT_EQ(waiting.reserved_until, clock.Now() + ShopService::kAsyncPaymentHold);
    EXPECT_EQ(waiting.payment_intent_id, "pi_a");
    EXPECT_EQ(NoticesSince(before), std::vector<std::string>{"member shop.notify.processing"});
    // Long after the page's 35 minutes, the sweep leaves a payment that is clearing alone.
    clock.Advance(6 * 24h);
    EXPECT_EQ(service.ReleaseExpired(), 0);
    EXPECT_EQ(Stock(shirt), 2);
    EXPECT_EQ(service.OnCheckoutCompleted("evt_a2", "cs_a", true, "pi_a", 2500, "eur", ""), EventOutcome::kApplied);
    auto paid = Get(order.id);
    EXPECT_EQ(paid.status, OrderStatus::kPaid);
    EXPECT_FALSE(paid.reserved_until);
    EXPECT_EQ(Stock(shirt), 2);
    // Once paid, a late "processing" changes nothing.
    EXPECT_EQ(service.OnCheckoutCompleted("evt_a3", "cs_a", false, "pi_a", 2500, "eur", ""), EventOutcome::kIgnored);
    EXPECT_EQ(Get(order.id).status, OrderStatus::kPaid);
    // A failed debit ends a hold: cancelled, stock back, member told.
    auto other = Buy(kBob, shirt, 2, "cs_b");
    service.OnCheckoutCompleted("evt_b1", "cs_b", false, "pi_b", 5000, "eur", "");
    before = repo.state.notices.size();
    EXPECT_EQ(service.OnCheckoutPaymentFailed("evt_b2", "cs_b", "checkout.session.async_payment_failed"),
              EventOutcome::kApplied);
    EXPECT_EQ(Get(other.id).status, OrderStatus::kCancelled);
    EXPECT_EQ(Stock(shirt), 2);
    EXPECT_EQ(NoticesSince(before), std::vector<std::string>{"member shop.notify.payment_failed"});
}

TEST_F(ShopRules, ReservationsRunOutAfterThePageAndTheGrace) {
    auto shirt = Product("T-shirt", 2500, 3);
    auto order = Buy(kAlice, shirt, 3, "cs_r");
    EXPECT_EQ(Stock(shirt), 0);
    ASSERT_EQ(payments.expiries().size(), 1u);
    EXPECT_EQ(Get(order.id).reserved_until, payments.expiries()[0]);  // the reservation ends with the page
    EXPECT_EQ(payments.expiries()[0], clock.Now() + 35min);
    clock.Advance(35min + 9min);  // past the page, within the 10 minutes of grace
    EXPECT_EQ(service.ReleaseExpired(), 0);
    EXPECT_EQ(Stock(shirt), 0);
    clock.Advance(2min);
    EXPECT_EQ(service.ReleaseExpired(), 1);
    EXPECT_EQ(Stock(shirt), 3);
    auto released = Get(order.id);
    EXPECT_EQ(released.status, OrderStatus::kCancelled);
    EXPECT_FALSE(released.reserved_until);
    EXPECT_EQ(released.events.back().actor, "maxis");
    EXPECT_EQ(released.events.back().note, "reservation expired");
    EXPECT_EQ(service.ReleaseExpired(), 0);  // once
}

TEST_F(ShopRules, ALatePaymentForACancelledOrderMakesItPaidTakesTheStockAsFarAsItGoesAndTellsStaff) {
    auto shirt = Product("T-shirt", 2500, 3);
    // Released by the sweep, then two of the three units sold to Bob, then Alice's payment lands.
    auto late = Buy(kAlice, shirt, 3, "cs_late");
    clock.Advance(50min);
    ASSERT_EQ(service.ReleaseExpired(), 1);
    Buy(kBob, shirt, 2, "cs_bob");
    EXPECT_EQ(Stock(shirt), 1);
    auto before = repo.state.notices.size();
    EXPECT_EQ(service.OnCheckoutCompleted("evt_late", "cs_late", true, "pi_late", 7500, "eur", ""),
              EventOutcome::kApplied);
    auto paid = Get(late.id);
    EXPECT_EQ(paid.status, OrderStatus::kPaid);
    EXPECT_EQ(Stock(shirt), 0);  // one unit left to take, not minus two
    EXPECT_EQ(paid.events.back().from, "cancelled");
    EXPECT_EQ(paid.events.back().to, "paid");
    EXPECT_EQ(paid.events.back().actor, "stripe");
    EXPECT_EQ(NoticesSince(before),
              (std::vector<std::string>{"staff shop.notify.late_payment", "member shop.notify.paid",
                                        "staff shop.notify.new_order"}));
    // The same for an order the provider itself expired (a page paid in its last second, events crossed).
    auto mug = Product("Mug", 1200, 4);
    auto expired = Buy(kBob, mug, 2, "cs_exp");
    EXPECT_EQ(service.OnCheckoutExpired("evt_exp", "cs_exp"), EventOutcome::kApplied);
    EXPECT_EQ(Stock(mug), 4);
    EXPECT_EQ(service.OnCheckoutCompleted("evt_exp_paid", "cs_exp", true, "pi_exp", 2400, "eur", ""),
              EventOutcome::kApplied);
    EXPECT_EQ(Get(expired.id).status, OrderStatus::kPaid);
    EXPECT_EQ(Stock(mug), 2);
    // A failed payment or an expiry never cancels an order that is paid.
    EXPECT_EQ(service.OnCheckoutExpired("evt_exp2", "cs_exp"), EventOutcome::kIgnored);
    EXPECT_EQ(Get(expired.id).status, OrderStatus::kPaid);
}

TEST_F(ShopRules, EachEventIsAppliedOnceAndAnEarlyOneLeavesNoTrace) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Buy(kAlice, shirt, 2, "cs_d");
    // The refund overtook the payment: nothing is kept, not even its id, so the redelivery applies it.
    EXPECT_EQ(service.OnRefunded("evt_ref", "pi_d", "re_1", 5000, true), EventOutcome::kRetryLater);
    EXPECT_FALSE(service.EventRecorded("evt_ref"));
    auto before = repo.state.notices.size();
    EXPECT_EQ(service.OnCheckoutCompleted("evt_pay", "cs_d", true, "pi_d", 5000, "eur", "https://invoice.stripe.com/i"),
              EventOutcome::kApplied);
    EXPECT_TRUE(service.EventRecorded("evt_pay"));
    EXPECT_EQ(service.OnCheckoutCompleted("evt_pay", "cs_d", true, "pi_d", 5000, "eur", "https://invoice.stripe.com/i"),
              EventOutcome::kDuplicate);
    // The same payment under another event id (async_payment_succeeded after completed) changes nothing.
    EXPECT_EQ(service.OnCheckoutCompleted("evt_pay2", "cs_d", true, "pi_d", 5000, "eur", ""), EventOutcome::kIgnored);
    EXPECT_EQ(NoticesSince(before),
              (std::vector<std::string>{"member shop.notify.paid_invoice", "staff shop.notify.new_order"}));
    EXPECT_EQ(repo.state.payments.size(), 1u);
    EXPECT_EQ(repo.state.payments[0].currency, "EUR");
    EXPECT_EQ(repo.state.notices[before].link->url, "https://invoice.stripe.com/i");
    EXPECT_EQ(repo.state.notices[before].idempotency_key, "shop.evt_pay");
    EXPECT_EQ(repo.state.notices[before + 1].people.at("user"), kAlice.user_id);
    EXPECT_EQ(Get(order.id).events.size(), 2u);  // reserved, paid
    EXPECT_EQ(service.OnRefunded("evt_ref", "pi_d", "re_1", 5000, true), EventOutcome::kApplied);
    EXPECT_EQ(service.OnRefunded("evt_ref", "pi_d", "re_1", 5000, true), EventOutcome::kDuplicate);
    EXPECT_EQ(service.OnUnhandled("evt_other", "customer.created"), EventOutcome::kIgnored);
    EXPECT_EQ(service.OnUnhandled("evt_other", "customer.created"), EventOutcome::kDuplicate);
    EXPECT_EQ(repo.state.events.at("evt_pay"), "applied");
    EXPECT_EQ(repo.state.events.at("evt_pay2"), "ignored");
    EXPECT_EQ(service.OnCheckoutCompleted("evt_unknown", "cs_unknown", true, "pi_x", 1, "eur", ""),
              EventOutcome::kIgnored);
}

TEST_F(ShopRules, PartialRefundsAddUpAndAFullOneRestocksByPolicy) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Paid(kAlice, shirt, 2, "p");
    EXPECT_EQ(Stock(shirt), 3);
    auto before = repo.state.notices.size();
    // charge.refunded carries the cumulated amount: 1000, then 1000 again (nothing new), then all of it.
    EXPECT_EQ(service.OnRefunded("evt_p2", "pi_p", "re_p2", 1000, false), EventOutcome::kApplied);
    EXPECT_EQ(service.OnRefunded("evt_p3", "pi_p", "re_p3", 1000, false), EventOutcome::kIgnored);
    auto partly = Get(order.id);
    EXPECT_EQ(partly.refunded_minor, 1000);
    EXPECT_EQ(partly.status, OrderStatus::kPaid);
    EXPECT_TRUE(Refundable(partly));
    EXPECT_EQ(partly.events.back().note, "partial refund");
    EXPECT_EQ(Stock(shirt), 3);  // a partial refund gives nothing back to the stock
    EXPECT_EQ(service.OnRefunded("evt_p4", "pi_p", "re_p4", 5000, true), EventOutcome::kApplied);
    auto done = Get(order.id);
    EXPECT_EQ(done.refunded_minor, 5000);
    EXPECT_EQ(done.status, OrderStatus::kRefunded);
    EXPECT_FALSE(Refundable(done));
    EXPECT_EQ(Stock(shirt), 5);  // restocked (restock_on_refund, the default)
    EXPECT_EQ(NoticesSince(before),
              (std::vector<std::string>{"member shop.notify.partially_refunded", "member shop.notify.refunded"}));
    EXPECT_EQ(repo.state.notices.back().money.at("amount").minor, 4000);  // what this refund added
}

class ShopRulesWithoutRestock : public ShopRules {
protected:
    ShopRulesWithoutRestock() : ShopRules({.restock_on_refund = false}) {}
};

TEST_F(ShopRulesWithoutRestock, AFullRefundLeavesTheStockAlone) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Paid(kAlice, shirt, 2, "n");
    EXPECT_EQ(service.OnRefunded("evt_n", "pi_n", "re_n", 5000, true), EventOutcome::kApplied);
    EXPECT_EQ(Get(order.id).status, OrderStatus::kRefunded);
    EXPECT_EQ(Stock(shirt), 3);
    EXPECT_EQ(Get(order.id).events.back().note, "");
}

TEST_F(ShopRules, StaffAskTheProviderForARefundAndTheOrderWaitsForItsEvent) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto pending = Buy(kBob, shirt, 1, "cs_q");
    EXPECT_EQ(KeyOf([&] { service.Refund(kStaff, pending.id, std::nullopt); }), "shop.not_refundable");
    auto order = Paid(kAlice, shirt, 2, "q2");
    EXPECT_EQ(KeyOf([&] { service.Refund(kAlice, order.id, std::nullopt); }), "forbidden");
    EXPECT_EQ(KeyOf([&] { service.Refund(kStaff, order.id, 5001); }), "shop.bad_refund");
    auto refund = service.Refund(kStaff, order.id, 1000);
    EXPECT_EQ(refund.amount_minor, 1000);
    auto again = service.Refund(kStaff, order.id, 1000);  // a double click: the same key, one refund
    ASSERT_EQ(payments.refunds().size(), 2u);
    EXPECT_EQ(payments.refunds()[0].idempotency_key, payments.refunds()[1].idempotency_key);
    EXPECT_EQ(Get(order.id).status, OrderStatus::kPaid);  // until the provider's event
    EXPECT_EQ(Get(order.id).events.back().note, "refund of 1000 EUR requested (" + again.refund_id + ")");
    payments.Configure(false);
    EXPECT_EQ(KeyOf([&] { service.Refund(kStaff, order.id, std::nullopt); }), "shop.payments_off");
}

TEST_F(ShopRules, ADisputeMarksTheOrderAndAlertsStaff) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Paid(kAlice, shirt, 1, "x");
    auto before = repo.state.notices.size();
    EXPECT_EQ(service.OnDisputed("evt_x", "pi_x", "fraudulent"), EventOutcome::kApplied);
    auto disputed = Get(order.id);
    EXPECT_TRUE(disputed.disputed);
    EXPECT_EQ(disputed.status, OrderStatus::kPaid);
    EXPECT_EQ(disputed.events.back().note, "dispute opened: fraudulent");
    EXPECT_EQ(NoticesSince(before), std::vector<std::string>{"staff shop.notify.disputed"});
    EXPECT_EQ(repo.state.notices.back().params.at("reason"), "fraudulent");
    EXPECT_EQ(repo.state.notices.back().people.at("user"), kAlice.user_id);
    EXPECT_EQ(service.OnDisputed("evt_x", "pi_x", "fraudulent"), EventOutcome::kDuplicate);
    EXPECT_EQ(service.OnDisputed("evt_y", "pi_not_ours", "fraudulent"), EventOutcome::kIgnored);
}

TEST_F(ShopRules, APaymentPageRefusedGivesTheReservationBackAndKeepsTheCart) {
    auto shirt = Product("T-shirt", 2500, 5);
    service.AddToCart(kAlice, shirt, 2);
    payments.Refuse(true);
    EXPECT_EQ(KeyOf([&] { service.Checkout(kAlice, "fr"); }), "shop.checkout_failed");
    EXPECT_EQ(Stock(shirt), 5);
    ASSERT_EQ(service.Cart(kAlice).size(), 1u);
    EXPECT_EQ(service.Cart(kAlice)[0].quantity, 2);
    auto orders = service.ListOrders(kStaff, {});
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_EQ(orders[0].status, OrderStatus::kCancelled);
    payments.Refuse(false);
    payments.Configure(false);
    EXPECT_EQ(KeyOf([&] { service.Checkout(kAlice, "fr"); }), "shop.payments_off");
}

TEST_F(ShopRules, MembersReachOnlyTheirOwnOrders) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Buy(kAlice, shirt, 1, "cs_m");
    EXPECT_TRUE(service.FindOrder(kAlice, order.id));
    EXPECT_FALSE(service.FindOrder(kBob, order.id));
    EXPECT_EQ(KeyOf([&] { (void)service.FindForStaffOrMember(kBob, order.number); }), "shop.order_not_found");
    EXPECT_EQ(service.FindForStaffOrMember(kAlice, order.number).id, order.id);
    EXPECT_EQ(service.FindForStaffOrMember(kStaff, order.id.ToString()).id, order.id);
    EXPECT_TRUE(service.ListOrders(kBob, {.owner = kAlice.user_id}).empty());
    EXPECT_EQ(service.ListOrders(kStaff, {.owner = kAlice.user_id}).size(), 1u);
    EXPECT_EQ(KeyOf([&] { (void)service.Revenue(kAlice, clock.Now()); }), "forbidden");
}

TEST_F(ShopRules, AZeroPriceIsRefusedUnlessConfirmedAndAnAlreadyFreeProductKeepsItWithoutAsking) {
    shop::Product p;
    p.name = "Gratuit";
    p.price_minor = 0;
    int writes = repo.writes;
    EXPECT_EQ(KeyOf([&] { service.CreateProduct(kStaff, p); }), "shop.free_unconfirmed");
    EXPECT_EQ(repo.writes, writes);
    EXPECT_EQ(service.CountProducts(kStaff), 0);
    auto free = service.CreateProduct(kStaff, p, true);
    EXPECT_EQ(service.FindProduct(free)->price_minor, 0);
    auto kept = *service.FindProduct(free);
    kept.stock = 5;  // an edit of another field does not ask again
    service.UpdateProduct(kStaff, kept);
    EXPECT_EQ(service.FindProduct(free)->stock, 5);
    // A paid product set to 0 by mistake is refused and keeps its price.
    auto mug = Product("Mug", 1200, std::nullopt);
    auto zeroed = *service.FindProduct(mug);
    zeroed.price_minor = 0;
    EXPECT_EQ(KeyOf([&] { service.UpdateProduct(kStaff, zeroed); }), "shop.free_unconfirmed");
    EXPECT_EQ(service.FindProduct(mug)->price_minor, 1200);
    service.UpdateProduct(kStaff, zeroed, true);
    EXPECT_EQ(service.FindProduct(mug)->price_minor, 0);
}

// Coin-priced products.

class CoinShopRules : public ShopRules {
protected:
    ProductId CoinProduct(const std::string& name, long long euros, long long coins, std::optional<int> stock) {
        shop::Product p;
        p.name = name;
        p.price_minor = euros;
        p.coin_price = coins;
        p.stock = stock;
        return service.CreateProduct(kStaff, p);
    }
    long long& Coins(const Viewer& who) { return repo.state.coins[who.user_id.value]; }
};

TEST_F(CoinShopRules, BuyingWithCoinsTakesStockAndCoinsAndCreatesAPaidOrderWithTheSameNotices) {
    auto badge = CoinProduct("Badge", 0, 250, 3);
    Coins(kAlice) = 600;
    auto notices = repo.state.notices.size();
    auto order = service.BuyWithCoins(kAlice, badge, 2);
    EXPECT_EQ(order.status, OrderStatus::kPaid);
    EXPECT_TRUE(order.PaidInCoins());
    EXPECT_EQ(order.total_minor, 500);
    EXPECT_TRUE(order.checkout_session_id.empty());
    EXPECT_EQ(Coins(kAlice), 100);
    EXPECT_EQ(Stock(badge), 1);
    ASSERT_EQ(repo.state.coin_ledger.size(), 1U);
    EXPECT_EQ(repo.state.coin_ledger[0].reason, "purchase");
    EXPECT_EQ(repo.state.coin_ledger[0].ref, order.number);
    EXPECT_EQ(repo.state.coin_ledger[0].amount, -500);
    EXPECT_EQ(NoticesSince(notices),
              (std::vector<std::string>{"member shop.notify.paid_coins", "staff shop.notify.new_order_coins"}));
    EXPECT_TRUE(payments.expiries().empty());  // no payment page
    // Staff fulfil it like any paid order.
    EXPECT_EQ(service.SetStatus(kStaff, order.id, OrderStatus::kFulfilled, "").status, OrderStatus::kFulfilled);
}

TEST_F(CoinShopRules, NotEnoughCoinsOutOfStockOrNotForCoinsChangeNothing) {
    auto badge = CoinProduct("Badge", 0, 250, 1);
    auto mug = Product("Mug", 1200, 5);
    Coins(kAlice) = 249;
    auto writes = repo.writes;
    EXPECT_EQ(KeyOf([&] { service.BuyWithCoins(kAlice, badge, 1); }), "shop.coins_short");
    EXPECT_EQ(KeyOf([&] { service.BuyWithCoins(kAlice, mug, 1); }), "shop.not_for_coins");
    Coins(kAlice) = 1000;
    EXPECT_EQ(KeyOf([&] { service.BuyWithCoins(kAlice, badge, 2); }), "shop.out_of_stock");
    EXPECT_EQ(KeyOf([&] { service.BuyWithCoins(kAlice, ProductId{99}, 1); }), "shop.product_not_found");
    EXPECT_EQ(KeyOf([&] { service.BuyWithCoins(kAlice, badge, 0); }), "shop.bad_quantity");
    EXPECT_EQ(repo.writes, writes);
    EXPECT_EQ(Coins(kAlice), 1000);
    EXPECT_EQ(Stock(badge), 1);
    EXPECT_TRUE(repo.state.orders.empty());
    EXPECT_TRUE(repo.state.coin_ledger.empty());
    // Hidden: not sold, for coins either.
    auto p = *service.FindProduct(badge);
    p.active = false;
    service.UpdateProduct(kStaff, p);
    EXPECT_EQ(KeyOf([&] { service.BuyWithCoins(kAlice, badge, 1); }), "shop.product_not_found");
}

TEST_F(CoinShopRules, AProductIsSoldForEurosCoinsOrBothAndCoinsOnlyNeverGoesInTheCart) {
    auto both = CoinProduct("Hoodie", 3500, 4000, std::nullopt);
    auto coins_only = CoinProduct("Badge", 0, 250, std::nullopt);  // no "free" asked: coins only is not free
    EXPECT_FALSE(service.FindProduct(both)->CoinsOnly());
    EXPECT_TRUE(service.FindProduct(coins_only)->CoinsOnly());
    EXPECT_EQ(KeyOf([&] { service.AddToCart(kAlice, coins_only, 1); }), "shop.coins_only");
    EXPECT_EQ(KeyOf([&] { service.AddToCart(kAlice, both, 1); }), "accepted");
    Coins(kAlice) = 4000;
    EXPECT_EQ(service.BuyWithCoins(kAlice, both, 1).total_minor, 4000);
    // Taking the coin price off a coins-only product would make it free: asked, like a price of 0.
    auto p = *service.FindProduct(coins_only);
    p.coin_price.reset();
    EXPECT_EQ(KeyOf([&] { service.UpdateProduct(kStaff, p); }), "shop.free_unconfirmed");
    // A coin price of 0 means not for coins.
    p = *service.FindProduct(both);
    p.coin_price = 0;
    service.UpdateProduct(kStaff, p);
    EXPECT_FALSE(service.FindProduct(both)->coin_price);
    p.coin_price = -1;
    EXPECT_EQ(KeyOf([&] { service.UpdateProduct(kStaff, p); }), "shop.bad_coin_price");
}

TEST_F(CoinShopRules, StaffRefundOfACoinOrderGivesTheCoinsBackOnceAndRestocks) {
    auto badge = CoinProduct("Badge", 0, 250, 2);
    Coins(kAlice) = 300;
    auto order = service.BuyWithCoins(kAlice, badge, 1);
    EXPECT_EQ(KeyOf([&] { service.Refund(kAlice, order.id, std::nullopt); }), "forbidden");
    EXPECT_EQ(KeyOf([&] { service.Refund(kStaff, order.id, 100); }), "shop.coins_refund_whole");
    payments.Configure(false);  // no payment provider needed
    auto refund = service.Refund(kStaff, order.id, std::nullopt);
    EXPECT_EQ(refund.amount_minor, 250);
    EXPECT_EQ(Coins(kAlice), 300);
    EXPECT_EQ(Stock(badge), 2);
    EXPECT_EQ(Get(order.id).status, OrderStatus::kRefunded);
    ASSERT_EQ(repo.state.coin_ledger.size(), 2U);
    EXPECT_EQ(repo.state.coin_ledger[1].reason, "refund");
    EXPECT_EQ(repo.state.coin_ledger[1].ref, order.number);
    EXPECT_EQ(KeyOf([&] { service.Refund(kStaff, order.id, std::nullopt); }), "shop.not_refundable");
    EXPECT_EQ(Coins(kAlice), 300);
    EXPECT_TRUE(payments.refunds().empty());
}

}  // namespace
}  // namespace maxis::shop
