#pragma once
#include <optional>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "app/config.hpp"

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

namespace maxis::app {

/// What the Discord side needs from plans: roles to restore and reconcile, and the assistant to talk to.
struct DiscordPlans {
    plans::PlanService& plans;
    plans::Assistant& assistant;
};

/// Maxis's Discord side, assembled from the configuration: REST client, guild state, bot, gateway,
/// outbox deliverers and the signed HTTP interactions endpoint. Exists only with a token.
class DiscordRuntime {
public:
    DiscordRuntime(const Config& config, const commands::Engine& engine, storage::Database& db, const core::Clock& clock,
                   core::Metrics& metrics, DiscordPlans plans);
    ~DiscordRuntime();

    void RegisterDeliverers(scheduler::OutboxWorker& worker);
    /// Members of the community's server as the gateway last reported, if known.
    [[nodiscard]] std::optional<long long> GuildMembers() const;
    /// POST /discord/interactions, when discord.public_key is set.
    void AddRoutes(http::Router& router);
    /// Resolves the application id, registers the slash commands and connects the gateway. on_fatal is
    /// called once if Discord refuses the connection for good (bad token, intents not enabled).
    void Start(std::function<void(const std::string&)> on_fatal);
    void Stop();
    /// The role reconciler: compares the plan roles members hold (listed from Discord) with their plans,
    /// queues the fixes both ways and logs a report.
    void ReconcileRoles();

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

/// `maxis doctor`: checks the Discord setup and prints what to fix. Returns the number of problems.
int RunDiscordDoctor(const Config& config, std::ostream& out);

}  // namespace maxis::app
