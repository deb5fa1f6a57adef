#include "app/discord_runtime.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <ostream>
#include <thread>
#include <unordered_map>

#include "commands/catalog.hpp"
#include "commands/engine.hpp"
#include "commands/plan_commands.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/strings.hpp"
#include "crypto/crypto.hpp"
#include "discord/bot.hpp"
#include "discord/deliverers.hpp"
#include "discord/doctor.hpp"
#include "discord/gateway.hpp"
#include "discord/guild_state.hpp"
#include "discord/json_util.hpp"
#include "discord/members.hpp"
#include "discord/messenger.hpp"
#include "discord/render.hpp"
#include "discord/rest_client.hpp"
#include "discord/sealed_action.hpp"
#include "domain/members/member_directory.hpp"
#include "domain/plans/assistant.hpp"
#include "http/router.hpp"
#include "scheduler/outbox_worker.hpp"
#include "storage/database.hpp"
#include "storage/discord_store.hpp"
#include "storage/users.hpp"

namespace maxis::app {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

namespace {

discord::RestOptions RestOptionsFrom(const Config& config) {
    discord::RestOptions o;
    o.base_url = config.discord.api_base_url;
    o.token = config.secrets.discord_token.Reveal();
    o.user_agent = std::string("DiscordBot (https://maxis.community, ") + MAXIS_VERSION + ")";
    o.global_per_second = config.discord.global_rate_limit;
    return o;
}

/// The key that seals component state: derived from MAXIS_SECRET_KEY so that buttons keep working across
/// restarts and instances; without it, a random key for this run.
std::string SealingKey(const Config& config) {
    const auto& secret = config.secrets.secret_key;
    if (secret.empty()) {
        spdlog::warn("discord: MAXIS_SECRET_KEY is not set: buttons sent now stop working after a restart");
        return crypto::RandomBytes(32);
    }
    return crypto::HmacSha256(*crypto::HexDecode(secret.Reveal()), "maxis.discord.components.v1");
}

}  // namespace

struct DiscordRuntime::Parts {
    const Config& config;
    storage::Database& db;
    const core::Clock& clock;
    discord::RestClient rest;
    discord::ActionSealer sealer;
    discord::GuildState guild;
    discord::Messenger messenger;
    std::unique_ptr<discord::Bot> bot;
    std::unique_ptr<discord::GatewayClient> gateway;
    std::string application_id;
    DiscordPlans plans;
    members::MemberDirectory& directory;
    DiscordRuntime::MemberMessage member_message;     // set before Start
    DiscordRuntime::MemberCount member_count;         // set before Start
    std::function<void(core::UserId)> member_joined;  // set before Start
    // Invite tracking (set before Start): the tracker runs only when a join listener is set.
    std::function<void(const discord::TrackedJoin&)> invite_join;
    std::function<void(core::UserId, core::TimePoint)> member_left;
    std::function<void(const discord::TrackedInvite&)> invite_created;
    std::function<void(const std::string&)> invite_deleted;
    std::function<void(const discord::MemberMessageInfo&)> member_reply;
    std::unique_ptr<discord::InviteTracker> invites;

    /// Reconciles the gateway's count with Discord's own (GET /guilds/{id}?with_counts=true). The gateway's
    /// (GUILD_CREATE, then each join and leave) is exact and wins: Discord's is approximate and may lag, so it only
    /// reaches the listener when there is no gateway count to go by (the gateway off), and a gap is logged.
    void ReconcileMemberCount(bool gateway_on) {
        if (!member_count) return;
        try {
            auto r = rest.Get("/guilds/" + guild.guild_id() + "?with_counts=true");
            const json::value* n =
                r.ok() && r.json.is_object() ? r.json.as_object().if_contains("approximate_member_count") : nullptr;
            if (n == nullptr || !n->is_int64()) {
                spdlog::warn("discord: the guild's member count could not be read: {}", r.Describe());
                return;
            }
            auto gateway_count = guild.member_count();
            spdlog::info("discord: Discord counts about {} member(s) in the guild; the gateway {}", n->as_int64(),
                         gateway_count ? std::to_string(*gateway_count) : std::string("has not said yet"));
            if (gateway_count) {
                member_count(*gateway_count);
            } else if (!gateway_on) {
                member_count(n->as_int64());
            }
        } catch (const std::exception& e) {
            spdlog::warn("discord: the guild's member count could not be read: {}", e.what());
        }
    }

    /// The live gateway, for the commands sent from its own event handler (set before it starts).
    std::atomic<discord::GatewayClient*> live_gateway{nullptr};
    std::mutex connect_mu;  // one Connect at a time (start, reloads)
    mutable std::mutex health_mu;
    GatewayHealth failure;  // state "failed" when the gateway was refused for good; empty state otherwise

    void Fail(std::string reason, int code, std::string explanation) {
        spdlog::critical(
            "discord: {}; the rest of Maxis keeps serving. Fix it, then reload (systemctl reload maxis, "
            "or kill -HUP the process) to connect again",
            explanation);
        std::lock_guard lock(health_mu);
        failure = GatewayHealth{"failed", std::move(reason), code, std::move(explanation)};
    }
    bool failed() const {
        std::lock_guard lock(health_mu);
        return !failure.state.empty();
    }
    void Connect();

    // The directory: what was last written per person (so that each message does not write it again), and the
    // background reader of names the directory lacks (GET /guilds/{guild}/members/{user}).
    std::mutex people_mu;
    std::unordered_map<long long, std::string> written;
    std::condition_variable lookups_cv;
    std::deque<core::UserId> lookups;
    std::set<long long> looked_up;  // asked once per run: someone who is not a member is not asked again
    bool stopping = false;
    std::thread lookup_thread;

    /// Records the people whose names, avatar or role changed since last written, in one transaction.
    void SeePeople(const std::vector<members::Person>& people) {
        std::vector<members::Person> changed;
        {
            std::lock_guard lock(people_mu);
            if (written.size() > 100000) written.clear();
            for (const auto& person : people) {
                auto fingerprint = person.username + '\n' + person.display_name + '\n' + person.avatar_url + '\n' +
                                   std::string(core::ToString(person.role)) + (person.is_bot ? "b" : "");
                auto& last = written[person.id.value];
                if (last == fingerprint) continue;
                last = fingerprint;
                changed.push_back(person);
            }
        }
        if (changed.empty()) return;
        try {
            directory.Observe(changed);
        } catch (...) {
            std::lock_guard lock(people_mu);
            for (const auto& person : changed) written.erase(person.id.value);
            throw;
        }
    }
    void Forget(core::UserId id) {
        std::lock_guard lock(people_mu);
        written.erase(id.value);
    }
    /// Queues names to read from Discord (returns at once).
    void LookUp(const std::vector<core::UserId>& ids) {
        {
            std::lock_guard lock(people_mu);
            if (stopping) return;
            if (looked_up.size() > 100000) looked_up.clear();
            for (auto id : ids) {
                if (looked_up.insert(id.value).second) lookups.push_back(id);
            }
            if (!lookup_thread.joinable() && !lookups.empty()) lookup_thread = std::thread([this] { LookUpLoop(); });
        }
        lookups_cv.notify_one();
    }
    void LookUpLoop() {
        for (;;) {
            core::UserId id;
            {
                std::unique_lock lock(people_mu);
                lookups_cv.wait(lock, [this] { return stopping || !lookups.empty(); });
                if (stopping) return;
                id = lookups.front();
                lookups.pop_front();
            }
            try {
                auto r = rest.Get("/guilds/" + guild.guild_id() + "/members/" + id.ToString());
                if (r.ok() && r.json.is_object()) {
                    if (const auto* user = discord::Obj(r.json.as_object(), "user")) {
                        SeePeople({discord::PersonOf(guild, *user, &r.json.as_object())});
                    }
                } else {
                    spdlog::info("discord: no member {} to name ({})", id.value, r.Describe());
                }
            } catch (const std::exception& e) {
                spdlog::warn("discord: could not read member {}: {}", id.value, e.what());
            }
        }
    }
    void StopLookUps() {
        {
            std::lock_guard lock(people_mu);
            stopping = true;
        }
        lookups_cv.notify_all();
        if (lookup_thread.joinable()) lookup_thread.join();
    }

    Parts(const Config& c, const commands::Engine& engine, storage::Database& database, const core::Clock& clk,
          DiscordPlans p, members::MemberDirectory& members_directory)
        : config(c),
          db(database),
          clock(clk),
          rest(RestOptionsFrom(c), clk),
          sealer(SealingKey(c)),
          guild(c.discord.guild_id,
                discord::RoleMapping{c.discord.staff_role_ids, c.discord.admin_role_ids, c.discord.operator_user_ids}),
          messenger(rest, sealer),
          application_id(c.discord.application_id),
          plans(p),
          directory(members_directory) {
        discord::BotHooks hooks;
        hooks.people_seen = [this](const std::vector<members::Person>& people) { SeePeople(people); };
        hooks.person_left = [this](core::UserId id) {
            Forget(id);
            directory.Left(id);
        };
        hooks.request_members = [this](const std::string& guild_id) {
            if (auto* gateway_client = live_gateway.load()) {
                gateway_client->Send(discord::RequestGuildMembers(guild_id, "maxis-members"));
            }
        };
        hooks.member_seen = [this](core::UserId id, const std::string& name, const std::string& locale) {
            storage::EnsureUser(db, id, name, locale, clock.Now());
        };
        hooks.member_event = [this](core::UserId id, bool joined) {
            storage::RecordMemberEvent(db, id, joined, clock.Now());
            // A member who comes back gets their plan roles again.
            if (joined) {
                if (int n = plans.plans.RestoreRoles(id); n > 0) {
                    spdlog::info("plans: member {} rejoined; {} plan role(s) given back", id.value, n);
                }
                if (member_joined) member_joined(id);
            }
        };
        hooks.member_count = [this](long long count) {
            if (member_count) member_count(count);
        };
        hooks.count_members = [this] { ReconcileMemberCount(true); };
        hooks.converse = [this, &engine](const core::Viewer& viewer, const std::string& locale, const std::string& text,
                                         const std::vector<std::string>& images) {
            if (auto refusal = engine.RefuseIfBlocked(viewer, locale)) return *refusal;
            return commands::AssistantReply(engine.catalog(), locale, plans.assistant, viewer.user_id, text, images);
        };
        hooks.member_message = [this](core::UserId author, const std::string& channel, const std::string& message,
                                      std::size_t length) {
            if (member_message) member_message(author, channel, message, length);
        };
        hooks.member_message_info = [this](const discord::MemberMessageInfo& info) {
            if (member_reply) member_reply(info);
        };
        hooks.locale_of = [this](core::UserId id) { return storage::UserLocale(db, id); };
        hooks.message_processed = [this](const discord::ChannelCursor& c) {
            auto message_id = core::ParseId(c.last_message_id);
            if (!message_id) return;
            storage::AdvanceChannelCursor(db, storage::ChannelCursor{c.channel_id, c.guild_id, *message_id},
                                          clock.Now());
        };
        hooks.recent_channels = [this](core::TimePoint since, int limit) {
            std::vector<discord::ChannelCursor> out;
            for (const auto& c : storage::RecentChannelCursors(db, since, limit)) {
                out.push_back(discord::ChannelCursor{c.channel_id, c.guild_id, std::to_string(c.last_message_id)});
            }
            return out;
        };
        bot = std::make_unique<discord::Bot>(
            discord::BotOptions{.application_id = application_id,
                                .default_locale = c.community.locale,
                                .defer_after = c.discord.defer_after,
                                .handler_threads = c.discord.handler_threads,
                                .backfill_window = c.discord.backfill_window,
                                .backfill_max_messages = c.discord.backfill_max_messages,
                                .backfill_max_channels = c.discord.backfill_max_channels},
            engine, messenger, guild, std::move(hooks), clock);
    }
};

DiscordRuntime::DiscordRuntime(const Config& config, const commands::Engine& engine, storage::Database& db,
                               const core::Clock& clock, core::Metrics& metrics, DiscordPlans plans,
                               members::MemberDirectory& directory) {
    if (config.secrets.discord_token.empty()) throw Error(ErrorCode::kInternal, "Discord needs MAXIS_DISCORD_TOKEN");
    if (config.discord.guild_id.empty()) {
        throw Error(
            ErrorCode::kInvalidArgument,
            "configuration error: discord.guild_id is required with MAXIS_DISCORD_TOKEN: set it to your server's "
            "id (right-click the server > Copy Server ID)");
    }
    parts_ = std::make_unique<Parts>(config, engine, db, clock, plans, directory);
    auto* p = parts_.get();
    // Names a surface needs and the directory lacks: read from Discord off the caller's path.
    directory.OnMissing([p](const std::vector<core::UserId>& ids) { p->LookUp(ids); });
    metrics.DefineGauge("maxis_discord_guild_members", "Members of the community's Discord server", [p] {
        std::vector<std::pair<core::Labels, double>> out;
        if (auto n = p->guild.member_count()) out.push_back({{}, static_cast<double>(*n)});
        return out;
    });
    metrics.DefineGauge("maxis_discord_gateway_ready", "1 when the Discord gateway session is ready", [this] {
        return std::vector<std::pair<core::Labels, double>>{{{}, Gateway().state == "ready" ? 1.0 : 0.0}};
    });
    metrics.DefineGauge("maxis_discord_gateway_state",
                        "The Discord gateway's state (off, connecting, ready, failed), with why it failed", [this] {
                            auto h = Gateway();
                            return std::vector<std::pair<core::Labels, double>>{
                                {{{"state", h.state}, {"reason", h.reason.empty() ? "none" : h.reason}}, 1.0}};
                        });
    metrics.DefineGauge("maxis_discord_answered_total", "Prefix commands and interactions answered on Discord", [p] {
        auto s = p->bot->stats();
        return std::vector<std::pair<core::Labels, double>>{
            {{{"kind", "message"}}, static_cast<double>(s.messages)},
            {{{"kind", "interaction"}}, static_cast<double>(s.interactions)},
            {{{"kind", "deferred"}}, static_cast<double>(s.deferred)},
            {{{"kind", "backfilled"}}, static_cast<double>(s.backfilled)}};
    });
    metrics.DefineGauge("maxis_discord_rest_requests_total", "Requests sent to Discord's REST API, and 429s received",
                        [p] {
                            return std::vector<std::pair<core::Labels, double>>{
                                {{{"result", "sent"}}, static_cast<double>(p->rest.requests())},
                                {{{"result", "rate_limited"}}, static_cast<double>(p->rest.rate_limited())}};
                        });
}

DiscordRuntime::~DiscordRuntime() { Stop(); }

void DiscordRuntime::RegisterDeliverers(scheduler::OutboxWorker& worker) {
    auto* p = parts_.get();
    discord::DelivererHooks hooks;
    hooks.locale_of = [p](core::UserId id) { return storage::UserLocale(p->db, id); };
    hooks.find_resource = [p](const std::string& key) { return storage::FindDiscordResource(p->db, key); };
    hooks.save_resource = [p](const std::string& key, const std::string& kind, const std::string& id) {
        storage::SaveDiscordResource(p->db, key, kind, id, p->clock.Now());
    };
    discord::RegisterDeliverers(
        worker, p->messenger, p->guild, commands::Catalog::Builtin(),
        discord::DelivererOptions{p->config.community.locale, p->config.discord.staff_channel_id,
                                  p->config.discord.fallback_channel_id},
        std::move(hooks));
}

std::optional<core::TimePoint> DiscordRuntime::JoinedAt(core::UserId user) const {
    auto ms = parts_->guild.JoinedAt(user.ToString());
    if (!ms) return std::nullopt;
    return core::FromEpochMillis(*ms);
}

scheduler::DeliveryOutcome DiscordRuntime::PostOrEdit(const std::string& channel_id, const std::string& message_id,
                                                      const commands::Reply& reply, const std::string& nonce_key,
                                                      std::string& created) {
    auto& p = *parts_;
    if (message_id.empty()) {
        auto r = p.messenger.Send(channel_id, reply, nonce_key);
        if (r.ok() && r.json.is_object()) created = discord::Str(r.json.as_object(), "id");
        return discord::OutcomeOf(r, "post in channel " + channel_id);
    }
    auto body = discord::RenderMessages(reply, p.sealer).front();
    auto r = p.rest.Patch("/channels/" + channel_id + "/messages/" + message_id, body);
    return discord::OutcomeOf(r, "edit of message " + message_id);
}

scheduler::DeliveryOutcome DiscordRuntime::PostFiles(const std::string& channel_id, const commands::Reply& reply,
                                                     const std::vector<discord::UploadFile>& files,
                                                     const std::string& nonce_key, bool& too_large) {
    auto r = parts_->messenger.Send(channel_id, reply, nonce_key, "", files);
    too_large = r.status == 413 || r.code == 40005;
    return discord::OutcomeOf(r, "message with files in channel " + channel_id);
}

std::optional<long long> DiscordRuntime::GuildMembers() const {
    if (auto n = parts_->guild.member_count()) return static_cast<long long>(*n);
    return std::nullopt;
}

void DiscordRuntime::AddRoutes(http::Router& router) {
    const auto& key = parts_->config.discord.public_key;
    if (key.empty()) return;
    auto* p = parts_.get();
    router.Add("POST", "/discord/interactions", [p, key](const http::Request& req) {
        if (!discord::VerifyInteractionSignature(key, req.Header("x-signature-ed25519"),
                                                 req.Header("x-signature-timestamp"), req.body)) {
            return http::Response::Error(401, "unauthenticated", "invalid request signature");
        }
        boost::system::error_code ec;
        auto value = json::parse(req.body, ec);
        if (ec || !value.is_object())
            return http::Response::Error(400, "invalid_argument", "the body is not a JSON object");
        if (auto problem = discord::MalformedInteraction(value.as_object())) {
            spdlog::warn("discord: malformed interaction refused: {}", *problem);
            return http::Response::Error(400, "invalid_argument", *problem);
        }
        auto future = p->bot->Submit(std::move(value.as_object()));
        // The bot answers or defers within discord.defer_after; this bound only guards against a stuck pool.
        if (future.wait_for(std::chrono::milliseconds(2900)) != std::future_status::ready) {
            return http::Response::Error(503, "unavailable", "the interaction could not be answered in time");
        }
        auto response = future.get();
        if (response.empty()) return http::Response::Error(400, "invalid_argument", "unsupported interaction");
        return http::Response::Json(200, response);
    });
}

void DiscordRuntime::OnMemberMessage(MemberMessage listener) { parts_->member_message = std::move(listener); }
void DiscordRuntime::OnMemberJoined(std::function<void(core::UserId)> listener) {
    parts_->member_joined = std::move(listener);
}

void DiscordRuntime::OnMemberCount(MemberCount listener) { parts_->member_count = std::move(listener); }

void DiscordRuntime::OnInviteJoin(std::function<void(const discord::TrackedJoin&)> listener) {
    parts_->invite_join = std::move(listener);
}
void DiscordRuntime::OnMemberLeft(std::function<void(core::UserId, core::TimePoint)> listener) {
    parts_->member_left = std::move(listener);
}
void DiscordRuntime::OnInvite(std::function<void(const discord::TrackedInvite&)> created,
                              std::function<void(const std::string& code)> deleted) {
    parts_->invite_created = std::move(created);
    parts_->invite_deleted = std::move(deleted);
}
void DiscordRuntime::OnMemberReply(std::function<void(const discord::MemberMessageInfo&)> listener) {
    parts_->member_reply = std::move(listener);
}

std::optional<discord::InviteTrackerStats> DiscordRuntime::InviteTracking() const {
    if (!parts_->invites) return std::nullopt;
    return parts_->invites->stats();
}

std::string DiscordRuntime::CreateInvite(const std::string& channel_id) {
    json::value body = json::object{{"max_age", 0}, {"unique", true}};
    auto r = parts_->rest.Post("/channels/" + channel_id + "/invites", body);
    const json::value* code = r.ok() && r.json.is_object() ? r.json.as_object().if_contains("code") : nullptr;
    if (code == nullptr || !code->is_string()) {
        throw Error(ErrorCode::kUnavailable,
                    "Discord did not create an invite to channel " + channel_id + ": " + r.Describe());
    }
    return std::string(code->as_string());
}

void DiscordRuntime::ReconcileRoles() {
    auto* p = parts_.get();
    auto managed = p->plans.plans.catalog().ManagedRoles();
    if (managed.empty()) return;
    std::string error;
    auto members = discord::ListMemberRoles(p->rest, p->config.discord.guild_id, error);
    if (!members) {
        spdlog::warn("plans: role reconciliation skipped: cannot list the server's members: {}", error);
        return;
    }
    const auto& actual = *members;
    auto now = p->clock.Now();
    auto desired = p->plans.plans.DesiredRoles();
    auto changes = plans::RoleDrift(desired, actual, managed);
    int granted = 0, revoked = 0;
    for (const auto& c : changes) {
        (c.grant ? granted : revoked) += 1;
        spdlog::info("plans: reconciler: {} role {} {} <@{}>", c.grant ? "granting" : "revoking", c.role,
                     c.grant ? "to" : "from", c.user.value);
    }
    p->plans.plans.QueueRoleChanges(changes, "plans.reconcile." + std::to_string(core::ToEpochMillis(now)),
                                    "Maxis: role reconciliation");
    spdlog::info("plans: role reconciliation checked {} member(s), {} with a plan: {} role(s) to grant, {} to revoke",
                 actual.size(), desired.size(), granted, revoked);
}

void DiscordRuntime::Parts::Connect() {
    auto me = rest.Get("/users/@me");
    if (me.status == 401) {
        Fail("authentication_failed", 401,
             "Discord refused the bot token (401): copy a fresh one from the Developer Portal (your app > Bot > Reset "
             "Token) into MAXIS_DISCORD_TOKEN, then restart Maxis");
        return;
    }
    if (!me.ok())
        throw Error(ErrorCode::kUnavailable,
                    "cannot reach Discord at " + config.discord.api_base_url + ": " + me.Describe());
    if (application_id.empty()) {
        auto app = rest.Get("/applications/@me");
        if (!app.ok()) throw Error(ErrorCode::kUnavailable, "cannot read the Discord application: " + app.Describe());
        application_id = std::string(app.json.at("id").as_string());
    }
    bot->SetApplicationId(application_id);
    if (config.discord.register_commands) bot->RegisterCommands();
    ReconcileMemberCount(config.discord.gateway);
    if (!config.discord.gateway) {
        spdlog::info("discord: gateway off; interactions arrive at /discord/interactions");
        return;
    }
    if (invite_join && !invites) {
        discord::InviteTracker::Listeners listeners{invite_join, member_left, invite_created, invite_deleted};
        auto guild_id = config.discord.guild_id;
        invites = std::make_unique<discord::InviteTracker>(
            guild_id,
            [this, guild_id](bool with_vanity, std::string& error) {
                return discord::FetchInvites(rest, guild_id, with_vanity, error);
            },
            std::move(listeners), clock);
    }
    auto answer = rest.Get("/gateway/bot");
    if (!answer.ok()) throw Error(ErrorCode::kUnavailable, "cannot get the gateway URL: " + answer.Describe());
    std::string url(answer.json.at("url").as_string());
    auto client = std::make_unique<discord::GatewayClient>(
        discord::GatewayOptions{.url = url, .token = config.secrets.discord_token.Reveal()},
        [this](const std::string& type, const json::object& data) {
            bot->OnEvent(type, data);
            if (invites) invites->OnEvent(type, data);
        },
        [this](int code, const std::string& explanation) {
            // Called on the gateway's thread, which ends right after: no reconnection until a reload.
            auto reason = code == 0 ? std::string("bad_gateway_url") : discord::AdviseOnClose(code).reason;
            Fail(reason, code, explanation);
        });
    live_gateway = client.get();
    client->Start();
    {
        std::lock_guard lock(health_mu);
        gateway = std::move(client);
    }
    spdlog::info("discord: connecting to the gateway at {}", url);
}

void DiscordRuntime::Start() {
    auto* p = parts_.get();
    std::lock_guard lock(p->connect_mu);
    p->Connect();
}

bool DiscordRuntime::Reconnect() {
    auto* p = parts_.get();
    std::lock_guard lock(p->connect_mu);
    if (!p->failed()) return false;
    spdlog::info("discord: reload: connecting to Discord again");
    std::unique_ptr<discord::GatewayClient> old;
    {
        std::lock_guard health(p->health_mu);
        old = std::move(p->gateway);
        p->failure = GatewayHealth{};
    }
    if (old) old->Stop();
    p->live_gateway = nullptr;
    p->rest.TrustTokenAgain();
    try {
        p->Connect();
    } catch (const std::exception& e) {
        p->Fail("unreachable", 0, e.what());
    }
    return true;
}

GatewayHealth DiscordRuntime::Gateway() const {
    auto* p = parts_.get();
    std::lock_guard lock(p->health_mu);
    if (!p->failure.state.empty()) return p->failure;
    if (!p->config.discord.gateway) return GatewayHealth{"off", "", 0, ""};
    return GatewayHealth{p->gateway && p->gateway->ready() ? "ready" : "connecting", "", 0, ""};
}

void DiscordRuntime::Stop() {
    if (!parts_) return;
    parts_->directory.OnMissing(nullptr);
    {
        std::lock_guard lock(parts_->connect_mu);
        if (parts_->gateway) parts_->gateway->Stop();
    }
    if (parts_->invites) parts_->invites->Stop();
    parts_->bot->Drain();
    parts_->StopLookUps();
}

int RunDiscordDoctor(const Config& config, std::ostream& out) {
    if (config.secrets.discord_token.empty()) {
        out << "  ✗ MAXIS_DISCORD_TOKEN is not set\n      → copy the bot token from the Developer Portal (your app > "
               "Bot) "
               "into the environment (maxis.env)\n";
        return 1;
    }
    core::SystemClock clock;
    discord::RestClient rest(RestOptionsFrom(config), clock);
    const auto& d = config.discord;
    discord::DoctorOptions options{
        d.application_id,
        d.guild_id,
        {{"discord.staff_channel_id", d.staff_channel_id}, {"discord.fallback_channel_id", d.fallback_channel_id}},
        {},
        config.marketing.enabled};
    for (const auto& id : d.staff_role_ids) options.roles.emplace_back("discord.staff_role_ids", id);
    for (const auto& id : d.admin_role_ids) options.roles.emplace_back("discord.admin_role_ids", id);
    return discord::RunDoctor(rest, options, out);
}

}  // namespace maxis::app
