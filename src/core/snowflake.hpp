#pragma once
#include "core/clock.hpp"
#include "core/ids.hpp"

namespace maxis::core {

/// Discord's epoch (2015-01-01T00:00:00Z): a snowflake's top 42 bits count milliseconds from it.
inline constexpr std::int64_t kDiscordEpochMillis = 1420070400000;

/// When a Discord account was created: the timestamp in its snowflake. The one rule for an account's age (giveaways'
/// minimum account age, invites' young accounts).
TimePoint AccountCreatedAt(UserId user);

}  // namespace maxis::core
