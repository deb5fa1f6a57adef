// Bad input through the real command engine and SQLite: a usage or not-found answer, and nothing written.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include "commands/builtin_commands.hpp"
#include "commands/ticket_commands.hpp"
#include "console/console.hpp"
#include "storage/migrator.hpp"
#include "storage/sql_ticket_repository.hpp"
#include "support/fake_clock.hpp"

namespace maxis::app {
namespace {

class TicketCommandsTest : public ::testing::Test {
protected:
    TicketCommandsTest() {
        storage::Migrator(db, clock).Apply();
        commands::RegisterBuiltinCommands(engine, "test");
        commands::RegisterTicketCommands(engine, service, zone);
    }
    commands::Reply Run(const core::Viewer& v, const std::string& line) {
        auto reply = engine.HandleLine(v, "fr", line);
        EXPECT_TRUE(reply.has_value());
        return reply.value_or(commands::Reply{});
    }
    std::string Snapshot() {
        return db.Read(core::Viewer::System(), [](storage::Transaction& tx) {
            long long t = 0, m = 0, a = 0, o = 0;
            tx.sql() << "SELECT COUNT(*) FROM tickets", soci::into(t);
            tx.sql() << "SELECT COUNT(*) FROM ticket_messages", soci::into(m);
            tx.sql() << "SELECT COUNT(*) FROM ticket_audit_log", soci::into(a);
            tx.sql() << "SELECT COUNT(*) FROM outbox", soci::into(o);
            std::string status;
            tx.sql() << "SELECT COALESCE(MAX(status), '') FROM tickets", soci::into(status);
            return std::to_string(t) + "/" + std::to_string(m) + "/" + std::to_string(a) + "/" + std::to_string(o) + "/" + status;
        });
    }
    testing::FakeClock clock;
    storage::Database db{storage::DatabaseOptions{"sqlite::memory:", 1}};
    storage::SqlTicketRepository repo{db, clock};
    tickets::TicketService service{repo, clock};
    core::TimeZone zone = core::TimeZone::Load("Europe/Paris");
    commands::Engine engine{commands::Catalog::Builtin(), "!"};
    core::Viewer alice{core::UserId{1}, core::Role::kMember};
    core::Viewer bob{core::UserId{2}, core::Role::kMember};
};

TEST_F(TicketCommandsTest, BadInputAnswersClearlyAndWritesNothing) {
    ASSERT_FALSE(Run(alice, "!ticket_create \"Mon sujet\" bug haute ça plante").is_error);
    Run(alice, "!ticket_close 1 fini");
    auto before = Snapshot();
    struct Case {
        std::string line;
        std::string expected;
    };
    for (const auto& c : std::vector<Case>{
             {"!ticket_create \"Sujet\" cuisine haute x", "Valeur invalide pour <catégorie> : « cuisine »"},
             {"!ticket_create \"Sujet sans fin bug haute x", "Les guillemets de <sujet> ne sont pas fermés."},
             {"!ticket_create \"" + std::string(101, 'a') + "\" bug haute x", "Sujet trop long : 100 caractères au maximum."},
             {"!ticket_view abc", "Valeur invalide pour <numéro> : « abc »"},
             {"!ticket_reply douze bonjour", "Valeur invalide pour <numéro> : « douze »"},
             {"!ticket_reply 1 encore moi", "Le ticket #1 est fermé. Rouvrez-le avec !ticket_reopen 1 pour répondre."},
             {"!ticket_create \"Sujet\" bug", "Il manque l'argument <priorité>."},
         }) {
        auto reply = Run(alice, c.line);
        EXPECT_TRUE(reply.is_error) << c.line;
        EXPECT_NE(console::RenderText(reply).find(c.expected), std::string::npos) << c.line << "\n" << console::RenderText(reply);
        EXPECT_EQ(Snapshot(), before) << c.line;
    }
    for (const auto& line : {"!ticket_view 1", "!ticket_reply 1 coucou", "!ticket_close 1", "!ticket_reopen 1",
                             "!ticket_transcript 1"}) {
        auto reply = Run(bob, line);
        EXPECT_EQ(reply.text, "Ticket #1 introuvable.") << line;
        EXPECT_EQ(Snapshot(), before) << line;
    }
    EXPECT_EQ(Run(bob, "!ticket_view 42").text, "Ticket #42 introuvable.");
    EXPECT_TRUE(Run(alice, "!ticket_note 1 x").is_error);  // staff only, refused before parsing
    EXPECT_EQ(Snapshot(), before);
}

}  // namespace
}  // namespace maxis::app
