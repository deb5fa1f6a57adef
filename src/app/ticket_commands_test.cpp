// Bad input through the real command engine and SQLite: a usage or not-found answer, and nothing written.
#include "commands/ticket_commands.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json.hpp>
#include <regex>

#include "commands/builtin_commands.hpp"
#include "console/console.hpp"
#include "core/strings.hpp"
#include "storage/migrator.hpp"
#include "storage/sql_ticket_repository.hpp"
#include "storage/users.hpp"
#include "support/fake_clock.hpp"

namespace maxis::app {
namespace {

class TicketCommandsTest : public ::testing::Test {
protected:
    TicketCommandsTest() {
        storage::Migrator(db, clock).Apply();
        commands::RegisterBuiltinCommands(engine, "test");
        commands::RegisterTicketCommands(engine, service, zone, [this](const std::vector<core::UserId>& ids) {
            return storage::DisplayNames(db, ids);
        });
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
            return std::to_string(t) + "/" + std::to_string(m) + "/" + std::to_string(a) + "/" + std::to_string(o) +
                   "/" + status;
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
    core::Viewer sam{core::UserId{3}, core::Role::kStaff};
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
             {"!ticket_create \"" + std::string(101, 'a') + "\" bug haute x",
              "Sujet trop long : 100 caractères au maximum."},
             {"!ticket_view abc", "Valeur invalide pour <numéro> : « abc »"},
             {"!ticket_reply douze bonjour", "Valeur invalide pour <numéro> : « douze »"},
             {"!ticket_reply 1 encore moi", "Le ticket #1 est fermé. Rouvrez-le avec !ticket_reopen 1 pour répondre."},
             {"!ticket_create \"Sujet\" bug", "Il manque l'argument <priorité>."},
         }) {
        auto reply = Run(alice, c.line);
        EXPECT_TRUE(reply.is_error) << c.line;
        EXPECT_NE(console::RenderText(reply).find(c.expected), std::string::npos) << c.line << "\n"
                                                                                  << console::RenderText(reply);
        EXPECT_EQ(Snapshot(), before) << c.line;
    }
    for (const auto& line :
         {"!ticket_view 1", "!ticket_reply 1 coucou", "!ticket_close 1", "!ticket_reopen 1", "!ticket_transcript 1"}) {
        auto reply = Run(bob, line);
        EXPECT_EQ(reply.text, "Ticket #1 introuvable.") << line;
        EXPECT_EQ(Snapshot(), before) << line;
    }
    EXPECT_EQ(Run(bob, "!ticket_view 42").text, "Ticket #42 introuvable.");
    EXPECT_TRUE(Run(alice, "!ticket_note 1 x").is_error);  // staff only, refused before parsing
    EXPECT_EQ(Snapshot(), before);
}

TEST_F(TicketCommandsTest, TheConversationReadsInFrenchWithNamesSentencesAndLocalDates) {
    storage::EnsureUser(db, alice.user_id, "Alice", "fr", clock.Now());
    storage::EnsureUser(db, sam.user_id, "Sam", "fr", clock.Now());
    // A subject with spaces but no quotes: the answer says what went wrong.
    auto unquoted = console::RenderText(Run(alice, "!ticket_create Sans guillemets général moyenne test"));
    EXPECT_NE(unquoted.find("« guillemets » a été lu comme <catégorie>. Si <sujet> contient des espaces, mettez-le "
                            "entre guillemets : \"Sans guillemets …\"."),
              std::string::npos)
        << unquoted;
    EXPECT_NE(unquoted.find("<priorité: critique|haute|moyenne|basse>"), std::string::npos) << unquoted;
    ASSERT_FALSE(Run(alice, "!ticket_create \"Carte refusée\" facturation moyenne Elle est refusée").is_error);
    // The requester cannot be given their own ticket; « moi » is the caller.
    auto own = Run(sam, "!ticket_assign 1 <@" + alice.user_id.ToString() + ">");
    EXPECT_TRUE(own.is_error);
    EXPECT_NE(own.text.find("est la demande de cette personne"), std::string::npos) << own.text;
    ASSERT_FALSE(Run(sam, "!ticket_assign 1 moi").is_error);
    ASSERT_FALSE(Run(sam, "!ticket_priority 1 critique").is_error);
    ASSERT_FALSE(Run(sam, "!ticket_reply 1 Nous regardons.").is_error);
    auto view = console::RenderText(Run(sam, "!ticket_view 1"));
    auto sam_mention = "<@" + sam.user_id.ToString() + ">";
    for (const auto& line : {sam_mention + " a attribué le ticket à " + sam_mention,
                             sam_mention + " a passé la priorité de moyenne à critique",
                             sam_mention + " a répondu ; statut : ouvert → attente du membre"}) {
        EXPECT_NE(view.find(line), std::string::npos) << line << "\n" << view;
    }
    EXPECT_NE(view.find("* Statut\n    attente du membre"), std::string::npos) << view;  // written for staff
    EXPECT_NE(view.find("28/05/2026"), std::string::npos) << view;                       // local dates, day first
    EXPECT_NE(console::RenderText(Run(alice, "!ticket_view 1")).find("attente de votre réponse"), std::string::npos);
    // Staff are not told to open a ticket of their own.
    EXPECT_EQ(Run(sam, "!ticket_list non_assignes").text, "Aucun ticket ne correspond.");
    Run(alice, "!ticket_close 1 réglé");
    auto transcript = Run(alice, "!ticket_transcript 1").text;
    EXPECT_NE(transcript.find("Catégorie : facturation · priorité : critique · statut : fermé"), std::string::npos)
        << transcript;
    EXPECT_NE(transcript.find("] Alice\nElle est refusée"), std::string::npos) << transcript;
    EXPECT_NE(transcript.find("] Sam (équipe)\nNous regardons."), std::string::npos) << transcript;
    EXPECT_EQ(transcript.find(sam.user_id.ToString()), std::string::npos) << transcript;  // never an id
    EXPECT_EQ(transcript.find("1780000"), std::string::npos) << transcript;               // nor epoch milliseconds
    auto english = engine.HandleLine(alice, "en", "!ticket_transcript 1")->text;
    EXPECT_NE(english.find("Category: billing · priority: critical · status: closed"), std::string::npos) << english;
}

TEST_F(TicketCommandsTest, SlashDefinitionsOfEveryCommandFollowDiscordsLimits) {
    auto defs = engine.SlashDefinitions();
    ASSERT_GE(defs.size(), 14u);
    std::regex name_rule("^[-_a-z0-9]{1,32}$");
    auto chars = [](const boost::json::value& v) { return core::Utf8Length(std::string(v.as_string())); };
    for (const auto& d : defs) {
        const auto& cmd = d.as_object();
        std::string name(cmd.at("name").as_string());
        EXPECT_TRUE(std::regex_match(name, name_rule)) << name;
        EXPECT_GE(chars(cmd.at("description")), 1u);
        EXPECT_LE(chars(cmd.at("description")), 100u) << name;
        EXPECT_LE(chars(cmd.at("description_localizations").at("fr")), 100u) << name;
        if (!cmd.contains("options")) continue;
        const auto& options = cmd.at("options").as_array();
        EXPECT_LE(options.size(), 25u);
        bool optional_seen = false;
        for (const auto& o : options) {
            std::string option(o.at("name").as_string());
            EXPECT_TRUE(std::regex_match(option, name_rule)) << name << " " << option;
            if (o.as_object().contains("name_localizations")) {
                std::string fr(o.at("name_localizations").at("fr").as_string());
                EXPECT_EQ(core::FoldForMatch(fr).size() > 0 && fr == core::AsciiLower(fr), true) << fr;
                EXPECT_LE(core::Utf8Length(fr), 32u);
                EXPECT_EQ(fr.find(' '), std::string::npos) << fr;
            }
            EXPECT_LE(chars(o.at("description")), 100u) << name << " " << option;
            EXPECT_GE(chars(o.at("description")), 1u) << name << " " << option;
            bool required = o.at("required").as_bool();
            EXPECT_FALSE(required && optional_seen) << name << ": required option after an optional one";
            optional_seen |= !required;
        }
    }
    auto create = std::find_if(defs.begin(), defs.end(), [](const auto& d) { return d.at("name") == "ticket_create"; });
    ASSERT_NE(create, defs.end());
    EXPECT_EQ(create->at("options").as_array()[1].at("choices").as_array().size(), 6u);
    auto assign = std::find_if(defs.begin(), defs.end(), [](const auto& d) { return d.at("name") == "ticket_assign"; });
    EXPECT_EQ(assign->at("options").as_array()[1].at("type"), 6);  // USER
    EXPECT_EQ(assign->at("default_member_permissions"), 0);
}

}  // namespace
}  // namespace maxis::app
