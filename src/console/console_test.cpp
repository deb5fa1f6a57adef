#include "console/console.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "commands/builtin_commands.hpp"
#include "support/fake_clock.hpp"

namespace maxis::console {
namespace {

class ConsoleTest : public ::testing::Test {
protected:
    ConsoleTest() { commands::RegisterBuiltinCommands(engine, "9.9.9"); }
    std::pair<std::string, int> Run(const std::string& input, std::string locale = "fr", bool interactive = false) {
        std::istringstream in(input);
        std::ostringstream out;
        ConsoleOptions options{core::Viewer{core::UserId{42}, core::Role::kMember}, "alice", locale, "9.9.9",
                               interactive};
        int errors = RunConsole(engine, options, in, out);
        return {out.str(), errors};
    }
    commands::Engine engine{commands::Catalog::Builtin(), "!"};
};

TEST_F(ConsoleTest, AnswersHelpInFrenchAndEnglish) {
    auto [fr, fr_errors] = Run("!help\n");
    EXPECT_EQ(fr_errors, 0);
    EXPECT_NE(fr.find("== Commandes disponibles =="), std::string::npos) << fr;
    EXPECT_NE(fr.find("* !ping"), std::string::npos) << fr;
    auto [en, en_errors] = Run("!help\n", "en");
    EXPECT_NE(en.find("== Available commands =="), std::string::npos) << en;
}

TEST_F(ConsoleTest, SkipsCommentsAndBlanksAndStopsAtQuit) {
    auto [out, errors] = Run("# a script\n\nping\nquit\n!ping\n");
    EXPECT_EQ(errors, 0);
    EXPECT_EQ(out, "Pong ! Maxis 9.9.9 est en ligne.\n\n");
}

TEST_F(ConsoleTest, CountsErrorsForScripts) {
    auto [out, errors] = Run("!nope\n!help a b c\n!ping\n");
    EXPECT_EQ(errors, 2);
    EXPECT_NE(out.find("Commande inconnue : !nope"), std::string::npos);
    EXPECT_NE(out.find("Trop d'arguments"), std::string::npos);
}

TEST_F(ConsoleTest, InteractiveModeGreetsAndPrompts) {
    auto [out, errors] = Run("!ping\n", "en", true);
    EXPECT_NE(out.find("Maxis console 9.9.9 — signed in as alice (member)"), std::string::npos) << out;
    EXPECT_NE(out.find("maxis> Pong!"), std::string::npos) << out;
    EXPECT_NE(out.find("See you soon."), std::string::npos);
}

TEST_F(ConsoleTest, PeopleAppearByNameAndMarkdownIsNotPrinted) {
    engine.Register(commands::CommandSpec{.name = "who", .handler = [](const commands::Invocation&) {
                                              commands::Reply r;
                                              r.text = "**Ticket** de <@7> pour <@!8>, vu par <@9> et <@x>";
                                              r.embeds.push_back({"Par <@7>", "", {{"<@8>", "**gras**"}}, "", {}, ""});
                                              return r;
                                          }});
    std::istringstream in("!who\n");
    std::ostringstream out;
    ConsoleOptions options{core::Viewer{core::UserId{42}, core::Role::kStaff}, "sam", "fr", "9.9.9", false};
    std::vector<core::UserId> asked;
    options.names = [&asked](const std::vector<core::UserId>& ids) {
        asked.insert(asked.end(), ids.begin(), ids.end());
        return std::map<core::UserId, std::string>{{core::UserId{7}, "Alice"}, {core::UserId{8}, "Sam"}};
    };
    RunConsole(engine, options, in, out);
    EXPECT_EQ(out.str(),
              "Ticket de @Alice pour @Sam, vu par @membre inconnu et <@x>\n== Par @Alice ==\n* @Sam\n    gras\n\n");
    EXPECT_EQ(asked.size(), 5u);  // one lookup for the whole reply
}

TEST_F(ConsoleTest, ControlCharactersAndBidiOverridesAreShownEscapedNeverRaw) {
    // A row stored before the text rule, shown back by a command; and a refused line echoed in the error.
    engine.Register(commands::CommandSpec{.name = "old_row", .handler = [](const commands::Invocation&) {
                                              commands::Reply r;
                                              r.text = "#1 \x1b[2J\x1b]0;pwned\a\u202Eevil\u2066x\u2069 \u009b1m\x7f\b";
                                              r.embeds.push_back({"\x1b[31mred", "multi\nline\tok", {}, "", 0, ""});
                                              return r;
                                          }});
    auto [out, errors] = Run("!old_row\n!nope\x1b[2J\n");
    EXPECT_EQ(errors, 1);
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
    EXPECT_EQ(out.find('\a'), std::string::npos) << out;
    EXPECT_EQ(out.find('\b'), std::string::npos) << out;
    EXPECT_EQ(out.find('\x7f'), std::string::npos) << out;
    EXPECT_EQ(out.find("\u202E"), std::string::npos) << out;
    EXPECT_NE(out.find("#1 \\u001B[2J\\u001B]0;pwned\\u0007\\u202Eevil\\u2066x\\u2069 \\u009B1m\\u007F\\u0008\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("== \\u001B[31mred ==\nmulti\nline\tok\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Commande inconnue : !nope\\u001B[2j."), std::string::npos) << out;
}

TEST(WordTimestamps, CountdownsInWordsAndDatesInTheCommunitysZoneForTheReader) {
    const auto& catalog = commands::Catalog::Builtin();
    auto paris = core::TimeZone::Load("Europe/Paris");
    auto now = core::FromEpochMillis(1'780'000'000'000);  // 28/05/2026 22:26:40 in Paris
    auto in = [&](long long seconds) { return std::to_string(1'780'000'000 + seconds); };
    std::string text = "Sortie <t:" + in(3 * 86400) + ":R> (<t:" + in(3 * 86400) + ":f>), vu <t:" + in(-2 * 3600) +
                       ":R>, <t:" + in(30) + ":R>, <t:" + in(86400) + ":R>, <t:" + in(400 * 86400) + ":R>.";
    EXPECT_EQ(WordTimestamps(text, catalog, "fr", now, paris),
              "Sortie dans 3 jours (31/05/2026 22:26 CEST), vu il y a 2 heures, dans quelques secondes, dans un jour, "
              "dans un an.");
    EXPECT_EQ(WordTimestamps(text, catalog, "en", now, paris),
              "Sortie in 3 days (2026-05-31 22:26 CEST), vu 2 hours ago, in a few seconds, in a day, in a year.");
    // The default style is the date; what is not a timestamp stays as written.
    EXPECT_EQ(
        WordTimestamps("<t:" + in(0) + "> <t:abc:R> <t:12:Z> <t:99999999999999:R> <t:5", catalog, "fr", now, paris),
        "28/05/2026 22:26 CEST <t:abc:R> <t:12:Z> <t:99999999999999:R> <t:5");
}

TEST_F(ConsoleTest, RepliesAndNoticesShowCountdownsInWords) {
    engine.Register(commands::CommandSpec{.name = "release", .handler = [](const commands::Invocation&) {
                                              return commands::Reply{.text = "Sortie <t:1780259200:R>."};
                                          }});
    testing::FakeClock clock;  // 1'780'000'000 s: the release is 3 days ahead
    auto paris = core::TimeZone::Load("Europe/Paris");
    ConsoleOptions options{core::Viewer{core::UserId{42}, core::Role::kMember}, "alice", "fr", "9.9.9", false};
    options.notices = [] { return std::vector<std::string>{"Rappel : sortie <t:1780003600:R> (<t:1780003600:f>)."}; };
    options.zone = &paris;
    options.clock = &clock;
    std::istringstream in("!release\n");
    std::ostringstream out;
    RunConsole(engine, options, in, out);
    EXPECT_EQ(out.str(), "Sortie dans 3 jours.\n🔔 Rappel : sortie dans une heure (28/05/2026 23:26 CEST).\n\n");
}

TEST(RenderText, EmbedsFieldsImagesAndButtons) {
    commands::Reply r;
    r.text = "Hello";
    r.embeds.push_back({"Title", "Desc", {{"Field", "line1\nline2"}}, "https://img/x.png", 0xff0000, "foot"});
    r.buttons.push_back({"Pay", "", commands::ButtonStyle::kLink, "https://pay"});
    r.buttons.push_back({"Add", "add:1"});
    EXPECT_EQ(RenderText(r),
              "Hello\n== Title ==\nDesc\n* Field\n    line1\n    line2\n[image] https://img/x.png\n-- foot\n"
              "[Pay] https://pay  [Add] !add:1\n");
}

}  // namespace
}  // namespace maxis::console
