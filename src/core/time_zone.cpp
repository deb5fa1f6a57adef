#include "core/time_zone.hpp"

#include <date/tz.h>

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

std::string FormatIso8601(TimePoint t) { return date::format("%FT%TZ", t); }

std::string TimeZone::Format(TimePoint t) const {
    auto zoned = date::make_zoned(Zone(zone_), std::chrono::floor<std::chrono::minutes>(t));
    return date::format("%Y-%m-%d %H:%M %Z", zoned);
}

std::string TimeZone::LocalDate(TimePoint t) const {
    auto zoned = date::make_zoned(Zone(zone_), std::chrono::floor<std::chrono::seconds>(t));
    return date::format("%Y-%m-%d", zoned);
}

}  // namespace maxis::core
