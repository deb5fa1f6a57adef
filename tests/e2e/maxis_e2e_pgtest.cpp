// The real maxis binary on PostgreSQL: migrations through an owner connection, serving through the login
// role that owns nothing, as in production.
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <boost/json.hpp>

#include "concurrent_creates.hpp"
#include "core/viewer.hpp"
#include "crypto/crypto.hpp"
#include "storage/database.hpp"
#include "storage/migrator.hpp"
#include "support/fake_clock.hpp"
#include "support/http_client.hpp"
#include "support/postgres.hpp"
#include "support/process.hpp"

namespace maxis {
namespace {

using namespace std::chrono_literals;
using testing::BinaryPath;

/// An empty database on the test server (no schema: what 'createdb' gives an operator), dropped at the end.
class EmptyDatabase {
public:
    explicit EmptyDatabase(const std::string& prefix) : name_(prefix + "_" + std::to_string(::getpid())) {
        soci::session admin(soci::postgresql, storage::PostgresConnectString(testing::PostgresAdminUrl()));
        admin << "SET client_min_messages = warning";
        admin << "DROP DATABASE IF EXISTS " + name_;
        admin << "CREATE DATABASE " + name_;
    }
    ~EmptyDatabase() {
        try {
            soci::session admin(soci::postgresql, storage::PostgresConnectString(testing::PostgresAdminUrl()));
            admin << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
        } catch (const std::exception& e) {
            ADD_FAILURE() << "could not drop " << name_ << ": " << e.what();
        }
    }
    /// The superuser, which migrations run as (the owner's URL).
    std::string OwnerUrl() const { return testing::PostgresUrl("postgres", name_); }
    /// The login role the service runs as.
    std::string LoginUrl() const { return testing::PostgresUrl("maxis_login", name_); }
    /// The environment of a service that holds the login role alone, as production should run it.
    std::map<std::string, std::string> LoginOnly() const {
        return {{"MAXIS_DATABASE_URL", LoginUrl()}, {"MAXIS_MIGRATION_DATABASE_URL", ""}};
    }
    /// The schema version, read as the owner; 0 when nothing was ever migrated.
    int Version() const {
        soci::session owner(soci::postgresql, storage::PostgresConnectString(OwnerUrl()));
        int present = 0;
        owner << "SELECT CASE WHEN to_regclass('public.schema_migrations') IS NULL THEN 0 ELSE 1 END",
            soci::into(present);
        if (present == 0) return 0;
        int version = 0;
        soci::indicator ind;
        owner << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
        return ind == soci::i_null ? 0 : version;
    }
    const std::string& name() const { return name_; }

private:
    std::string name_;
};

/// Starts 'maxis serve' on a free port; returns the port, or 0 (with a test failure) when it did not start.
std::uint16_t StartServe(testing::Process& serve) {
    auto m = serve.WaitForStdout(std::regex("is running on http://127\\.0\\.0\\.1:(\\d+)"), 30s);
    if (m.empty()) {
        ADD_FAILURE() << "maxis serve did not start: " << serve.Stderr();
        return 0;
    }
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

TEST(MaxisPostgresE2E, ServesAndRunsTheConsoleWithTheLoginRoleAlone) {
    EmptyDatabase db("maxis_e2e");
    {
        // migrate_on_start through the owner's URL: the one start that holds the owner's password.
        testing::Process serve(
            {BinaryPath("maxis"), "serve", "--listen", "127.0.0.1:0"},
            {{"MAXIS_DATABASE_URL", db.LoginUrl()}, {"MAXIS_MIGRATION_DATABASE_URL", db.OwnerUrl()}});
        ASSERT_NE(StartServe(serve), 0);
        serve.Signal(SIGTERM);
        EXPECT_EQ(serve.Wait(20s), 0) << serve.Stderr();
    }
    const int latest = storage::EmbeddedMigrations(storage::Dialect::kPostgres).back().version;
    ASSERT_EQ(db.Version(), latest);

    // From now on the service holds the login role alone, with migrate_on_start = true (the default).
    testing::Process serve({BinaryPath("maxis"), "serve", "--listen", "127.0.0.1:0"}, db.LoginOnly());
    auto m = serve.WaitForStdout(std::regex("is running on http://127\\.0\\.0\\.1:(\\d+) \\(database (\\S+)\\)"), 30s);
    ASSERT_FALSE(m.empty()) << serve.Stderr();
    EXPECT_EQ(m[2], db.LoginUrl());
    auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
    EXPECT_EQ(testing::HttpRequest(port, "GET", "/readyz").status, 200);
    auto help =
        testing::Run({BinaryPath("maxis"), "console", "--as", "alice", "--locale", "en"}, "!help\n", db.LoginOnly());
    EXPECT_EQ(help.exit_code, 0) << help.err;
    EXPECT_NE(help.out.find("== Available commands =="), std::string::npos) << help.out;
    auto ticket =
        testing::Run({BinaryPath("maxis"), "console", "--as", "alice"},
                     "!ticket_create \"Paiement refusé\" facturation haute La carte est refusée\n", db.LoginOnly());
    EXPECT_EQ(ticket.exit_code, 0) << ticket.err;
    EXPECT_NE(ticket.out.find("Ticket #1 ouvert : « Paiement refusé »"), std::string::npos) << ticket.out;
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(20s), 0) << serve.Stderr();
    EXPECT_EQ(db.Version(), latest);
    soci::session check(soci::postgresql, storage::PostgresConnectString(db.OwnerUrl()));
    int users = 0, tickets = 0;
    check << "SELECT COUNT(*) FROM users", soci::into(users);
    check << "SELECT COUNT(*) FROM tickets", soci::into(tickets);
    EXPECT_EQ(users, 1);
    EXPECT_EQ(tickets, 1);
}

TEST(MaxisPostgresE2E, TheLoginRoleAloneRefusesWhileMigrationsArePending) {
    testing::FakeClock clock;
    auto all = storage::EmbeddedMigrations(storage::Dialect::kPostgres);
    ASSERT_GE(all.size(), 2u);
    // Another database of the cluster already at the latest version (roles are cluster-wide: what a newer
    // migration changes on them applies to the databases behind it too).
    EmptyDatabase current("maxis_e2e_current");
    {
        storage::Database owner(storage::DatabaseOptions{current.OwnerUrl(), 1});
        storage::Migrator(owner, clock).Apply();
    }
    EmptyDatabase fresh("maxis_e2e_fresh");
    EmptyDatabase behind("maxis_e2e_behind");
    auto all_but_last = all;
    all_but_last.pop_back();
    {
        storage::Database owner(storage::DatabaseOptions{behind.OwnerUrl(), 1});
        storage::Migrator(owner, clock, all_but_last).Apply();
    }
    ASSERT_EQ(behind.Version(), all_but_last.back().version);

    // With a password in the login URL, which no refusal may print (the test server trusts loopback).
    const std::string password = "pw-of-the-login-role-4711";
    auto login_only = [&](const EmptyDatabase& db) {
        return std::map<std::string, std::string>{
            {"MAXIS_DATABASE_URL", testing::PostgresUrl("maxis_login:" + password, db.name())},
            {"MAXIS_MIGRATION_DATABASE_URL", ""}};
    };
    const std::string run_migrate =
        "Maxis never migrates as the login role it serves with: run 'maxis migrate' with the owner's URL (in "
        "MAXIS_MIGRATION_DATABASE_URL, or 'maxis migrate --database <owner URL>'), then start again";
    {
        SCOPED_TRACE("an empty database");
        auto refused = testing::Run({BinaryPath("maxis"), "console", "--as", "alice"}, "!help\n", login_only(fresh));
        EXPECT_NE(refused.exit_code, 0);
        EXPECT_NE(refused.err.find("maxis: the database has no Maxis schema yet: " + std::to_string(all.size()) +
                                   " migration(s) pending (" + all.front().name + " ... " + all.back().name + "). " +
                                   run_migrate),
                  std::string::npos)
            << refused.err;
        EXPECT_EQ(refused.err.find(password), std::string::npos) << refused.err;
        EXPECT_EQ(refused.out, "");
        EXPECT_EQ(fresh.Version(), 0);  // nothing was created, not even schema_migrations
    }
    const std::string one_behind = "the database schema (version " + std::to_string(all_but_last.back().version) +
                                   ") is behind this version of Maxis: 1 migration(s) pending (" + all.back().name +
                                   "). " + run_migrate;
    for (const auto& command : {std::vector<std::string>{BinaryPath("maxis"), "console", "--as", "alice"},
                                std::vector<std::string>{BinaryPath("maxis"), "serve", "--listen", "127.0.0.1:0"}}) {
        SCOPED_TRACE("one migration behind: maxis " + command[1]);
        auto refused = testing::Run(command, "!help\n", login_only(behind));
        EXPECT_NE(refused.exit_code, 0);
        EXPECT_NE(refused.err.find("maxis: " + one_behind), std::string::npos) << refused.err;
        EXPECT_EQ(refused.err.find(password), std::string::npos) << refused.err;
        EXPECT_EQ(refused.out.find("is running on"), std::string::npos) << refused.out;
    }
    EXPECT_EQ(behind.Version(), all_but_last.back().version);
}

// The issue's end-to-end escape: SQL inside member A's transaction, exactly as Maxis opens it, tries to
// mint itself an admin API token; the REST API must not open B's ticket or its internal note with it.
TEST(MaxisPostgresE2E, AMemberTransactionCannotForgeAnAdminApiToken) {
    EmptyDatabase db("maxis_e2e_forge");
    auto migrated = testing::Run({BinaryPath("maxis"), "migrate"}, {}, {{"MAXIS_DATABASE_URL", db.OwnerUrl()}});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    const std::int64_t member_a = 8001, member_b = 8002, staff = 9001;
    auto token_for = [&](std::int64_t user, const std::string& role) {
        auto r = testing::Run({BinaryPath("maxis"), "token", "create", "--as", std::to_string(user), "--role", role},
                              {}, db.LoginOnly());
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out.substr(0, r.out.find('\n'));
    };
    const std::string token_a = token_for(member_a, "member"), token_b = token_for(member_b, "member"),
                      token_staff = token_for(staff, "staff");
    testing::Process serve({BinaryPath("maxis"), "serve", "--listen", "127.0.0.1:0"}, db.LoginOnly());
    auto port = StartServe(serve);
    ASSERT_NE(port, 0);
    auto bearer = [](const std::string& token) {
        return std::map<std::string, std::string>{{"Authorization", "Bearer " + token},
                                                  {"Content-Type", "application/json"}};
    };

    // Seeded through the product: B opens a ticket, staff add an internal note to it.
    auto created = testing::HttpRequest(
        port, "POST", "/api/v1/tickets",
        R"({"subject":"Remboursement","category":"billing","priority":"high","description":"Commande 42"})",
        bearer(token_b));
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string ticket =
        "/api/v1/tickets/" + std::to_string(boost::json::parse(created.body).at("id").as_int64());
    const std::string note = "Note interne : membre sous surveillance, ne pas rembourser";
    auto noted = testing::HttpRequest(port, "POST", ticket + "/messages",
                                      boost::json::serialize(boost::json::object{{"body", note}, {"internal", true}}),
                                      bearer(token_staff));
    ASSERT_EQ(noted.status, 201) << noted.body;
    // The note is there for staff, and A's own token does not open B's ticket.
    auto as_staff = testing::HttpRequest(port, "GET", ticket, {}, bearer(token_staff));
    ASSERT_EQ(as_staff.status, 200) << as_staff.body;
    ASSERT_NE(as_staff.body.find(note), std::string::npos) << as_staff.body;
    EXPECT_EQ(testing::HttpRequest(port, "GET", ticket, {}, bearer(token_a)).status, 404);

    // A's transaction, opened as the product opens it, runs the attacker's SQL.
    const std::string forged = "mxs_" + crypto::Base64UrlEncode(crypto::RandomBytes(32));
    bool inserted = false;
    std::string refusal;
    {
        storage::Database login(storage::DatabaseOptions{db.LoginUrl(), 1});
        login.Write(core::Viewer{core::UserId{member_a}, core::Role::kMember}, [&](storage::Transaction& tx) {
            auto& sql = tx.sql();
            try {
                std::string ignored, viewer;
                soci::indicator ind = soci::i_null;
                sql << "SELECT set_config('maxis.role', 'system', true)", soci::into(ignored);
                std::string a = std::to_string(member_a);
                sql << "SELECT set_config('maxis.user_id', :a, true)", soci::use(a), soci::into(ignored);
                // The signed viewer '<id>:<role>:<mac>' with the role replaced by system, its MAC kept.
                sql << "SELECT current_setting('maxis.viewer', true)", soci::into(viewer, ind);
                if (ind == soci::i_ok) {
                    if (auto first = viewer.find(':'), second = viewer.find(':', first + 1);
                        first != std::string::npos && second != std::string::npos) {
                        viewer = viewer.substr(0, first + 1) + "system" + viewer.substr(second);
                    }
                    sql << "SELECT set_config('maxis.viewer', :v, true)", soci::use(viewer), soci::into(ignored);
                }
                std::string hash = crypto::HexEncode(crypto::Sha256(forged));
                long long uid = member_a, now = 1'780'000'000'000;
                sql << "INSERT INTO api_tokens (token_hash, user_id, role, label, created_at) "
                       "VALUES (:h, :u, 'admin', 'forged', :c)",
                    soci::use(hash), soci::use(uid), soci::use(now);
                inserted = true;
            } catch (const std::exception& e) {
                refusal = e.what();  // the fixed behaviour: the transaction commits nothing
            }
        });
    }
    RecordProperty("forged_insert", inserted ? "inserted" : "refused: " + refusal);
    auto attempt = testing::HttpRequest(port, "GET", ticket, {}, bearer(forged));
    EXPECT_EQ(attempt.status, 401) << "the forged admin row was "
                                   << (inserted ? "inserted" : "refused (" + refusal + ")")
                                   << "; the API answered: " << attempt.body;
    EXPECT_EQ(attempt.body.find(note), std::string::npos) << attempt.body;
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(20s), 0) << serve.Stderr();
    soci::session check(soci::postgresql, storage::PostgresConnectString(db.OwnerUrl()));
    int forged_rows = 0;
    check << "SELECT COUNT(*) FROM api_tokens WHERE label = 'forged'", soci::into(forged_rows);
    EXPECT_EQ(forged_rows, 0) << "member A's transaction stored an admin token";
}

TEST(MaxisPostgresE2E, SixtyFourMembersOpenTicketsAtOnce) {
    EmptyDatabase db("maxis_e2e_burst");
    std::map<std::string, std::string> env = {{"MAXIS_DATABASE_URL", db.LoginUrl()},
                                              {"MAXIS_MIGRATION_DATABASE_URL", db.OwnerUrl()}};
    // The schema, and the login role if this cluster has none yet, through the owner connection.
    auto migrated = testing::Run({BinaryPath("maxis"), "migrate"}, {}, {{"MAXIS_DATABASE_URL", db.OwnerUrl()}});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    auto tokens = testing::MemberTokens(64, {}, env);
    ASSERT_EQ(tokens.size(), 64u);
    testing::Process serve({BinaryPath("maxis"), "serve", "--listen", "127.0.0.1:0"}, env);
    auto port = StartServe(serve);
    ASSERT_NE(port, 0);
    testing::ExpectAllCreated(testing::CreateTicketsAtOnce(port, tokens));
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(20s), 0) << serve.Stderr();
    int owners = 0;
    soci::session check(soci::postgresql, storage::PostgresConnectString(db.OwnerUrl()));
    check << "SELECT COUNT(DISTINCT owner_id) FROM tickets", soci::into(owners);
    EXPECT_EQ(owners, 64);
}

}  // namespace
}  // namespace maxis
