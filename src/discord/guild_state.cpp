#include "discord/guild_state.hpp"

#include <date/date.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <mutex>

#include "discord/json_util.hpp"

namespace maxis::discord {

namespace json = boost::json;

namespace {

RoleInfo ParseRole(const json::object& o) {
    RoleInfo r;
    r.id = Str(o, "id");
    r.name = Str(o, "name");
    if (auto* p = o.if_contains("position"); p && p->is_int64()) r.position = static_cast<int>(p->as_int64());
    if (auto* p = o.if_contains("permissions")) r.permissions = ParsePermissions(*p);
    if (auto* m = o.if_contains("managed"); m && m->is_bool()) r.managed = m->as_bool();
    return r;
}

/// An ISO 8601 timestamp as Discord writes them, in UTC ("2021-03-04T12:34:56.789000+00:00"), in epoch
/// milliseconds (to the second).
std::optional<long long> ParseDiscordTimestamp(const std::string& text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    char tail = 0;
    if (text.size() < 19 ||
        std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &tail) < 6) {
        return std::nullopt;
    }
    date::year_month_day day{date::year{y}, date::month{static_cast<unsigned>(mo)},
                             date::day{static_cast<unsigned>(d)}};
    if (!day.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    auto t = date::sys_days{day} + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(sec);
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

std::uint64_t ParsePermissions(const json::value& v) {
    if (v.is_string()) {
        try {
            return std::stoull(std::string(v.as_string()));
        } catch (const std::exception&) {
            return 0;
        }
    }
    if (v.is_int64()) return static_cast<std::uint64_t>(v.as_int64());
    if (v.is_uint64()) return v.as_uint64();
    return 0;
}

GuildState::GuildState(std::string guild_id, RoleMapping mapping)
    : guild_id_(std::move(guild_id)), mapping_(std::move(mapping)) {}

void GuildState::OnReady(const json::object& ready) {
    std::unique_lock lock(mu_);
    if (auto* u = ready.if_contains("user"); u && u->is_object()) bot_user_id_ = Str(u->as_object(), "id");
}

void GuildState::OnGuildCreate(const json::object& guild) {
    if (!IsOurGuild(Str(guild, "id"))) return;
    std::unique_lock lock(mu_);
    available_ =
        !(guild.contains("unavailable") && guild.at("unavailable").is_bool() && guild.at("unavailable").as_bool());
    owner_id_ = Str(guild, "owner_id");
    if (auto* n = guild.if_contains("member_count"); n && n->is_int64()) member_count_ = n->as_int64();
    roles_.clear();
    if (auto* roles = guild.if_contains("roles"); roles && roles->is_array()) {
        for (const auto& r : roles->as_array()) {
            auto role = ParseRole(r.as_object());
            roles_[role.id] = role;
        }
    }
    channels_.clear();
    if (auto* channels = guild.if_contains("channels"); channels && channels->is_array()) {
        for (const auto& c : channels->as_array()) channels_.insert(Str(c.as_object(), "id"));
    }
    if (auto* members = guild.if_contains("members"); members && members->is_array()) {
        for (const auto& m : members->as_array()) {
            const auto& mo = m.as_object();
            if (auto* u = mo.if_contains("user"); u && u->is_object()) {
                member_roles_[Str(u->as_object(), "id")] = Ids(mo.if_contains("roles"));
            }
        }
    }
}

void GuildState::OnRole(const json::object& role) {
    std::unique_lock lock(mu_);
    auto r = ParseRole(role);
    roles_[r.id] = r;
}

void GuildState::OnRoleDelete(const std::string& role_id) {
    std::unique_lock lock(mu_);
    roles_.erase(role_id);
}

void GuildState::OnChannel(const json::object& channel) {
    std::unique_lock lock(mu_);
    channels_.insert(Str(channel, "id"));
}

void GuildState::OnChannelDelete(const std::string& channel_id) {
    std::unique_lock lock(mu_);
    channels_.erase(channel_id);
}

void GuildState::OnMember(const json::object& member, const std::string& user_id) {
    if (user_id.empty() || !member.contains("roles")) return;
    auto joined = ParseDiscordTimestamp(Str(member, "joined_at"));
    std::unique_lock lock(mu_);
    member_roles_[user_id] = Ids(member.if_contains("roles"));
    if (joined) joined_at_[user_id] = *joined;
}

std::optional<long long> GuildState::JoinedAt(const std::string& user_id) const {
    std::shared_lock lock(mu_);
    auto it = joined_at_.find(user_id);
    if (it == joined_at_.end()) return std::nullopt;
    return it->second;
}

void GuildState::OnMemberAdd(const json::object& member) {
    std::string user_id;
    if (auto* u = member.if_contains("user"); u && u->is_object()) user_id = Str(u->as_object(), "id");
    OnMember(member, user_id);
    std::unique_lock lock(mu_);
    if (member_count_) ++*member_count_;
}

void GuildState::OnMemberRemove(const std::string& user_id) {
    std::unique_lock lock(mu_);
    member_roles_.erase(user_id);
    joined_at_.erase(user_id);
    if (member_count_ && *member_count_ > 0) --*member_count_;
}

std::string GuildState::bot_user_id() const {
    std::shared_lock lock(mu_);
    return bot_user_id_;
}

std::optional<long long> GuildState::member_count() const {
    std::shared_lock lock(mu_);
    return member_count_;
}

bool GuildState::guild_available() const {
    std::shared_lock lock(mu_);
    return available_;
}

std::optional<RoleInfo> GuildState::Role(const std::string& id) const {
    std::shared_lock lock(mu_);
    auto it = roles_.find(id);
    if (it == roles_.end()) return std::nullopt;
    return it->second;
}

bool GuildState::HasChannel(const std::string& id) const {
    std::shared_lock lock(mu_);
    return channels_.contains(id);
}

std::optional<std::vector<std::string>> GuildState::MemberRoles(const std::string& user_id) const {
    std::shared_lock lock(mu_);
    auto it = member_roles_.find(user_id);
    if (it == member_roles_.end()) return std::nullopt;
    return it->second;
}

int GuildState::BotTopPosition() const {
    std::shared_lock lock(mu_);
    auto it = member_roles_.find(bot_user_id_);
    int top = 0;
    if (it == member_roles_.end()) return top;
    for (const auto& id : it->second) {
        if (auto r = roles_.find(id); r != roles_.end()) top = std::max(top, r->second.position);
    }
    return top;
}

std::uint64_t GuildState::PermissionsOf(const std::vector<std::string>& roles) const {
    std::uint64_t p = 0;
    if (auto everyone = roles_.find(guild_id_); everyone != roles_.end()) p |= everyone->second.permissions;
    for (const auto& id : roles) {
        if (auto r = roles_.find(id); r != roles_.end()) p |= r->second.permissions;
    }
    return p;
}

std::uint64_t GuildState::BotPermissions() const {
    std::shared_lock lock(mu_);
    auto it = member_roles_.find(bot_user_id_);
    return PermissionsOf(it == member_roles_.end() ? std::vector<std::string>{} : it->second);
}

core::Role GuildState::RoleOf(const std::string& user_id, const std::vector<std::string>* roles,
                              std::uint64_t perms) const {
    if (Contains(mapping_.operator_user_ids, user_id)) return core::Role::kOperator;
    std::shared_lock lock(mu_);
    std::vector<std::string> cached;
    if (!roles) {
        auto it = member_roles_.find(user_id);
        if (it != member_roles_.end()) cached = it->second;
        roles = &cached;
    }
    perms |= PermissionsOf(*roles);
    if (user_id == owner_id_ || (perms & permissions::kAdministrator) != 0) return core::Role::kAdmin;
    for (const auto& r : *roles) {
        if (Contains(mapping_.admin_role_ids, r)) return core::Role::kAdmin;
    }
    for (const auto& r : *roles) {
        if (Contains(mapping_.staff_role_ids, r)) return core::Role::kStaff;
    }
    return core::Role::kMember;
}

}  // namespace maxis::discord
