#include "discord/members.hpp"

#include "core/strings.hpp"
#include "discord/json_util.hpp"

namespace maxis::discord {

std::optional<std::map<long long, std::set<std::string>>> ListMemberRoles(RestClient& rest, const std::string& guild_id,
                                                                          std::string& error) {
    std::map<long long, std::set<std::string>> out;
    std::string after = "0";
    for (int page = 0; page < 1000; ++page) {
        auto r = rest.Get("/guilds/" + guild_id + "/members?limit=1000&after=" + after);
        if (!r.ok() || !r.json.is_array()) {
            error = r.Describe();
            return std::nullopt;
        }
        const auto& list = r.json.as_array();
        for (const auto& m : list) {
            if (!m.is_object()) continue;
            const auto* user = Obj(m.as_object(), "user");
            if (user == nullptr) continue;
            auto id = Str(*user, "id");
            auto member_id = core::ParseId(id);
            if (!member_id) continue;
            after = id;
            if (user->contains("bot") && user->at("bot").is_bool() && user->at("bot").as_bool()) continue;
            auto roles = Ids(m.as_object().if_contains("roles"));
            out[*member_id] = std::set<std::string>(roles.begin(), roles.end());
        }
        if (list.size() < 1000) break;
    }
    return out;
}

std::string AvatarUrl(const std::string& guild_id, const std::string& user_id, const std::string& user_hash,
                      const std::string& member_hash) {
    auto file = [](const std::string& hash) { return hash + (hash.starts_with("a_") ? ".gif" : ".png"); };
    if (!member_hash.empty() && !guild_id.empty()) {
        return std::string(kCdnBase) + "/guilds/" + guild_id + "/users/" + user_id + "/avatars/" + file(member_hash);
    }
    if (!user_hash.empty()) return std::string(kCdnBase) + "/avatars/" + user_id + "/" + file(user_hash);
    return {};
}

members::Person PersonOf(const GuildState& guild, const boost::json::object& user, const boost::json::object* member) {
    members::Person p;
    auto id = Str(user, "id");
    std::vector<std::string> roles;
    std::uint64_t perms = 0;
    if (member) {
        roles = Ids(member->if_contains("roles"));
        if (auto* v = member->if_contains("permissions")) perms = ParsePermissions(*v);
    }
    const auto& guild_id = guild.guild_id();
    p.id = core::UserId{core::ParseId(id).value_or(0)};
    p.username = Str(user, "username");
    auto nick = member ? Str(*member, "nick") : std::string();
    auto global = Str(user, "global_name");
    p.display_name = !nick.empty() ? nick : !global.empty() ? global : p.username;
    p.avatar_url = AvatarUrl(guild_id, id, Str(user, "avatar"), member ? Str(*member, "avatar") : std::string());
    p.role = guild.RoleOf(id, member ? &roles : nullptr, perms);
    p.is_bot = user.contains("bot") && user.at("bot").is_bool() && user.at("bot").as_bool();
    p.in_guild = true;
    return p;
}

boost::json::object RequestGuildMembers(const std::string& guild_id, const std::string& nonce) {
    return boost::json::object{
        {"op", 8}, {"d", boost::json::object{{"guild_id", guild_id}, {"query", ""}, {"limit", 0}, {"nonce", nonce}}}};
}

}  // namespace maxis::discord
