#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>

#include "discord/rest_client.hpp"

namespace maxis::discord {

/// Every human member of a guild with their role ids, listed 1000 at a time with GET
/// /guilds/{id}/members (needs the Server Members intent). nullopt, with the reason in `error`, when
/// Discord refuses.
std::optional<std::map<long long, std::set<std::string>>> ListMemberRoles(RestClient& rest, const std::string& guild_id,
                                                                          std::string& error);

}  // namespace maxis::discord
