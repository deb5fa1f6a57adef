#pragma once
#include <atomic>

#include "core/clock.hpp"

namespace maxis::testing {

/// A clock that only moves when a test says so.
class FakeClock final : public core::Clock {
public:
    explicit FakeClock(core::TimePoint start = core::FromEpochMillis(1'780'000'000'000))
        : now_(core::ToEpochMillis(start)) {}
    [[nodiscard]] core::TimePoint Now() const override { return core::FromEpochMillis(now_.load()); }
    void Set(core::TimePoint t) { now_ = core::ToEpochMillis(t); }
    void Advance(core::Millis d) { now_ += d.count(); }

private:
    std::atomic<std::int64_t> now_;
};

}  // namespace maxis::testing
