#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/shop/shop_service.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// The shop's persistence and its transactions: catalog, carts, checkout with stock reservation, orders
/// and their timeline, and the effects of Stripe events, each recorded with its event id in the same
/// transaction so that a duplicate does nothing. Members only ever reach their own cart and orders.
class ShopStore final : public shop::ShopRepository {
public:
    ShopStore(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

    shop::ProductId CreateProduct(const core::Viewer& staff, const shop::Product& product) override;
    void UpdateProduct(const core::Viewer& staff, const shop::Product& product) override;
    [[nodiscard]] std::optional<shop::Product> FindProduct(shop::ProductId id) override;
    [[nodiscard]] std::vector<shop::Product> ListProducts(bool include_inactive, int offset, int limit) override;
    [[nodiscard]] int CountProducts(bool include_inactive) override;

    void SetCartQuantity(const core::Viewer& member, shop::ProductId product, int quantity) override;
    void AddToCart(const core::Viewer& member, shop::ProductId product, int quantity) override;
    [[nodiscard]] std::vector<shop::CartLine> Cart(const core::Viewer& member) override;
    void EmptyCart(const core::Viewer& member) override;

    shop::Order BeginCheckout(const core::Viewer& member, core::Millis reservation, int max_pending = 3) override;
    void AttachCheckoutSession(shop::OrderId order, const std::string& session_id, const std::string& url,
                               core::TimePoint expires_at) override;
    void AbandonCheckout(shop::OrderId order, const std::string& reason) override;

    [[nodiscard]] std::optional<shop::Order> FindOrder(const core::Viewer& viewer, shop::OrderId id) override;
    [[nodiscard]] std::optional<shop::Order> FindOrderByNumber(const core::Viewer& viewer,
                                                               const std::string& number) override;
    [[nodiscard]] std::vector<shop::Order> ListOrders(const core::Viewer& viewer,
                                                      const shop::OrderQuery& query) override;
    shop::Order SetStatus(const core::Viewer& staff, shop::OrderId id, shop::OrderStatus to,
                          const std::string& note) override;
    shop::Order SetTracking(const core::Viewer& staff, shop::OrderId id, const std::string& carrier,
                            const std::string& code, const std::string& url) override;
    void AddNote(const core::Viewer& staff, shop::OrderId id, const std::string& note) override;
    [[nodiscard]] std::vector<shop::RevenueDay> Revenue(core::TimePoint since) override;

    shop::EventOutcome CheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                         const std::string& payment_intent, long long amount_minor,
                                         const std::string& currency, const std::string& invoice_url) override;
    shop::EventOutcome CheckoutPaymentFailed(const std::string& event_id, const std::string& session_id,
                                             const std::string& type) override;
    shop::EventOutcome CheckoutExpired(const std::string& event_id, const std::string& session_id) override;
    /// amount_refunded is the charge's cumulated refunds (as charge.refunded carries it); what was already
    /// recorded is not counted twice.
    shop::EventOutcome Refunded(const std::string& event_id, const std::string& payment_intent,
                                const std::string& refund_id, long long amount_refunded, bool fully,
                                bool restock) override;
    shop::EventOutcome Disputed(const std::string& event_id, const std::string& payment_intent,
                                const std::string& reason) override;
    shop::EventOutcome Unhandled(const std::string& event_id, const std::string& type) override;
    [[nodiscard]] bool EventRecorded(const std::string& event_id) override;
    int ReleaseExpired(core::Millis grace = core::Millis(0)) override;

private:
    /// Throws shop.product_not_found unless the product exists and is on sale.
    void RequireOnSale(shop::ProductId product);
    shop::Order LoadOrder(Transaction& tx, long long id);
    /// Runs effect in one transaction with the event recorded; a second call with the same id does nothing.
    shop::EventOutcome Once(const std::string& event_id, const std::string& type,
                            const std::function<shop::EventOutcome(Transaction&)>& effect);
    void Move(Transaction& tx, shop::Order& order, shop::OrderStatus to, const std::string& actor,
              const std::string& note);
    /// Puts the order's quantities back in stock (a released reservation, a refund with restock).
    void ReturnStock(Transaction& tx, const shop::Order& order);
    /// Ends a pending order's reservation: its stock goes back.
    void Release(Transaction& tx, const shop::Order& order);

    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
