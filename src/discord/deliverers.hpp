#pragma once
#include <functional>
#include <optional>
#include <string>

#include "commands/catalog.hpp"
#include "discord/guild_state.hpp"
#include "discord/messenger.hpp"
#include "domain/scheduling/notice.hpp"
#include "scheduler/outbox_worker.hpp"

namespace maxis::discord {

/// Outbox channels delivered through Discord, and their JSON payloads:
///  - "notify.member"   {user, key, params, ticket?}: a DM in the member's language; when their DMs are
///                      closed, a mention in the fallback channel.
///  - "notify.staff"    {key, params, ticket?}: a post in the staff channel.
///  - "discord.post"    {channel, text}: a post in a channel.
///  - "discord.role"    {user, role, grant, reason}: grants or revokes a role, after checking that the
///                      bot may (Manage Roles, and its top role above the role).
///  - "discord.channel" {name, topic?, parent_id?, members:[ids], staff_roles:[ids]}: creates a private
///                      text channel (hidden from @everyone, open to those listed) once per item.
///  - "discord.channel_archive" {resource, member, parent_id?}: the channel created under the outbox key
///                      `resource` loses the member's access, is renamed archive-..., and moves to parent_id.
///  notify.staff may name a "channel" of its own (announcements).
namespace channels {
inline constexpr const char* kNotifyMember = scheduling::kNoticeToMember;
inline constexpr const char* kNotifyStaff = scheduling::kNoticeToStaff;
inline constexpr const char* kPost = "discord.post";
inline constexpr const char* kRole = "discord.role";
inline constexpr const char* kChannel = "discord.channel";
inline constexpr const char* kChannelArchive = "discord.channel_archive";
}  // namespace channels

struct DelivererOptions {
    std::string default_locale = "fr";
    std::string staff_channel_id;     // notify.staff; empty: staff notices are dropped with a log line
    std::string fallback_channel_id;  // where a member with closed DMs is mentioned; empty: no fallback
};

struct DelivererHooks {
    std::function<std::optional<std::string>(core::UserId)> locale_of;
    /// A created resource (channel) recorded under the outbox item's idempotency key, and looked up so
    /// that a redelivered item does not create a second one.
    std::function<std::optional<std::string>(const std::string& key)> find_resource;
    std::function<void(const std::string& key, const std::string& kind, const std::string& discord_id)> save_resource;
};

/// Registers the Discord deliverers on the outbox worker.
void RegisterDeliverers(scheduler::OutboxWorker& worker, Messenger& messenger, const GuildState& guild,
                        const commands::Catalog& catalog, DelivererOptions options, DelivererHooks hooks);

/// How a REST result maps to an outbox outcome: success delivered; rate limits, network errors, 5xx and
/// missing permissions retried (an operator can fix those); other refusals failed for good.
scheduler::DeliveryOutcome OutcomeOf(const RestResponse& response, const std::string& what);

}  // namespace maxis::discord
