#pragma once
// The shop's store, run on SQLite (shop_store_test.cpp) and on PostgreSQL through the login role with
// row-level security (shop_store_pgtest.cpp). Each file defines MakeShopDatabase().
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "core/errors.hpp"
#include "storage/coin_store.hpp"
#include "storage/shop_store.hpp"
#include "storage/sql_queue_stores.hpp"
#include "support/fake_clock.hpp"
#include "support/scripted_payments.hpp"

namespace maxis::storage::shop_suite {

using namespace std::chrono_literals;
using core::Role;
using core::UserId;
using core::Viewer;
using shop::EventOutcome;
using shop::OrderStatus;

std::unique_ptr<Database> MakeShopDatabase(testing::FakeClock& clock, int pool);

inline const Viewer kAlice{UserId{2001}, Role::kMember};
inline const Viewer kBob{UserId{2002}, Role::kMember};
inline const Viewer kStaff{UserId{9001}, Role::kStaff};

class ShopSuite : public ::testing::Test {
protected:
    explicit ShopSuite(int pool = 2)
        : db(MakeShopDatabase(clock, pool)),
          repo(*db, clock),
          service(repo, payments, clock, shop::ShopOptions{.release_grace = 0min}) {}

    shop::ProductId Product(const std::string& name, long long price, std::optional<int> stock) {
        shop::Product p;
        p.name = name;
        p.price_minor = price;
        p.stock = stock;
        return service.CreateProduct(kStaff, p);
    }
    int Stock(shop::ProductId id) { return service.FindProduct(id)->stock.value_or(-1); }
    core::ErrorCode CodeOf(const std::function<void()>& f, std::string* key = nullptr) {
        try {
            f();
        } catch (const core::Error& e) {
            if (key) *key = e.key();
            return e.code();
        }
        return core::ErrorCode::kInternal;
    }
    /// Someone buys quantity of a product: cart, checkout, a session id; returns the order.
    shop::Order Buy(const Viewer& who, shop::ProductId id, int quantity, const std::string& session) {
        service.AddToCart(who, id, quantity);
        payments.NextSession(session);
        return service.Checkout(who, "fr").order;
    }
    shop::Order Checkout(const Viewer& who) { return service.Checkout(who, "fr").order; }

    testing::FakeClock clock;
    std::unique_ptr<Database> db;
    SqlShopRepository repo;
    testing::ScriptedPayments payments;
    shop::ShopService service;
};

TEST_F(ShopSuite, CatalogIsValidatedAndOnlyStaffChangeIt) {
    auto id = Product("T-shirt", 2500, 10);
    EXPECT_EQ(service.FindProduct(id)->name, "T-shirt");
    shop::Product bad;
    bad.name = "";
    EXPECT_EQ(CodeOf([&] { service.CreateProduct(kStaff, bad); }), core::ErrorCode::kInvalidArgument);
    bad.name = "x";
    bad.price_minor = -1;
    EXPECT_EQ(CodeOf([&] { service.CreateProduct(kStaff, bad); }), core::ErrorCode::kInvalidArgument);
    bad.price_minor = 1;
    bad.image_url = "javascript:alert(1)";
    EXPECT_EQ(CodeOf([&] { service.CreateProduct(kStaff, bad); }), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(CodeOf([&] { service.CreateProduct(kAlice, *service.FindProduct(id)); }), core::ErrorCode::kForbidden);
    auto p = *service.FindProduct(id);
    p.active = false;
    service.UpdateProduct(kStaff, p);
    EXPECT_EQ(service.CountProducts(kAlice), 0);
    EXPECT_EQ(service.CountProducts(kStaff), 1);
    EXPECT_EQ(CodeOf([&] { service.AddToCart(kAlice, id, 1); }), core::ErrorCode::kNotFound);
}

TEST_F(ShopSuite, ControlCharactersInCatalogAndOrderTextAreRefusedNamingTheField) {
    shop::Product p;
    p.name = "T-shirt\x1b[2J";
    p.price_minor = 100;
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.CreateProduct(kStaff, p); }, &key), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "text.control.name");
    p.name = "T-shirt";
    p.description = "coton\nbio\a";
    EXPECT_EQ(CodeOf([&] { service.CreateProduct(kStaff, p); }, &key), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "text.control.description");
    EXPECT_EQ(service.CountProducts(kStaff), 0);
    p.description = "coton\nbio";  // multi-line descriptions are fine
    auto id = service.CreateProduct(kStaff, p);
    auto order = Buy(kAlice, id, 1, "cs_c");
    service.OnCheckoutCompleted("evt_c", "cs_c", true, "pi_c", 100, "eur", "");
    EXPECT_EQ(CodeOf([&] { service.SetStatus(kStaff, order.id, OrderStatus::kFulfilled, "vu\x1b]0;x\a"); }, &key),
              core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "text.control.note");
    EXPECT_EQ(CodeOf([&] { service.SetTracking(kStaff, order.id, "La\bPoste", "6A123", ""); }, &key),
              core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "text.control.carrier");
    EXPECT_EQ(CodeOf([&] { service.SetTracking(kStaff, order.id, "La Poste", "6A\u009b123", ""); }, &key),
              core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "text.control.tracking_code");
    EXPECT_EQ(service.FindOrder(kStaff, order.id)->status, OrderStatus::kPaid);
}

TEST_F(ShopSuite, CartAddsChangesRemovesAndStaysPrivate) {
    auto shirt = Product("T-shirt", 2500, 10), mug = Product("Mug", 1200, std::nullopt);
    service.AddToCart(kAlice, shirt, 2);
    service.AddToCart(kAlice, shirt, 1);
    service.AddToCart(kAlice, mug, 1);
    auto cart = service.Cart(kAlice);
    ASSERT_EQ(cart.size(), 2u);
    EXPECT_EQ(cart[0].quantity, 3);
    EXPECT_EQ(cart[0].Total(), 7500);
    EXPECT_TRUE(service.Cart(kBob).empty());
    service.SetCartQuantity(kAlice, shirt, 0);
    EXPECT_EQ(service.Cart(kAlice).size(), 1u);
    EXPECT_EQ(CodeOf([&] { service.AddToCart(kAlice, mug, 99); }), core::ErrorCode::kInvalidArgument);  // 100 in all
    EXPECT_EQ(CodeOf([&] { service.SetCartQuantity(kAlice, mug, 100); }), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(service.Cart(kAlice)[0].quantity, 1);  // unchanged by the refusals
    service.EmptyCart(kAlice);
    EXPECT_TRUE(service.Cart(kAlice).empty());
    std::string key;
    EXPECT_EQ(CodeOf([&] { Checkout(kAlice); }, &key), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "shop.cart_empty");
}

TEST_F(ShopSuite, CheckoutReservesStockNumbersOrdersAndEmptiesTheCart) {
    clock.Set(core::FromEpochMillis(1'790'000'000'000));  // 2026-09
    auto shirt = Product("T-shirt", 2500, 5);
    service.AddToCart(kAlice, shirt, 2);
    auto order = Checkout(kAlice);
    EXPECT_EQ(order.number, "MX-2026-000001");
    EXPECT_EQ(order.status, OrderStatus::kPending);
    EXPECT_EQ(order.total_minor, 5000);
    ASSERT_EQ(order.items.size(), 1u);
    EXPECT_EQ(Stock(shirt), 3);
    EXPECT_TRUE(service.Cart(kAlice).empty());
    service.AddToCart(kBob, shirt, 4);
    std::string key;
    EXPECT_EQ(CodeOf([&] { Checkout(kBob); }, &key), core::ErrorCode::kConflict);
    EXPECT_EQ(key, "shop.out_of_stock");
    EXPECT_EQ(Stock(shirt), 3);                // nothing reserved
    EXPECT_EQ(service.Cart(kBob).size(), 1u);  // the cart is kept
    service.SetCartQuantity(kBob, shirt, 3);
    EXPECT_EQ(Checkout(kBob).number, "MX-2026-000002");
    EXPECT_EQ(Stock(shirt), 0);
    // Members see only their own orders, by id or number; another's answers not found.
    EXPECT_TRUE(service.FindOrder(kAlice, order.id));
    EXPECT_FALSE(service.FindOrder(kBob, order.id));
    EXPECT_EQ(CodeOf([&] { (void)service.FindForStaffOrMember(kBob, "MX-2026-000001"); }), core::ErrorCode::kNotFound);
    EXPECT_EQ(service.FindForStaffOrMember(kAlice, "mx-2026-1").id, order.id);
    EXPECT_EQ(service.ListOrders(kAlice, {}).size(), 1u);
    EXPECT_EQ(service.ListOrders(kStaff, {}).size(), 2u);
}

TEST_F(ShopSuite, PaymentIsAppliedOnceWhateverTheDuplicates) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Buy(kAlice, shirt, 1, "cs_test_1");
    EXPECT_EQ(service.OnCheckoutCompleted("evt_1", "cs_test_1", true, "pi_1", 2500, "eur", "https://invoice/1"),
              EventOutcome::kApplied);
    EXPECT_EQ(service.OnCheckoutCompleted("evt_1", "cs_test_1", true, "pi_1", 2500, "eur", "https://invoice/1"),
              EventOutcome::kDuplicate);
    // The same effect under another event id (async_payment_succeeded after completed) changes nothing.
    EXPECT_EQ(service.OnCheckoutCompleted("evt_2", "cs_test_1", true, "pi_1", 2500, "eur", ""), EventOutcome::kIgnored);
    auto paid = *service.FindOrder(kAlice, order.id);
    EXPECT_EQ(paid.status, OrderStatus::kPaid);
    EXPECT_EQ(paid.payment_intent_id, "pi_1");
    EXPECT_EQ(paid.invoice_url, "https://invoice/1");
    EXPECT_EQ(Stock(shirt), 4);
    EXPECT_EQ(paid.events.size(), 2u);  // reserved, paid
    // An expiry arriving after the payment does not undo it.
    EXPECT_EQ(service.OnCheckoutExpired("evt_3", "cs_test_1"), EventOutcome::kIgnored);
    EXPECT_EQ(service.FindOrder(kAlice, order.id)->status, OrderStatus::kPaid);
    EXPECT_EQ(service.OnCheckoutCompleted("evt_4", "cs_unknown", true, "pi_x", 1, "eur", ""), EventOutcome::kIgnored);
}

TEST_F(ShopSuite, ExpiryAndFailedPaymentsReleaseTheStock) {
    auto shirt = Product("T-shirt", 2500, 3);
    auto a = Buy(kAlice, shirt, 2, "cs_a");
    EXPECT_EQ(Stock(shirt), 1);
    EXPECT_EQ(service.OnCheckoutExpired("evt_exp", "cs_a"), EventOutcome::kApplied);
    EXPECT_EQ(Stock(shirt), 3);
    EXPECT_EQ(service.FindOrder(kAlice, a.id)->status, OrderStatus::kCancelled);
    EXPECT_EQ(service.OnCheckoutExpired("evt_exp", "cs_a"), EventOutcome::kDuplicate);
    EXPECT_EQ(Stock(shirt), 3);

    auto b = Buy(kBob, shirt, 1, "cs_b");
    EXPECT_EQ(service.OnCheckoutCompleted("evt_b1", "cs_b", false, "pi_b", 2500, "eur", ""),
              EventOutcome::kApplied);  // async
    EXPECT_EQ(service.FindOrder(kBob, b.id)->status, OrderStatus::kPending);
    EXPECT_EQ(service.OnCheckoutPaymentFailed("evt_b2", "cs_b", "checkout.session.async_payment_failed"),
              EventOutcome::kApplied);
    EXPECT_EQ(service.FindOrder(kBob, b.id)->status, OrderStatus::kCancelled);
    EXPECT_EQ(Stock(shirt), 3);

    // Without any event, the sweep releases reservations that ran out.
    auto c = Buy(kAlice, shirt, 3, "cs_c");
    EXPECT_EQ(Stock(shirt), 0);
    clock.Advance(34min);  // the page lives 35 minutes (the provider's 30 and headroom)
    EXPECT_EQ(service.ReleaseExpired(), 0);
    clock.Advance(2min);
    EXPECT_EQ(service.ReleaseExpired(), 1);
    EXPECT_EQ(Stock(shirt), 3);
    // A payment that lands after the release still counts, and takes the stock again.
    EXPECT_EQ(service.OnCheckoutCompleted("evt_c", "cs_c", true, "pi_c", 7500, "eur", ""), EventOutcome::kApplied);
    EXPECT_EQ(service.FindOrder(kAlice, c.id)->status, OrderStatus::kPaid);
    EXPECT_EQ(Stock(shirt), 0);
}

TEST_F(ShopSuite, RefundsAndDisputesFollowThePaymentInAnyOrder) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Buy(kAlice, shirt, 2, "cs_r");
    // The refund overtook the payment: not applied, not recorded, so Stripe's retry applies it later.
    EXPECT_EQ(service.OnRefunded("evt_ref", "pi_r", "re_1", 5000, true), EventOutcome::kRetryLater);
    EXPECT_EQ(service.OnCheckoutCompleted("evt_pay", "cs_r", true, "pi_r", 5000, "eur", ""), EventOutcome::kApplied);
    EXPECT_EQ(Stock(shirt), 3);
    EXPECT_EQ(service.OnRefunded("evt_ref", "pi_r", "re_1", 5000, true), EventOutcome::kApplied);
    EXPECT_EQ(service.OnRefunded("evt_ref", "pi_r", "re_1", 5000, true), EventOutcome::kDuplicate);
    auto refunded = *service.FindOrder(kAlice, order.id);
    EXPECT_EQ(refunded.status, OrderStatus::kRefunded);
    EXPECT_EQ(Stock(shirt), 5);  // restocked by policy
    EXPECT_EQ(service.OnDisputed("evt_dsp", "pi_r", "fraudulent"), EventOutcome::kApplied);
    EXPECT_TRUE(service.FindOrder(kAlice, order.id)->disputed);
    EXPECT_EQ(service.OnUnhandled("evt_other", "customer.created"), EventOutcome::kIgnored);
    EXPECT_EQ(service.OnUnhandled("evt_other", "customer.created"), EventOutcome::kDuplicate);
}

TEST_F(ShopSuite, StaffMoveOrdersAlongTheTimelineOnly) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Buy(kAlice, shirt, 1, "cs_s");
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.SetStatus(kStaff, order.id, OrderStatus::kShipped, ""); }, &key),
              core::ErrorCode::kConflict);
    EXPECT_EQ(key, "shop.bad_transition");
    EXPECT_EQ(CodeOf([&] { service.SetTracking(kStaff, order.id, "La Poste", "6A123", ""); }),
              core::ErrorCode::kConflict);
    service.OnCheckoutCompleted("evt_s", "cs_s", true, "pi_s", 2500, "eur", "");
    EXPECT_EQ(CodeOf([&] { service.SetStatus(kAlice, order.id, OrderStatus::kFulfilled, ""); }),
              core::ErrorCode::kForbidden);
    EXPECT_EQ(CodeOf([&] { service.SetStatus(kStaff, order.id, OrderStatus::kRefunded, ""); }),
              core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(CodeOf([&] { service.SetTracking(kStaff, order.id, "La Poste", "6A123", "http://x"); }),
              core::ErrorCode::kInvalidArgument);
    auto shipped = service.SetTracking(kStaff, order.id, "La Poste", "6A123",
                                       "https://www.laposte.fr/outils/suivre-vos-envois?code=6A123");
    EXPECT_EQ(shipped.status, OrderStatus::kShipped);
    EXPECT_EQ(shipped.tracking_code, "6A123");
    auto delivered = service.SetStatus(kStaff, order.id, OrderStatus::kDelivered, "");
    EXPECT_EQ(delivered.status, OrderStatus::kDelivered);
    EXPECT_EQ(delivered.events.size(), 4u);  // reserved, paid, shipped, delivered
    // A pending order cancelled by staff gives its stock back.
    auto other = Buy(kBob, shirt, 2, "cs_t");
    EXPECT_EQ(Stock(shirt), 2);
    service.SetStatus(kStaff, other.id, OrderStatus::kCancelled, "asked by the member");
    EXPECT_EQ(Stock(shirt), 4);
}

class ShopConcurrency : public ShopSuite {
protected:
    ShopConcurrency() : ShopSuite(8) {}
};

TEST_F(ShopConcurrency, FiveHundredCheckoutsForTwentyUnitsReserveExactlyTwenty) {
    auto drop = Product("Drop", 5000, 20);
    constexpr int kBuyers = 500;
    for (int i = 0; i < kBuyers; ++i) service.AddToCart(Viewer{UserId{100000 + i}, Role::kMember}, drop, 1);
    std::atomic<int> won{0}, sold_out{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = t; i < kBuyers; i += 8) {
                try {
                    Checkout(Viewer{UserId{100000 + i}, Role::kMember});
                    ++won;
                } catch (const core::Error& e) {
                    (e.key() == "shop.out_of_stock" ? sold_out : other)++;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 20);
    EXPECT_EQ(sold_out.load(), kBuyers - 20);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(Stock(drop), 0);
    EXPECT_EQ(service.ListOrders(kStaff, {.limit = 100}).size(), 20u);
}

TEST_F(ShopSuite, PartialRefundsAddUpAndEveryEffectNotifiesOnce) {
    auto shirt = Product("T-shirt", 2500, 5);
    auto order = Buy(kAlice, shirt, 2, "cs_p");
    SqlOutboxStore outbox(*db);
    auto before = outbox.LastId();
    ASSERT_EQ(
        service.OnCheckoutCompleted("evt_p1", "cs_p", true, "pi_p", 5000, "eur", "https://invoice.stripe.com/i/x"),
        EventOutcome::kApplied);
    // charge.refunded carries the cumulated amount: 1000, then 1000 again (a duplicate by content), then all of it.
    EXPECT_EQ(service.OnRefunded("evt_p2", "pi_p", "re_p2", 1000, false), EventOutcome::kApplied);
    EXPECT_EQ(service.OnRefunded("evt_p3", "pi_p", "re_p3", 1000, false), EventOutcome::kIgnored);
    EXPECT_EQ(service.FindOrder(kAlice, order.id)->refunded_minor, 1000);
    EXPECT_EQ(service.FindOrder(kAlice, order.id)->status, OrderStatus::kPaid);
    shop::ShopService no_restock(repo, payments, clock, shop::ShopOptions{.restock_on_refund = false});
    EXPECT_EQ(no_restock.OnRefunded("evt_p4", "pi_p", "re_p4", 5000, true), EventOutcome::kApplied);
    auto done = *service.FindOrder(kAlice, order.id);
    EXPECT_EQ(done.refunded_minor, 5000);
    EXPECT_EQ(done.status, OrderStatus::kRefunded);
    EXPECT_EQ(Stock(shirt), 3);  // no restock by this policy
    // Receipt and staff notice for the payment, one notice per refund, nothing for the ignored event.
    std::vector<std::string> keys;
    for (const auto& item : outbox.Peek(before, 100)) {
        auto payload = item.payload;
        auto at = payload.find("\"key\":\"");
        keys.push_back(item.channel + " " + payload.substr(at + 7, payload.find('"', at + 7) - at - 7));
    }
    EXPECT_EQ(keys, (std::vector<std::string>{
                        "notify.member shop.notify.paid_invoice", "notify.staff shop.notify.new_order",
                        "notify.member shop.notify.partially_refunded", "notify.member shop.notify.refunded"}));
}

TEST_F(ShopSuite, RevenueCountsChargesAndRefundsPerDay) {
    auto shirt = Product("T-shirt", 2500, 5);
    Buy(kAlice, shirt, 2, "cs_v");
    ASSERT_EQ(service.OnCheckoutCompleted("evt_v1", "cs_v", true, "pi_v", 5000, "EUR", ""), EventOutcome::kApplied);
    ASSERT_EQ(service.OnRefunded("evt_v2", "pi_v", "re_v", 1500, false), EventOutcome::kApplied);
    auto days = service.Revenue(kStaff, clock.Now() - 24h);
    ASSERT_EQ(days.size(), 1u);
    EXPECT_EQ(days[0].gross_minor, 5000);
    EXPECT_EQ(days[0].refunded_minor, 1500);
    EXPECT_EQ(days[0].orders, 1);
    EXPECT_EQ(days[0].day.size(), 10u);
    EXPECT_TRUE(service.Revenue(kStaff, clock.Now() + 24h).empty());
}

// Coin-priced products: stock, order and coins in one transaction.

class CoinShopSuite : public ShopSuite {
protected:
    explicit CoinShopSuite(int pool = 2) : ShopSuite(pool) {}

    shop::ProductId CoinProduct(const std::string& name, long long coins, std::optional<int> stock) {
        shop::Product p;
        p.name = name;
        p.coin_price = coins;
        p.stock = stock;
        return service.CreateProduct(kStaff, p);
    }
    void GiveCoins(UserId user, long long amount) {
        db->Write(Viewer::System(), [&](Transaction& tx) {
            MoveCoinsIn(
                tx,
                coins::Movement{.user = user, .amount = amount, .reason = coins::CoinReason::kGiveaway, .ref = "seed"},
                clock.Now());
        });
    }
    long long Balance(UserId user) {
        long long balance = 0;
        SqlCoinRepository ledger(*db);
        ledger.Read(Viewer::System(), [&](coins::CoinStore& s) { balance = s.Balance(user); });
        return balance;
    }
    std::vector<coins::LedgerEntry> Ledger(UserId user) {
        std::vector<coins::LedgerEntry> out;
        SqlCoinRepository ledger(*db);
        ledger.Read(Viewer::System(), [&](coins::CoinStore& s) { out = s.History(user, 0, 100); });
        return out;
    }
};

TEST_F(CoinShopSuite, ACoinPurchaseIsAPaidOrderOnTheLedgerAndItsRefundGivesTheCoinsBack) {
    auto badge = CoinProduct("Badge", 250, 3);
    auto listed = service.ListProducts(kAlice, 0, 10);
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].coin_price, 250);
    EXPECT_TRUE(listed[0].CoinsOnly());
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.AddToCart(kAlice, badge, 1); }, &key), core::ErrorCode::kConflict);
    EXPECT_EQ(key, "shop.coins_only");
    GiveCoins(kAlice.user_id, 300);
    auto order = service.BuyWithCoins(kAlice, badge, 1);
    EXPECT_EQ(order.status, OrderStatus::kPaid);
    EXPECT_EQ(order.currency, "COINS");
    EXPECT_EQ(order.total_minor, 250);
    EXPECT_EQ(order.items.at(0).unit_price_minor, 250);
    EXPECT_TRUE(order.checkout_session_id.empty());
    EXPECT_EQ(Stock(badge), 2);
    EXPECT_EQ(Balance(kAlice.user_id), 50);
    auto ledger = Ledger(kAlice.user_id);
    ASSERT_EQ(ledger.size(), 2U);
    EXPECT_EQ(ledger[0].reason, coins::CoinReason::kPurchase);
    EXPECT_EQ(ledger[0].ref, order.number);
    EXPECT_EQ(ledger[0].amount, -250);
    EXPECT_EQ(ledger[0].balance_after, 50);
    // The member sees their order; no money was recorded for it.
    EXPECT_EQ(service.ListOrders(kAlice, {}).size(), 1U);
    EXPECT_TRUE(service.Revenue(kStaff, clock.Now() - 24h).empty());
    // Short: nothing changes.
    EXPECT_EQ(CodeOf([&] { service.BuyWithCoins(kAlice, badge, 1); }, &key), core::ErrorCode::kConflict);
    EXPECT_EQ(key, "shop.coins_short");
    EXPECT_EQ(Stock(badge), 2);
    EXPECT_EQ(service.ListOrders(kStaff, {}).size(), 1U);
    // Staff refund: the coins come back once, with the order as ref, and the stock returns.
    service.Refund(kStaff, order.id, std::nullopt);
    EXPECT_EQ(Balance(kAlice.user_id), 300);
    EXPECT_EQ(Stock(badge), 3);
    EXPECT_EQ(service.FindOrder(kStaff, order.id)->status, OrderStatus::kRefunded);
    ledger = Ledger(kAlice.user_id);
    ASSERT_EQ(ledger.size(), 3U);
    EXPECT_EQ(ledger[0].reason, coins::CoinReason::kRefund);
    EXPECT_EQ(ledger[0].ref, order.number);
    EXPECT_EQ(ledger[0].actor, kStaff.user_id);
    EXPECT_EQ(CodeOf([&] { service.Refund(kStaff, order.id, std::nullopt); }, &key), core::ErrorCode::kConflict);
    EXPECT_EQ(key, "shop.not_refundable");
    EXPECT_EQ(Balance(kAlice.user_id), 300);
}

class CoinShopConcurrency : public CoinShopSuite {
protected:
    CoinShopConcurrency() : CoinShopSuite(8) {}

    /// Runs buy(i) for i in [0, n) from 8 threads; counts each outcome by its key ("ok" for a purchase).
    std::map<std::string, int> Race(int n, const std::function<void(int)>& buy) {
        std::mutex mutex;
        std::map<std::string, int> outcomes;
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (int i = t; i < n; i += 8) {
                    std::string key = "ok";
                    try {
                        buy(i);
                    } catch (const core::Error& e) {
                        key = e.key().empty() ? e.what() : e.key();
                    }
                    std::lock_guard lock(mutex);
                    ++outcomes[key];
                }
            });
        }
        for (auto& t : threads) t.join();
        return outcomes;
    }
};

TEST_F(CoinShopConcurrency, FortyBuyersRacingForTenItemsGetExactlyTenAndOnlyTheirCoinsMove) {
    auto drop = CoinProduct("Drop", 5, 10);
    constexpr int kBuyers = 40;
    for (int i = 0; i < kBuyers; ++i) GiveCoins(UserId{100000 + i}, 5);
    auto outcomes = Race(kBuyers, [&](int i) {
        service.BuyWithCoins(Viewer{UserId{100000 + i}, Role::kMember}, drop, 1);
    });
    EXPECT_EQ(outcomes, (std::map<std::string, int>{{"ok", 10}, {"shop.out_of_stock", kBuyers - 10}}));
    EXPECT_EQ(Stock(drop), 0);
    EXPECT_EQ(service.ListOrders(kStaff, {.limit = 100}).size(), 10U);
    int spent = 0, kept = 0;
    for (int i = 0; i < kBuyers; ++i) {
        auto balance = Balance(UserId{100000 + i});
        (balance == 0 ? spent : kept) += 1;
        EXPECT_TRUE(balance == 0 || balance == 5) << balance;
    }
    EXPECT_EQ(spent, 10);
    EXPECT_EQ(kept, kBuyers - 10);
}

TEST_F(CoinShopConcurrency, ACoinRefundRacingAStatusChangeNeverEndsShippedWithTheCoinsBack) {
    // Each round, staff refund a coin order while another ships it, from two threads released together. Either
    // the refund wins (refunded, coins back, and shipping a refunded order is refused) or shipping wins first
    // and the refund still gives the coins back, from shipped. Never shipped with the coins back.
    auto badge = CoinProduct("Badge", 10, std::nullopt);
    constexpr int kRounds = 60;
    GiveCoins(kAlice.user_id, 10);
    for (int round = 0; round < kRounds; ++round) {
        auto order = service.BuyWithCoins(kAlice, badge, 1);
        ASSERT_EQ(Balance(kAlice.user_id), 0);
        std::atomic<int> ready{0};
        auto together = [&] {
            ++ready;
            while (ready.load() < 2) std::this_thread::yield();
        };
        std::string refund_key = "ok", ship_key = "ok";
        auto run = [&](std::string& key, const std::function<void()>& f) {
            together();
            try {
                f();
            } catch (const core::Error& e) {
                key = e.key().empty() ? e.what() : e.key();
            }
        };
        std::thread refund([&] { run(refund_key, [&] { service.Refund(kStaff, order.id, std::nullopt); }); });
        // Each looks the order up first, as !order_status and the panel do.
        std::thread ship([&] {
            run(ship_key, [&] {
                auto seen = service.FindOrder(kStaff, order.id);
                service.SetStatus(kStaff, seen->id, OrderStatus::kShipped, "posted");
            });
        });
        refund.join();
        ship.join();
        auto status = service.FindOrder(kStaff, order.id)->status;
        ASSERT_EQ(refund_key, "ok") << "round " << round;  // shipped is refundable too
        ASSERT_EQ(Balance(kAlice.user_id), 10) << "round " << round;
        ASSERT_EQ(status, OrderStatus::kRefunded) << "round " << round << ", the status change said " << ship_key;
        ASSERT_TRUE(ship_key == "ok" || ship_key == "shop.bad_transition") << ship_key;
    }
}

TEST_F(CoinShopConcurrency, ABuyerRacingThemselvesNeverOverdraws) {
    auto sticker = CoinProduct("Sticker", 5, std::nullopt);
    auto pin = CoinProduct("Pin", 5, 100);
    GiveCoins(kAlice.user_id, 12);
    // Two products, so the race is on the balance and not only on one product's row.
    auto outcomes = Race(32, [&](int i) { service.BuyWithCoins(kAlice, i % 2 == 0 ? sticker : pin, 1); });
    EXPECT_EQ(outcomes, (std::map<std::string, int>{{"ok", 2}, {"shop.coins_short", 30}}));
    EXPECT_EQ(Balance(kAlice.user_id), 2);
    EXPECT_EQ(service.ListOrders(kStaff, {.limit = 100}).size(), 2U);
    auto ledger = Ledger(kAlice.user_id);
    ASSERT_EQ(ledger.size(), 3U);  // the seed and two purchases
    EXPECT_EQ(ledger[0].balance_after + ledger[1].balance_after, 2 + 7);
    auto orders = service.ListOrders(kStaff, {.limit = 100});
    auto pins =
        std::count_if(orders.begin(), orders.end(), [&](const shop::Order& o) { return o.items.at(0).product == pin; });
    EXPECT_EQ(Stock(pin), 100 - static_cast<int>(pins));
}

}  // namespace maxis::storage::shop_suite
