// maxis: parse the command line, load the configuration, hand over to MaxisApp.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/config.hpp"
#include "app/giveaways_module.hpp"
#include "app/maxis_app.hpp"
#include "core/errors.hpp"
#include "core/logging.hpp"
#include "core/strings.hpp"

namespace {

using maxis::app::Config;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Common {
    std::string config_path;
    std::string database;
    std::string log_level;
    std::string log_format;
};

Config Load(const Common& common) {
    std::optional<std::string> path;
    if (!common.config_path.empty()) path = common.config_path;
    auto config = maxis::app::LoadConfig(path, maxis::app::ProcessEnvironment());
    if (!common.database.empty()) {
        // --database wins over the file and the environment.
        config.database.url = common.database;
        config.secrets.database_url = maxis::app::Secret();
    }
    if (!common.log_level.empty()) config.log.level = common.log_level;
    if (!common.log_format.empty()) config.log.format = common.log_format;
    maxis::core::SetupLogging(
        config.log.level, config.log.format == "json" ? maxis::core::LogFormat::kJson : maxis::core::LogFormat::kText);
    return config;
}

/// The global options, defined once on the application. Every subcommand falls through to them, so they
/// work before the subcommand and after it ("maxis serve --log-level debug").
void AddGlobalOptions(CLI::App& cli, Common& common) {
    cli.fallthrough();  // inherited by every subcommand added afterwards
    cli.set_version_flag("--version", std::string("maxis ") + MAXIS_VERSION);
    cli.add_option("--config", common.config_path, "TOML configuration file")->check(CLI::ExistingFile);
    cli.add_option("--database", common.database, "sqlite:PATH or postgresql://... (overrides the config)");
    cli.add_option("--log-level", common.log_level, "trace, debug, info, warn, error, critical or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    cli.add_option("--log-format", common.log_format, "text (default) or json (one object a line)")
        ->check(CLI::IsMember({"text", "json"}));
}

constexpr const char* kGlobalFooter =
    "Global options (--config, --database, --log-level, --log-format, --version) work before or after the "
    "command; see maxis --help.";

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Maxis: a paid Discord community's shop, plans, support tickets and more, in one process."};
    cli.require_subcommand(1);
    Common common;
    AddGlobalOptions(cli, common);

    auto* serve = cli.add_subcommand("serve", "Run Maxis: HTTP server, scheduler and outbox");
    std::string listen;
    serve->add_option("--listen", listen, "HOST:PORT to listen on (overrides server.listen)");

    auto* console = cli.add_subcommand("console", "Run chat commands from the terminal, as a member or staff");
    maxis::app::ConsoleRequest request;
    std::string role = "member", locale;
    console->add_option("--as", request.user, "who you are: a Discord user id or a name")->required();
    console->add_option("--role", role, "member, staff, admin or operator")
        ->check(CLI::IsMember({"member", "staff", "admin", "operator"}));
    console->add_option("--locale", locale, "fr or en (default: the community's)")->check(CLI::IsMember({"fr", "en"}));

    auto* migrate = cli.add_subcommand("migrate", "Apply pending database migrations");
    bool status_only = false;
    migrate->add_flag("--status", status_only, "Only show the schema version and what is pending");

    auto* init = cli.add_subcommand("init", "Write a documented configuration file and fresh secrets");
    std::string init_config = "maxis.toml", init_env = "maxis.env";
    bool force = false;
    init->add_option("--config", init_config, "where to write the configuration")->capture_default_str();
    init->add_option("--env-file", init_env, "where to write the secrets")->capture_default_str();
    init->add_flag("--force", force, "Replace existing files");

    auto* token = cli.add_subcommand("token", "Manage REST API bearer tokens");
    token->require_subcommand(1);
    maxis::app::TokenRequest token_request;
    std::string token_role = "member";
    auto* token_create = token->add_subcommand("create", "Create a token for a user and role (printed once)");
    token_create->add_option("--as", token_request.user, "whose token: a Discord user id or a console name")
        ->required();
    token_create->add_option("--role", token_role, "member, staff, admin or operator")
        ->check(CLI::IsMember({"member", "staff", "admin", "operator"}));
    token_create->add_option("--label", token_request.label, "what it is for");
    auto* token_list = token->add_subcommand("list", "List tokens (never the tokens themselves)");
    auto* token_revoke = token->add_subcommand("revoke", "Revoke a token by id");
    token_revoke->add_option("id", token_request.id, "the id shown by 'maxis token list'")->required();

    auto* admin = cli.add_subcommand("admin", "Admin panel tools");
    admin->require_subcommand(1);
    maxis::app::LoginLinkRequest link_request;
    std::string link_role = "admin";
    auto* login_link = admin->add_subcommand("login-link", "Print a one-time panel login link (valid 10 minutes)");
    login_link->add_option("--as", link_request.user, "who logs in: a Discord user id or a name")->required();
    login_link->add_option("--role", link_role, "staff, admin or operator")
        ->check(CLI::IsMember({"staff", "admin", "operator"}));
    login_link->add_option("--url", link_request.base_url,
                           "the panel's origin (default: panel.public_url, else the listen address)");
    auto* reset_2fa = admin->add_subcommand("reset-2fa", "Remove a staff member's second factor (they enrol again)");
    reset_2fa->add_option("--as", link_request.user, "whose: a Discord user id or a name")->required();
    bool fix_notes = false;
    auto* grant_notes =
        admin->add_subcommand("grant-notes",
                              "List temporary grants whose note still says who granted or ended them (written before "
                              "migration 0011); --fix moves that into its own fields");
    grant_notes->add_flag("--fix", fix_notes, "change them (without it: only list what would change)");

    auto* doctor = cli.add_subcommand("doctor", "Check the Discord token, intents and permissions and say what to fix");

    auto* check = cli.add_subcommand("check-config", "Validate the configuration and show the effective settings");

    auto* giveaway = cli.add_subcommand("giveaway", "Giveaway tools");
    giveaway->require_subcommand(1);
    std::string proof_file;
    auto* giveaway_verify =
        giveaway->add_subcommand("verify", "Recompute a giveaway's draw from its published proof (JSON) and compare");
    giveaway_verify->add_option("FILE", proof_file, "The proof, as GET /api/v1/giveaways/{id}/proof returns it")
        ->required();

    for (auto* sub : cli.get_subcommands({})) sub->footer(kGlobalFooter);

    CLI11_PARSE(cli, argc, argv);

    try {
        if (*init) {
            // init's own --config names the file to write; the global ones would silently do nothing.
            if (cli.count("--config") > 0 || cli.count("--database") > 0) {
                std::cerr << "maxis: init takes --config (where to write) after 'init', and no --database\n";
                return kExitUsage;
            }
            maxis::app::InitConfig(init_config, init_env, force, std::cout);
            return kExitOk;
        }
        // Needs no configuration: anyone holding a proof can check it.
        if (*giveaway) return maxis::app::VerifyGiveawayProof(proof_file, std::cout);
        if (*serve) maxis::app::BlockTerminationSignals();  // before any thread starts
        Config config = Load(common);
        if (*check) {
            std::cout << "configuration OK\n" << maxis::app::DescribeConfig(config);
            return kExitOk;
        }
        if (*serve) {
            if (!listen.empty()) {
                auto parsed = maxis::app::ParseListen(listen);
                if (!parsed) {
                    std::cerr << "maxis: --listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got '"
                              << maxis::core::EscapeForTerminal(listen) << "')\n";
                    return kExitUsage;
                }
                std::tie(config.server.host, config.server.port) = *parsed;
            }
            return maxis::app::MaxisApp(config).Serve(std::cout);
        }
        if (*console) {
            request.role = *maxis::core::ParseRole(role);
            if (!locale.empty()) request.locale = locale;
            return maxis::app::MaxisApp(config).Console(request, std::cin, std::cout, ::isatty(STDIN_FILENO) == 1);
        }
        if (*doctor) return maxis::app::MaxisApp(config).Doctor(std::cout);
        if (*admin && *grant_notes) return maxis::app::MaxisApp(config).GrantNotes(fix_notes, std::cout);
        if (*admin) {
            link_request.role = *maxis::core::ParseRole(link_role);
            link_request.reset_second_factor = reset_2fa->parsed();
            (void)login_link;
            return maxis::app::MaxisApp(config).Admin(link_request, std::cout);
        }
        if (*migrate) return maxis::app::MaxisApp(config).Migrate(status_only, std::cout);
        if (*token) {
            token_request.role = *maxis::core::ParseRole(token_role);
            token_request.action = *token_create   ? maxis::app::TokenRequest::Action::kCreate
                                   : *token_revoke ? maxis::app::TokenRequest::Action::kRevoke
                                                   : maxis::app::TokenRequest::Action::kList;
            (void)token_list;
            return maxis::app::MaxisApp(config).Tokens(token_request, std::cout);
        }
    } catch (const maxis::core::Error& e) {
        std::cerr << "maxis: " << maxis::core::EscapeForTerminal(e.what()) << "\n";
        return e.code() == maxis::core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "maxis: unexpected failure: " << maxis::core::EscapeForTerminal(e.what()) << "\n";
        return kExitFailure;
    }
    return kExitUsage;
}
