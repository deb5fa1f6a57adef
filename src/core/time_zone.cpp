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
    auto ms = static_cast<long long>((t - day).count());  // since midnight, UTC
    int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) {  // outside four digits: the general formatter
        return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year, static_cast<unsigned>(ymd.month()),
                           static_cast<unsigned>(ymd.day()), ms / 3'600'000, ms / 60'000 % 60, ms / 1000 % 60,
                           ms % 1000);
    }
    // Written digit by digit: this runs for every time in every API answer.
    std::string out = "0000-00-00T00:00:00.000Z";
    auto put = [&out](std::size_t at, long long value, int width) {
        for (int i = width - 1; i >= 0; --i, value /= 10)
            out[at + static_cast<std::size_t>(i)] = char('0' + value % 10);
    };
    put(0, year, 4);
    put(5, static_cast<unsigned>(ymd.month()), 2);
    put(8, static_cast<unsigned>(ymd.day()), 2);
    put(11, ms / 3'600'000, 2);
    put(14, ms / 60'000 % 60, 2);
    put(17, ms / 1000 % 60, 2);
    put(20, ms % 1000, 3);
    return out;
}

std::string TimeZone::Format(TimePoint t) const {
    auto zoned = date::make_zoned(Zone(zone_), std::chrono::floor<std::chrono::minutes>(t));
    return date::format("%Y-%m-%d %H:%M %Z", zoned);
}

std::string TimeZone::Format(TimePoint t, std::string_view locale) const {
    if (locale != "fr") return Format(t);
    auto zoned = date::make_zoned(Zone(zone_), std::chrono::floor<std::chrono::minutes>(t));
    return date::format("%d/%m/%Y %H:%M %Z", zoned);
}

std::string TimeZone::LocalDate(TimePoint t) const {
    auto zoned = date::make_zoned(Zone(zone_), std::chrono::floor<std::chrono::seconds>(t));
    return date::format("%Y-%m-%d", zoned);
}

}  // namespace maxis::core
