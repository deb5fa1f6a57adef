#include "domain/preorders/preorder.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::preorders {

namespace {

template <class E, std::size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view text) {
    for (const auto& [value, name] : names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

template <class E, std::size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
    for (const auto& [v, name] : names) {
        if (v == value) return name;
    }
    return names[0].second;
}

constexpr std::array<std::pair<ItemStatus, std::string_view>, 5> kItemStatuses{{
    {ItemStatus::kDraft, "draft"},
    {ItemStatus::kOpen, "open"},
    {ItemStatus::kClosed, "closed"},
    {ItemStatus::kReleased, "released"},
    {ItemStatus::kCancelled, "cancelled"},
}};

constexpr std::array<std::pair<PurchaseStatus, std::string_view>, 6> kPurchaseStatuses{{
    {PurchaseStatus::kHeld, "held"},
    {PurchaseStatus::kPaid, "paid"},
    {PurchaseStatus::kFulfilled, "fulfilled"},
    {PurchaseStatus::kReleased, "released"},
    {PurchaseStatus::kRefunding, "refunding"},
    {PurchaseStatus::kRefunded, "refunded"},
}};

constexpr std::array<std::pair<RefundReason, std::string_view>, 5> kRefundReasons{{
    {RefundReason::kNone, ""},
    {RefundReason::kLatePayment, "late_payment"},
    {RefundReason::kMemberCancelled, "member_cancelled"},
    {RefundReason::kItemCancelled, "item_cancelled"},
    {RefundReason::kProvider, "provider"},
}};

constexpr int kMaxTiers = 8;
constexpr int kMaxTierName = 40;
constexpr int kMaxSeats = 100000;

[[noreturn]] void Bad(std::string message, std::string key, std::map<std::string, std::string> params = {}) {
    throw core::Error(core::ErrorCode::kInvalidArgument, std::move(message), std::move(key), std::move(params));
}

}  // namespace

std::string_view ToString(ItemStatus status) { return Name(kItemStatuses, status); }
std::optional<ItemStatus> ParseItemStatus(std::string_view text) { return Parse(kItemStatuses, text); }
std::string_view ToString(PurchaseStatus status) { return Name(kPurchaseStatuses, status); }
std::optional<PurchaseStatus> ParsePurchaseStatus(std::string_view text) { return Parse(kPurchaseStatuses, text); }
std::string_view ToString(RefundReason reason) { return Name(kRefundReasons, reason); }
std::optional<RefundReason> ParseRefundReason(std::string_view text) { return Parse(kRefundReasons, text); }

std::vector<TierSpec> DefaultTiers() {
    return {
        {"Early Bird", 30, 20},
        {"Founder", 20, 50},
        {"Supporter", 10, 100},
        {"Regular", 0, std::nullopt},
    };
}

long long TierPrice(long long price_minor, int discount_percent) {
    // Half up: (price * (100 - d) + 50) / 100, in integers.
    return (price_minor * (100 - discount_percent) + 50) / 100;
}

std::optional<int> SeatsOpen(const Tier& tier) {
    if (!tier.seats) return std::nullopt;
    return std::max(0, *tier.seats - tier.sold - tier.held);
}

std::optional<int> SeatsUnsold(const Tier& tier) {
    if (!tier.seats) return std::nullopt;
    return std::max(0, *tier.seats - tier.sold);
}

std::optional<Tier> CheapestOpen(const std::vector<Tier>& tiers) {
    for (const auto& tier : tiers) {
        auto open = SeatsOpen(tier);
        if (!open || *open > 0) return tier;
    }
    return std::nullopt;
}

void ValidateTiers(const std::vector<TierSpec>& tiers) {
    if (tiers.empty() || tiers.size() > kMaxTiers) {
        Bad("between 1 and 8 tiers", "preorders.tier_count", {{"max", std::to_string(kMaxTiers)}});
    }
    for (std::size_t i = 0; i < tiers.size(); ++i) {
        const auto& t = tiers[i];
        auto n = std::to_string(i + 1);
        auto name = core::Trim(t.name);
        if (name.empty() || core::Utf8Length(name) > kMaxTierName) {
            Bad("tier " + n + ": a name of 1 to 40 characters", "preorders.tier_name", {{"tier", n}});
        }
        if (t.discount_percent < 0 || t.discount_percent > 99) {
            Bad("tier " + n + ": a discount from 0 to 99 %", "preorders.tier_discount",
                {{"tier", std::string(name)}, {"discount", std::to_string(t.discount_percent)}});
        }
        if (i > 0 && t.discount_percent >= tiers[i - 1].discount_percent) {
            Bad("tier " + n + ": each tier's discount is smaller than the one before", "preorders.tier_order",
                {{"tier", std::string(name)}});
        }
        if (t.seats && (*t.seats < 1 || *t.seats > kMaxSeats)) {
            Bad("tier " + n + ": from 1 to 100000 seats", "preorders.tier_seats",
                {{"tier", std::string(name)}, {"max", std::to_string(kMaxSeats)}});
        }
        if (!t.seats && i + 1 != tiers.size()) {
            Bad("tier " + n + ": only the last tier may have no limit", "preorders.tier_unlimited",
                {{"tier", std::string(name)}});
        }
    }
}

bool CountsAgainstLimit(PurchaseStatus status) {
    return status == PurchaseStatus::kHeld || status == PurchaseStatus::kPaid || status == PurchaseStatus::kFulfilled;
}

}  // namespace maxis::preorders
