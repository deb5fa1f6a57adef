#include "core/money.hpp"

#include <fmt/format.h>

#include <limits>

namespace maxis::core {

std::optional<std::int64_t> ParseMinorUnits(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t units = 0;
    std::size_t i = 0;
    std::size_t int_digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
        if (units > (std::numeric_limits<std::int64_t>::max() / 100 - 9) / 10) return std::nullopt;
        units = units * 10 + (text[i] - '0');
    }
    if (int_digits == 0) return std::nullopt;
    std::int64_t cents = 0;
    if (i < text.size()) {
        if (text[i] != '.' && text[i] != ',') return std::nullopt;
        ++i;
        std::size_t decimals = text.size() - i;
        if (decimals == 0 || decimals > 2) return std::nullopt;
        for (std::size_t k = 0; k < decimals; ++k) {
            char c = text[i + k];
            if (c < '0' || c > '9') return std::nullopt;
            cents = cents * 10 + (c - '0');
        }
        if (decimals == 1) cents *= 10;
    }
    return units * 100 + cents;
}

std::string FormatMoney(const Money& money, std::string_view locale) {
    std::int64_t abs = money.minor < 0 ? -money.minor : money.minor;
    std::string sign = money.minor < 0 ? "-" : "";
    std::string symbol = money.currency == "EUR" ? "€" : money.currency == "USD" ? "$" : money.currency;
    if (locale == "fr") {
        return fmt::format("{}{},{:02} {}", sign, abs / 100, abs % 100, symbol);
    }
    return fmt::format("{}{}{}.{:02}", sign, symbol, abs / 100, abs % 100);
}

}  // namespace maxis::core
