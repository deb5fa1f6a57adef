#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// The member's recorded locale ("fr", "en"), if Maxis has met them.
std::optional<std::string> UserLocale(Database& db, core::UserId id);

/// The join log: a member joined (true) or left (false) the guild.
void RecordMemberEvent(Database& db, core::UserId id, bool joined, core::TimePoint at);
/// Joins minus leaves since the given time (for the dashboard and the weekly recap).
struct MemberFlow {
    long long joins = 0;
    long long leaves = 0;
};
MemberFlow MemberFlowSince(Database& db, core::TimePoint since);

/// Discord resources created by the outbox, under the item's idempotency key.
std::optional<std::string> FindDiscordResource(Database& db, const std::string& key);
void SaveDiscordResource(Database& db, const std::string& key, const std::string& kind, const std::string& discord_id,
                         core::TimePoint at);

/// A channel Maxis serves on Discord, and the newest message it processed there.
struct ChannelCursor {
    std::string channel_id;
    std::string guild_id;  // empty for a DM channel
    long long last_message_id = 0;
};
/// Moves the channel's cursor to message_id, unless it is already past it.
void AdvanceChannelCursor(Database& db, const ChannelCursor& cursor, core::TimePoint at);
/// The channels whose cursor moved since `since`, the most recent first, at most limit.
std::vector<ChannelCursor> RecentChannelCursors(Database& db, core::TimePoint since, int limit);

}  // namespace maxis::storage
