#include "core/time_zone.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include "core/errors.hpp"

namespace maxis::core {

namespace {
const date::time_zone* Zone(const void* p) { return static_cast<const date::time_zone*>(p); }
}  // namespace

TimeZone TimeZone::Load(std::string_view name) {
    try {
        return TimeZone(std::string(name), date::locate_zone(name));
    } catch (const std::exception&) {
        throw Error(ErrorCode::kInvalidArgument, "unknown time zone '" + std::string(name) + "'");
    }
}

LocalTime TimeZone::ToLocal(TimePoint t) const {
    auto info = Zone(zone_)->get_info(std::chrono::floor<std::chrono::seconds>(t));
    return LocalTime((std::chrono::floor<std::chrono::seconds>(t) + info.offset).time_since_epoch());
}

TimePoint TimeZone::FromLocal(LocalTime local) const {
    auto info = Zone(zone_)->get_info(date::local_seconds(local.time_since_epoch()));
    switch (info.result) {
        case date::local_info::unique:
        case date::local_info::ambiguous: {
            auto sys = date::sys_seconds((local - info.first.offset).time_since_epoch());
            return std::chrono::time_point_cast<Millis>(sys);
        }
        case date::local_info::nonexistent: {
            // Interpret with the offset in force before the gap: lands after the gap, same distance in.
            auto sys = date::sys_seconds((local - info.first.offset).time_since_epoch());
            return std::chrono::time_point_cast<Millis>(sys);
        }
    }
    return {};
}

// Written by hand rather than through date::format, which goes through an ostringstream and the locale on
// every call: list reads format several times per row.
std::string FormatIso8601(TimePoint t) {
    auto day = std::chrono::floor<date::days>(t);
    date::year_month_day ymd{day};
    auto ms = (t - day).count();  // since midnight, UTC
    char out[32];
    auto end =
        fmt::format_to_n(out, sizeof out, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                         static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), ms / 3'600'000,
                         ms / 60'000 % 60, ms / 1000 % 60, ms % 1000);
    return std::string(out, end.out);
}

std::string TimeZone::Format(TimePoint t) const {
    auto zoned = date::make_zoned(Zone(zone_), std::chrono::floor<std::chrono::minutes>(t));
    return date::format("%Y-%m-%d %H:%M %Z", zoned);
}

std::string TimeZone::LocalDate(TimePoint t) const {
    auto zoned = date::make_zoned(Zone(zone_), std::chrono::floor<std::chrono::seconds>(t));
    return date::format("%Y-%m-%d", zoned);
}

}  // namespace maxis::core
