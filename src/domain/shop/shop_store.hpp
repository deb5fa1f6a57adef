#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "core/viewer.hpp"
#include "domain/scheduling/notice.hpp"
#include "domain/shop/order.hpp"

namespace maxis::shop {

using core::EventOutcome;

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

/// A movement of money on an order, as the provider reported it.
struct Payment {
    enum class Kind { kCharge, kRefund };
    Kind kind = Kind::kCharge;
    OrderId order;
    core::UserId owner;
    long long amount_minor = 0;  // a charge positive, a refund negative
    std::string currency;
    std::string provider_id;  // the payment intent, session or refund id: one payment per id
    core::TimePoint at;
};

/// One transaction's view of the shop, bound to a viewer: rows in and out, nothing decided here. A member's
/// store never returns another member's cart or order, whatever is asked (and on PostgreSQL, row-level
/// security enforces the same underneath). Every rule is ShopService's.
class ShopStore {
public:
    virtual ~ShopStore() = default;

    // The catalog.
    virtual std::optional<Product> FindProduct(ProductId id) = 0;
    /// By category, name and id.
    virtual std::vector<Product> ListProducts(bool include_inactive, int offset, int limit) = 0;
    virtual int CountProducts(bool include_inactive) = 0;
    virtual ProductId InsertProduct(const Product& product, core::TimePoint now) = 0;
    /// False when there is no such product.
    virtual bool UpdateProduct(const Product& product) = 0;
    /// Takes quantity from a counted stock if at least that many are left, atomically: false when fewer
    /// are (or the stock is not counted).
    virtual bool TakeStock(ProductId product, int quantity) = 0;
    /// Takes quantity from a counted stock, or what is left of it: the stock never goes below zero.
    virtual void TakeStockUpTo(ProductId product, int quantity) = 0;
    /// Adds quantity to a counted stock.
    virtual void ReturnStock(ProductId product, int quantity) = 0;

    // Carts, in the order their lines were added.
    virtual std::vector<CartLine> Cart(core::UserId member) = 0;
    /// Sets a line's quantity, creating the line if needed.
    virtual void PutCartLine(core::UserId member, ProductId product, int quantity, core::TimePoint now) = 0;
    virtual void RemoveCartLine(core::UserId member, ProductId product) = 0;
    virtual void EmptyCart(core::UserId member) = 0;

    // Orders.
    virtual int CountPending(core::UserId member) = 0;
    /// The next order sequence number of a year (1, 2, ...), taken atomically.
    virtual long long NextOrderSequence(int year) = 0;
    /// Inserts an order and its items (not its timeline); returns its id.
    virtual OrderId InsertOrder(const Order& order) = 0;
    /// Writes an order's own columns (status, payment references, reservation, tracking, dispute).
    virtual void UpdateOrder(const Order& order) = 0;
    /// A line of the order's timeline.
    virtual void AddOrderEvent(const Order& order, const OrderEvent& event) = 0;
    /// An order with its items, timeline and refunded amount.
    virtual std::optional<Order> FindOrder(OrderId id) = 0;
    virtual std::optional<Order> FindOrderByNumber(const std::string& number) = 0;
    virtual std::optional<Order> FindOrderBySession(const std::string& session_id) = 0;
    virtual std::optional<Order> FindOrderByPaymentIntent(const std::string& payment_intent) = 0;
    /// Newest first, with items (not the timeline).
    virtual std::vector<Order> ListOrders(const OrderQuery& query) = 0;
    /// Pending orders whose reservation ended before a time, oldest first.
    virtual std::vector<OrderId> PendingReservedBefore(core::TimePoint before, int limit) = 0;

    // Payments.
    /// Records a payment; one whose provider id is recorded already is not recorded again.
    virtual void RecordPayment(const Payment& payment) = 0;
    virtual std::vector<RevenueDay> Revenue(core::TimePoint since) = 0;

    // The provider's events.
    /// Records an event id: true when it is new, false when it was recorded before.
    virtual bool RecordEvent(const std::string& event_id, const std::string& type) = 0;
    /// What a recorded event did.
    virtual void SetEventOutcome(const std::string& event_id, EventOutcome outcome) = 0;
    virtual bool EventRecorded(const std::string& event_id) = 0;

    // Coins: a coin-priced order pays with the member's coins in the order's own transaction, so stock,
    // balance and order move together or not at all.
    enum class CoinMove {
        kDone,       // the ledger row is written and the balance moved
        kShort,      // the balance does not cover it: nothing taken
        kDuplicate,  // moved before under this order: nothing changed
    };
    /// Takes amount coins from the member for an order (ledger reason purchase, ref the order's number) only
    /// where the balance covers it, in one conditional statement: concurrent spends never overdraw.
    virtual CoinMove SpendCoins(core::UserId member, long long amount, const std::string& order_number,
                                core::TimePoint now) = 0;
    /// Gives an order's coins back to the member (ledger reason refund, ref the order's number), once.
    virtual CoinMove ReturnCoins(core::UserId member, long long amount, const std::string& order_number,
                                 core::UserId actor, core::TimePoint now) = 0;

    /// Written to the outbox in this same transaction.
    virtual void Notify(const scheduling::Notice& notice) = 0;
};

/// Port: the shop's transactions. Write and Read run work in one transaction bound to the viewer; an
/// exception from work rolls everything back.
class ShopRepository {
public:
    virtual ~ShopRepository() = default;
    virtual void Write(const core::Viewer& viewer, const std::function<void(ShopStore&)>& work) = 0;
    virtual void Read(const core::Viewer& viewer, const std::function<void(ShopStore&)>& work) = 0;
};

}  // namespace maxis::shop
