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

}  // namespace maxis::discord
