#include "domain/shop/order.hpp"

#include <algorithm>
#include <cstdio>

#include "core/strings.hpp"

namespace maxis::shop {

namespace {
constexpr std::pair<OrderStatus, std::string_view> kNames[] = {
    {OrderStatus::kPending, "pending"},     {OrderStatus::kPaid, "paid"},
    {OrderStatus::kFulfilled, "fulfilled"}, {OrderStatus::kShipped, "shipped"},
    {OrderStatus::kDelivered, "delivered"}, {OrderStatus::kCancelled, "cancelled"},
    {OrderStatus::kRefunded, "refunded"},
};
}  // namespace

std::string_view ToString(OrderStatus s) {
    for (const auto& [status, name] : kNames) {
        if (status == s) return name;
    }
    return "pending";
}

std::optional<OrderStatus> ParseOrderStatus(std::string_view text) {
    for (const auto& [status, name] : kNames) {
        if (name == text) return status;
    }
    return std::nullopt;
}

bool CanTransition(OrderStatus from, OrderStatus to, Mover by) {
    using S = OrderStatus;
    const bool staff = by == Mover::kStaff, provider = by == Mover::kProvider;
    switch (from) {
        case S::kPending:
            return (to == S::kPaid && provider) || to == S::kCancelled;
        case S::kPaid:
            return ((to == S::kFulfilled || to == S::kShipped) && staff) || (to == S::kRefunded && provider);
        case S::kFulfilled:
            return ((to == S::kShipped || to == S::kDelivered) && staff) || (to == S::kRefunded && provider);
        case S::kShipped:
            return (to == S::kDelivered && staff) || (to == S::kRefunded && provider);
        case S::kDelivered:
            return to == S::kRefunded && provider;
        case S::kCancelled:
            return to == S::kPaid && provider;  // a late payment
        case S::kRefunded:
            return false;
    }
    return false;
}

std::vector<OrderStatus> NextStatuses(OrderStatus from, Mover by) {
    std::vector<OrderStatus> out;
    for (const auto& [status, name] : kNames) {
        if (CanTransition(from, status, by)) out.push_back(status);
    }
    return out;
}

std::string FormatOrderNumber(int year, long long sequence) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "MX-%04d-%06lld", year, sequence);
    return buf;
}

std::optional<std::pair<int, long long>> ParseOrderNumber(std::string_view text) {
    std::string s;
    for (char c : text) s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (s.starts_with("MX-")) s = s.substr(3);
    auto dash = s.find('-');
    if (dash != 4 || s.size() < 6 || s.size() > 17) return std::nullopt;
    auto year = s.substr(0, 4), seq = s.substr(5);
    auto y = core::ParseInteger(year, 0, 9999), n = core::ParseInteger(seq, 0, INT64_MAX);
    if (!y || !n) return std::nullopt;
    return std::make_pair(static_cast<int>(*y), static_cast<long long>(*n));
}

}  // namespace maxis::shop
