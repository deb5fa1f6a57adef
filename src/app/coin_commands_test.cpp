// The coin commands through the real engine, SQLite and the member directory: people by name, amounts in
// words ("125 pièces"), French text, staff-only gifts with their reason, and bad input that answers clearly
// and writes nothing.
#include "commands/coin_commands.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "commands/builtin_commands.hpp"
#include "commands/notice.hpp"
#include "console/console.hpp"
#include "domain/members/member_directory.hpp"
#include "domain/scheduling/notice.hpp"
#include "storage/coin_store.hpp"
#include "storage/member_store.hpp"
#include "storage/migrator.hpp"
#include "storage/users.hpp"
#include "support/fake_clock.hpp"

namespace maxis::app {
namespace {

using namespace std::chrono_literals;

class CoinCommandsTest : public ::testing::Test {
protected:
    CoinCommandsTest() {
        storage::Migrator(db, clock).Apply();
        directory.Observe(members::Person{.id = alice.user_id, .username = "alice", .display_name = "Alice"});
        directory.Observe(members::Person{.id = bob.user_id, .username = "bob", .display_name = "Bob"});
        directory.Observe(
            members::Person{.id = sam.user_id, .username = "sam", .display_name = "Sam", .role = core::Role::kStaff});
        commands::RegisterBuiltinCommands(engine, "test");
        commands::RegisterCoinCommands(engine, service, zone);
        engine.SetPeople(
            [this](const std::string& name, bool staff_only) { return directory.Resolve(name, staff_only).id; });
    }
    commands::Reply Run(const core::Viewer& v, const std::string& line, const std::string& locale = "fr") {
        auto reply = engine.HandleLine(v, locale, line);
        EXPECT_TRUE(reply.has_value());
        return reply.value_or(commands::Reply{});
    }
    std::string Text(const core::Viewer& v, const std::string& line, const std::string& locale = "fr") {
        return console::RenderText(Run(v, line, locale));
    }
    std::string Snapshot() {
        return db.Read(core::Viewer::System(), [](storage::Transaction& tx) {
            long long rows = 0, sum = 0;
            tx.sql() << "SELECT COUNT(*), COALESCE(SUM(balance), 0) FROM coin_balances", soci::into(rows),
                soci::into(sum);
            long long ledger = 0;
            tx.sql() << "SELECT COUNT(*) FROM coin_ledger", soci::into(ledger);
            long long outbox = 0;  // the members' notices
            tx.sql() << "SELECT COUNT(*) FROM outbox", soci::into(outbox);
            return std::to_string(rows) + "/" + std::to_string(sum) + "/" + std::to_string(ledger) + "/" +
                   std::to_string(outbox);
        });
    }
    static bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

    testing::FakeClock clock;
    storage::Database db{storage::DatabaseOptions{"sqlite::memory:", 1}};
    storage::SqlMemberRepository member_repo{db};
    members::MemberDirectory directory{member_repo, clock};
    storage::SqlCoinRepository repo{db};
    core::TimeZone zone = core::TimeZone::Load("Europe/Paris");
    coins::CoinService service{repo, clock, zone, coins::CoinOptions{.daily_amount = 25}};
    commands::Engine engine{commands::Catalog::Builtin(), "!"};
    core::Viewer alice{core::UserId{101}, core::Role::kMember};
    core::Viewer bob{core::UserId{102}, core::Role::kMember};
    core::Viewer sam{core::UserId{901}, core::Role::kStaff};
};

TEST_F(CoinCommandsTest, StaffGiveAndTakeByNameWithTheReasonAndMembersSeeItInTheirHistory) {
    auto given = Text(sam, "!coins_give alice 125 gagnant du tournoi");
    EXPECT_TRUE(Has(given, "Vous avez donné 125 pièces à <@101> (gagnant du tournoi). Nouveau solde : 125 pièces."))
        << given;
    auto taken = Text(sam, "!coins_take Alice 1 erreur de saisie");
    EXPECT_TRUE(Has(taken, "Vous avez retiré 1 pièce à <@101> (erreur de saisie). Nouveau solde : 124 pièces."))
        << taken;
    EXPECT_EQ(Run(alice, "!balance").text, "Vous avez 124 pièces.");
    auto history = Text(alice, "!coins historique");
    EXPECT_TRUE(Has(history, "Vos pièces : 124 pièces")) << history;
    EXPECT_TRUE(Has(history, "-1 pièce · retrait par l'équipe")) << history;
    EXPECT_TRUE(Has(history, "par <@901> : erreur de saisie")) << history;
    EXPECT_TRUE(Has(history, "+125 pièces · don de l'équipe")) << history;
    EXPECT_TRUE(Has(Text(alice, "!coins history", "en"), "Your coins: 124 coins"));
    // Staff read anyone's balance; a member reads only their own.
    EXPECT_EQ(Run(sam, "!balance alice").text, "<@101> a 124 pièces.");
    EXPECT_TRUE(Run(bob, "!balance alice").is_error);
}

TEST_F(CoinCommandsTest, TheMemberIsToldOfAStaffGiftOrTakeWithTheAmountTheReasonAndWho) {
    Run(sam, "!coins_give alice 125 gagnant du tournoi");
    Run(sam, "!coins_take alice 5 erreur de saisie");
    auto notices = db.Read(core::Viewer::System(), [](storage::Transaction& tx) {
        std::vector<scheduling::Notice> out;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << "SELECT channel, payload, idempotency_key FROM outbox ORDER BY id");
        for (const auto& r : rows) {
            auto n = scheduling::ParseNotice(r.get<std::string>(0), r.get<std::string>(1));
            n.idempotency_key = r.get<std::string>(2);
            out.push_back(n);
        }
        return out;
    });
    ASSERT_EQ(notices.size(), 2u);
    EXPECT_EQ(notices[0].recipient, alice.user_id);
    EXPECT_EQ(commands::NoticeReply(notices[0], engine.catalog(), "fr").text,
              "🪙 Pièces reçues : 125, de la part de <@901> (gagnant du tournoi). Votre solde : 125.");
    EXPECT_EQ(commands::NoticeReply(notices[1], engine.catalog(), "fr").text,
              "🪙 Pièces retirées : 5, par <@901> (erreur de saisie). Votre solde : 120.");
    EXPECT_EQ(commands::NoticeReply(notices[1], engine.catalog(), "en").text,
              "🪙 Coins taken back: 5, by <@901> (erreur de saisie). Your balance: 120.");
}

TEST_F(CoinCommandsTest, BadInputAnswersClearlyAndWritesNothing) {
    Run(sam, "!coins_give alice 10 départ");
    auto before = Snapshot();
    struct Case {
        core::Viewer who;
        std::string line;
        std::string expected;
    };
    for (const auto& c : std::vector<Case>{
             {sam, "!coins_give alice -5 cadeau", "Un nombre entier entre 1 et 1000000000."},
             {sam, "!coins_give alice 0 cadeau", "Un nombre entier entre 1 et 1000000000."},
             {sam, "!coins_give alice douze cadeau", "Valeur invalide pour <montant>"},
             {sam, "!coins_give alice 5", "Il manque l'argument <raison>."},
             {sam, "!coins_give zorglub 5 cadeau", "Aucun membre ne s'appelle « zorglub »"},
             {sam, "!coins_take alice 11 trop",
              "Ce membre n'a pas assez de pièces pour en retirer 11 : rien n'a été retiré."},
             {alice, "!coins_give alice 1000 moi-même", "réservée au rôle « équipe »"},
             {sam, "!leaderboard décennie", "Valeur invalide pour <période>"},
         }) {
        auto reply = Run(c.who, c.line);
        auto text = console::RenderText(reply);
        EXPECT_TRUE(reply.is_error) << c.line;
        EXPECT_TRUE(Has(text, c.expected)) << c.line << "\n" << text;
        EXPECT_EQ(Snapshot(), before) << c.line;
    }
}

TEST_F(CoinCommandsTest, TheDailyClaimOnceADayAndTheLeaderboards) {
    auto first = Text(alice, "!daily");
    EXPECT_TRUE(Has(first, "Vous recevez 25 pièces ! Solde : 25 pièces. Prochaine réclamation à partir du")) << first;
    auto again = Run(alice, "!daily");
    EXPECT_TRUE(again.is_error);
    EXPECT_TRUE(Has(again.text, "Vous avez déjà réclamé vos pièces du jour.")) << again.text;
    Run(sam, "!coins_give bob 40 quiz");
    auto week = Text(bob, "!leaderboard semaine");
    EXPECT_TRUE(Has(week, "Classement de la semaine")) << week;
    auto first_line = week.find("1. <@102> — 40 pièces");
    auto second_line = week.find("2. <@101> — 25 pièces");
    EXPECT_NE(first_line, std::string::npos) << week;
    EXPECT_NE(second_line, std::string::npos) << week;
    EXPECT_LT(first_line, second_line);
    EXPECT_TRUE(Has(Text(bob, "!leaderboard tout"), "Classement de tous les temps"));
    EXPECT_TRUE(Has(Text(bob, "!leaderboard month", "en"), "This month's leaderboard"));
    clock.Advance(24h);
    EXPECT_FALSE(Run(alice, "!daily").is_error);
    EXPECT_EQ(Run(alice, "!balance").text, "Vous avez 50 pièces.");
}

TEST_F(CoinCommandsTest, NoCommandBuysOrWithdrawsCoins) {
    for (const auto& line : {"!coins_buy 100", "!coins_withdraw 100", "!coins_sell 100"}) {
        EXPECT_TRUE(Run(alice, line).is_error) << line;
    }
    auto help = Text(alice, "!help");
    EXPECT_FALSE(Has(help, "acheter des pièces")) << help;
}

}  // namespace
}  // namespace maxis::app
