#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace maxis::core {

/// A local wall-clock time (no zone attached).
using LocalTime = std::chrono::local_time<std::chrono::seconds>;

/// An IANA time zone read from the system's tz database. Thread-safe after construction.
class TimeZone {
public:
    /// Throws core::Error(kInvalidArgument) for an unknown zone name.
    static TimeZone Load(std::string_view name);

    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] LocalTime ToLocal(TimePoint t) const;
    /// The instant for a wall-clock time. A time skipped by a DST change (02:30 on the spring-forward
    /// night in Paris) resolves to the same offset from the start of the gap in the new offset (03:30);
    /// a time that happens twice (fall-back) resolves to its first occurrence.
    [[nodiscard]] TimePoint FromLocal(LocalTime local) const;
    /// "2026-03-30 09:00 CEST": the wall-clock time in this zone, for logs and messages.
    [[nodiscard]] std::string Format(TimePoint t) const;
    /// The same for a reader: "30/11/2026 20:19 CET" in French, "2026-11-30 20:19 CET" otherwise.
    [[nodiscard]] std::string Format(TimePoint t, std::string_view locale) const;
    /// "2026-03-29": the local calendar day of an instant (daily quotas reset at local midnight).
    [[nodiscard]] std::string LocalDate(TimePoint t) const;

private:
    TimeZone(std::string name, const void* zone) : name_(std::move(name)), zone_(zone) {}
    std::string name_;
    const void* zone_;  // const date::time_zone*, owned by the process-wide tz database
};

/// "2026-11-24T20:23:05.123Z" (UTC, milliseconds), for APIs and exports.
std::string FormatIso8601(TimePoint t);

}  // namespace maxis::core
