#include "console/console.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "commands/builtin_commands.hpp"

namespace maxis::console {
namespace {

class ConsoleTest : public ::testing::Test {
protected:
    ConsoleTest() { commands::RegisterBuiltinCommands(engine, "9.9.9"); }
    std::pair<std::string, int> Run(const std::string& input, std::string locale = "fr", bool interactive = false) {
        std::istringstream in(input);
        std::ostringstream out;
        ConsoleOptions options{core::Viewer{core::UserId{42}, core::Role::kMember}, "alice", locale, "9.9.9", interactive};
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
