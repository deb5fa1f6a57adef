#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maxis::core {

/// An amount in integer minor units (cents) and an ISO currency code. Never floating point.
struct Money {
    std::int64_t minor = 0;
    std::string currency = "EUR";
    friend auto operator<=>(const Money&, const Money&) = default;
};

/// Parses "9.99", "9,99", "10", "0,5" into minor units (two decimals at most). Rejects negatives,
/// thousands separators, more than two decimals and anything that does not fit.
std::optional<std::int64_t> ParseMinorUnits(std::string_view text);

/// Formats for a locale: fr gives "9,99 €" (non-breaking space), en gives "€9.99".
std::string FormatMoney(const Money& money, std::string_view locale);

}  // namespace maxis::core
