#include "panel/oauth_client.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "http/fetch.hpp"

namespace maxis::panel {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

namespace {

using Fetched = http::FetchResult;

Fetched Fetch(const std::string& url, const std::vector<std::string>& headers, const std::string* form_body) {
    auto f = http::Fetch(http::FetchRequest{form_body ? "POST" : "GET", url, headers, form_body});
    // The URL has no secret in it (the code travels in the body), so it may be named.
    if (!f.reached) throw Error(ErrorCode::kUnavailable, "cannot reach " + url + ": " + f.error);
    return f;
}

json::object ParseObject(const Fetched& f, const std::string& what) {
    json::error_code ec;
    auto v = json::parse(f.body, ec);
    if (ec || !v.is_object())
        throw Error(ErrorCode::kUnavailable, what + " answered something that is not a JSON object");
    return v.as_object();
}

std::string Str(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

}  // namespace

std::string OAuthClient::AuthorizeUrl(const std::string& state, const std::string& code_challenge,
                                      const std::string& redirect_uri) const {
    std::string scope = options_.guild_id.empty() ? "identify" : "identify guilds.members.read";
    return options_.authorize_url + (options_.authorize_url.find('?') == std::string::npos ? "?" : "&") +
           "response_type=code&client_id=" + http::UrlEscape(options_.client_id) + "&scope=" + http::UrlEscape(scope) +
           "&state=" + http::UrlEscape(state) + "&redirect_uri=" + http::UrlEscape(redirect_uri) +
           "&code_challenge=" + http::UrlEscape(code_challenge) + "&code_challenge_method=S256&prompt=none";
}

OAuthIdentity OAuthClient::Exchange(const std::string& code, const std::string& verifier,
                                    const std::string& redirect_uri) const {
    std::string form = "grant_type=authorization_code&code=" + http::UrlEscape(code) +
                       "&redirect_uri=" + http::UrlEscape(redirect_uri) +
                       "&code_verifier=" + http::UrlEscape(verifier) +
                       "&client_id=" + http::UrlEscape(options_.client_id) +
                       "&client_secret=" + http::UrlEscape(options_.client_secret);
    auto token_reply = Fetch(options_.token_url,
                             {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"}, &form);
    if (token_reply.status == 400 || token_reply.status == 401) {
        auto body = ParseObject(token_reply, "Discord's token endpoint");
        auto error = Str(body, "error");
        if (error == "invalid_client") {
            throw Error(ErrorCode::kUnavailable,
                        "Discord refused the panel's client id or secret (check panel.oauth_client_id and "
                        "MAXIS_DISCORD_CLIENT_SECRET)");
        }
        throw Error(ErrorCode::kUnauthenticated,
                    "Discord refused the login code (" + (error.empty() ? "error" : error) + ")");
    }
    if (token_reply.status != 200) {
        throw Error(ErrorCode::kUnavailable,
                    "Discord's token endpoint answered HTTP " + std::to_string(token_reply.status));
    }
    auto token = Str(ParseObject(token_reply, "Discord's token endpoint"), "access_token");
    if (token.empty()) throw Error(ErrorCode::kUnavailable, "Discord's token endpoint gave no access token");
    std::vector<std::string> auth{"Authorization: Bearer " + token, "Accept: application/json"};

    auto me = Fetch(options_.api_base_url + "/users/@me", auth, nullptr);
    if (me.status != 200)
        throw Error(ErrorCode::kUnavailable, "Discord's /users/@me answered HTTP " + std::to_string(me.status));
    auto user = ParseObject(me, "Discord's /users/@me");
    auto id_text = Str(user, "id");
    auto id = core::ParseId(id_text);
    if (!id) throw Error(ErrorCode::kUnavailable, "Discord's /users/@me gave no user id");
    OAuthIdentity identity;
    identity.id = core::UserId{*id};
    identity.username = Str(user, "username");
    identity.name = Str(user, "global_name");
    if (identity.name.empty()) identity.name = identity.username;
    auto avatar = Str(user, "avatar");
    if (!avatar.empty() && avatar.find_first_not_of("0123456789abcdef_") == std::string::npos) {
        identity.avatar_url = "https://cdn.discordapp.com/avatars/" + id_text + "/" + avatar + ".png?size=64";
    }
    if (!options_.guild_id.empty()) {
        auto member =
            Fetch(options_.api_base_url + "/users/@me/guilds/" + options_.guild_id + "/member", auth, nullptr);
        if (member.status == 200) {
            identity.in_guild = true;
            auto m = ParseObject(member, "Discord's guild member endpoint");
            if (auto it = m.find("roles"); it != m.end() && it->value().is_array()) {
                for (const auto& r : it->value().as_array()) {
                    if (r.is_string()) identity.role_ids.emplace_back(r.as_string());
                }
            }
            if (auto nick = Str(m, "nick"); !nick.empty()) identity.name = nick;
        } else if (member.status != 404) {
            spdlog::warn("panel: Discord's guild member endpoint answered HTTP {}", member.status);
        }
    }
    return identity;
}

}  // namespace maxis::panel
