// The real maxis binary, started as a process: what a newcomer does after 'make run'.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "concurrent_creates.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"

namespace maxis {
namespace {

using namespace std::chrono_literals;
using testing::BinaryPath;
using testing::Process;

class MaxisE2E : public ::testing::Test {
protected:
    void SetUp() override {
        dir =
            std::filesystem::temp_directory_path() / ("maxis-e2e-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
    std::string Db() const { return "sqlite:" + (dir / "maxis.db").string(); }

    /// Starts 'maxis serve' on a free port and returns it once the banner says it listens.
    std::uint16_t Serve(std::unique_ptr<Process>& p, std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {BinaryPath("maxis"), "serve", "--listen", "127.0.0.1:0", "--database", Db()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        p = std::make_unique<Process>(argv, std::map<std::string, std::string>{}, dir.string());
        auto m = p->WaitForStdout(std::regex("is running on http://127\\.0\\.0\\.1:(\\d+)"), 30s);
        if (m.empty()) {
            ADD_FAILURE() << "maxis serve did not start.\nstdout:\n" << p->Stdout() << "\nstderr:\n" << p->Stderr();
            return 0;
        }
        return static_cast<std::uint16_t>(std::stoi(m[1]));
    }
    std::filesystem::path dir;
};

TEST_F(MaxisE2E, ServeAnswersHealthReadyAndMetricsWithSecurityHeadersThenStopsOnSigterm) {
    std::unique_ptr<Process> p;
    auto port = Serve(p);
    ASSERT_NE(port, 0);
    auto health = testing::HttpRequest(port, "GET", "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, "ok");
    EXPECT_EQ(health.Header("x-frame-options"), "DENY");
    EXPECT_NE(health.Header("content-security-policy").find("default-src 'none'"), std::string::npos);
    EXPECT_EQ(testing::HttpRequest(port, "GET", "/readyz").status, 200);
    auto missing = testing::HttpRequest(port, "GET", "/no/such/page");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.Header("x-content-type-options"), "nosniff");
    auto metrics = testing::HttpRequest(port, "GET", "/metrics");
    EXPECT_NE(metrics.body.find("maxis_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"),
              std::string::npos);
    EXPECT_NE(metrics.body.find("maxis_db_pool_connections{state=\"idle\"}"), std::string::npos);
    // The nine recurring jobs: the nightly purge, the ticket SLA sweep, the hourly rate-limit purge, the
    // sweep of checkout reservations that ran out, the plans' sweep (grace periods and terms), the giveaways'
    // sweep (draws whose time has come, post counts), the end of Winner grades, the pre-orders' sweep (holds,
    // refunds, the release day, reminders, social proof) and marketing's (invites validated, commissions due, Beta
    // Tester's plan renewed). The role reconciler runs only with Discord.
    EXPECT_NE(metrics.body.find("maxis_jobs{status=\"pending\"} 9"), std::string::npos) << metrics.body;
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(20s), 0) << p->Stderr();
    EXPECT_NE(p->Stderr().find("received SIGTERM, shutting down"), std::string::npos);
}

TEST_F(MaxisE2E, JsonLogsAreOneObjectPerLine) {
    std::unique_ptr<Process> p;
    auto port = Serve(p, {"--config", std::string(MAXIS_SOURCE_DIR) + "/config/maxis.example.toml"});
    ASSERT_NE(port, 0);
    p->Signal(SIGINT);
    EXPECT_EQ(p->Wait(20s), 0);
    // --log-format is a global option: run again with it.
    auto r = testing::Run({BinaryPath("maxis"), "--log-format", "json", "migrate", "--database", Db()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::unique_ptr<Process> q;
    q = std::make_unique<Process>(std::vector<std::string>{BinaryPath("maxis"), "--log-format", "json", "serve",
                                                           "--listen", "127.0.0.1:0", "--database", Db()});
    ASSERT_FALSE(q->WaitForStdout(std::regex("is running on"), 30s).empty());
    q->Signal(SIGTERM);
    q->Wait(20s);
    std::istringstream lines(q->Stderr());
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        ++count;
        EXPECT_TRUE(line.starts_with("{\"ts\":\"") && line.ends_with("\"}")) << line;
    }
    EXPECT_GE(count, 2);
}

TEST_F(MaxisE2E, DemoCatalogIsSeededOnTheFirstRunOnly) {
    auto config = dir / "dev.toml";
    std::ofstream(config) << "[demo]\nseed_catalog = true\n";
    for (int run = 0; run < 2; ++run) {
        std::unique_ptr<Process> p;
        ASSERT_NE(Serve(p, {"--config", config.string()}), 0);
        p->Signal(SIGTERM);
        ASSERT_EQ(p->Wait(20s), 0);
        bool seeded = p->Stderr().find("seeded the demo catalog") != std::string::npos;
        EXPECT_EQ(seeded, run == 0) << "run " << run;
    }
    auto count = testing::Run({"/usr/bin/sqlite3", (dir / "maxis.db").string(), "SELECT COUNT(*) FROM products"});
    EXPECT_EQ(count.out, "5\n");
}

TEST_F(MaxisE2E, ConsoleAnswersHelpInFrenchByDefaultAndInEnglishOnRequest) {
    auto fr = testing::Run({BinaryPath("maxis"), "console", "--database", Db(), "--as", "alice"}, "!help\n");
    EXPECT_EQ(fr.exit_code, 0) << fr.err;
    EXPECT_NE(fr.out.find("== Commandes disponibles =="), std::string::npos) << fr.out;
    EXPECT_NE(fr.out.find("* !help [<commande>]"), std::string::npos);
    auto en = testing::Run({BinaryPath("maxis"), "console", "--database", Db(), "--as", "alice", "--locale", "en"},
                           "!help\n!help ping\n");
    EXPECT_EQ(en.exit_code, 0);
    EXPECT_NE(en.out.find("== Available commands =="), std::string::npos) << en.out;
    EXPECT_NE(en.out.find("== !ping =="), std::string::npos) << en.out;
    // The console user was recorded once.
    auto users =
        testing::Run({"/usr/bin/sqlite3", (dir / "maxis.db").string(), "SELECT display_name, locale FROM users"});
    EXPECT_EQ(users.out, "alice|fr\n");
}

TEST_F(MaxisE2E, BadCommandsGiveClearMessagesAndAFailingExitCode) {
    auto r =
        testing::Run({BinaryPath("maxis"), "console", "--database", Db(), "--as", "bob"}, "!pnig\n!help un deux\n");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("Commande inconnue : !pnig. Tapez !help pour la liste.\nVouliez-vous dire !ping ?"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("Trop d'arguments : « deux » est en trop."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Utilisation : !help [<commande>]"), std::string::npos);
}

TEST_F(MaxisE2E, BadConfigurationStopsStartUpNamingTheKey) {
    auto config = dir / "bad.toml";
    std::ofstream(config) << "[server]\nlisten = \"127.0.0.1:0\"\nbody_limit = 10\n";
    auto r = testing::Run({BinaryPath("maxis"), "serve", "--config", config.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("bad.toml:3: server.body_limit: unknown key"), std::string::npos) << r.err;
    std::ofstream(config, std::ios::trunc) << "[community]\ntime_zone = \"Paris\"\n";
    auto tz = testing::Run({BinaryPath("maxis"), "check-config", "--config", config.string()});
    EXPECT_EQ(tz.exit_code, 2);
    EXPECT_NE(tz.err.find("community.time_zone: unknown time zone 'Paris'"), std::string::npos) << tz.err;
    auto listen = testing::Run({BinaryPath("maxis"), "serve", "--listen", "nowhere", "--database", Db()});
    EXPECT_EQ(listen.exit_code, 2);
    EXPECT_NE(listen.err.find("--listen must be HOST:PORT"), std::string::npos);
}

TEST_F(MaxisE2E, PortInUseIsAClearError) {
    std::unique_ptr<Process> first;
    auto port = Serve(first);
    ASSERT_NE(port, 0);
    auto r = testing::Run({BinaryPath("maxis"), "serve", "--listen", "127.0.0.1:" + std::to_string(port), "--database",
                           "sqlite:" + (dir / "other.db").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos) << r.err;
}

TEST_F(MaxisE2E, InitWritesAConfigThatChecksAndSecretsThatStayPrivate) {
    auto r = testing::Run({BinaryPath("maxis"), "init"}, "", {}, dir.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    struct stat st {};
    ASSERT_EQ(::stat((dir / "maxis.env").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream env_file(dir / "maxis.env");
    std::string env_text((std::istreambuf_iterator<char>(env_file)), std::istreambuf_iterator<char>());
    std::smatch key;
    ASSERT_TRUE(std::regex_search(env_text, key, std::regex("MAXIS_SECRET_KEY=([0-9a-f]{64})")));
    auto check = testing::Run({BinaryPath("maxis"), "check-config", "--config", "maxis.toml"}, "",
                              {{"MAXIS_SECRET_KEY", key[1]}}, dir.string());
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_NE(check.out.find("MAXIS_SECRET_KEY = (set)"), std::string::npos);
    EXPECT_EQ(check.out.find(key[1].str()), std::string::npos);  // never printed
    auto again = testing::Run({BinaryPath("maxis"), "init"}, "", {}, dir.string());
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("already exists (use --force to replace it)"), std::string::npos);
}

TEST_F(MaxisE2E, MigrateReportsAndIsIdempotent) {
    // SQLite has no file for the versions that exist only on PostgreSQL (0009_rls): the schema version is the
    // highest number, not the count.
    int files = 0, highest = 0;
    for (const auto& f : std::filesystem::directory_iterator(std::string(MAXIS_SOURCE_DIR) + "/migrations/sqlite")) {
        if (f.path().extension() != ".sql") continue;
        ++files;
        highest = std::max(highest, std::stoi(f.path().filename().string().substr(0, 4)));
    }
    ASSERT_GE(files, 1);
    std::string n = std::to_string(files), version = std::to_string(highest);
    auto status = testing::Run({BinaryPath("maxis"), "migrate", "--status", "--database", Db()});
    EXPECT_EQ(status.exit_code, 0);
    EXPECT_NE(status.out.find("schema version 0, " + n + " pending\n  pending: 0001_init.sql"), std::string::npos)
        << status.out;
    auto first = testing::Run({BinaryPath("maxis"), "migrate", "--database", Db()});
    EXPECT_NE(first.out.find("applied " + n + " migration(s); schema version " + version), std::string::npos)
        << first.out;
    auto second = testing::Run({BinaryPath("maxis"), "migrate", "--database", Db()});
    EXPECT_NE(second.out.find("applied 0 migration(s); schema version " + version), std::string::npos) << second.out;
}

TEST_F(MaxisE2E, TicketsFromTheConsoleWithLiveNotifications) {
    // Alice keeps her console open while staff work from another one.
    Process alice({BinaryPath("maxis"), "console", "--database", Db(), "--as", "alice"});
    alice.WriteStdin("!ticket_create \"Paiement refusé\" facturation haute La carte est refusée\n");
    ASSERT_FALSE(alice.WaitForStdout(std::regex("Ticket #1 ouvert : « Paiement refusé »"), 30s).empty())
        << alice.Stderr();
    // Sam, another staff member, signs in once so that the directory knows him; then staff assign him by name.
    EXPECT_EQ(
        testing::Run({BinaryPath("maxis"), "console", "--database", Db(), "--as", "sam", "--role", "staff"}, "!ping\n")
            .exit_code,
        0);
    auto staff = testing::Run({BinaryPath("maxis"), "console", "--database", Db(), "--as", "9001", "--role", "staff"},
                              "!ticket_list all\n!ticket_reply 1 Pouvez-vous réessayer ?\n"
                              "!ticket_note 1 client fidèle\n!ticket_assign 1 sam\n!ticket_priority 1 critique\n"
                              "!ticket_view 1\n");
    EXPECT_EQ(staff.exit_code, 0) << staff.out << staff.err;
    EXPECT_NE(staff.out.find("#1 · Paiement refusé"), std::string::npos) << staff.out;
    EXPECT_NE(staff.out.find("Priorité du ticket #1 : critique."), std::string::npos) << staff.out;
    // People by name, never by id; values by their French names; history as sentences.
    EXPECT_NE(staff.out.find("ouvert · haute · facturation · "), std::string::npos) << staff.out;
    EXPECT_NE(staff.out.find(" · @alice"), std::string::npos) << staff.out;
    EXPECT_NE(staff.out.find("Ticket #1 assigné à @sam."), std::string::npos) << staff.out;
    EXPECT_NE(staff.out.find("a attribué le ticket à @sam"), std::string::npos) << staff.out;
    EXPECT_NE(staff.out.find("@alice a ouvert le ticket (priorité haute, facturation)"), std::string::npos)
        << staff.out;
    EXPECT_EQ(staff.out.find("<@"), std::string::npos) << staff.out;
    alice.WriteStdin("!ticket_view 1\n");
    ASSERT_FALSE(alice.WaitForStdout(std::regex("Répondre : !ticket_reply 1"), 30s).empty());
    alice.WriteStdin("!ticket_close 1 merci\n");
    alice.CloseStdin();
    EXPECT_EQ(alice.Wait(30s), 0) << alice.Stdout();
    auto out = alice.Stdout();
    EXPECT_NE(out.find("🔔 💬 L'équipe a répondu à votre ticket #1 « Paiement refusé »"), std::string::npos) << out;
    EXPECT_NE(out.find("Pouvez-vous réessayer ?"), std::string::npos);
    EXPECT_EQ(out.find("client fidèle"), std::string::npos);  // internal note never shown to her
    EXPECT_NE(out.find("Ticket #1 fermé."), std::string::npos);
    // Bob, and anyone else, gets exactly what a missing ticket gets.
    auto bob = testing::Run({BinaryPath("maxis"), "console", "--database", Db(), "--as", "bob"},
                            "!ticket_view 1\n!ticket_view 99\n");
    EXPECT_EQ(bob.exit_code, 1);
    EXPECT_EQ(bob.out, "Ticket #1 introuvable.\n\nTicket #99 introuvable.\n\n");
}

// The panel's history is the chat's: the REST API writes each entry as the sentence the console shows, in the
// language asked, with the people it names in "people"; the raw fields stay for other clients.
TEST_F(MaxisE2E, TheApiWritesTheHistoryAsTheChatsSentencesInTheAskedLanguage) {
    auto maxis = BinaryPath("maxis");
    auto alice = testing::Run({maxis, "console", "--database", Db(), "--as", "alice"},
                              "!ticket_create \"Paiement refusé\" facturation haute La carte est refusée\n");
    ASSERT_EQ(alice.exit_code, 0) << alice.out << alice.err;
    auto sam = testing::Run({maxis, "console", "--database", Db(), "--as", "sam", "--role", "staff"},
                            "!ticket_assign 1 sam\n!ticket_priority 1 critique\n!ticket_view 1\n");
    ASSERT_EQ(sam.exit_code, 0) << sam.out << sam.err;
    auto token = testing::Run({maxis, "token", "create", "--as", "sam", "--role", "staff", "--database", Db()});
    ASSERT_EQ(token.exit_code, 0) << token.err;
    std::map<std::string, std::string> auth{{"Authorization", "Bearer " + token.out.substr(0, token.out.find('\n'))}};
    std::unique_ptr<Process> p;
    auto port = Serve(p);
    ASSERT_NE(port, 0);
    // Each entry's sentence with its people by name, as "@name" like the console writes them.
    auto sentences = [&](const std::string& query) {
        auto r = testing::HttpRequest(port, "GET", "/api/v1/tickets/1" + query, "", auth);
        EXPECT_EQ(r.status, 200) << r.body;
        auto body = boost::json::parse(r.body).as_object();
        std::vector<std::string> out;
        for (const auto& entry : body.at("audit").as_array()) {
            std::string line;
            for (const auto& piece : entry.at("sentence").as_array()) {
                const auto& o = piece.as_object();
                if (o.contains("user")) {
                    line += "@" + std::string(body.at("people").at(o.at("user").as_string()).at("name").as_string());
                } else {
                    line += std::string(o.at("text").as_string());
                }
            }
            out.push_back(line);
        }
        auto last = body.at("audit").as_array().back().as_object();
        EXPECT_EQ(last.at("action"), "priority");  // the raw fields are still there
        EXPECT_EQ(last.at("before"), "high");
        EXPECT_EQ(last.at("after"), "critical");
        return out;
    };
    auto fr = sentences("");  // the community's language
    EXPECT_EQ(fr, (std::vector<std::string>{"@alice a ouvert le ticket (priorité haute, facturation)",
                                            "@sam a attribué le ticket à @sam",
                                            "@sam a passé la priorité de haute à critique"}));
    for (const auto& line : fr) EXPECT_NE(sam.out.find(" · " + line + "\n"), std::string::npos) << line << sam.out;
    EXPECT_EQ(sentences("?locale=fr"), fr);
    EXPECT_EQ(sentences("?locale=en"), (std::vector<std::string>{"@alice opened the ticket (high priority, billing)",
                                                                 "@sam assigned the ticket to @sam",
                                                                 "@sam changed the priority from high to critical"}));
    auto refused = testing::HttpRequest(port, "GET", "/api/v1/tickets/1?locale=de", "", auth);
    EXPECT_EQ(refused.status, 400);
    EXPECT_NE(refused.body.find("locale"), std::string::npos) << refused.body;
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(20s), 0) << p->Stderr();
}

TEST_F(MaxisE2E, ATicketOpensOnAnInMemoryDatabase) {
    // One connection only: asking the member's plan for the SLA targets while the write held it used to
    // wait for the pool and answer "unavailable".
    auto r = testing::Run({BinaryPath("maxis"), "console", "--database", "sqlite::memory:", "--as", "alice"},
                          "!ticket_create \"Paiement refusé\" facturation haute La carte est refusée\n!ticket_list\n");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Ticket #1 ouvert : « Paiement refusé »"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("#1 · Paiement refusé"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("indisponible"), std::string::npos) << r.out;
}

TEST_F(MaxisE2E, SixtyFourMembersOpenTicketsAtOnce) {
    auto tokens = testing::MemberTokens(64, {"--database", Db()});
    ASSERT_EQ(tokens.size(), 64u);
    std::unique_ptr<Process> p;
    auto port = Serve(p);
    ASSERT_NE(port, 0);
    testing::ExpectAllCreated(testing::CreateTicketsAtOnce(port, tokens));
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(20s), 0) << p->Stderr();
    auto count =
        testing::Run({"/usr/bin/sqlite3", (dir / "maxis.db").string(), "SELECT COUNT(DISTINCT owner_id) FROM tickets"});
    EXPECT_EQ(count.out, "64\n") << count.err;
}

TEST_F(MaxisE2E, ADatabaseLockedByAnotherProcessIsA503WithRetryAfterAndTheChatsTryAgain) {
    auto config = dir / "busy.toml";
    std::ofstream(config) << "[database]\nbusy_timeout = \"1s\"\n";
    auto tokens = testing::MemberTokens(1, {"--database", Db()});
    ASSERT_EQ(tokens.size(), 1u);
    std::unique_ptr<Process> p;
    auto port = Serve(p, {"--config", config.string()});
    ASSERT_NE(port, 0);
    // A member's console is open on the same file.
    Process alice({BinaryPath("maxis"), "console", "--database", Db(), "--config", config.string(), "--as", "alice"});
    alice.WriteStdin("!ping\n");
    ASSERT_FALSE(alice.WaitForStdout(std::regex("Pong"), 30s).empty()) << alice.Stdout() << alice.Stderr();
    // Another process holds the write lock past the busy timeout.
    Process holder({"/usr/bin/sqlite3", (dir / "maxis.db").string()});
    holder.WriteStdin("BEGIN IMMEDIATE;\nSELECT 'locked';\n");
    ASSERT_FALSE(holder.WaitForStdout(std::regex("locked"), 30s).empty()) << holder.Stderr();
    auto busy = testing::CreateTicketsAtOnce(port, tokens);
    EXPECT_EQ(busy[0].status, 503) << busy[0].body;
    EXPECT_EQ(busy[0].Header("retry-after"), "1");
    EXPECT_NE(busy[0].body.find("\"unavailable\""), std::string::npos) << busy[0].body;
    alice.WriteStdin("!ticket_create \"Paiement refusé\" facturation haute La carte est refusée\n");
    EXPECT_FALSE(
        alice.WaitForStdout(std::regex("Service momentanément indisponible\\. Réessayez dans un instant\\."), 30s)
            .empty())
        << alice.Stdout() << alice.Stderr();
    holder.CloseStdin();
    EXPECT_EQ(holder.Wait(30s), 0);
    alice.CloseStdin();
    EXPECT_EQ(alice.Wait(30s), 1) << alice.Stderr();  // a refused command makes the exit code 1
    // Nothing was partly written, and once the lock is gone the same request succeeds.
    auto none = testing::Run({"/usr/bin/sqlite3", (dir / "maxis.db").string(),
                              "SELECT (SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM ticket_messages)"});
    EXPECT_EQ(none.out, "0\n") << none.err;
    testing::ExpectAllCreated(testing::CreateTicketsAtOnce(port, tokens));
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(20s), 0) << p->Stderr();
}

TEST_F(MaxisE2E, ConsoleRefusesAnIdBeyondSixtyFourBitsWithAClearMessage) {
    for (const char* who : {"9999999999999999999", "0"}) {
        auto r = testing::Run({BinaryPath("maxis"), "console", "--database", Db(), "--as", who}, "!ping\n");
        EXPECT_EQ(r.exit_code, 2) << who << r.err;
        EXPECT_NE(r.err.find(std::string("maxis: --as: '") + who + "' is not a valid user id"), std::string::npos)
            << r.err;
        EXPECT_EQ(r.err.find("unexpected failure"), std::string::npos) << r.err;
        EXPECT_EQ(r.out, "");
    }
    auto token =
        testing::Run({BinaryPath("maxis"), "token", "create", "--as", "18446744073709551616", "--database", Db()});
    EXPECT_EQ(token.exit_code, 2) << token.err;
    EXPECT_NE(token.err.find("is not a valid user id"), std::string::npos) << token.err;
}

TEST_F(MaxisE2E, ControlCharactersNeverReachTheStaffTerminalRaw) {
    // A member's subject with a terminal sequence is refused, and the refusal shows it escaped.
    auto alice = testing::Run({BinaryPath("maxis"), "console", "--database", Db(), "--as", "alice"},
                              "!ticket_create \"Aide\x1b[2J\x1b[H\" general basse efface\n"
                              "!ticket_create Aide general basse ligne\abip\n"
                              "!ticket_create Aide general basse Bonjour\n");
    EXPECT_EQ(alice.exit_code, 1) << alice.out << alice.err;  // some lines were refused
    EXPECT_NE(alice.out.find("Le sujet contient un caractère de contrôle (U+001B)"), std::string::npos) << alice.out;
    EXPECT_NE(alice.out.find("Le message contient un caractère de contrôle (U+0007)"), std::string::npos) << alice.out;
    EXPECT_NE(alice.out.find("Ticket #1 ouvert"), std::string::npos) << alice.out;
    EXPECT_EQ(alice.out.find('\x1b'), std::string::npos) << alice.out;
    EXPECT_EQ(alice.out.find('\x07'), std::string::npos) << alice.out;
    // A row stored before the rule (written here straight into the database) is shown escaped.
    auto db = (dir / "maxis.db").string();
    auto update = testing::Run(
        {"/usr/bin/sqlite3", db,
         "UPDATE tickets SET subject = 'Aide' || char(27) || '[2J' || char(8238) || 'lave' || char(7);"
         "UPDATE ticket_messages SET body = 'nul' || char(27) || ']0;pwn' || char(7) || char(8294) || 'x';"});
    ASSERT_EQ(update.exit_code, 0) << update.err;
    auto staff = testing::Run({BinaryPath("maxis"), "console", "--database", Db(), "--as", "9001", "--role", "staff"},
                              "!ticket_list all\n!ticket_view 1\n");
    EXPECT_EQ(staff.exit_code, 0) << staff.out << staff.err;
    for (char raw : {'\x1b', '\x07'}) EXPECT_EQ(staff.out.find(raw), std::string::npos) << staff.out;
    EXPECT_EQ(staff.out.find("\u202E"), std::string::npos) << staff.out;
    EXPECT_EQ(staff.out.find("\u2066"), std::string::npos) << staff.out;
    EXPECT_NE(staff.out.find("Aide\\u001B[2J\\u202Elave\\u0007"), std::string::npos) << staff.out;
    EXPECT_NE(staff.out.find("nul\\u001B]0;pwn\\u0007\\u2066x"), std::string::npos) << staff.out;
}

// A member blocked by the staff is refused at every door with the one rule: chat commands, and the REST API
// with the member's own token (the assistant's conversations on Discord go through the same check).
TEST_F(MaxisE2E, ABlockedMemberIsRefusedByTheApiAsByTheChat) {
    auto maxis = BinaryPath("maxis");
    auto first = testing::Run({maxis, "console", "--database", Db(), "--as", "4242"},
                              "!ticket_create Aide general basse Bonjour\n");
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    auto token = testing::Run({maxis, "token", "create", "--as", "4242", "--database", Db()});
    ASSERT_EQ(token.exit_code, 0) << token.err;
    std::string bearer = "Bearer " + token.out.substr(0, token.out.find('\n'));
    std::unique_ptr<Process> p;
    auto port = Serve(p);
    ASSERT_NE(port, 0);
    EXPECT_EQ(testing::HttpRequest(port, "GET", "/api/v1/tickets", "", {{"Authorization", bearer}}).status, 200);

    auto block =
        testing::Run({"/usr/bin/sqlite3", (dir / "maxis.db").string(), "UPDATE users SET blocked = 1 WHERE id = 4242"});
    ASSERT_EQ(block.exit_code, 0) << block.err;
    auto list = testing::HttpRequest(port, "GET", "/api/v1/tickets", "", {{"Authorization", bearer}});
    EXPECT_EQ(list.status, 403);
    EXPECT_NE(list.body.find("blocked"), std::string::npos) << list.body;
    auto create = testing::HttpRequest(port, "POST", "/api/v1/tickets",
                                       R"({"subject":"Encore","category":"general","priority":"low","message":"x"})",
                                       {{"Authorization", bearer}, {"Content-Type", "application/json"}});
    EXPECT_EQ(create.status, 403);
    auto count = testing::Run({"/usr/bin/sqlite3", (dir / "maxis.db").string(), "SELECT COUNT(*) FROM tickets"});
    EXPECT_EQ(count.out, "1\n");
    auto chat = testing::Run({maxis, "console", "--database", Db(), "--as", "4242"}, "!ticket_list\n");
    EXPECT_EQ(chat.out.find("Aide"), std::string::npos) << chat.out;
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(20s), 0) << p->Stderr();
}

TEST_F(MaxisE2E, GlobalOptionsWorkBeforeAndAfterTheCommand) {
    auto config = dir / "maxis.toml";
    std::ofstream(config) << "[server]\nlisten = \"127.0.0.1:0\"\n";
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"check-config", "--config", config.string(), "--log-level", "debug", "--log-format", "json"},
             {"--log-level", "debug", "check-config", "--config", config.string()},
             {"--config", config.string(), "--log-format", "json", "check-config", "--log-level", "warn"},
         }) {
        std::vector<std::string> full = {BinaryPath("maxis")};
        full.insert(full.end(), argv.begin(), argv.end());
        auto r = testing::Run(full);
        EXPECT_EQ(r.exit_code, 0) << argv[0] << " " << r.err;
        EXPECT_NE(r.out.find("configuration OK"), std::string::npos) << r.out;
    }
    // The database options after the command, and before it.
    auto before =
        testing::Run({BinaryPath("maxis"), "--database", Db(), "migrate", "--status", "--log-level", "error"});
    EXPECT_EQ(before.exit_code, 0) << before.err;
    EXPECT_NE(before.out.find("schema version 0"), std::string::npos) << before.out;
    auto version = testing::Run({BinaryPath("maxis"), "check-config", "--version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_EQ(version.out, std::string("maxis ") + MAXIS_VERSION_FOR_TESTS + "\n");
    // A bad value is refused wherever it is given, naming the option.
    for (const auto& argv :
         std::vector<std::vector<std::string>>{{BinaryPath("maxis"), "check-config", "--log-level", "loud"},
                                               {BinaryPath("maxis"), "--log-level", "loud", "check-config"},
                                               {BinaryPath("maxis"), "serve", "--log-format", "xml"}}) {
        auto r = testing::Run(argv);
        EXPECT_NE(r.exit_code, 0) << argv[1];
        EXPECT_NE(r.err.find(argv[1] == "serve" ? "--log-format" : "--log-level"), std::string::npos) << r.err;
    }
    auto init = testing::Run({BinaryPath("maxis"), "init", "--database", Db()}, "", {}, dir.string());
    EXPECT_EQ(init.exit_code, 2);
    EXPECT_NE(init.err.find("init takes --config (where to write)"), std::string::npos) << init.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "maxis.env"));
}

TEST_F(MaxisE2E, HelpAndVersionEverywhere) {
    auto version = testing::Run({BinaryPath("maxis"), "--version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_EQ(version.out, std::string("maxis ") + MAXIS_VERSION_FOR_TESTS + "\n");
    for (const char* sub : {"serve", "console", "migrate", "init", "check-config"}) {
        auto r = testing::Run({BinaryPath("maxis"), sub, "--help"});
        EXPECT_EQ(r.exit_code, 0) << sub;
        EXPECT_NE(r.out.find("Usage:"), std::string::npos) << sub;
    }
    auto shellia = testing::Run({BinaryPath("shellia"), "--version"});
    EXPECT_EQ(shellia.exit_code, 0);
    EXPECT_EQ(shellia.out, std::string("shellia ") + MAXIS_VERSION_FOR_TESTS + "\n");
}

}  // namespace
}  // namespace maxis
