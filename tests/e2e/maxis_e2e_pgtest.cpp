// The real maxis binary on PostgreSQL: migrations through an owner connection, serving through the login
// role that owns nothing, as in production.
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "concurrent_creates.hpp"
#include "support/http_client.hpp"
#include "support/postgres.hpp"
#include "support/process.hpp"

namespace maxis {
namespace {

using namespace std::chrono_literals;
using testing::BinaryPath;

TEST(MaxisPostgresE2E, ServesAndRunsTheConsoleAsTheLoginRole) {
    soci::session admin(soci::postgresql, storage::PostgresConnectString(testing::PostgresAdminUrl()));
    admin << "SET client_min_messages = warning";
    std::string db = "maxis_e2e_" + std::to_string(::getpid());
    admin << "DROP DATABASE IF EXISTS " + db;
    admin << "CREATE DATABASE " + db;
    std::map<std::string, std::string> env = {{"MAXIS_DATABASE_URL", testing::PostgresUrl("maxis_login", db)},
                                              {"MAXIS_MIGRATION_DATABASE_URL", testing::PostgresUrl("postgres", db)}};
    {
        // Without the owner connection, the login role cannot migrate a fresh database: a clear refusal.
        auto refused = testing::Run(
            {BinaryPath("maxis"), "console", "--as", "alice"}, "!help\n",
            {{"MAXIS_DATABASE_URL", testing::PostgresUrl("maxis_login", db)}, {"MAXIS_MIGRATION_DATABASE_URL", ""}});
        EXPECT_NE(refused.exit_code, 0);
        EXPECT_NE(refused.err.find("maxis: cannot apply migrations as this database user (permission denied for schema "
                                   "public). On PostgreSQL the service's login role owns nothing: give an owner "
                                   "connection in MAXIS_MIGRATION_DATABASE_URL"),
                  std::string::npos)
            << refused.err;
    }
    testing::Process serve({BinaryPath("maxis"), "serve", "--listen", "127.0.0.1:0"}, env);
    auto m = serve.WaitForStdout(std::regex("is running on http://127\\.0\\.0\\.1:(\\d+) \\(database (\\S+)\\)"), 30s);
    ASSERT_FALSE(m.empty()) << serve.Stderr();
    EXPECT_EQ(m[2], testing::PostgresUrl("maxis_login", db));
    auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
    EXPECT_EQ(testing::HttpRequest(port, "GET", "/readyz").status, 200);
    auto help = testing::Run({BinaryPath("maxis"), "console", "--as", "alice", "--locale", "en"}, "!help\n", env);
    EXPECT_EQ(help.exit_code, 0) << help.err;
    EXPECT_NE(help.out.find("== Available commands =="), std::string::npos);
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(20s), 0) << serve.Stderr();
    int users = 0;
    soci::session check(soci::postgresql, storage::PostgresConnectString(testing::PostgresUrl("postgres", db)));
    check << "SELECT COUNT(*) FROM users", soci::into(users);
    EXPECT_EQ(users, 1);
    check.close();
    admin << "DROP DATABASE " + db + " WITH (FORCE)";
}

TEST(MaxisPostgresE2E, SixtyFourMembersOpenTicketsAtOnce) {
    soci::session admin(soci::postgresql, storage::PostgresConnectString(testing::PostgresAdminUrl()));
    admin << "SET client_min_messages = warning";
    std::string db = "maxis_e2e_burst_" + std::to_string(::getpid());
    admin << "DROP DATABASE IF EXISTS " + db;
    admin << "CREATE DATABASE " + db;
    std::map<std::string, std::string> env = {{"MAXIS_DATABASE_URL", testing::PostgresUrl("maxis_login", db)},
                                              {"MAXIS_MIGRATION_DATABASE_URL", testing::PostgresUrl("postgres", db)}};
    // The schema, and the login role if this cluster has none yet, through the owner connection.
    auto migrated = testing::Run({BinaryPath("maxis"), "migrate"}, {},
                                 {{"MAXIS_DATABASE_URL", testing::PostgresUrl("postgres", db)}});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    auto tokens = testing::MemberTokens(64, {}, env);
    ASSERT_EQ(tokens.size(), 64u);
    testing::Process serve({BinaryPath("maxis"), "serve", "--listen", "127.0.0.1:0"}, env);
    auto m = serve.WaitForStdout(std::regex("is running on http://127\\.0\\.0\\.1:(\\d+)"), 30s);
    ASSERT_FALSE(m.empty()) << serve.Stderr();
    testing::ExpectAllCreated(testing::CreateTicketsAtOnce(static_cast<std::uint16_t>(std::stoi(m[1])), tokens));
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(20s), 0) << serve.Stderr();
    {
        int owners = 0;
        soci::session check(soci::postgresql, storage::PostgresConnectString(testing::PostgresUrl("postgres", db)));
        check << "SELECT COUNT(DISTINCT owner_id) FROM tickets", soci::into(owners);
        EXPECT_EQ(owners, 64);
    }
    admin << "DROP DATABASE " + db + " WITH (FORCE)";
}

}  // namespace
}  // namespace maxis
