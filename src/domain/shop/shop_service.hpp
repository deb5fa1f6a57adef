#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "core/viewer.hpp"
#include "domain/shop/order.hpp"
#include "domain/shop/payment_limits.hpp"

namespace maxis::shop {

using core::EventOutcome;
using core::ToString;

struct OrderQuery {
    std::optional<core::UserId> owner;  // members: always themselves
    std::optional<OrderStatus> status;
    std::optional<long long> before_id;  // cursor: orders with a smaller id
    int limit = 25;
};

/// Money in, money out, per currency and day, for the dashboard.
struct RevenueDay {
    std::string day;  // YYYY-MM-DD in UTC
    std::string currency;
    long long gross_minor = 0;     // charges
    long long refunded_minor = 0;  // refunds, as a positive amount
    int orders = 0;                // paid orders that day
};

/// Port: the shop's persistence. Every state change is one transaction; payment events are recorded with
/// their event id in the same transaction as their effect, so a duplicate does nothing; member
/// notifications (receipt, shipping, refund) and staff alerts are written to the outbox in that same
/// transaction. Members only ever reach their own cart and orders.
class ShopRepository {
public:
    virtual ~ShopRepository() = default;

    // Catalog (staff write; everyone reads the active products).
    virtual ProductId CreateProduct(const core::Viewer& staff, const Product& product) = 0;
    virtual void UpdateProduct(const core::Viewer& staff, const Product& product) = 0;
    [[nodiscard]] virtual std::optional<Product> FindProduct(ProductId id) = 0;
    [[nodiscard]] virtual std::vector<Product> ListProducts(bool include_inactive, int offset, int limit) = 0;
    [[nodiscard]] virtual int CountProducts(bool include_inactive) = 0;

    // Cart: quantity 0 removes the line. Unknown or inactive products are not found.
    virtual void SetCartQuantity(const core::Viewer& member, ProductId product, int quantity) = 0;
    virtual void AddToCart(const core::Viewer& member, ProductId product, int quantity) = 0;
    [[nodiscard]] virtual std::vector<CartLine> Cart(const core::Viewer& member) = 0;
    virtual void EmptyCart(const core::Viewer& member) = 0;

    /// Reserves the stock of the whole cart and creates a pending order (with its number) in one
    /// transaction, then empties the cart. Throws core::Error: kInvalidArgument for an empty cart,
    /// kConflict naming the product that is short, or kLimitReached when the member already has
    /// max_pending orders waiting for payment.
    virtual Order BeginCheckout(const core::Viewer& member, core::Millis reservation, int max_pending) = 0;
    /// Records the payment page; the reservation then lasts until the page expires (expires_at).
    virtual void AttachCheckoutSession(OrderId order, const std::string& session_id, const std::string& url,
                                       core::TimePoint expires_at) = 0;
    /// Cancels a pending order whose payment session could not be created, giving its stock back.
    virtual void AbandonCheckout(OrderId order, const std::string& reason) = 0;

    [[nodiscard]] virtual std::optional<Order> FindOrder(const core::Viewer& viewer, OrderId id) = 0;
    [[nodiscard]] virtual std::optional<Order> FindOrderByNumber(const core::Viewer& viewer,
                                                                 const std::string& number) = 0;
    [[nodiscard]] virtual std::vector<Order> ListOrders(const core::Viewer& viewer, const OrderQuery& query) = 0;
    /// Staff: moves an order along its timeline (fulfilled, shipped, delivered, cancelled).
    virtual Order SetStatus(const core::Viewer& staff, OrderId id, OrderStatus to, const std::string& note) = 0;
    /// Staff: carrier, code and URL; a paid or fulfilled order becomes shipped.
    virtual Order SetTracking(const core::Viewer& staff, OrderId id, const std::string& carrier,
                              const std::string& code, const std::string& url) = 0;
    /// Adds a line to the order's timeline without changing its status (a refund asked of the provider).
    virtual void AddNote(const core::Viewer& staff, OrderId id, const std::string& note) = 0;
    [[nodiscard]] virtual std::vector<RevenueDay> Revenue(core::TimePoint since) = 0;

    // Payment events, each applied at most once.
    virtual EventOutcome CheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                           const std::string& payment_intent, long long amount_minor,
                                           const std::string& currency, const std::string& invoice_url) = 0;
    virtual EventOutcome CheckoutPaymentFailed(const std::string& event_id, const std::string& session_id,
                                               const std::string& type) = 0;
    virtual EventOutcome CheckoutExpired(const std::string& event_id, const std::string& session_id) = 0;
    virtual EventOutcome Refunded(const std::string& event_id, const std::string& payment_intent,
                                  const std::string& refund_id, long long amount_refunded, bool fully,
                                  bool restock) = 0;
    virtual EventOutcome Disputed(const std::string& event_id, const std::string& payment_intent,
                                  const std::string& reason) = 0;
    /// Records an event nothing here handles (acknowledged once).
    virtual EventOutcome Unhandled(const std::string& event_id, const std::string& type) = 0;
    /// Whether an event was already recorded (lets a caller skip work an event's duplicate does not need).
    [[nodiscard]] virtual bool EventRecorded(const std::string& event_id) = 0;
    /// Pending orders whose reservation ended more than grace ago without a payment: cancelled, stock
    /// released. Returns how many.
    virtual int ReleaseExpired(core::Millis grace) = 0;
};

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

/// The shop's use cases that span the repository and the payment provider: checkout (reserve, then open a
/// payment page, or give the stock back), refunds (asked of the provider; the order changes when its
/// event arrives), and payment events with the configured stock policy.
class ShopService {
public:
    ShopService(ShopRepository& repo, PaymentGateway& gateway, const core::Clock& clock, ShopOptions options)
        : repo_(repo), gateway_(gateway), clock_(clock), options_(options) {}

    /// Staff: a product whose price the payment provider takes (payment_limits.hpp), then the repository's
    /// own checks. Throws core::Error.
    ProductId CreateProduct(const core::Viewer& staff, const Product& product);
    void UpdateProduct(const core::Viewer& staff, const Product& product);
    /// Members: a new product joins the cart only while one payment can still take every line.
    void AddToCart(const core::Viewer& member, ProductId product, int quantity);
    void SetCartQuantity(const core::Viewer& member, ProductId product, int quantity);

    /// Catalog, cart and order reads and plain writes, which need nothing else.
    [[nodiscard]] ShopRepository& store() { return repo_; }
    [[nodiscard]] const ShopOptions& options() const { return options_; }
    [[nodiscard]] bool payments_configured() const { return gateway_.configured(); }

    /// Reserves the cart and returns the payment page. Throws core::Error: shop.payments_off when no
    /// provider is configured, a cart the provider would refuse (too many lines, a total under its
    /// minimum or over its maximum: nothing reserved either), the repository's refusals, or
    /// shop.checkout_failed when the provider refused (the reservation is given back). The page expires
    /// SessionLife(reservation) after the moment it is asked for, and the reservation with it.
    CheckoutLink Checkout(const core::Viewer& member, const std::string& locale);

    /// Staff: asks the provider to refund an order (all of what is left, or amount_minor). Throws
    /// core::Error for a member, an unknown order, an order with nothing to refund, or a refusal.
    RefundRequest Refund(const core::Viewer& staff, OrderId id, std::optional<long long> amount_minor);

    /// Staff: parses "MX-2026-000123", "2026-123" or an internal id.
    [[nodiscard]] Order FindForStaffOrMember(const core::Viewer& viewer, const std::string& number_or_id);

    EventOutcome OnRefunded(const std::string& event_id, const std::string& payment_intent,
                            const std::string& refund_id, long long amount_refunded, bool fully) {
        return repo_.Refunded(event_id, payment_intent, refund_id, amount_refunded, fully, options_.restock_on_refund);
    }
    int ReleaseExpired() { return repo_.ReleaseExpired(options_.release_grace); }

private:
    ShopRepository& repo_;
    PaymentGateway& gateway_;
    const core::Clock& clock_;
    ShopOptions options_;
};

/// Whether an order's payment can still be refunded (paid and not refunded yet).
bool Refundable(const Order& order);

}  // namespace maxis::shop
