#pragma once
#include <chrono>
#include <cstdint>

namespace maxis::core {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Millis>;

inline std::int64_t ToEpochMillis(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromEpochMillis(std::int64_t ms) { return TimePoint(Millis(ms)); }

/// Every read of the current time goes through a Clock, so tests can drive time. Thread-safe.
class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
public:
    [[nodiscard]] TimePoint Now() const override;
};

}  // namespace maxis::core
