#include "domain/scheduling/recurrence.hpp"

#include <algorithm>

#include "core/duration.hpp"
#include "core/strings.hpp"

namespace maxis::scheduling {

namespace {

std::optional<unsigned> ParseWeekday(std::string_view s) {
    static constexpr std::string_view kEnglish[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    static constexpr std::string_view kFrench[] = {"dim", "lun", "mar", "mer", "jeu", "ven", "sam"};
    std::string folded = core::FoldForMatch(s);
    for (unsigned i = 0; i < 7; ++i) {
        if (folded.starts_with(kEnglish[i]) || folded.starts_with(kFrench[i])) return i;
    }
    return std::nullopt;
}

std::optional<std::pair<int, int>> ParseClock(std::string_view s) {
    auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() - colon != 3) return std::nullopt;
    int h = 0, m = 0;
    for (char c : s.substr(0, colon)) {
        if (c < '0' || c > '9') return std::nullopt;
        h = h * 10 + (c - '0');
    }
    for (char c : s.substr(colon + 1)) {
        if (c < '0' || c > '9') return std::nullopt;
        m = m * 10 + (c - '0');
    }
    if (h > 23 || m > 59) return std::nullopt;
    return std::make_pair(h, m);
}

}  // namespace

std::optional<Recurrence> Recurrence::Parse(std::string_view text) {
    auto words = core::Split(core::Trim(text), ' ');
    std::erase_if(words, [](const std::string& w) { return w.empty(); });
    Recurrence r;
    r.text_ = std::string(core::Trim(text));
    if (words.size() == 2 && words[0] == "every") {
        auto d = core::ParseDuration(words[1]);
        if (!d || *d < std::chrono::seconds(1)) return std::nullopt;
        r.kind_ = Kind::kInterval;
        r.interval_ = *d;
        return r;
    }
    if (words.size() == 2 && words[0] == "daily") {
        auto clock = ParseClock(words[1]);
        if (!clock) return std::nullopt;
        r.kind_ = Kind::kDaily;
        std::tie(r.hour_, r.minute_) = *clock;
        return r;
    }
    if (words.size() == 3 && words[0] == "weekly") {
        auto day = ParseWeekday(words[1]);
        auto clock = ParseClock(words[2]);
        if (!day || !clock) return std::nullopt;
        r.kind_ = Kind::kWeekly;
        r.weekday_ = *day;
        std::tie(r.hour_, r.minute_) = *clock;
        return r;
    }
    return std::nullopt;
}

core::TimePoint Recurrence::NextAfter(core::TimePoint t, const core::TimeZone& zone) const {
    using namespace std::chrono;
    if (kind_ == Kind::kInterval) return t + duration_cast<core::Millis>(interval_);
    auto local_day = floor<days>(zone.ToLocal(t));
    for (int offset = 0; offset < 15; ++offset) {
        auto day = local_day + days(offset);
        if (kind_ == Kind::kWeekly && weekday(sys_days(day.time_since_epoch())).c_encoding() != weekday_) continue;
        auto candidate = zone.FromLocal(core::LocalTime(day + hours(hour_) + minutes(minute_)));
        if (candidate > t) return candidate;
    }
    return t + duration_cast<core::Millis>(days(7));  // unreachable for valid rules
}

core::Millis Backoff(int attempt, core::Millis base, core::Millis max, double jitter) {
    double delay = static_cast<double>(base.count());
    for (int i = 1; i < attempt && delay < static_cast<double>(max.count()); ++i) delay *= 2;
    delay = std::min(delay, static_cast<double>(max.count()));
    return core::Millis(static_cast<long long>(delay * jitter));
}

}  // namespace maxis::scheduling
