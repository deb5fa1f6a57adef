#pragma once
#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace maxis::core {

/// A strongly typed 64-bit identifier (Discord snowflakes fit). Tag makes UserId and TicketId distinct types.
template <class Tag>
struct Id {
    std::int64_t value = 0;
    constexpr Id() = default;
    constexpr explicit Id(std::int64_t v) : value(v) {}
    friend constexpr auto operator<=>(const Id&, const Id&) = default;
    [[nodiscard]] std::string ToString() const { return std::to_string(value); }
};

using UserId = Id<struct UserIdTag>;
using ChannelId = Id<struct ChannelIdTag>;
using JobId = Id<struct JobIdTag>;
using OutboxId = Id<struct OutboxIdTag>;

}  // namespace maxis::core

template <class Tag>
struct std::hash<maxis::core::Id<Tag>> {
    std::size_t operator()(const maxis::core::Id<Tag>& id) const noexcept {
        return std::hash<std::int64_t>{}(id.value);
    }
};
