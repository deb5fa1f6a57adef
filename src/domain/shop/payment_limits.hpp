#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "domain/shop/order.hpp"

namespace maxis::shop {

/// What the payment provider accepts for a hosted payment page (Stripe's documented limits), checked by
/// the shop before it creates anything, so a member is told why at once instead of after a reservation.
namespace limits {
/// Line items of one payment-mode Checkout Session.
inline constexpr int kMaxLines = 100;
/// unit_amount and amounts in general: eight digits of minor units (999,999.99).
inline constexpr long long kMaxAmountMinor = 99'999'999;
/// A Checkout Session expires between 30 minutes and 24 hours after its creation.
inline constexpr core::Millis kMinSessionLife = std::chrono::minutes(30);
inline constexpr core::Millis kMaxSessionLife = std::chrono::hours(24);
/// Kept above the minimum so that network delays and retries of the same request still arrive in time.
inline constexpr core::Millis kSessionHeadroom = std::chrono::minutes(5);
}  // namespace limits

/// The smallest amount the provider charges in this currency, in minor units; nullopt for a currency
/// the shop does not take (its amounts are two-decimal, and the provider's minimum must be known).
std::optional<long long> MinimumCharge(std::string_view currency);

/// "0.50 EUR": an amount in the error messages' parameters, the same in every language.
std::string PlainAmount(long long minor, std::string_view currency);

/// A product's price the provider would take as a unit amount, in a currency the shop takes. Throws
/// core::Error(kInvalidArgument) with shop.price_too_high or shop.currency_unsupported.
void CheckPayablePrice(const Product& product);

/// A cart that one payment page can take: at most kMaxLines products, a total between the currency's
/// minimum charge and kMaxAmountMinor. Throws core::Error(kInvalidArgument): shop.too_many_lines,
/// shop.total_too_low, shop.total_too_high (an empty cart or mixed currencies are left to the checkout).
void CheckPayableCart(const std::vector<CartLine>& lines);

/// Whether a product may join a cart that holds these lines: a product already there always may, a new
/// one only while the cart has fewer than kMaxLines products. Throws shop.cart_full.
void CheckCartRoom(const std::vector<CartLine>& lines, ProductId product);

/// How long a payment page lives when it is created now: the reservation, but never less than the
/// provider's minimum plus headroom, nor more than its maximum less the headroom.
core::Millis SessionLife(core::Millis reservation);

}  // namespace maxis::shop
