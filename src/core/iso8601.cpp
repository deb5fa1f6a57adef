#include "core/iso8601.hpp"

#include <date/date.h>

namespace maxis::core {

std::optional<TimePoint> ParseIso8601(std::string_view text) {
    std::size_t at = 0;
    auto digits = [&](std::size_t n, int max) -> std::optional<int> {
        if (at + n > text.size()) return std::nullopt;
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            char c = text[at + i];
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + (c - '0');
        }
        at += n;
        if (v > max) return std::nullopt;
        return v;
    };
    auto sep = [&](char c) {
        if (at >= text.size() || text[at] != c) return false;
        ++at;
        return true;
    };
    auto y = digits(4, 9999);
    if (!y || !sep('-')) return std::nullopt;
    auto mo = digits(2, 12);
    if (!mo || !sep('-')) return std::nullopt;
    auto d = digits(2, 31);
    if (!d || !sep('T')) return std::nullopt;
    auto h = digits(2, 23);
    if (!h || !sep(':')) return std::nullopt;
    auto mi = digits(2, 59);
    if (!mi) return std::nullopt;
    int sec = 0, ms = 0;
    if (sep(':')) {
        auto s = digits(2, 59);
        if (!s) return std::nullopt;
        sec = *s;
        if (sep('.')) {
            auto f = digits(3, 999);
            if (!f) return std::nullopt;
            ms = *f;
        }
    }
    int offset = 0;  // minutes east of UTC
    if (!sep('Z')) {
        if (at >= text.size() || (text[at] != '+' && text[at] != '-')) return std::nullopt;
        int sign = text[at++] == '-' ? -1 : 1;
        auto oh = digits(2, 23);
        if (!oh || !sep(':')) return std::nullopt;
        auto om = digits(2, 59);
        if (!om) return std::nullopt;
        offset = sign * (*oh * 60 + *om);
    }
    if (at != text.size()) return std::nullopt;
    date::year_month_day ymd{date::year(*y), date::month(static_cast<unsigned>(*mo)),
                             date::day(static_cast<unsigned>(*d))};
    if (!ymd.ok()) return std::nullopt;
    auto t = date::sys_days(ymd) + std::chrono::hours(*h) + std::chrono::minutes(*mi - offset) +
             std::chrono::seconds(sec) + std::chrono::milliseconds(ms);
    return std::chrono::time_point_cast<Millis>(t);
}

}  // namespace maxis::core
