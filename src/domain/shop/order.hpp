#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace maxis::shop {

using ProductId = core::Id<struct ProductIdTag>;
using OrderId = core::Id<struct OrderIdTag>;

/// An order's life: pending (stock reserved, waiting for Stripe) → paid → fulfilled → shipped → delivered;
/// pending → cancelled (checkout expired, payment failed, abandoned); paid or later → refunded (through
/// Stripe: a paid order is never cancelled without its refund).
enum class OrderStatus { kPending, kPaid, kFulfilled, kShipped, kDelivered, kCancelled, kRefunded };

/// Who moves an order: staff (chat, API, panel), the payment provider's events, or Maxis itself (a
/// checkout the provider refused, the reservation sweep).
enum class Mover { kStaff, kProvider, kMaxis };

std::string_view ToString(OrderStatus s);
std::optional<OrderStatus> ParseOrderStatus(std::string_view text);
/// Whether `by` may move an order from one status to another. Paid and refunded come only from the
/// provider; fulfilment only from staff. Cancelled is terminal for staff and Maxis, but a payment that
/// arrives for a cancelled order (a page paid after its reservation was released or the order cancelled)
/// makes it paid: the money is taken, so the order is owed, and staff decide between the goods and a
/// refund. Refunded is terminal.
bool CanTransition(OrderStatus from, OrderStatus to, Mover by);
/// The statuses `by` may move an order to from one, for buttons and error messages.
std::vector<OrderStatus> NextStatuses(OrderStatus from, Mover by);

/// "MX-2026-000123": the year the order was created and its sequence number within that year.
std::string FormatOrderNumber(int year, long long sequence);
/// Parses a number as members type it (case-insensitive, with or without "MX-"); nullopt otherwise.
std::optional<std::pair<int, long long>> ParseOrderNumber(std::string_view text);

/// The currency an order paid in coins records (never an ISO code, so never mistaken for money): its total
/// and unit prices are then whole coins. Coins are never bought nor withdrawn, so such an order has no
/// payment with the provider and counts in no revenue.
inline constexpr std::string_view kCoinCurrency = "COINS";

struct Product {
    ProductId id;
    std::string name;
    std::string description;
    std::string image_url;
    long long price_minor = 0;
    std::string currency = "EUR";
    std::optional<int> stock;  // nullopt: unlimited
    std::string category = "general";
    bool active = true;
    /// A price in coins (nullopt: not sold for coins). A product may have a euro price, a coin price or both;
    /// with a coin price and a euro price of 0 it is sold for coins only (never free, never in the cart).
    std::optional<long long> coin_price;
    [[nodiscard]] bool CoinsOnly() const { return coin_price && price_minor == 0; }
};

struct CartLine {
    Product product;
    int quantity = 0;
    [[nodiscard]] long long Total() const { return product.price_minor * quantity; }
};

struct OrderItem {
    ProductId product;
    std::string name;
    long long unit_price_minor = 0;
    int quantity = 0;
};

struct OrderEvent {
    core::TimePoint at;
    std::string from;
    std::string to;
    std::string actor;  // a user id, or "stripe", or "maxis"
    std::string note;
};

struct Order {
    OrderId id;
    std::string number;
    core::UserId owner;
    OrderStatus status = OrderStatus::kPending;
    long long total_minor = 0;
    std::string currency = "EUR";
    std::string checkout_session_id;
    std::string checkout_url;
    std::string payment_intent_id;
    std::string invoice_url;
    std::optional<core::TimePoint> reserved_until;
    std::string carrier;
    std::string tracking_code;
    std::string tracking_url;
    bool disputed = false;
    long long refunded_minor = 0;  // refunds recorded from the provider, as a positive amount
    core::TimePoint created_at;
    core::TimePoint updated_at;
    std::vector<OrderItem> items;
    std::vector<OrderEvent> events;
    [[nodiscard]] bool PaidInCoins() const { return currency == kCoinCurrency; }
};

}  // namespace maxis::shop
