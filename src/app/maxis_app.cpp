#include "app/maxis_app.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/coins_module.hpp"
#include "app/discord_runtime.hpp"
#include "app/giveaways_module.hpp"
#include "app/marketing_module.hpp"
#include "app/members_module.hpp"
#include "app/payments_module.hpp"
#include "app/plans_module.hpp"
#include "app/preorders_module.hpp"
#include "app/shop_module.hpp"
#include "app/tickets_module.hpp"
#include "app/winner_grades_module.hpp"
#include "commands/builtin_commands.hpp"
#include "commands/engine.hpp"
#include "commands/notice.hpp"
#include "console/console.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/strings.hpp"
#include "crypto/crypto.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "http/api/tickets_api.hpp"
#include "http/ops_routes.hpp"
#include "http/server.hpp"
#include "panel/assets.hpp"
#include "panel/auth.hpp"
#include "panel/keyring.hpp"
#include "panel/routes.hpp"
#include "scheduler/outbox_worker.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/api_tokens.hpp"
#include "storage/database.hpp"
#include "storage/demo_catalog.hpp"
#include "storage/migrator.hpp"
#include "storage/panel_store.hpp"
#include "storage/plan_store.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/users.hpp"
#include "stripe/client.hpp"

namespace maxis::app::embedded {
const std::vector<std::pair<std::string_view, std::string_view>>& Files();
}

namespace maxis::app {

using core::Error;
using core::ErrorCode;

struct MaxisApp::Parts {
    core::SystemClock clock;
    core::Metrics metrics;
    std::optional<core::TimeZone> zone;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<stripe::Client> stripe_client;
    std::optional<Infrastructure> infra;
    // The feature modules, in the order they are built; each wires one feature.
    std::unique_ptr<MembersModule> members;  // the directory: first, every other part may use it
    std::unique_ptr<PlansModule> plans;
    std::unique_ptr<TicketsModule> tickets;
    std::unique_ptr<ShopModule> shop;
    std::unique_ptr<PreordersModule> preorders;  // built before payments, which routes its events; serves after
    std::unique_ptr<PaymentsModule> payments;
    std::unique_ptr<CoinsModule> coins;
    std::unique_ptr<GiveawaysModule> giveaways;
    std::unique_ptr<WinnerGradesModule> winner_grades;
    std::unique_ptr<MarketingModule> marketing;  // after plans, coins, shop and pre-orders; tells payments of sales
    std::vector<FeatureModule*> modules;
    std::unique_ptr<commands::Engine> engine;

    /// People's names for what is read outside Discord: the directory's, else the name Maxis first met them
    /// under (rows older than the directory).
    std::map<core::UserId, std::string> Names(const std::vector<core::UserId>& ids) {
        std::map<core::UserId, std::string> out;
        std::vector<core::UserId> missing;
        auto known = members ? members->directory().People(ids) : std::map<core::UserId, members::Person>{};
        for (auto id : ids) {
            auto it = known.find(id);
            std::string name = it == known.end()                  ? std::string()
                               : !it->second.display_name.empty() ? it->second.display_name
                                                                  : it->second.username;
            if (name.empty()) {
                missing.push_back(id);
            } else {
                out[id] = std::move(name);
            }
        }
        if (!missing.empty()) out.merge(storage::DisplayNames(*db, missing));
        return out;
    }
};

namespace {

/// Entering a giveaway earns coins once per giveaway (the giveaway's id is the ledger's ref), told after the entry
/// is committed; the odds never depend on coins. A failure to credit is logged, and the entry stands.
class CoinsForEntering final : public giveaways::EntryListener {
public:
    CoinsForEntering(coins::CoinService& coins, long long amount) : coins_(coins), amount_(amount) {}
    void OnEntered(giveaways::GiveawayId giveaway, core::UserId member) override {
        if (amount_ <= 0) return;
        try {
            coins_.Credit(member, amount_, coins::CoinReason::kGiveaway, std::to_string(giveaway.value));
        } catch (const std::exception& e) {
            spdlog::warn("coins: entering giveaway {} earned member {} nothing: {}", giveaway.value, member.value,
                         e.what());
        }
    }

private:
    coins::CoinService& coins_;
    long long amount_;
};

panel::PanelOptions PanelOptionsFrom(const Config& c) {
    panel::PanelOptions o;
    const auto& p = c.panel;
    o.public_url = p.public_url;
    o.insecure_http = p.insecure_http;
    o.idle_timeout = p.idle_timeout;
    o.absolute_timeout = p.absolute_timeout;
    o.require_second_factor = p.require_2fa;
    o.api_per_session = panel::RateLimit{p.api_requests_per_minute, std::chrono::minutes(1)};
    o.api_per_ip = panel::RateLimit{2 * p.api_requests_per_minute, std::chrono::minutes(1)};
    o.default_locale = c.community.locale;
    o.community_name = c.community.name;
    o.staff_user_ids = p.staff_user_ids;
    o.admin_user_ids = p.admin_user_ids;
    o.operator_user_ids = c.discord.operator_user_ids;
    o.staff_role_ids = c.discord.staff_role_ids;
    o.admin_role_ids = c.discord.admin_role_ids;
    o.oauth.client_id = p.oauth_client_id.empty() ? c.discord.application_id : p.oauth_client_id;
    o.oauth.client_secret = c.secrets.discord_client_secret.Reveal();
    o.oauth.authorize_url = p.oauth_authorize_url;
    o.oauth.token_url = p.oauth_token_url;
    o.oauth.api_base_url = p.oauth_api_base_url;
    o.oauth.guild_id = c.discord.guild_id;
    return o;
}

std::vector<std::string> MasterKeys(const Config& c) {
    std::vector<std::string> keys;
    if (auto k = crypto::HexDecode(c.secrets.secret_key.Reveal()); k && !k->empty()) keys.push_back(*k);
    for (const auto& part : core::Split(c.secrets.previous_secret_keys.Reveal(), ',')) {
        if (auto k = crypto::HexDecode(core::Trim(part)); k && !k->empty()) keys.push_back(*k);
    }
    return keys;
}

std::string ListenOrigin(const ServerConfig& s, std::uint16_t port, bool https) {
    std::string host = s.host == "0.0.0.0" || s.host == "::" ? "127.0.0.1" : s.host;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return std::string(https ? "https://" : "http://") + host + ":" + std::to_string(port);
}

/// The gateway's state as /readyz and the panel show it.
boost::json::object GatewayJson(const GatewayHealth& h) {
    boost::json::object o{{"gateway", h.state}};
    if (h.state == "failed") {
        o["state"] = "failed";
        o["reason"] = h.reason;
        o["close_code"] = h.close_code;
        o["explanation"] = h.explanation;
    } else {
        o["state"] = "ok";
    }
    return o;
}

/// Why the service refuses to open a database whose schema is behind this binary, and what to run.
std::string PendingMigrationsMessage(const std::vector<storage::Migration>& pending, int current, bool postgres) {
    std::string names = pending.front().name;
    if (pending.size() > 1) names += (pending.size() > 2 ? " ... " : ", ") + pending.back().name;
    std::string what =
        current == 0 ? "the database has no Maxis schema yet"
                     : "the database schema (version " + std::to_string(current) + ") is behind this version of Maxis";
    std::string message = what + ": " + std::to_string(pending.size()) + " migration(s) pending (" + names + "). ";
    if (!postgres) return message + "Run 'maxis migrate', or set [database] migrate_on_start = true";
    return message +
           "Maxis never migrates as the login role it serves with: run 'maxis migrate' with the owner's URL "
           "(in MAXIS_MIGRATION_DATABASE_URL, or 'maxis migrate --database <owner URL>'), then start again";
}

}  // namespace

MaxisApp::MaxisApp(Config config) : config_(std::move(config)), parts_(std::make_unique<Parts>()) {}

MaxisApp::~MaxisApp() = default;

void MaxisApp::OpenDatabase(bool apply_migrations) {
    auto url = config_.DatabaseUrl();
    const bool postgres = storage::DialectOf(url) == storage::Dialect::kPostgres;
    const auto& migration_url = config_.secrets.migration_database_url;
    // Through the owner's URL first: on a new cluster, the first migration creates the login role.
    if (apply_migrations && !migration_url.empty()) {
        storage::Database owner(storage::DatabaseOptions{migration_url.Reveal(), 1, config_.database.busy_timeout});
        storage::Migrator(owner, parts_->clock).Apply();
    }
    storage::DatabaseOptions options{url, config_.database.pool_size, config_.database.busy_timeout};
    parts_->db = std::make_unique<storage::Database>(options, &parts_->metrics);
    // On PostgreSQL without the owner's URL, the service holds only the login role, which may create nothing:
    // it reads the schema version below and never tries to migrate. SQLite migrates its own file.
    if (apply_migrations && migration_url.empty() && !postgres) storage::Migrator(*parts_->db, parts_->clock).Apply();
    storage::Migrator migrator(*parts_->db, parts_->clock);
    auto pending = migrator.Pending();
    if (!pending.empty()) {
        throw Error(ErrorCode::kUnavailable, PendingMigrationsMessage(pending, migrator.CurrentVersion(), postgres));
    }
    parts_->zone = core::TimeZone::Load(config_.community.time_zone);
    const auto& st = config_.stripe;
    parts_->stripe_client =
        std::make_unique<stripe::Client>(stripe::ClientOptions{.api_base = st.api_base,
                                                               .api_version = st.api_version,
                                                               .secret_key = config_.secrets.stripe_secret_key.Reveal(),
                                                               .max_attempts = st.max_attempts});
    std::string origin = !config_.panel.public_url.empty() ? config_.panel.public_url
                                                           : ListenOrigin(config_.server, config_.server.port, false);
    // Names come from the directory (built below, first of the modules), else from the name a member had when
    // Maxis first met them (rows from before the directory).
    parts_->infra.emplace(Infrastructure{
        config_, *parts_->db, parts_->clock, parts_->metrics, *parts_->zone, *parts_->stripe_client, origin,
        [parts = parts_.get()](const std::vector<core::UserId>& ids) { return parts->Names(ids); }});
    auto& infra = *parts_->infra;
    // The features, in order: the member directory first (others show people by name), then plans, since ticket
    // targets depend on them (priority support).
    parts_->members = std::make_unique<MembersModule>(infra);
    parts_->plans = std::make_unique<PlansModule>(infra);
    parts_->tickets = std::make_unique<TicketsModule>(infra, parts_->plans->SlaPolicy());
    parts_->shop = std::make_unique<ShopModule>(infra);
    parts_->preorders = std::make_unique<PreordersModule>(infra);
    parts_->payments = std::make_unique<PaymentsModule>(infra, *parts_->shop, *parts_->plans, *parts_->preorders);
    parts_->coins = std::make_unique<CoinsModule>(infra);
    parts_->giveaways = std::make_unique<GiveawaysModule>(infra, parts_->members->directory());
    parts_->giveaways->giveaways().SetEntryListener(
        std::make_shared<CoinsForEntering>(parts_->coins->coins(), config_.coins.entry_amount));
    parts_->winner_grades =
        std::make_unique<WinnerGradesModule>(infra, parts_->giveaways->giveaways(), parts_->plans->plans());
    parts_->modules = {parts_->members.get(),  parts_->plans.get(), parts_->tickets.get(),  parts_->shop.get(),
                       parts_->payments.get(), parts_->coins.get(), parts_->giveaways.get()};
    parts_->modules.push_back(parts_->winner_grades.get());
    parts_->modules.push_back(parts_->preorders.get());
    parts_->marketing = std::make_unique<MarketingModule>(infra, parts_->plans->plans(), parts_->coins->coins());
    parts_->payments->ListenToSales(&parts_->marketing->sales());
    parts_->modules.push_back(parts_->marketing.get());
    parts_->engine = std::make_unique<commands::Engine>(commands::Catalog::Builtin(), config_.community.command_prefix);
    commands::RegisterBuiltinCommands(*parts_->engine, MAXIS_VERSION);
    for (auto* module : parts_->modules) module->RegisterCommands(*parts_->engine);
    // A person typed by name in a command is whoever the directory says it is.
    parts_->engine->SetPeople([parts = parts_.get()](const std::string& name, bool staff_only) {
        return parts->members->directory().Resolve(name, staff_only).id;
    });
    // Members blocked from the panel get a refusal for every command, on every transport.
    parts_->engine->SetBlockedCheck(
        [db = parts_->db.get()](core::UserId id) { return storage::PanelStore(*db).IsBlocked(id); });
}

int MaxisApp::Serve(std::ostream& out) {
    // SIGHUP is a reload, waited for below: blocked before any thread starts, so none of them takes it.
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &hup, nullptr);
    OpenDatabase(config_.database.migrate_on_start);
    auto& db = *parts_->db;
    auto& clock = parts_->clock;
    if (config_.demo.seed_catalog && storage::SeedDemoCatalogOnce(db, clock)) {
        spdlog::info("seeded the demo catalog (first run)");
    }

    storage::SqlJobStore job_store(db);
    storage::SqlOutboxStore outbox_store(db);
    auto zone = core::TimeZone::Load(config_.community.time_zone);
    const auto& sc = config_.scheduler;
    scheduler::Scheduler scheduler(job_store, clock, zone,
                                   scheduler::SchedulerOptions{.worker_id = "maxis-" + std::to_string(::getpid()),
                                                               .lease = sc.job_lease,
                                                               .batch = sc.batch,
                                                               .backoff_base = sc.backoff_base,
                                                               .backoff_max = sc.backoff_max,
                                                               .tick = sc.tick},
                                   &parts_->metrics);
    scheduler.Register("maintenance.purge", [&](const scheduling::Job&) {
        auto before = clock.Now() - sc.keep_finished;
        auto jobs = job_store.PurgeFinished(before);
        auto items = outbox_store.PurgeDelivered(before);
        spdlog::info("purged {} finished job(s) and {} delivered outbox item(s)", jobs, items);
    });
    scheduler.AddRecurring("maintenance.purge", "maintenance.purge", *scheduling::Recurrence::Parse(sc.purge_schedule));
    const auto& oc = config_.outbox;
    scheduler::OutboxWorker outbox(outbox_store, clock,
                                   scheduler::OutboxOptions{.worker_id = "maxis-" + std::to_string(::getpid()),
                                                            .lease = oc.lease,
                                                            .batch = oc.batch,
                                                            .max_attempts = oc.max_attempts,
                                                            .backoff_base = oc.backoff_base,
                                                            .backoff_max = oc.backoff_max,
                                                            .tick = oc.tick},
                                   &parts_->metrics);

    // Discord, when a token is set: deliverers before the outbox starts, routes before the server starts.
    std::unique_ptr<DiscordRuntime> discord;
    if (!config_.secrets.discord_token.empty()) {
        discord = std::make_unique<DiscordRuntime>(config_, *parts_->engine, db, clock, parts_->metrics,
                                                   DiscordPlans{parts_->plans->plans(), parts_->plans->assistant()},
                                                   parts_->members->directory());
        discord->RegisterDeliverers(outbox);
    } else {
        spdlog::info("discord: MAXIS_DISCORD_TOKEN is not set; running without Discord (console, API)");
    }

    http::Router router;
    if (discord) discord->AddRoutes(router);
    auto* discord_runtime = discord.get();
    http::AddOperationalRoutes(
        router, std::string("maxis ") + MAXIS_VERSION, [&db] { return db.Ping(); }, parts_->metrics,
        [discord_runtime] {
            boost::json::object parts;
            if (discord_runtime) parts["discord"] = GatewayJson(discord_runtime->Gateway());
            return parts;
        });
    storage::ApiTokens tokens(db, clock);
    // The admin panel: its session cookie is also accepted by the REST API (with the CSRF checks).
    auto masters = MasterKeys(config_);
    if (masters.empty() && config_.panel.enabled) {
        spdlog::warn(
            "panel: MAXIS_SECRET_KEY is not set; panel sessions and second-factor enrolments end when Maxis "
            "restarts (run 'maxis init' to make a key)");
    }
    panel::Keyring keyring(masters);
    storage::PanelStore panel_store(db);
    panel::PanelAuth panel_auth(PanelOptionsFrom(config_), panel_store, clock, keyring);
    panel_auth.OnDiscordSignIn([this](const panel::OAuthIdentity& who, core::Role role) {
        parts_->members->directory().Observe(
            members::Person{.id = who.id,
                            .username = who.username,
                            .display_name = who.name,
                            .avatar_url = who.avatar_url,
                            .role = role,
                            // Without a guild to ask, Discord said nothing about presence.
                            .in_guild = who.in_guild || config_.discord.guild_id.empty()});
    });
    std::unique_ptr<panel::Assets> assets;
    std::unique_ptr<panel::PanelServices> panel_services;
    if (config_.panel.enabled) {
        assets = std::make_unique<panel::Assets>();
        std::vector<panel::RuntimeSetting> settings = {
            {"panel.require_2fa",
             panel::RuntimeSetting::Kind::kBoolean,
             0,
             0,
             [&panel_auth] { return std::string(panel_auth.RequireSecondFactor() ? "true" : "false"); },
             [&panel_auth](const std::string& v) { panel_auth.SetRequireSecondFactor(v == "true"); },
             {"Double authentification obligatoire", "Two-factor authentication required"},
             {"L'équipe saisit un code de son application d'authentification à chaque connexion au panneau.",
              "Staff give a code from their authenticator app at every panel sign-in."}},
        };
        for (auto* module : parts_->modules) module->AddSettings(settings);
        // Values changed from the panel win over the file.
        auto stored = panel_store.Settings();
        for (auto& setting : settings) {
            auto it = stored.find(setting.key);
            if (it == stored.end()) continue;
            try {
                setting.apply(panel::ValidateSetting(setting, it->second));
                spdlog::info("settings: {} = {} (changed from the panel)", setting.key, it->second);
            } catch (const Error& e) {
                spdlog::warn("settings: ignoring the stored value of {}: {}", setting.key, e.what());
            }
        }
        auto* discord_ptr = discord.get();
        panel_services = std::make_unique<panel::PanelServices>(
            panel::PanelServices{panel_auth, panel_store, clock, *parts_->zone, *assets,
                                 [this] { return DescribeConfig(config_); }, std::move(settings),
                                 [discord_ptr]() -> long long {
                                     if (discord_ptr == nullptr) return -1;
                                     return discord_ptr->GuildMembers().value_or(-1);
                                 },
                                 [discord_ptr]() -> boost::json::value {
                                     if (discord_ptr == nullptr) return nullptr;
                                     return GatewayJson(discord_ptr->Gateway());
                                 },
                                 panel::PanelServices::Setup{
                                     .discord_token = !config_.secrets.discord_token.empty(),
                                     .stripe_key = !config_.secrets.stripe_secret_key.empty(),
                                     .stripe_webhook = !config_.secrets.stripe_webhook_secret.empty(),
                                     .llm = !config_.assistant.api_base.empty() && !config_.assistant.model.empty()}});
        panel::AddPanelRoutes(router, *panel_services);
    }
    http::Authenticator api_viewer = [&tokens, &panel_auth, enabled = config_.panel.enabled,
                                      &engine = *parts_->engine](const http::Request& req) {
        // The token's query also reads its user's blocked flag: one read per request, not two.
        std::optional<bool> blocked;
        auto viewer = http::BearerViewer(req, [&tokens, &blocked](const std::string& t) -> std::optional<core::Viewer> {
            auto owner = tokens.Owner(t);
            if (!owner) return std::nullopt;
            blocked = owner->blocked;
            return owner->viewer;
        });
        if (!viewer && enabled) viewer = panel_auth.ApiViewer(req);
        // A blocked member's token opens nothing, as their chat commands and conversations do not.
        if (viewer && engine.Blocks(*viewer, blocked)) {
            throw core::Error(core::ErrorCode::kForbidden, "your access has been blocked by the staff");
        }
        return viewer;
    };
    Runtime runtime{router, scheduler, outbox, api_viewer, discord.get()};
    for (auto* module : parts_->modules) module->Serve(runtime);
    scheduler.Register("panel.purge", [&](const scheduling::Job&) {
        if (int n = panel_store.PurgeRateLimits(clock.Now() - std::chrono::hours(24)); n > 0) {
            spdlog::info("purged {} old rate-limit window(s)", n);
        }
    });
    scheduler.AddRecurring("panel.purge", "panel.purge", *scheduling::Recurrence::Parse("every 1h"));
    const auto& s = config_.server;
    http::Server server(
        http::ServerOptions{s.host, s.port, s.io_threads, s.worker_threads, s.body_limit_bytes, 16 * 1024,
                            s.read_timeout, s.idle_timeout, s.write_timeout, s.shutdown_grace, s.access_log},
        router, &parts_->metrics);
    // Discord first, so that the application id is known before any interaction can arrive over HTTP.
    // A refusal for good (token, intents) marks the gateway failed in /readyz, /metrics and the panel;
    // everything else keeps serving, and a reload (SIGHUP) connects again.
    if (discord) discord->Start();
    server.Start();
    scheduler.Start();
    outbox.Start();
    std::string base = "http://" + (s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host) + ":" +
                       std::to_string(server.port());
    out << "Maxis " << MAXIS_VERSION << " is running on " << base << " (database "
        << storage::RedactUrl(config_.DatabaseUrl()) << ")\n"
        << "  health:   " << base << "/healthz\n"
        << "  ready:    " << base << "/readyz\n"
        << "  metrics:  " << base << "/metrics\n"
        << (config_.panel.enabled
                ? "  panel:    " + base + "/admin-panel/  (first login: build/bin/maxis admin login-link" +
                      (config_.source.front() == '(' ? "" : " --config " + config_.source) + " --as you)\n"
                : std::string())
        << "Try it without Discord, in another terminal:\n"
        << "  build/bin/maxis console" << (config_.source.front() == '(' ? "" : " --config " + config_.source)
        << " --as alice\n"
        << "Stop with Ctrl+C." << std::endl;
    spdlog::info("maxis {} listening on {}", MAXIS_VERSION, base);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    int sig = 0;
    for (;;) {
        sigwait(&set, &sig);
        if (sig != SIGHUP) break;
        // A reload: what an operator fixed outside Maxis (the intents in the Developer Portal) is tried again.
        if (!discord || !discord->Reconnect()) spdlog::info("received SIGHUP: nothing to reconnect");
    }
    spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");

    server.Shutdown();
    if (discord) discord->Stop();
    outbox.Stop();
    scheduler.Stop();
    spdlog::info("stopped");
    return 0;
}

void MaxisApp::ObserveCommandLineUser(core::UserId id, const std::string& user, core::Role role) {
    // Someone named on the command line (--as) is in the directory under that name, so that names work without
    // Discord (an id given as digits keeps the names the directory knows).
    const std::string name = members::MentionedId(user) ? std::string() : user;
    parts_->members->directory().Observe(
        members::Person{.id = id, .username = name, .display_name = name, .role = role});
}

int MaxisApp::Console(const ConsoleRequest& request, std::istream& in, std::ostream& out, bool interactive) {
    auto id = ConsoleUserId(request.user);  // a bad --as is refused before anything is opened
    OpenDatabase(config_.database.migrate_on_start);
    auto locale = commands::Catalog::Builtin().Resolve(request.locale.value_or(config_.community.locale));
    storage::EnsureUser(*parts_->db, id, request.user, locale, parts_->clock.Now());
    ObserveCommandLineUser(id, request.user, request.role);
    console::ConsoleOptions options{core::Viewer{id, request.role}, request.user, locale, MAXIS_VERSION, interactive};
    options.names = parts_->infra->names;
    options.zone = &*parts_->zone;  // Discord timestamps (a countdown, a date) in words
    options.clock = &parts_->clock;
    // Notifications meant for this user (or for staff, when signed in as staff) are shown as they are written.
    storage::SqlOutboxStore outbox(*parts_->db);
    auto last_seen = std::make_shared<long long>(outbox.LastId());
    const auto& catalog = commands::Catalog::Builtin();
    options.notices = [&outbox, last_seen, id, staff = options.viewer.IsStaff(), locale, &catalog] {
        std::vector<std::string> out;
        for (const auto& item : outbox.Peek(*last_seen, 100)) {
            *last_seen = item.id.value;
            if (item.channel != scheduling::kNoticeToMember && item.channel != scheduling::kNoticeToStaff) continue;
            auto notice = scheduling::ParseNotice(item.channel, item.payload);
            bool mine = notice.audience == scheduling::Notice::Audience::kMember && notice.recipient == id;
            if (!mine && !(staff && notice.audience == scheduling::Notice::Audience::kStaff)) continue;
            out.push_back(commands::NoticeReply(notice, catalog, locale).text);
        }
        return out;
    };
    int errors = console::RunConsole(*parts_->engine, options, in, out);
    return errors == 0 ? 0 : 1;
}

int MaxisApp::Admin(const LoginLinkRequest& request, std::ostream& out) {
    auto id = ConsoleUserId(request.user);
    OpenDatabase(config_.database.migrate_on_start);
    storage::PanelStore store(*parts_->db);
    if (request.reset_second_factor) {
        bool removed = store.ResetTotp(id);
        store.Audit("security", std::nullopt, "2fa.reset", id.ToString(), "from the command line", "cli",
                    parts_->clock.Now());
        out << (removed ? "second factor removed for " : "no second factor was set up for ") << request.user << " ("
            << id.value << ")\n";
        return 0;
    }
    if (!config_.panel.enabled)
        throw Error(ErrorCode::kInvalidArgument, "the panel is disabled ([panel] enabled = false)");
    panel::Keyring keyring({});
    panel::PanelAuth auth(PanelOptionsFrom(config_), store, parts_->clock, keyring);
    storage::EnsureUser(*parts_->db, id, request.user, config_.community.locale, parts_->clock.Now());
    ObserveCommandLineUser(id, request.user, request.role);
    auto token = auth.CreateLoginLink(storage::LoginGrant{id, request.role, request.user});
    std::string base = !request.base_url.empty() ? request.base_url
                       : !config_.panel.public_url.empty()
                           ? config_.panel.public_url
                           : ListenOrigin(config_.server, config_.server.port, !config_.panel.insecure_http);
    while (!base.empty() && base.back() == '/') base.pop_back();
    out << base << "/admin-panel/auth/link?token=" << token << "\n";
    std::cerr << "One-time login link for " << request.user << " (" << core::ToString(request.role)
              << "), valid 10 minutes. Open it in your browser.\n";
    return 0;
}

int MaxisApp::GrantNotes(bool fix, std::ostream& out) {
    OpenDatabase(config_.database.migrate_on_start);
    auto rows = storage::FixOldGrantNotes(*parts_->db, fix);
    for (const auto& row : rows) {
        const auto& s = row.split;
        out << "grant #" << row.id << " of " << row.user.value << ": \"" << core::EscapeForTerminal(row.note)
            << "\" -> reason \"" << core::EscapeForTerminal(s.note) << "\"";
        if (s.granted_by) out << ", granted by " << s.granted_by->value;
        if (s.end != plans::GrantEnd::kNone) out << ", ended: " << plans::ToString(s.end);
        if (s.ended_by) out << " by " << s.ended_by->value;
        if (!s.end_note.empty()) out << " (\"" << core::EscapeForTerminal(s.end_note) << "\")";
        out << "\n";
    }
    if (rows.empty()) {
        out << "no grant note in the old format\n";
    } else if (fix) {
        out << rows.size() << " grant note(s) split\n";
    } else {
        out << rows.size() << " grant note(s) would change; run again with --fix to change them\n";
    }
    return 0;
}

int MaxisApp::Doctor(std::ostream& out) { return RunDiscordDoctor(config_, out) == 0 ? 0 : 1; }

int MaxisApp::Migrate(bool status_only, std::ostream& out) {
    const auto& migration_url = config_.secrets.migration_database_url;
    std::string url = migration_url.empty() ? config_.DatabaseUrl() : migration_url.Reveal();
    storage::Database db(storage::DatabaseOptions{url, 1, config_.database.busy_timeout});
    storage::Migrator migrator(db, parts_->clock);
    auto pending = migrator.Pending();
    if (status_only) {
        out << "schema version " << migrator.CurrentVersion() << ", " << pending.size() << " pending\n";
        for (const auto& m : pending) out << "  pending: " << m.name << "\n";
        return 0;
    }
    int applied = migrator.Apply();
    out << "applied " << applied << " migration(s); schema version " << migrator.CurrentVersion() << "\n";
    return 0;
}

int MaxisApp::Tokens(const TokenRequest& request, std::ostream& out) {
    if (request.action == TokenRequest::Action::kCreate)
        ConsoleUserId(request.user);  // refused before anything is opened
    OpenDatabase(config_.database.migrate_on_start);
    storage::ApiTokens tokens(*parts_->db, parts_->clock);
    if (request.action == TokenRequest::Action::kCreate) {
        auto token = tokens.Create(core::Viewer{ConsoleUserId(request.user), request.role}, request.label);
        out << token << "\n";
        std::cerr << "API token for " << request.user << " (" << core::ToString(request.role)
                  << "). It is shown once: store it now. Use it as 'Authorization: Bearer <token>'.\n";
        return 0;
    }
    if (request.action == TokenRequest::Action::kRevoke) {
        if (!tokens.Revoke(request.id))
            throw Error(ErrorCode::kNotFound, "no live token with id " + std::to_string(request.id));
        out << "revoked token " << request.id << "\n";
        return 0;
    }
    for (const auto& t : tokens.List()) {
        out << t.id << "\t" << t.viewer.user_id.value << "\t" << core::ToString(t.viewer.role) << "\t"
            << (t.revoked ? "revoked" : "live") << "\t" << parts_->zone->Format(t.created_at) << "\t" << t.label
            << "\n";
    }
    return 0;
}

void BlockTerminationSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void InitConfig(const std::string& config_path, const std::string& env_path, bool force, std::ostream& out) {
    for (const auto& path : {config_path, env_path}) {
        if (!force && std::filesystem::exists(path)) {
            throw Error(ErrorCode::kConflict, path + " already exists (use --force to replace it)");
        }
    }
    std::string_view example;
    for (const auto& [name, content] : embedded::Files()) {
        if (name == "config/maxis.example.toml") example = content;
    }
    {
        std::ofstream f(config_path, std::ios::trunc);
        if (!f) throw Error(ErrorCode::kUnavailable, "cannot write " + config_path);
        f << example;
    }
    // Create the secrets file with owner-only permissions before writing anything into it.
    mode_t previous = ::umask(077);
    {
        std::ofstream f(env_path, std::ios::trunc);
        ::umask(previous);
        if (!f) throw Error(ErrorCode::kUnavailable, "cannot write " + env_path);
        f << "# Secrets for Maxis (systemd EnvironmentFile format). Keep this file private.\n"
          << "MAXIS_SECRET_KEY=" << crypto::RandomHex(32) << "\n"
          << "MAXIS_CONTROL_API_KEY=" << crypto::Base64UrlEncode(crypto::RandomBytes(32)) << "\n";
    }
    std::filesystem::permissions(env_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace);
    out << "wrote " << config_path << " (settings, every key documented)\n"
        << "wrote " << env_path << " (fresh secrets, mode 600)\n"
        << "start with:  set -a; . " << env_path << "; set +a; maxis serve --config " << config_path << "\n";
}

core::UserId ConsoleUserId(const std::string& user) {
    if (!user.empty() && user.find_first_not_of("0123456789") == std::string::npos) {
        // Digits are an id, never a name: one that is not a valid id is refused.
        auto id = core::ParseId(user);
        if (!id) {
            throw Error(
                ErrorCode::kInvalidArgument,
                "--as: '" + user + "' is not a valid user id (digits, from 1 to 9223372036854775807), nor a name");
        }
        return core::UserId{*id};
    }
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (unsigned char c : user) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return core::UserId{static_cast<std::int64_t>(h >> 1) | 1};
}

}  // namespace maxis::app
