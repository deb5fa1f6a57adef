#include "core/clock.hpp"

namespace maxis::core {

TimePoint SystemClock::Now() const { return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now()); }

}  // namespace maxis::core
