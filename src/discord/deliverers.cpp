#include "discord/deliverers.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "commands/notice.hpp"
#include "core/strings.hpp"
#include "discord/json_util.hpp"

namespace maxis::discord {

namespace json = boost::json;
using scheduler::DeliveryOutcome;
using scheduler::DeliveryStatus;

DeliveryOutcome OutcomeOf(const RestResponse& r, const std::string& what) {
    if (r.ok()) return {};
    auto error = what + ": " + r.Describe();
    // A refused token (401) is retried too: deliveries resume once it is fixed and Maxis reloaded.
    bool retry =
        r.status == 0 || r.status == 401 || r.status == 429 || r.status >= 500 || r.code == 50013 || r.code == 50001;
    if (retry) {
        spdlog::warn("discord: {} (will retry)", error);
        return {DeliveryStatus::kRetry, error, r.retry_after};
    }
    spdlog::error("discord: {} (given up)", error);
    return {DeliveryStatus::kFailed, error, std::nullopt};
}

namespace {

/// What the nonce of an outbox item's messages is derived from: its idempotency key, or its id.
std::string NonceKey(const scheduling::OutboxItem& item) {
    return "o" + (item.idempotency_key.empty() ? "#" + std::to_string(item.id.value) : item.idempotency_key);
}

}  // namespace

void RegisterDeliverers(scheduler::OutboxWorker& worker, Messenger& messenger, const GuildState& guild,
                        const commands::Catalog& catalog, DelivererOptions options, DelivererHooks hooks) {
    auto locale_of = [&catalog, options, hooks](core::UserId user) {
        if (hooks.locale_of) {
            if (auto l = hooks.locale_of(user)) return catalog.Resolve(*l);
        }
        return catalog.Resolve(options.default_locale);
    };

    worker.Register(
        channels::kNotifyMember, [&messenger, &catalog, options, locale_of](const scheduling::OutboxItem& item) {
            auto notice = scheduling::ParseNotice(item.channel, item.payload);
            auto user = notice.recipient.ToString();
            auto reply = commands::NoticeReply(notice, catalog, locale_of(notice.recipient));
            auto r = messenger.SendDm(user, reply, NonceKey(item));
            if (r.code == 50007 && !options.fallback_channel_id.empty()) {
                // DMs closed: mention the member where they will see it. Only they are pinged.
                spdlog::info("discord: DMs of {} are closed; mentioning them in the fallback channel", user);
                reply.text = "<@" + user + "> " + reply.text;
                return OutcomeOf(messenger.Send(options.fallback_channel_id, reply, NonceKey(item)),
                                 "notice to <@" + user + "> in the fallback channel");
            }
            if (r.code == 50007) {
                spdlog::warn("discord: DMs of {} are closed and no discord.fallback_channel_id is set; notice dropped",
                             user);
                return DeliveryOutcome{DeliveryStatus::kFailed, "DMs closed, no fallback channel", std::nullopt};
            }
            return OutcomeOf(r, "DM to " + user);
        });

    worker.Register(channels::kNotifyStaff, [&messenger, &catalog, options](const scheduling::OutboxItem& item) {
        auto notice = scheduling::ParseNotice(item.channel, item.payload);
        // An announcement names its own channel; other notices go to the staff channel.
        auto channel = notice.channel;
        if (channel.empty()) channel = options.staff_channel_id;
        if (channel.empty()) {
            spdlog::info("discord: staff notice not posted: discord.staff_channel_id is not set");
            return DeliveryOutcome{};
        }
        auto reply = commands::NoticeReply(notice, catalog, catalog.Resolve(options.default_locale));
        return OutcomeOf(messenger.Send(channel, reply, NonceKey(item)), "notice in " + channel);
    });

    worker.Register(channels::kPost, [&messenger](const scheduling::OutboxItem& item) {
        auto payload = json::parse(item.payload).as_object();
        auto channel = Str(payload, "channel");
        return OutcomeOf(messenger.Send(channel, commands::Reply{.text = Str(payload, "text")}, NonceKey(item)),
                         "post in " + channel);
    });

    worker.Register(channels::kRole, [&messenger, &guild](const scheduling::OutboxItem& item) {
        auto payload = json::parse(item.payload).as_object();
        auto user = Str(payload, "user");
        auto role_id = Str(payload, "role");
        bool grant = payload.contains("grant") && payload.at("grant").is_bool() && payload.at("grant").as_bool();
        std::string what = std::string(grant ? "grant" : "revoke") + " role " + role_id + " to <@" + user + ">";
        if (guild.guild_available() && guild.MemberRoles(guild.bot_user_id())) {
            auto role = guild.Role(role_id);
            if (!role) {
                spdlog::error("discord: cannot {}: no such role in the guild; check the role id in the configuration",
                              what);
                return DeliveryOutcome{DeliveryStatus::kFailed, "unknown role " + role_id, std::nullopt};
            }
            auto perms = guild.BotPermissions();
            bool can_manage = (perms & (permissions::kManageRoles | permissions::kAdministrator)) != 0;
            if (!can_manage || role->position >= guild.BotTopPosition()) {
                auto why = !can_manage ? "the bot lacks the Manage Roles permission: enable it on the bot's role"
                                       : "the role '" + role->name +
                                             "' is not below the bot's highest role: in Server "
                                             "Settings > Roles, drag the bot's role above it";
                spdlog::error("discord: cannot {}: {} (will retry)", what, why);
                return DeliveryOutcome{DeliveryStatus::kRetry, why, std::nullopt};
            }
        }
        auto path = "/guilds/" + guild.guild_id() + "/members/" + user + "/roles/" + role_id;
        auto reason = Str(payload, "reason");
        auto r = messenger.rest().Request(grant ? "PUT" : "DELETE", path, nullptr, reason.empty() ? "Maxis" : reason);
        if (r.status == 404 && r.code == 10007) {
            spdlog::info("discord: {} skipped: the member left the server", what);
            return DeliveryOutcome{};
        }
        return OutcomeOf(r, what);
    });

    worker.Register(channels::kChannel, [&messenger, &guild, hooks](const scheduling::OutboxItem& item) {
        if (hooks.find_resource) {
            if (auto existing = hooks.find_resource(item.idempotency_key)) return DeliveryOutcome{};
        }
        auto payload = json::parse(item.payload).as_object();
        json::array overwrites;
        // Hidden from everyone (the @everyone role has the guild's id), visible to those listed.
        overwrites.push_back(
            json::object{{"id", guild.guild_id()}, {"type", 0}, {"allow", 0}, {"deny", permissions::kViewChannel}});
        // Discord's API description types allow/deny as integers.
        std::uint64_t open = permissions::kViewChannel | permissions::kSendMessages | permissions::kReadMessageHistory |
                             permissions::kEmbedLinks;
        for (const auto& role : Ids(payload.if_contains("staff_roles"))) {
            overwrites.push_back(json::object{{"id", role}, {"type", 0}, {"allow", open}, {"deny", 0}});
        }
        for (const auto& member : Ids(payload.if_contains("members"))) {
            overwrites.push_back(json::object{{"id", member}, {"type", 1}, {"allow", open}, {"deny", 0}});
        }
        if (auto bot = guild.bot_user_id(); !bot.empty()) {
            overwrites.push_back(json::object{{"id", bot}, {"type", 1}, {"allow", open}, {"deny", 0}});
        }
        json::object body{
            {"name", Str(payload, "name")}, {"type", 0}, {"permission_overwrites", std::move(overwrites)}};
        if (auto topic = Str(payload, "topic"); !topic.empty()) body["topic"] = topic;
        if (auto parent = Str(payload, "parent_id"); !parent.empty()) body["parent_id"] = parent;
        json::value request = std::move(body);
        auto r = messenger.rest().Request("POST", "/guilds/" + guild.guild_id() + "/channels", &request,
                                          "Maxis private channel");
        if (r.ok() && hooks.save_resource)
            hooks.save_resource(item.idempotency_key, "channel", Str(r.json.as_object(), "id"));
        return OutcomeOf(r, "create channel " + Str(payload, "name"));
    });

    worker.Register(channels::kChannelArchive, [&messenger, hooks](const scheduling::OutboxItem& item) {
        auto payload = json::parse(item.payload).as_object();
        auto resource = Str(payload, "resource");
        std::optional<std::string> id = hooks.find_resource ? hooks.find_resource(resource) : std::nullopt;
        if (!id) {
            // Not created yet (its item is still queued): try again later, so the archive follows the creation.
            return DeliveryOutcome{DeliveryStatus::kRetry, "channel " + resource + " not created yet", std::nullopt};
        }
        auto current = messenger.rest().Get("/channels/" + *id);
        if (current.status == 404) {
            spdlog::info("discord: channel {} was deleted; nothing to archive", *id);
            return DeliveryOutcome{};
        }
        if (!current.ok()) return OutcomeOf(current, "read channel " + *id);
        // The member loses access (read-only history stays with staff); the name says it is archived.
        auto member = Str(payload, "member");
        json::array overwrites;
        if (const auto* list = current.json.as_object().if_contains("permission_overwrites");
            list && list->is_array()) {
            for (const auto& o : list->as_array()) {
                if (o.is_object() && Str(o.as_object(), "id") != member) overwrites.push_back(o);
            }
        }
        auto name = Str(current.json.as_object(), "name");
        json::object body{{"permission_overwrites", std::move(overwrites)}};
        if (!name.starts_with("archive-")) body["name"] = ("archive-" + name).substr(0, 100);
        if (auto parent = Str(payload, "parent_id"); !parent.empty()) body["parent_id"] = parent;
        json::value request = std::move(body);
        return OutcomeOf(messenger.rest().Request("PATCH", "/channels/" + *id, &request, "Maxis: plan ended"),
                         "archive channel " + *id);
    });
}

}  // namespace maxis::discord
