#include "domain/coins/coins.hpp"

#include <array>
#include <utility>

namespace maxis::coins {

namespace {

constexpr std::array<std::pair<CoinReason, std::string_view>, 8> kReasons{{
    {CoinReason::kActivity, "activity"},
    {CoinReason::kDaily, "daily"},
    {CoinReason::kGiveaway, "giveaway"},
    {CoinReason::kInvite, "invite"},
    {CoinReason::kStaffGive, "staff_give"},
    {CoinReason::kStaffTake, "staff_take"},
    {CoinReason::kPurchase, "purchase"},
    {CoinReason::kRefund, "refund"},
}};

constexpr std::array<std::pair<Period, std::string_view>, 3> kPeriods{{
    {Period::kWeek, "week"},
    {Period::kMonth, "month"},
    {Period::kAll, "all"},
}};

template <typename E, std::size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
    for (const auto& [v, name] : table) {
        if (v == value) return name;
    }
    return "";
}

template <typename E, std::size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view text) {
    for (const auto& [v, name] : table) {
        if (name == text) return v;
    }
    return std::nullopt;
}

}  // namespace

std::string_view ToString(CoinReason reason) { return Name(kReasons, reason); }
std::optional<CoinReason> ParseCoinReason(std::string_view text) { return Parse(kReasons, text); }
bool IsCredit(CoinReason reason) { return reason != CoinReason::kStaffTake && reason != CoinReason::kPurchase; }

std::string_view ToString(Period period) { return Name(kPeriods, period); }
std::optional<Period> ParsePeriod(std::string_view text) { return Parse(kPeriods, text); }

}  // namespace maxis::coins
