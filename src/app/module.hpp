#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "core/people.hpp"
#include "http/api/tickets_api.hpp"

namespace maxis::commands {
class Engine;
}
namespace maxis::core {
class Clock;
class Metrics;
class TimeZone;
}  // namespace maxis::core
namespace maxis::http {
class Router;
}
namespace maxis::panel {
struct RuntimeSetting;
}
namespace maxis::scheduler {
class Scheduler;
class OutboxWorker;
}  // namespace maxis::scheduler
namespace maxis::storage {
class Database;
}
namespace maxis::stripe {
class Client;
}

namespace maxis::app {

class DiscordRuntime;

/// What every feature module may use, built before any of them: the configuration, the database, the clock,
/// metrics, the community's time zone, the Stripe client and the address members come back to.
struct Infrastructure {
    const Config& config;
    storage::Database& db;
    const core::Clock& clock;
    core::Metrics& metrics;
    const core::TimeZone& zone;
    stripe::Client& stripe;
    std::string origin;      // panel.public_url, else the listen address: return pages and links
    core::NameLookup names;  // people's names, for what is read outside Discord
};

/// What a serving process adds: the router, the scheduler, the outbox worker, the REST API's
/// authenticator, and Discord when a token is set (null otherwise).
struct Runtime {
    http::Router& router;
    scheduler::Scheduler& scheduler;
    scheduler::OutboxWorker& outbox;
    const http::Authenticator& api_viewer;
    DiscordRuntime* discord = nullptr;
};

/// One feature's wiring, in one place: its constructor reads the feature's configuration section and builds
/// its services (storage, providers, domain); the hooks register what the feature offers at each door.
/// maxis_app.cpp lists the modules in order; a module that needs another takes it in its constructor.
class FeatureModule {
public:
    virtual ~FeatureModule() = default;
    [[nodiscard]] virtual std::string_view Name() const = 0;
    /// Chat commands (Discord and the console), in every process that runs commands.
    virtual void RegisterCommands(commands::Engine& /*engine*/) {}
    /// Settings an admin may change from the panel while Maxis runs.
    virtual void AddSettings(std::vector<panel::RuntimeSetting>& /*settings*/) {}
    /// REST routes, webhooks, recurring jobs and outbox deliverers, in the serving process only.
    virtual void Serve(Runtime& /*runtime*/) {}
};

}  // namespace maxis::app
