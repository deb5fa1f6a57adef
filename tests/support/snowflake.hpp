#pragma once
// Snowflakes of accounts created at a known time, for tests of rules on an account's age (the inverse of
// core::AccountCreatedAt: ms since Discord's epoch, shifted by 22 bits, n in the low bits tells accounts apart).
#include "core/snowflake.hpp"

namespace maxis::testing {

inline core::UserId AccountBornAt(core::TimePoint t, int n) {
    return core::UserId{((core::ToEpochMillis(t) - core::kDiscordEpochMillis) << 22) + n};
}

}  // namespace maxis::testing
