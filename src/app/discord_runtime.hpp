#pragma once
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "discord/bot.hpp"
#include "discord/invite_tracker.hpp"
#include "discord/rest_client.hpp"
#include "scheduler/outbox_worker.hpp"

namespace maxis::commands {
class Engine;
}
namespace maxis::core {
class Clock;
class Metrics;
}  // namespace maxis::core
namespace maxis::http {
class Router;
}
namespace maxis::scheduler {
class OutboxWorker;
}
namespace maxis::storage {
class Database;
}

namespace maxis::plans {
class PlanService;
class Assistant;
}  // namespace maxis::plans

namespace maxis::members {
class MemberDirectory;
}

namespace maxis::commands {
struct Reply;
}

namespace maxis::app {

/// What the Discord side needs from plans: roles to restore and reconcile, and the assistant to talk to.
struct DiscordPlans {
    plans::PlanService& plans;
    plans::Assistant& assistant;
};

/// Where the gateway connection stands, for /readyz, /metrics and the panel.
struct GatewayHealth {
    std::string state;        // off (discord.gateway = false), connecting, ready, failed
    std::string reason;       // when failed, from a closed set: authentication_failed, disallowed_intents,
                              // invalid_intents, invalid_shard, sharding_required, invalid_api_version,
                              // bad_gateway_url, unreachable
    int close_code = 0;       // the gateway's close code, 401 for a token refused over REST, 0 otherwise
    std::string explanation;  // what to fix
};

/// Maxis's Discord side, assembled from the configuration: REST client, guild state, bot, gateway,
/// outbox deliverers and the signed HTTP interactions endpoint. Exists only with a token.
class DiscordRuntime {
public:
    /// directory: kept up to date from the guild's member list and events; names it lacks are read from Discord
    /// in the background.
    DiscordRuntime(const Config& config, const commands::Engine& engine, storage::Database& db,
                   const core::Clock& clock, core::Metrics& metrics, DiscordPlans plans,
                   members::MemberDirectory& directory);
    ~DiscordRuntime();

    void RegisterDeliverers(scheduler::OutboxWorker& worker);
    /// Members of the community's server as the gateway last reported, if known.
    [[nodiscard]] std::optional<long long> GuildMembers() const;
    /// POST /discord/interactions, when discord.public_key is set.
    void AddRoutes(http::Router& router);
    /// Resolves the application id, registers the slash commands and connects the gateway. When Discord
    /// refuses for good (bad token, intents not enabled), the gateway is marked failed with what to fix and
    /// left alone; everything else keeps serving. Throws when Discord cannot be reached at all.
    void Start();
    /// After a failure, an operator's reload (SIGHUP): connects again. False when nothing had failed.
    bool Reconnect();
    [[nodiscard]] GatewayHealth Gateway() const;
    void Stop();
    /// A member's message on the community's server that is not a command (never a bot's): author, channel,
    /// message id and length in characters. For the features that count activity; set before Start.
    using MemberMessage = std::function<void(core::UserId author, const std::string& channel_id,
                                             const std::string& message_id, std::size_t length)>;
    void OnMemberMessage(MemberMessage listener);
    /// The guild's member count, each time the gateway reports it (GUILD_CREATE, a join, a leave) and as Discord's
    /// REST API gives it (GET /guilds/{id}?with_counts=true) at the start and when a session begins or resumes.
    /// Called off the gateway thread. For the features that follow the count; set before Start.
    using MemberCount = std::function<void(long long count)>;
    void OnMemberCount(MemberCount listener);
    /// A member joined (or rejoined) the community's server (GUILD_MEMBER_ADD), after plans gave their roles back.
    /// For the features that restore something of their own on a rejoin; set before Start.
    void OnMemberJoined(std::function<void(core::UserId)> listener);
    /// Invite tracking, for the features that count invites (set before Start; without a join listener the
    /// guild's invites are never read). A member's arrival with the invite the use counts point to (or the vanity
    /// URL, or unknown: exact or not made), then leaves, in the order the gateway gave them; invites as created
    /// (and each of the list read at each session) and deleted. Called on the tracker's worker, off the gateway
    /// thread, one at a time.
    void OnInviteJoin(std::function<void(const discord::TrackedJoin&)> listener);
    void OnMemberLeft(std::function<void(core::UserId, core::TimePoint)> listener);
    void OnInvite(std::function<void(const discord::TrackedInvite&)> created,
                  std::function<void(const std::string& code)> deleted);
    /// A member's message that is not a command, with the author of the message it replies to (whether a bot);
    /// set before Start. Called on the bot's pool.
    void OnMemberReply(std::function<void(const discord::MemberMessageInfo&)> listener);
    /// How many joins the tracker attributed, exactly or not (nullopt when it does not run).
    [[nodiscard]] std::optional<discord::InviteTrackerStats> InviteTracking() const;
    /// An invite to channel_id that never expires and is never reused for another (POST /channels/{id}/invites,
    /// max_age 0, unique): its code. Throws core::Error when Discord refuses (with what to fix).
    std::string CreateInvite(const std::string& channel_id);

    /// The role reconciler: compares the plan roles members hold (listed from Discord) with their plans,
    /// queues the fixes both ways and logs a report.
    void ReconcileRoles();

    /// When a member joined the server, from the member object of their last interaction, message or member
    /// event since the start; nullopt when not seen.
    [[nodiscard]] std::optional<core::TimePoint> JoinedAt(core::UserId user) const;
    /// A feature's own post (a giveaway's): posted as one message in channel_id (its buttons sealed), or, when
    /// message_id is set, that message edited in place. The new message's id comes back in created.
    scheduler::DeliveryOutcome PostOrEdit(const std::string& channel_id, const std::string& message_id,
                                          const commands::Reply& reply, const std::string& nonce_key,
                                          std::string& created);
    /// A feature's message with files in channel_id (multipart/form-data). too_large is set when Discord refused
    /// the files' size (413, 40005: over the upload limit), for the caller to say where else to get them.
    scheduler::DeliveryOutcome PostFiles(const std::string& channel_id, const commands::Reply& reply,
                                         const std::vector<discord::UploadFile>& files, const std::string& nonce_key,
                                         bool& too_large);

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

/// `maxis doctor`: checks the Discord setup and prints what to fix. Returns the number of problems.
int RunDiscordDoctor(const Config& config, std::ostream& out);

}  // namespace maxis::app
