#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/time_zone.hpp"

namespace maxis::scheduling {

/// A recurring schedule in a time zone: "daily 00:00", "weekly mon 09:00" (French day names work too:
/// "weekly lun 09:00"), or "every 10m". Wall-clock rules follow the zone's DST changes: 09:00 stays
/// 09:00 local all year round.
class Recurrence {
public:
    /// nullopt when the text is none of the forms above.
    static std::optional<Recurrence> Parse(std::string_view text);

    /// The first occurrence strictly after t.
    [[nodiscard]] core::TimePoint NextAfter(core::TimePoint t, const core::TimeZone& zone) const;
    [[nodiscard]] const std::string& text() const { return text_; }

private:
    enum class Kind { kDaily, kWeekly, kInterval };
    Kind kind_ = Kind::kDaily;
    unsigned weekday_ = 0;  // 0 = Sunday (C encoding)
    int hour_ = 0;
    int minute_ = 0;
    std::chrono::seconds interval_{0};
    std::string text_;
};

/// Exponential backoff for the n-th failed attempt (n >= 1): base * 2^(n-1), capped at max, then
/// multiplied by jitter (expected in [0.8, 1.2]) so that many failures do not retry in lockstep.
core::Millis Backoff(int attempt, core::Millis base, core::Millis max, double jitter);

}  // namespace maxis::scheduling
