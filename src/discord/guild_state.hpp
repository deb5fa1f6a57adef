#pragma once
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/viewer.hpp"

namespace maxis::discord {

/// Permission bits (https://discord.com/developers/docs/topics/permissions).
namespace permissions {
constexpr std::uint64_t kCreateInstantInvite = 1ULL << 0;
constexpr std::uint64_t kAdministrator = 1ULL << 3;
constexpr std::uint64_t kManageChannels = 1ULL << 4;
constexpr std::uint64_t kManageGuild = 1ULL << 5;
constexpr std::uint64_t kAddReactions = 1ULL << 6;
constexpr std::uint64_t kViewChannel = 1ULL << 10;
constexpr std::uint64_t kSendMessages = 1ULL << 11;
constexpr std::uint64_t kEmbedLinks = 1ULL << 14;
constexpr std::uint64_t kReadMessageHistory = 1ULL << 16;
constexpr std::uint64_t kManageRoles = 1ULL << 28;
}  // namespace permissions

struct RoleInfo {
    std::string id;
    std::string name;
    int position = 0;
    std::uint64_t permissions = 0;
    bool managed = false;
};

/// Who counts as staff or admin on Discord.
struct RoleMapping {
    std::vector<std::string> staff_role_ids;
    std::vector<std::string> admin_role_ids;
    std::vector<std::string> operator_user_ids;
};

/// What Maxis knows of its guild from the gateway: roles, channels, the member count, the roles of
/// members it has seen, and its own user. Kept current by GUILD_CREATE, GUILD_ROLE_*, CHANNEL_* and
/// GUILD_MEMBER_* events. Thread-safe.
class GuildState {
public:
    GuildState(std::string guild_id, RoleMapping mapping);

    void OnReady(const boost::json::object& ready);
    void OnGuildCreate(const boost::json::object& guild);
    void OnRole(const boost::json::object& role);  // create or update
    void OnRoleDelete(const std::string& role_id);
    void OnChannel(const boost::json::object& channel);  // create or update
    void OnChannelDelete(const std::string& channel_id);
    /// A member object (with "user" and "roles"), from GUILD_MEMBER_ADD/UPDATE or a message's "member".
    void OnMember(const boost::json::object& member, const std::string& user_id);
    void OnMemberAdd(const boost::json::object& member);
    void OnMemberRemove(const std::string& user_id);

    [[nodiscard]] const std::string& guild_id() const { return guild_id_; }
    [[nodiscard]] bool IsOurGuild(const std::string& guild_id) const { return guild_id == guild_id_; }
    [[nodiscard]] std::string bot_user_id() const;
    [[nodiscard]] std::optional<long long> member_count() const;
    [[nodiscard]] bool guild_available() const;
    [[nodiscard]] std::optional<RoleInfo> Role(const std::string& id) const;
    [[nodiscard]] bool HasChannel(const std::string& id) const;
    [[nodiscard]] std::optional<std::vector<std::string>> MemberRoles(const std::string& user_id) const;
    /// When a member joined the server (the member object's joined_at, from their last interaction, message or
    /// member event), in epoch milliseconds; nullopt when not seen since the start.
    [[nodiscard]] std::optional<long long> JoinedAt(const std::string& user_id) const;
    /// The highest position among the bot's roles (0 when unknown).
    [[nodiscard]] int BotTopPosition() const;
    /// The bot's guild-wide permissions: @everyone plus its roles.
    [[nodiscard]] std::uint64_t BotPermissions() const;

    /// Maxis's role for a Discord user: operator by id; admin for the owner, an admin role, or the
    /// Administrator permission; staff for a staff role; member otherwise. roles: as given by the event,
    /// or the cache when absent (DMs).
    [[nodiscard]] core::Role RoleOf(const std::string& user_id, const std::vector<std::string>* roles,
                                    std::uint64_t permissions = 0) const;

private:
    std::uint64_t PermissionsOf(const std::vector<std::string>& roles) const;

    std::string guild_id_;
    RoleMapping mapping_;
    mutable std::shared_mutex mu_;
    bool available_ = false;
    std::string owner_id_;
    std::string bot_user_id_;
    std::optional<long long> member_count_;
    std::map<std::string, RoleInfo> roles_;
    std::set<std::string> channels_;
    std::map<std::string, std::vector<std::string>> member_roles_;
    std::map<std::string, long long> joined_at_;
};

std::uint64_t ParsePermissions(const boost::json::value& v);

}  // namespace maxis::discord
