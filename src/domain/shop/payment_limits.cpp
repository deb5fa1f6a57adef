#include "domain/shop/payment_limits.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::shop {

using core::Error;
using core::ErrorCode;

namespace {

/// Stripe's minimum charge amounts (docs: Supported currencies, minimum and maximum charge amounts),
/// for the two-decimal currencies the shop's prices can be written in.
constexpr std::array<std::pair<std::string_view, long long>, 22> kMinimums{{
    {"AED", 200}, {"AUD", 50},  {"BGN", 100}, {"BRL", 50}, {"CAD", 50},   {"CHF", 50},  {"CZK", 1500}, {"DKK", 250},
    {"EUR", 50},  {"GBP", 30},  {"HKD", 400}, {"INR", 50}, {"MXN", 1000}, {"MYR", 200}, {"NOK", 300},  {"NZD", 50},
    {"PLN", 200}, {"RON", 200}, {"SEK", 300}, {"SGD", 50}, {"THB", 1000}, {"USD", 50},
}};

std::string Supported() {
    std::string out;
    for (const auto& [code, minor] : kMinimums) out += (out.empty() ? "" : ", ") + std::string(code);
    return out;
}

}  // namespace

std::optional<long long> MinimumCharge(std::string_view currency) {
    auto upper = core::AsciiUpper(std::string(currency));
    for (const auto& [code, minor] : kMinimums) {
        if (code == upper) return minor;
    }
    return std::nullopt;
}

std::string PlainAmount(long long minor, std::string_view currency) {
    auto cents = std::to_string(minor % 100);
    return std::to_string(minor / 100) + "." + (cents.size() < 2 ? "0" : "") + cents + " " +
           core::AsciiUpper(std::string(currency));
}

void CheckPayablePrice(const Product& product) {
    if (!MinimumCharge(product.currency)) {
        throw Error(
            ErrorCode::kInvalidArgument,
            "the currency " + product.currency + " is not one the payment provider takes here (" + Supported() + ")",
            "shop.currency_unsupported", {{"currency", product.currency}, {"supported", Supported()}});
    }
    if (product.price_minor > limits::kMaxAmountMinor) {
        throw Error(ErrorCode::kInvalidArgument,
                    "the price must be at most " + PlainAmount(limits::kMaxAmountMinor, product.currency) +
                        ", the most the payment provider takes for one item",
                    "shop.price_too_high", {{"max", PlainAmount(limits::kMaxAmountMinor, product.currency)}});
    }
}

void CheckPayableCart(const std::vector<CartLine>& lines) {
    if (lines.empty()) return;
    if (static_cast<int>(lines.size()) > limits::kMaxLines) {
        throw Error(ErrorCode::kInvalidArgument,
                    "one payment takes at most " + std::to_string(limits::kMaxLines) + " different products",
                    "shop.too_many_lines",
                    {{"max", std::to_string(limits::kMaxLines)}, {"count", std::to_string(lines.size())}});
    }
    const auto& currency = lines.front().product.currency;
    if (std::any_of(lines.begin(), lines.end(), [&](const CartLine& l) { return l.product.currency != currency; }))
        return;
    long long total = 0;
    for (const auto& l : lines) {
        CheckPayablePrice(l.product);
        total += l.Total();  // at most 100 lines of 99 x 99,999,999: no overflow
    }
    auto minimum = *MinimumCharge(currency);
    if (total < minimum) {
        throw Error(ErrorCode::kInvalidArgument,
                    "the total " + PlainAmount(total, currency) + " is below the payment provider's minimum of " +
                        PlainAmount(minimum, currency),
                    "shop.total_too_low",
                    {{"total", PlainAmount(total, currency)}, {"min", PlainAmount(minimum, currency)}});
    }
    if (total > limits::kMaxAmountMinor) {
        throw Error(ErrorCode::kInvalidArgument,
                    "the total " + PlainAmount(total, currency) + " is above the most one payment takes (" +
                        PlainAmount(limits::kMaxAmountMinor, currency) + ")",
                    "shop.total_too_high",
                    {{"total", PlainAmount(total, currency)}, {"max", PlainAmount(limits::kMaxAmountMinor, currency)}});
    }
}

void CheckCartRoom(const std::vector<CartLine>& lines, ProductId product) {
    if (std::any_of(lines.begin(), lines.end(), [&](const CartLine& l) { return l.product.id == product; })) return;
    if (static_cast<int>(lines.size()) >= limits::kMaxLines) {
        throw Error(ErrorCode::kInvalidArgument,
                    "the cart already holds " + std::to_string(limits::kMaxLines) +
                        " different products, the most one payment takes",
                    "shop.cart_full", {{"max", std::to_string(limits::kMaxLines)}});
    }
}

core::Millis SessionLife(core::Millis reservation) {
    return std::clamp(reservation, limits::kMinSessionLife + limits::kSessionHeadroom,
                      limits::kMaxSessionLife - limits::kSessionHeadroom);
}

}  // namespace maxis::shop
