#include "discord/doctor.hpp"

#include <boost/json.hpp>
#include <ostream>

#include "crypto/crypto.hpp"
#include "discord/guild_state.hpp"
#include "discord/json_util.hpp"

namespace maxis::discord {

namespace json = boost::json;

std::vector<std::pair<std::uint64_t, std::string>> RequiredPermissions(bool invite_tracking) {
    std::vector<std::pair<std::uint64_t, std::string>> list = {
        {permissions::kViewChannel, "View Channels"}, {permissions::kSendMessages, "Send Messages"},
        {permissions::kEmbedLinks, "Embed Links"},    {permissions::kReadMessageHistory, "Read Message History"},
        {permissions::kManageRoles, "Manage Roles"},  {permissions::kManageChannels, "Manage Channels"},
    };
    // Reading the guild's invites needs Manage Server; referral links need Create Invite.
    if (invite_tracking) {
        list.emplace_back(permissions::kManageGuild, "Manage Server");
        list.emplace_back(permissions::kCreateInstantInvite, "Create Invite");
    }
    return list;
}

bool VerifyInteractionSignature(const std::string& public_key_hex, const std::string& signature_hex,
                                const std::string& timestamp, const std::string& body) {
    auto key = crypto::HexDecode(public_key_hex);
    auto sig = crypto::HexDecode(signature_hex);
    if (!key || !sig || timestamp.empty()) return false;
    return crypto::Ed25519Verify(*key, timestamp + body, *sig);
}

int RunDoctor(RestClient& rest, const DoctorOptions& options, std::ostream& out) {
    int problems = 0;
    auto ok = [&out](const std::string& text) { out << "  ✓ " << text << "\n"; };
    auto bad = [&out, &problems](const std::string& text, const std::string& fix) {
        ++problems;
        out << "  ✗ " << text << "\n      → " << fix << "\n";
    };
    out << "Discord checks against "
        << "the REST API"
        << ":\n";

    auto me = rest.Get("/users/@me");
    if (!me.ok()) {
        if (me.status == 401) {
            bad("the bot token was refused (401)",
                "copy a fresh token from the Developer Portal (your app > Bot > Reset Token) into MAXIS_DISCORD_TOKEN");
        } else {
            bad("cannot reach Discord: " + me.Describe(), "check the network and discord.api_base_url");
        }
        return problems;
    }
    std::string bot_id = Str(me.json, "id");
    ok("token accepted: the bot is " + Str(me.json, "username") + " (" + bot_id + ")");

    auto app = rest.Get("/applications/@me");
    if (app.ok()) {
        auto app_id = Str(app.json, "id");
        if (!options.application_id.empty() && options.application_id != app_id) {
            bad("discord.application_id is " + options.application_id + " but the token belongs to application " +
                    app_id,
                "set discord.application_id = \"" + app_id + "\" (or leave it empty)");
        } else {
            ok("application " + app_id);
        }
        std::uint64_t flags = 0;
        if (auto* f = app.json.as_object().if_contains("flags"); f && (f->is_int64() || f->is_uint64()))
            flags = f->to_number<std::uint64_t>();
        constexpr std::uint64_t kMembers = (1ULL << 14) | (1ULL << 15);
        constexpr std::uint64_t kContent = (1ULL << 18) | (1ULL << 19);
        if ((flags & kMembers) == 0) {
            bad("the Server Members intent is not enabled",
                "Developer Portal > your app > Bot > Privileged Gateway Intents: enable Server Members Intent");
        } else {
            ok("Server Members intent enabled");
        }
        if ((flags & kContent) == 0) {
            bad("the Message Content intent is not enabled (prefix commands would arrive empty)",
                "Developer Portal > your app > Bot > Privileged Gateway Intents: enable Message Content Intent");
        } else {
            ok("Message Content intent enabled");
        }
    } else {
        bad("cannot read the application: " + app.Describe(), "check that the token is a bot token");
    }

    if (options.guild_id.empty()) {
        bad("discord.guild_id is not set", "set it to your server's id (right-click the server > Copy Server ID)");
        return problems;
    }
    auto guild = rest.Get("/guilds/" + options.guild_id);
    if (!guild.ok()) {
        bad(
            "the bot is not in guild " + options.guild_id + " (" + guild.Describe() + ")",
            "invite it: https://discord.com/oauth2/authorize?client_id=" +
                (app.ok() ? Str(app.json, "id") : std::string("<app id>")) +
                "&scope=bot%20applications.commands&permissions=" + [&options] {
                    std::uint64_t all = 0;
                    for (const auto& [bit, name] : RequiredPermissions(options.invite_tracking)) all |= bit;
                    return std::to_string(all);
                }());
        return problems;
    }
    ok("guild " + Str(guild.json, "name") + " (" + options.guild_id + ")");

    auto roles = rest.Get("/guilds/" + options.guild_id + "/roles");
    auto member = rest.Get("/guilds/" + options.guild_id + "/members/" + bot_id);
    if (roles.ok() && member.ok() && roles.json.is_array()) {
        std::map<std::string, std::pair<std::uint64_t, int>> by_id;
        std::map<std::string, std::string> names;
        for (const auto& r : roles.json.as_array()) {
            auto id = Str(r, "id");
            by_id[id] = {ParsePermissions(r.at("permissions")),
                         static_cast<int>(r.at("position").to_number<long long>())};
            names[id] = Str(r, "name");
        }
        std::uint64_t perms = by_id[options.guild_id].first;
        int top = 0;
        for (const auto& r : member.json.at("roles").as_array()) {
            auto& [p, pos] = by_id[std::string(r.as_string())];
            perms |= p;
            top = std::max(top, pos);
        }
        bool admin = (perms & permissions::kAdministrator) != 0;
        for (const auto& [bit, name] : RequiredPermissions(options.invite_tracking)) {
            if (admin || (perms & bit) != 0) {
                ok("permission " + name);
            } else {
                bad("the bot lacks " + name, "Server Settings > Roles > the bot's role: enable " + name);
            }
        }
        for (const auto& [key, id] : options.roles) {
            if (id.empty()) continue;
            if (!by_id.contains(id) || names[id].empty()) {
                bad(key + " = " + id + ": no such role",
                    "copy the role's id again (Server Settings > Roles > ... > Copy Role ID)");
            } else {
                ok(key + ": role " + names[id]);
            }
        }
    } else {
        bad("cannot read the bot's roles: " + (roles.ok() ? member.Describe() : roles.Describe()),
            "check the bot's access to the guild");
    }

    for (const auto& [key, id] : options.channels) {
        if (id.empty()) continue;
        auto channel = rest.Get("/channels/" + id);
        if (channel.ok()) {
            ok(key + ": #" + Str(channel.json, "name"));
        } else {
            bad(key + " = " + id + ": " + channel.Describe(),
                "check the id and give the bot's role View Channel there");
        }
    }
    out << (problems == 0 ? "All good.\n" : std::to_string(problems) + " problem(s) to fix.\n");
    return problems;
}

}  // namespace maxis::discord
