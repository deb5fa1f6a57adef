#pragma once
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "core/viewer.hpp"

namespace maxis::app {

struct ConsoleRequest {
    std::string user;  // a Discord id, or a name (a stable id is derived from it)
    core::Role role = core::Role::kMember;
    std::optional<std::string> locale;
};

struct TokenRequest {
    enum class Action { kCreate, kList, kRevoke } action = Action::kList;
    std::string user;  // for create: a Discord id, or a console name
    core::Role role = core::Role::kMember;
    std::string label;
    long long id = 0;  // for revoke
};

struct LoginLinkRequest {
    std::string user;  // a Discord id, or a name (a stable id is derived from it, as for the console)
    core::Role role = core::Role::kAdmin;
    std::string base_url;  // empty: panel.public_url, else the listen address
    bool reset_second_factor = false;
};

/// The composition root: builds every part from the configuration, in order, passes references
/// explicitly, and stops them in reverse order. Nothing else sees every part.
class MaxisApp {
public:
    explicit MaxisApp(Config config);
    ~MaxisApp();

    /// Opens the database, applies migrations (per config), seeds the demo catalog when asked, serves HTTP,
    /// runs the scheduler and the outbox until SIGINT/SIGTERM, then shuts down gracefully. The signals
    /// must be blocked in every thread before this is called (BlockTerminationSignals).
    int Serve(std::ostream& out);
    /// Runs the console on standard input: interactive with a prompt on a terminal, one command per line
    /// otherwise. Returns 0, or 1 when any command in a script failed.
    int Console(const ConsoleRequest& request, std::istream& in, std::ostream& out, bool interactive);
    /// Creates (printing the token once), lists or revokes REST API tokens.
    int Tokens(const TokenRequest& request, std::ostream& out);
    /// Prints a one-time login link for the admin panel, or resets a member's second factor.
    int Admin(const LoginLinkRequest& request, std::ostream& out);
    /// `maxis admin grant-notes [--fix]`: lists (or, with fix, splits) the grant notes in the format written before
    /// migration 0011 into reason, granted_by and how the grant ended.
    int GrantNotes(bool fix, std::ostream& out);
    /// Checks the Discord setup against Discord's API and prints what to fix; 0 when all is well.
    int Doctor(std::ostream& out);
    /// Applies pending migrations (or only lists them) and reports.
    int Migrate(bool status_only, std::ostream& out);

private:
    struct Parts;
    void OpenDatabase(bool apply_migrations);
    void ObserveCommandLineUser(core::UserId id, const std::string& user, core::Role role);
    Config config_;
    std::unique_ptr<Parts> parts_;
};

/// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards.
void BlockTerminationSignals();

/// Writes the example configuration to config_path and fresh secrets to env_path (mode 0600). Refuses to
/// overwrite either unless force. Throws core::Error with the reason.
void InitConfig(const std::string& config_path, const std::string& env_path, bool force, std::ostream& out);

/// A stable positive 63-bit id for a console user name (numeric text is taken as the id itself).
core::UserId ConsoleUserId(const std::string& user);

}  // namespace maxis::app
