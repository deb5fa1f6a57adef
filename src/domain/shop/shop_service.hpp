#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "core/viewer.hpp"
#include "domain/shop/order.hpp"
#include "domain/shop/payment_limits.hpp"
#include "domain/shop/shop_store.hpp"

namespace maxis::shop {

using core::ToString;

/// Port: the payment provider's hosted checkout and refunds (Stripe).
class PaymentGateway {
public:
    virtual ~PaymentGateway() = default;
    struct Session {
        std::string id;
        std::string url;
    };
    /// False when no credentials are configured: nothing is reserved then.
    [[nodiscard]] virtual bool configured() const = 0;
    /// A hosted payment page for a pending order, expiring at expires_at. Throws core::Error.
    virtual Session CreateCheckout(const Order& order, core::TimePoint expires_at, const std::string& locale) = 0;
    /// Refunds amount_minor (nullopt: what is left) of the order's payment; returns the refund's id.
    /// The same idempotency key never refunds twice.
    virtual std::string Refund(const Order& order, std::optional<long long> amount_minor,
                               const std::string& idempotency_key) = 0;
};

struct ShopOptions {
    core::Millis reservation = std::chrono::minutes(30);    // stock held while the member pays (see SessionLife)
    core::Millis release_grace = std::chrono::minutes(10);  // the sweep waits this long after a reservation ends
    int max_pending_orders = 3;
    bool restock_on_refund = true;
};

struct CheckoutLink {
    Order order;
    std::string url;
};

struct RefundRequest {
    std::string refund_id;
    long long amount_minor = 0;
};

/// The shop's rules, all of them: the catalog's and the cart's limits, checkout (reserve in one
/// transaction, then open a payment page, or give the stock back), who may move an order where, refunds
/// (asked of the provider; the order changes when its event arrives), and the provider's events, each
/// applied at most once (its id recorded in the same transaction as its effect), with the notices they
/// send. Storage only keeps the rows (ShopRepository).
class ShopService {
public:
    ShopService(ShopRepository& repo, PaymentGateway& gateway, const core::Clock& clock, ShopOptions options)
        : repo_(repo), gateway_(gateway), clock_(clock), options_(options) {}

    // The catalog. Staff write it; everyone reads the active products, staff the hidden ones too.
    /// Staff: a valid product whose price the payment provider takes (payment_limits.hpp). Throws core::Error.
    /// A price of 0 makes the product free: refused (shop.free_unconfirmed) unless free_confirmed, so that a
    /// forgotten price is never sold for nothing. An update keeps a price that was 0 already without asking.
    ProductId CreateProduct(const core::Viewer& staff, const Product& product, bool free_confirmed = false);
    void UpdateProduct(const core::Viewer& staff, const Product& product, bool free_confirmed = false);
    [[nodiscard]] std::optional<Product> FindProduct(ProductId id);
    [[nodiscard]] std::vector<Product> ListProducts(const core::Viewer& viewer, int offset, int limit);
    [[nodiscard]] int CountProducts(const core::Viewer& viewer);

    // The member's cart: products on sale, 1 to 99 of each, at most as many lines as one payment takes.
    void AddToCart(const core::Viewer& member, ProductId product, int quantity);
    /// Quantity 0 removes the line (even of a product no longer sold).
    void SetCartQuantity(const core::Viewer& member, ProductId product, int quantity);
    /// Throws shop.not_in_cart when the product is not in the cart.
    void RemoveFromCart(const core::Viewer& member, ProductId product);
    [[nodiscard]] std::vector<CartLine> Cart(const core::Viewer& member);
    void EmptyCart(const core::Viewer& member);

    [[nodiscard]] const ShopOptions& options() const { return options_; }
    [[nodiscard]] bool payments_configured() const { return gateway_.configured(); }

    /// Reserves the cart and returns the payment page. Throws core::Error: shop.payments_off when no
    /// provider is configured, a cart the provider would refuse (too many lines, a total under its
    /// minimum or over its maximum), shop.too_many_pending, shop.cart_empty, shop.unavailable,
    /// shop.mixed_currencies, shop.out_of_stock (nothing reserved for any of these), or
    /// shop.checkout_failed when the provider refused (the reservation is given back, the cart kept). The
    /// page expires SessionLife(reservation) after the moment it is asked for, and the reservation with it.
    CheckoutLink Checkout(const core::Viewer& member, const std::string& locale);

    /// A member buys quantity of a coin-priced product with their coins, in one transaction: the stock is
    /// taken, the coins leave their balance (ledger reason purchase, ref the order's number) and the order is
    /// created paid, in kCoinCurrency, with no payment page; then the same notices as a paid order. Throws
    /// core::Error, with nothing changed: shop.product_not_found (unknown or hidden), shop.not_for_coins,
    /// shop.out_of_stock, shop.coins_short, shop.bad_quantity.
    Order BuyWithCoins(const core::Viewer& member, ProductId product, int quantity);

    /// Staff: asks the provider to refund an order (all of what is left, or amount_minor). Throws
    /// core::Error for a member, an unknown order, an order with nothing to refund, or a refusal. An order
    /// paid in coins is refunded at once and whole: its coins go back (ledger reason refund, ref the order's
    /// number), the order becomes refunded and its stock returns (restock_on_refund); refund_id is then the
    /// order's number.
    RefundRequest Refund(const core::Viewer& staff, OrderId id, std::optional<long long> amount_minor);

    // Orders: members see their own, staff all of them.
    /// Parses "MX-2026-000123", "2026-123" or an internal id; throws shop.order_not_found.
    [[nodiscard]] Order FindForStaffOrMember(const core::Viewer& viewer, const std::string& number_or_id);
    [[nodiscard]] std::optional<Order> FindOrder(const core::Viewer& viewer, OrderId id);
    [[nodiscard]] std::vector<Order> ListOrders(const core::Viewer& viewer, OrderQuery query);
    /// Staff: moves an order along its timeline (fulfilled, shipped, delivered, cancelled); a pending order
    /// cancelled gives its stock back. Paid and refunded come from the provider (shop.status_from_stripe).
    Order SetStatus(const core::Viewer& staff, OrderId id, OrderStatus to, const std::string& note);
    /// Staff: carrier, code and URL; a paid or fulfilled order becomes shipped.
    Order SetTracking(const core::Viewer& staff, OrderId id, const std::string& carrier, const std::string& code,
                      const std::string& url);
    /// Staff: charges and refunds per day and currency since a time.
    [[nodiscard]] std::vector<RevenueDay> Revenue(const core::Viewer& staff, core::TimePoint since);

    // The payment provider's events, each applied at most once: kDuplicate for an id seen before, and
    // kRetryLater (nothing kept, not even the id) for one that overtook the state it needs.
    /// A payment-mode Checkout Session completed: paid, or (paid false) waiting for an asynchronous
    /// method, which holds the stock for kAsyncPaymentHold. A payment for a cancelled order is a late
    /// payment: the order becomes paid, takes its stock again as far as it goes, and staff are told.
    EventOutcome OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                     const std::string& payment_intent, long long amount_minor,
                                     const std::string& currency, const std::string& invoice_url);
    EventOutcome OnCheckoutPaymentFailed(const std::string& event_id, const std::string& session_id,
                                         const std::string& type);
    EventOutcome OnCheckoutExpired(const std::string& event_id, const std::string& session_id);
    /// amount_refunded is the charge's cumulated refunds (as charge.refunded carries it); what was already
    /// recorded is not counted twice. A full refund restocks when the options say so.
    EventOutcome OnRefunded(const std::string& event_id, const std::string& payment_intent,
                            const std::string& refund_id, long long amount_refunded, bool fully);
    EventOutcome OnDisputed(const std::string& event_id, const std::string& payment_intent, const std::string& reason);
    /// Records an event nothing here handles (acknowledged once).
    EventOutcome OnUnhandled(const std::string& event_id, const std::string& type);
    /// Whether an event was already recorded (lets a caller skip work an event's duplicate does not need).
    [[nodiscard]] bool EventRecorded(const std::string& event_id);

    /// Pending orders whose reservation ended more than release_grace ago without a payment: cancelled,
    /// stock released. Returns how many.
    int ReleaseExpired();

    /// How long an asynchronous payment (a bank debit) keeps the stock reserved while it clears.
    static constexpr core::Millis kAsyncPaymentHold = std::chrono::hours(7 * 24);

private:
    /// Runs effect in one transaction with the event id recorded first; a recorded id stops there.
    EventOutcome ApplyOnce(const std::string& event_id, const std::string& type,
                           const std::function<EventOutcome(ShopStore&)>& effect);
    /// Moves an order (in memory) and writes the timeline's line; the caller writes the order.
    static void Move(ShopStore& store, Order& order, OrderStatus to, Mover by, const std::string& actor,
                     const std::string& note, core::TimePoint now);
    /// A pending order's reservation ends: its stock goes back.
    static void Release(ShopStore& store, Order& order);
    RefundRequest RefundCoins(const core::Viewer& staff, const Order& order, std::optional<long long> amount_minor);
    /// Cancels a pending order whose payment page could not be created; the member keeps their cart.
    void AbandonCheckout(OrderId id, const std::string& reason);

    ShopRepository& repo_;
    PaymentGateway& gateway_;
    const core::Clock& clock_;
    ShopOptions options_;
};

/// Whether an order's payment can still be refunded (paid and not refunded yet).
bool Refundable(const Order& order);

}  // namespace maxis::shop
