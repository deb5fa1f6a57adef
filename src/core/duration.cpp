#include "core/duration.hpp"

#include <cstdint>
#include <limits>

namespace maxis::core {

std::optional<std::chrono::seconds> ParseDuration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t n = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (n > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
            n = n * 10 + (text[i] - '0');
            ++i;
            ++digits;
        }
        if (digits == 0 || i >= text.size()) return std::nullopt;
        std::int64_t unit = 0;
        switch (text[i]) {
            case 's':
            case 'S':
                unit = 1;
                break;
            case 'm':
            case 'M':
                unit = 60;
                break;
            case 'h':
            case 'H':
                unit = 3600;
                break;
            case 'd':
            case 'D':
            case 'j':
            case 'J':
                unit = 86400;
                break;
            case 'w':
            case 'W':
                unit = 7 * 86400;
                break;
            default:
                return std::nullopt;
        }
        ++i;
        if (n > std::numeric_limits<std::int64_t>::max() / unit) return std::nullopt;
        if (total > std::numeric_limits<std::int64_t>::max() - n * unit) return std::nullopt;
        total += n * unit;
    }
    if (total == 0) return std::nullopt;
    return std::chrono::seconds(total);
}

std::string FormatDuration(std::chrono::seconds d) {
    std::int64_t s = d.count();
    if (s == 0) return "0s";
    std::string out;
    if (s < 0) {
        out = "-";
        s = -s;
    }
    static constexpr std::pair<std::int64_t, char> kUnits[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    for (auto [size, unit] : kUnits) {
        if (s >= size) {
            out += std::to_string(s / size) + unit;
            s %= size;
        }
    }
    return out;
}

}  // namespace maxis::core
