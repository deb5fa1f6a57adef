#pragma once
#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/viewer.hpp"
#include "discord/guild_state.hpp"
#include "discord/rest_client.hpp"
#include "domain/members/member.hpp"

namespace maxis::discord {

/// Every human member of a guild with their role ids, listed 1000 at a time with GET
/// /guilds/{id}/members (needs the Server Members intent). nullopt, with the reason in `error`, when
/// Discord refuses.
std::optional<std::map<long long, std::set<std::string>>> ListMemberRoles(RestClient& rest, const std::string& guild_id,
                                                                          std::string& error);

/// Discord's CDN, where avatars are (https://discord.com/developers/docs/reference#image-formatting).
inline constexpr const char* kCdnBase = "https://cdn.discordapp.com";

/// The full CDN URL of a person's avatar: the member's guild avatar when set, else the user's avatar; GIF for an
/// animated hash ("a_..."), PNG otherwise. Empty when neither is set (Discord shows a default one).
std::string AvatarUrl(const std::string& guild_id, const std::string& user_id, const std::string& user_hash,
                      const std::string& member_hash);

/// The person a user object shows, with their guild member object when there is one (from GUILD_CREATE,
/// GUILD_MEMBER_*, a members chunk, a message's partial member, GET /guilds/{id}/members/{user}): display name =
/// nickname, else global name, else username; the role from the guild's role mapping (its roles, the member's
/// roles and permissions, the owner, operators).
members::Person PersonOf(const GuildState& guild, const boost::json::object& user, const boost::json::object* member);

/// The gateway command asking for every member of a guild (op 8, Request Guild Members, query "" and limit 0:
/// needs the Server Members intent); Discord answers with GUILD_MEMBERS_CHUNK events carrying the nonce.
boost::json::object RequestGuildMembers(const std::string& guild_id, const std::string& nonce);

}  // namespace maxis::discord
