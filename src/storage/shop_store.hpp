#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/shop/order.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// What a Stripe event did: applied now, already applied before (a duplicate), not applicable (nothing to
/// do, acknowledged), or not yet applicable (an event that overtook the one it depends on: Stripe should
/// deliver it again later).
enum class EventOutcome { kApplied, kDuplicate, kIgnored, kRetryLater };
std::string_view ToString(EventOutcome outcome);

/// The shop's persistence and its transactions: catalog, carts, checkout with stock reservation, orders
/// and their timeline, and the effects of Stripe events, each recorded with its event id in the same
/// transaction so that a duplicate does nothing. Members only ever reach their own cart and orders.
class ShopStore {
public:
    ShopStore(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

    // Catalog.
    shop::ProductId CreateProduct(const core::Viewer& staff, const shop::Product& product);
    void UpdateProduct(const core::Viewer& staff, const shop::Product& product);
    [[nodiscard]] std::optional<shop::Product> FindProduct(shop::ProductId id);
    [[nodiscard]] std::vector<shop::Product> ListProducts(bool include_inactive, int offset, int limit);
    [[nodiscard]] int CountProducts(bool include_inactive);

    // Cart: quantity 0 removes the line. Unknown or inactive products are not found.
    void SetCartQuantity(const core::Viewer& member, shop::ProductId product, int quantity);
    void AddToCart(const core::Viewer& member, shop::ProductId product, int quantity);
    [[nodiscard]] std::vector<shop::CartLine> Cart(const core::Viewer& member);
    void EmptyCart(const core::Viewer& member);

    /// Reserves the stock of the whole cart and creates a pending order (with its number) in one
    /// transaction, then empties the cart. Throws core::Error: kInvalidArgument for an empty cart,
    /// kConflict naming the product that is short, or kLimitReached when the member already has
    /// max_pending orders waiting for payment.
    shop::Order BeginCheckout(const core::Viewer& member, core::Millis reservation, int max_pending = 3);
    /// Records the Stripe Checkout Session created for a pending order.
    void AttachCheckoutSession(shop::OrderId order, const std::string& session_id, const std::string& url);
    /// Cancels a pending order whose session could not be created, giving its stock back.
    void AbandonCheckout(shop::OrderId order, const std::string& reason);

    // Orders.
    [[nodiscard]] std::optional<shop::Order> FindOrder(const core::Viewer& viewer, shop::OrderId id);
    [[nodiscard]] std::optional<shop::Order> FindOrderByNumber(const core::Viewer& viewer, const std::string& number);
    struct OrderQuery {
        std::optional<core::UserId> owner;  // members: always themselves
        std::optional<shop::OrderStatus> status;
        std::optional<long long> before_id;
        int limit = 25;
    };
    [[nodiscard]] std::vector<shop::Order> ListOrders(const core::Viewer& viewer, const OrderQuery& query);
    /// Staff: moves an order along its timeline (fulfilled, shipped with tracking, delivered, cancelled).
    shop::Order SetStatus(const core::Viewer& staff, shop::OrderId id, shop::OrderStatus to, const std::string& note);
    shop::Order SetTracking(const core::Viewer& staff, shop::OrderId id, const std::string& carrier, const std::string& code,
                            const std::string& url);

    // Stripe events, each applied at most once.
    EventOutcome CheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                   const std::string& payment_intent, long long amount_minor, const std::string& currency,
                                   const std::string& invoice_url);
    EventOutcome CheckoutPaymentFailed(const std::string& event_id, const std::string& session_id, const std::string& type);
    EventOutcome CheckoutExpired(const std::string& event_id, const std::string& session_id);
    EventOutcome Refunded(const std::string& event_id, const std::string& payment_intent, const std::string& refund_id,
                          long long amount_refunded, bool fully, bool restock);
    EventOutcome Disputed(const std::string& event_id, const std::string& payment_intent, const std::string& reason);
    /// Records an event nothing here handles (acknowledged once).
    EventOutcome Unhandled(const std::string& event_id, const std::string& type);

    /// Pending orders whose reservation ran out without a payment: cancelled, stock released. Returns how
    /// many (a scheduled job; Stripe's expiry event does the same when it comes).
    int ReleaseExpired();

private:
    shop::Order LoadOrder(Transaction& tx, long long id);
    /// Runs effect in one transaction with the event recorded; a second call with the same id does nothing.
    EventOutcome Once(const std::string& event_id, const std::string& type,
                      const std::function<EventOutcome(Transaction&)>& effect);
    void Move(Transaction& tx, shop::Order& order, shop::OrderStatus to, const std::string& actor, const std::string& note);
    /// Puts the order's quantities back in stock (a released reservation, a refund with restock).
    void ReturnStock(Transaction& tx, const shop::Order& order);
    /// Ends a pending order's reservation: its stock goes back.
    void Release(Transaction& tx, const shop::Order& order);

    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
