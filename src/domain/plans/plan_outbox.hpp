#pragma once
#include <string>
#include <vector>

#include "domain/plans/plans.hpp"
#include "domain/scheduling/outbox.hpp"

namespace maxis::plans {

/// The outbox channels of plans' Discord side effects.
inline constexpr const char* kRoleChannel = "discord.role";
inline constexpr const char* kChannelCreate = "discord.channel";
inline constexpr const char* kChannelArchive = "discord.channel_archive";

/// The one serialization of plans' Discord items: a role given or taken back.
scheduling::NewOutboxItem RoleItem(const RoleChange& change, const std::string& reason, std::string key);

/// A member's private channel to create.
struct PrivateChannel {
    std::string name;
    std::string topic;
    core::UserId member;
    std::vector<std::string> staff_roles;  // who sees it besides the member
    std::string parent_id;                 // its category; empty: none
};
scheduling::NewOutboxItem ChannelItem(const PrivateChannel& channel, std::string key);
/// A member's private channel to archive (moved to parent_id when not empty).
scheduling::NewOutboxItem ArchiveItem(const std::string& resource, core::UserId member, const std::string& parent_id,
                                      std::string key);

}  // namespace maxis::plans
