#include "core/snowflake.hpp"

namespace maxis::core {

TimePoint AccountCreatedAt(UserId user) {
    return FromEpochMillis(static_cast<std::int64_t>(static_cast<std::uint64_t>(user.value) >> 22) +
                           kDiscordEpochMillis);
}

}  // namespace maxis::core
