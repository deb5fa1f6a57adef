#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "commands/builtin_commands.hpp"
#include "commands/engine.hpp"
#include "commands/notice.hpp"
#include "commands/parser.hpp"
#include "commands/plan_commands.hpp"
#include "commands/reply.hpp"
#include "commands/ticket_commands.hpp"
#include "core/errors.hpp"
#include "core/strings.hpp"
#include "domain/marketing/marketing.hpp"
#include "support/french_voice.hpp"

namespace maxis::commands {
namespace {

using core::Role;
using core::UserId;
using core::Viewer;
using namespace std::chrono_literals;

const ArgSpec kCategory{
    .name = "category",
    .type = ArgType::kEnum,
    .choices = {{"general", {"général"}}, {"billing", {"facturation"}}, {"technical", {"technique"}}}};
const ArgSpec kPriority{
    .name = "priority",
    .type = ArgType::kEnum,
    .choices = {{"critical", {"critique"}}, {"high", {"haute"}}, {"medium", {"moyenne"}}, {"low", {"basse"}}}};

Args ParseOk(const std::vector<ArgSpec>& specs, std::string_view text) {
    auto result = ParseArguments(specs, text);
    if (auto* e = std::get_if<ParseError>(&result)) {
        ADD_FAILURE() << "parse failed on '" << text << "' at arg '" << e->arg << "' token '" << e->token << "'";
        return {};
    }
    return std::get<Args>(result);
}

ParseError ParseFails(const std::vector<ArgSpec>& specs, std::string_view text) {
    auto result = ParseArguments(specs, text);
    if (auto* e = std::get_if<ParseError>(&result)) return *e;
    ADD_FAILURE() << "parse unexpectedly succeeded on '" << text << "'";
    return {};
}

TEST(Parser, QuotedStringEnumsAndRestOfLine) {
    std::vector<ArgSpec> specs = {{.name = "subject", .type = ArgType::kString},
                                  kCategory,
                                  kPriority,
                                  {.name = "description", .type = ArgType::kRest}};
    auto args = ParseOk(specs, R"( "Paiement refusé" facturation HAUTE La carte   est refusée )");
    EXPECT_EQ(args.Get<std::string>("subject"), "Paiement refusé");
    EXPECT_EQ(args.Get<std::string>("category"), "billing");
    EXPECT_EQ(args.Get<std::string>("priority"), "high");
    EXPECT_EQ(args.Get<std::string>("description"), "La carte   est refusée");
}

TEST(Parser, EnumMatchesAliasesWithoutAccentsOrCase) {
    std::vector<ArgSpec> specs = {kCategory};
    EXPECT_EQ(ParseOk(specs, "Général").Get<std::string>("category"), "general");
    EXPECT_EQ(ParseOk(specs, "general").Get<std::string>("category"), "general");
    EXPECT_EQ(ParseOk(specs, "GENERAL").Get<std::string>("category"), "general");
    EXPECT_EQ(ParseOk(specs, "Technique").Get<std::string>("category"), "technical");
    EXPECT_EQ(ParseFails(specs, "cuisine").kind, ParseErrorKind::kInvalid);
}

TEST(Parser, TypographicQuotesAndEscapes) {
    std::vector<ArgSpec> specs = {{.name = "a", .type = ArgType::kString},
                                  {.name = "b", .type = ArgType::kString},
                                  {.name = "c", .type = ArgType::kString}};
    auto args = ParseOk(specs, "\u201CMon sujet\u201D \u00AB\u00A0Un autre\u00A0\u00BB \"dit \\\"oui\\\" \\\\ fin\"");
    EXPECT_EQ(args.Get<std::string>("a"), "Mon sujet");
    EXPECT_EQ(args.Get<std::string>("b"), "Un autre");
    EXPECT_EQ(args.Get<std::string>("c"), "dit \"oui\" \\ fin");
}

TEST(Parser, ApostrophesAreNotQuotes) {
    std::vector<ArgSpec> specs = {{.name = "w", .type = ArgType::kWord}, {.name = "rest", .type = ArgType::kRest}};
    auto args = ParseOk(specs, "l'équipe c'est top");
    EXPECT_EQ(args.Get<std::string>("w"), "l'équipe");
    EXPECT_EQ(args.Get<std::string>("rest"), "c'est top");
}

TEST(Parser, UnterminatedQuoteIsAnError) {
    std::vector<ArgSpec> specs = {{.name = "subject", .type = ArgType::kString}};
    auto e = ParseFails(specs, "\"jamais fermé");
    EXPECT_EQ(e.kind, ParseErrorKind::kUnterminatedQuote);
    EXPECT_EQ(e.arg, "subject");
}

TEST(Parser, IntegerWithBounds) {
    std::vector<ArgSpec> specs = {{.name = "n", .type = ArgType::kInteger, .min = 1, .max = 10}};
    EXPECT_EQ(ParseOk(specs, "7").Get<std::int64_t>("n"), 7);
    EXPECT_EQ(ParseFails(specs, "0").kind, ParseErrorKind::kInvalid);
    EXPECT_EQ(ParseFails(specs, "11").kind, ParseErrorKind::kInvalid);
    EXPECT_EQ(ParseFails(specs, "7a").kind, ParseErrorKind::kInvalid);
    EXPECT_EQ(ParseFails(specs, "99999999999999999999").kind, ParseErrorKind::kInvalid);
    std::vector<ArgSpec> signed_specs = {{.name = "n", .type = ArgType::kInteger}};
    EXPECT_EQ(ParseOk(signed_specs, "-12").Get<std::int64_t>("n"), -12);
    // Overflow never wraps to another number; '+' and spaces inside a token are not numbers.
    EXPECT_EQ(ParseOk(signed_specs, "9223372036854775807").Get<std::int64_t>("n"), INT64_MAX);
    EXPECT_EQ(ParseFails(signed_specs, "9223372036854775808").kind, ParseErrorKind::kInvalid);
    EXPECT_EQ(ParseFails(signed_specs, "-9223372036854775809").kind, ParseErrorKind::kInvalid);
    EXPECT_EQ(ParseFails(signed_specs, "+5").kind, ParseErrorKind::kInvalid);
}

TEST(Parser, DurationPercentMoney) {
    std::vector<ArgSpec> specs = {{.name = "d", .type = ArgType::kDuration},
                                  {.name = "p", .type = ArgType::kPercent},
                                  {.name = "m", .type = ArgType::kMoney}};
    auto args = ParseOk(specs, "48h 20% 9,99");
    EXPECT_EQ(args.Get<std::chrono::seconds>("d"), 48h);
    EXPECT_EQ(args.Get<std::int64_t>("p"), 20);
    EXPECT_EQ(args.Get<std::int64_t>("m"), 999);
    auto args2 = ParseOk(specs, "3d 5 9.99€");
    EXPECT_EQ(args2.Get<std::chrono::seconds>("d"), 72h);
    EXPECT_EQ(args2.Get<std::int64_t>("p"), 5);
    EXPECT_EQ(args2.Get<std::int64_t>("m"), 999);
    EXPECT_EQ(ParseFails(specs, "48x 20% 9,99").arg, "d");
    EXPECT_EQ(ParseFails(specs, "48h 120% 9,99").arg, "p");
    EXPECT_EQ(ParseFails(specs, "48h 0% 9,99").arg, "p");
    EXPECT_EQ(ParseFails(specs, "48h 20% 9,999").arg, "m");
    EXPECT_EQ(ParseFails(specs, "48h 20% -1").arg, "m");
}

TEST(Parser, UserAndChannelMentions) {
    std::vector<ArgSpec> specs = {{.name = "u", .type = ArgType::kUser}, {.name = "c", .type = ArgType::kChannel}};
    auto args = ParseOk(specs, "<@!123456789012345678> <#42>");
    EXPECT_EQ(args.Get<UserId>("u"), UserId{123456789012345678});
    EXPECT_EQ(args.Get<core::ChannelId>("c"), core::ChannelId{42});
    EXPECT_EQ(ParseOk(specs, "<@7> 8").Get<UserId>("u"), UserId{7});
    EXPECT_EQ(ParseFails(specs, "<#7> 8").arg, "u");
    EXPECT_EQ(ParseFails(specs, "<@7> <@8>").arg, "c");
    // A name is kept as typed, for the engine to resolve; a broken mention or a number that is no id is refused.
    EXPECT_EQ(ParseOk(specs, "@sam 8").Get<std::string>("u"), "@sam");
    EXPECT_EQ(ParseFails(specs, "<@sam> 8").arg, "u");
    EXPECT_EQ(ParseFails(specs, "-5 8").arg, "u");
    EXPECT_EQ(ParseFails(specs, "<@9223372036854775808> 8").arg, "u");
    EXPECT_EQ(ParseFails(specs, "<@99999999999999999999> 8").arg, "u");
    EXPECT_EQ(ParseFails(specs, "<@0> 8").arg, "u");
}

TEST(Parser, ImagesComeFromAttachmentsNeverFromTheLine) {
    std::vector<ArgSpec> specs = {{.name = "question", .type = ArgType::kRest},
                                  {.name = "image", .type = ArgType::kImage, .required = false}};
    auto plain = ParseOk(specs, "what is this https://example.org/a.png");
    EXPECT_EQ(plain.Get<std::string>("question"), "what is this https://example.org/a.png");
    EXPECT_FALSE(plain.Has("image"));
    auto with = ParseArguments(specs, "what is this", {"https://cdn.discordapp.com/a/1.png"});
    ASSERT_TRUE(std::holds_alternative<Args>(with));
    EXPECT_EQ(std::get<Args>(with).Get<std::string>("image"), "https://cdn.discordapp.com/a/1.png");
    // Only https addresses: a file name (what a slash command's non-image attachment becomes) or plain http is refused.
    for (const char* bad : {"notes.pdf", "http://cdn.discordapp.com/a/1.png", "https://a b"}) {
        auto refused = ParseArguments(specs, "q", {bad});
        ASSERT_TRUE(std::holds_alternative<ParseError>(refused)) << bad;
        EXPECT_EQ(std::get<ParseError>(refused).arg, "image");
    }
    std::vector<ArgSpec> required = {{.name = "image", .type = ArgType::kImage}};
    EXPECT_EQ(ParseFails(required, "").kind, ParseErrorKind::kMissing);
}

TEST(Parser, MissingTooManyAndOptional) {
    std::vector<ArgSpec> specs = {{.name = "a", .type = ArgType::kWord},
                                  {.name = "b", .type = ArgType::kWord, .required = false}};
    EXPECT_EQ(ParseFails(specs, "   ").kind, ParseErrorKind::kMissing);
    EXPECT_FALSE(ParseOk(specs, "x").Has("b"));
    EXPECT_EQ(ParseOk(specs, "x y").Get<std::string>("b"), "y");
    auto e = ParseFails(specs, "x y z");
    EXPECT_EQ(e.kind, ParseErrorKind::kTooMany);
    EXPECT_EQ(e.token, "z");
}

TEST(Parser, RejectsInvalidUtf8) {
    std::vector<ArgSpec> specs = {{.name = "a", .type = ArgType::kRest}};
    EXPECT_EQ(ParseFails(specs, "bad \xc3(").kind, ParseErrorKind::kInvalid);
}

TEST(Parser, SplitCommandLineNeedsThePrefix) {
    EXPECT_FALSE(SplitCommandLine("hello !help", "!"));
    EXPECT_FALSE(SplitCommandLine("! help", "!"));
    auto line = SplitCommandLine("  !HELP ticket_create", "!");
    ASSERT_TRUE(line);
    EXPECT_EQ(line->name, "help");
    EXPECT_EQ(line->rest, " ticket_create");
}

class EngineTest : public ::testing::Test {
protected:
    void SetUp() override {
        RegisterBuiltinCommands(engine, "1.2.3");
        engine.Register(CommandSpec{.name = "ticket_create",
                                    .args = {{.name = "subject", .type = ArgType::kString},
                                             kCategory,
                                             kPriority,
                                             {.name = "description", .type = ArgType::kRest}},
                                    .handler = [this](const Invocation& inv) {
                                        ++runs;
                                        return Reply{.text = inv.args.Get<std::string>("subject") + "/" +
                                                             inv.args.Get<std::string>("priority")};
                                    }});
        engine.Register(CommandSpec{
            .name = "promo",
            .args = {{.name = "percent", .type = ArgType::kPercent}, {.name = "duration", .type = ArgType::kDuration}},
            .permission = Role::kStaff,
            .handler = [this](const Invocation&) {
                ++runs;
                return Reply{.text = "ok"};
            }});
        engine.Register(CommandSpec{.name = "explode", .handler = [](const Invocation&) -> Reply {
                                        throw std::runtime_error("database on fire");
                                    }});
        engine.Register(CommandSpec{.name = "missing", .handler = [](const Invocation&) -> Reply {
                                        throw core::Error(core::ErrorCode::kNotFound, "no such thing");
                                    }});
    }
    Reply Run(std::string_view line, Role role = Role::kMember, std::string_view locale = "fr") {
        auto reply = engine.HandleLine(Viewer{UserId{1}, role}, locale, line);
        EXPECT_TRUE(reply.has_value()) << line;
        return reply.value_or(Reply{});
    }
    Engine engine{Catalog::Builtin(), "!"};
    int runs = 0;
};

TEST_F(EngineTest, DispatchesParsedArguments) {
    auto reply = Run(R"(!ticket_create "Paiement refusé" billing critique La carte est refusée)");
    EXPECT_FALSE(reply.is_error);
    EXPECT_EQ(reply.text, "Paiement refusé/critical");
    EXPECT_EQ(runs, 1);
}

TEST_F(EngineTest, BlockedMembersAreRefusedAndNothingRuns) {
    engine.SetBlockedCheck([](UserId id) { return id.value == 1; });
    auto reply = Run(R"(!ticket_create "Paiement refusé" billing critique La carte est refusée)");
    EXPECT_TRUE(reply.is_error);
    EXPECT_NE(reply.text.find("suspendu"), std::string::npos) << reply.text;
    EXPECT_EQ(runs, 0);
    // Staff are never blocked from the bot.
    EXPECT_FALSE(Run(R"(!ticket_create "Sujet" billing critique texte)", Role::kStaff).is_error);
    EXPECT_EQ(runs, 1);
    // The same rule serves the doors that are not commands (the assistant's conversations, the REST API).
    EXPECT_TRUE(engine.Blocks(Viewer{UserId{1}, Role::kMember}));
    EXPECT_FALSE(engine.Blocks(Viewer{UserId{1}, Role::kStaff}));
    EXPECT_FALSE(engine.Blocks(Viewer{UserId{2}, Role::kMember}));
    auto refusal = engine.RefuseIfBlocked(Viewer{UserId{1}, Role::kMember}, "en");
    ASSERT_TRUE(refusal);
    EXPECT_NE(refusal->text.find("suspended"), std::string::npos) << refusal->text;
    EXPECT_FALSE(engine.RefuseIfBlocked(Viewer{UserId{2}, Role::kMember}, "en"));
}

TEST_F(EngineTest, PeopleTypedByNameAreResolvedBeforeTheHandlerRuns) {
    engine.Register(CommandSpec{
        .name = "give", .args = {{.name = "member", .type = ArgType::kUser}}, .handler = [this](const Invocation& inv) {
            ++runs;
            return Reply{.text = inv.args.Get<UserId>("member").ToString()};
        }});
    // Without a directory, a name is a usage error that names the argument; « moi » is the caller.
    auto refused = Run("!give sam");
    EXPECT_TRUE(refused.is_error);
    EXPECT_NE(refused.text.find("« sam »"), std::string::npos) << refused.text;
    EXPECT_EQ(runs, 0);
    EXPECT_EQ(Run("!give moi").text, "1");
    EXPECT_EQ(Run("!give <@42>").text, "42");
    std::vector<std::string> asked;
    engine.SetPeople([&asked](const std::string& name, bool staff_only) {
        EXPECT_FALSE(staff_only);
        asked.push_back(name);
        if (name == "@sam" || name == "sam") return UserId{77};
        throw core::Error(core::ErrorCode::kNotFound, "nobody", "members.not_found", {{"name", name}});
    });
    EXPECT_EQ(Run("!give @sam").text, "77");
    EXPECT_EQ(Run("!give sam").text, "77");
    auto unknown = Run("!give zoe");
    EXPECT_TRUE(unknown.is_error);
    EXPECT_EQ(runs, 4);
    EXPECT_EQ(asked, (std::vector<std::string>{"@sam", "sam", "zoe"}));  // mentions and « moi » never asked
}

TEST_F(EngineTest, LinesWithoutPrefixAreIgnored) {
    EXPECT_FALSE(engine.HandleLine(Viewer{UserId{1}, Role::kMember}, "fr", "bonjour tout le monde"));
}

TEST_F(EngineTest, ParseErrorAnswersWithUsageAndDoesNotRun) {
    auto reply = Run("!ticket_create \"Sujet\" cuisine haute texte");
    EXPECT_TRUE(reply.is_error);
    EXPECT_EQ(runs, 0);
    EXPECT_NE(reply.text.find("Valeur invalide pour <catégorie> : « cuisine »"), std::string::npos) << reply.text;
    EXPECT_NE(reply.text.find("facturation"), std::string::npos) << reply.text;
    // In French, the values are shown by their French names, in the usage and in the list of choices.
    EXPECT_NE(reply.text.find("Utilisation : !ticket_create \"<sujet>\" <catégorie: général|facturation|technique>"),
              std::string::npos)
        << reply.text;
    EXPECT_NE(reply.text.find("Valeurs possibles : général, facturation, technique."), std::string::npos) << reply.text;
    auto en = Run("!ticket_create", Role::kMember, "en");
    EXPECT_NE(en.text.find("Missing argument <subject>."), std::string::npos) << en.text;
    EXPECT_NE(en.text.find("Usage: !ticket_create"), std::string::npos) << en.text;
}

TEST_F(EngineTest, PermissionIsCheckedBeforeParsing) {
    auto reply = Run("!promo 20% 48h", Role::kMember);
    EXPECT_TRUE(reply.is_error);
    EXPECT_EQ(reply.text, "Cette commande est réservée au rôle « équipe ».");
    EXPECT_EQ(runs, 0);
    EXPECT_FALSE(Run("!promo 20% 48h", Role::kAdmin).is_error);
    EXPECT_EQ(runs, 1);
}

TEST_F(EngineTest, UnknownCommandSuggestsTheClosestVisibleOne) {
    auto reply = Run("!hepl");
    EXPECT_TRUE(reply.is_error);
    EXPECT_NE(reply.text.find("Commande inconnue : !hepl"), std::string::npos);
    EXPECT_NE(reply.text.find("Vouliez-vous dire !help ?"), std::string::npos) << reply.text;
    // A member is never pointed at a staff command.
    EXPECT_EQ(Run("!promp").text.find("!promo"), std::string::npos);
}

TEST_F(EngineTest, HandlerErrorsBecomeLocalizedReplies) {
    auto internal = Run("!explode", Role::kMember, "en");
    EXPECT_TRUE(internal.is_error);
    EXPECT_TRUE(std::regex_search(internal.text, std::regex("Something went wrong \\(ref [A-Z0-9]{8}\\)")))
        << internal.text;
    EXPECT_EQ(internal.text.find("database on fire"), std::string::npos);
    EXPECT_EQ(Run("!missing").text, "Introuvable.");
}

TEST_F(EngineTest, HelpListsOnlyWhatTheRoleMayRunInTheLocale) {
    auto fr = Run("!help");
    ASSERT_EQ(fr.embeds.size(), 1u);
    EXPECT_EQ(fr.embeds[0].title, "Commandes disponibles");
    std::set<std::string> listed;
    for (const auto& f : fr.embeds[0].fields) listed.insert(f.name.substr(0, f.name.find(' ')));
    EXPECT_TRUE(listed.contains("!help"));
    EXPECT_TRUE(listed.contains("!ticket_create"));
    EXPECT_FALSE(listed.contains("!promo"));
    auto en = Run("!help", Role::kStaff, "en");
    EXPECT_EQ(en.embeds[0].title, "Available commands");
    bool has_promo = false;
    for (const auto& f : en.embeds[0].fields) has_promo |= f.name.starts_with("!promo");
    EXPECT_TRUE(has_promo);
}

TEST_F(EngineTest, HelpForOneCommandShowsUsageAndArguments) {
    auto reply = Run("!help help");
    ASSERT_EQ(reply.embeds.size(), 1u);
    EXPECT_EQ(reply.embeds[0].title, "!help");
    EXPECT_EQ(reply.embeds[0].fields[0].value, "!help [<commande>]");
    EXPECT_EQ(reply.embeds[0].fields[1].name, "commande");
    EXPECT_TRUE(Run("!help promo").is_error);  // hidden from members
    EXPECT_TRUE(Run("!help nothing").is_error);
}

TEST_F(EngineTest, SlashOptionsUseTheSameParsers) {
    Viewer member{UserId{1}, Role::kMember};
    auto ok = engine.HandleOptions(
        member, "fr", "ticket_create",
        {{"subject", "Sujet"}, {"category", "billing"}, {"priority", "low"}, {"description", "x"}});
    EXPECT_EQ(ok.text, "Sujet/low");
    auto bad = engine.HandleOptions(member, "en", "ticket_create", {{"subject", "Sujet"}, {"category", "nope"}});
    EXPECT_TRUE(bad.is_error);
    EXPECT_NE(bad.text.find("Invalid value for <category>"), std::string::npos);
    EXPECT_EQ(runs, 1);
}

TEST_F(EngineTest, SlashDefinitionsFollowDiscordRules) {
    auto defs = engine.SlashDefinitions();
    std::regex name_rule("^[-_a-z0-9]{1,32}$");
    boost::json::object const* ticket = nullptr;
    for (const auto& d : defs) {
        const auto& o = d.as_object();
        EXPECT_TRUE(std::regex_match(std::string(o.at("name").as_string()), name_rule));
        auto desc = std::string(o.at("description").as_string());
        EXPECT_GE(desc.size(), 1u);
        EXPECT_LE(desc.size(), 100u);
        if (o.at("name") == "ticket_create") ticket = &o;
        if (o.at("name") == "promo") {
            EXPECT_EQ(o.at("default_member_permissions"), 0);
        }
    }
    ASSERT_NE(ticket, nullptr);
    const auto& options = ticket->at("options").as_array();
    ASSERT_EQ(options.size(), 4u);
    EXPECT_EQ(options[1].at("type"), 3);
    EXPECT_EQ(options[1].at("choices").as_array().size(), 3u);
    EXPECT_EQ(options[1].at("choices").as_array()[1].at("name_localizations").at("fr"), "facturation");
    EXPECT_EQ(options[0].at("required"), true);
    auto help = std::find_if(defs.begin(), defs.end(), [](const auto& d) { return d.at("name") == "help"; });
    ASSERT_NE(help, defs.end());
    EXPECT_EQ(help->at("description_localizations").at("fr"),
              "Affiche les commandes disponibles, ou le détail d'une commande.");
    EXPECT_EQ(help->at("options").as_array()[0].at("name_localizations").at("fr"), "commande");
}

TEST_F(EngineTest, RegistrationRejectsWhatDiscordWouldRefuse) {
    auto noop = [](const Invocation&) { return Reply{}; };
    EXPECT_THROW(engine.Register(CommandSpec{.name = "Bad Name", .handler = noop}), core::Error);
    EXPECT_THROW(engine.Register(CommandSpec{.name = "help", .handler = noop}), core::Error);
    EXPECT_THROW(
        engine.Register(
            CommandSpec{.name = "order", .args = {{.name = "a", .required = false}, {.name = "b"}}, .handler = noop}),
        core::Error);  // The rest of a line must be last, but an image (an attachment, never words) may follow it.
    EXPECT_THROW(engine.Register(CommandSpec{
                     .name = "ask",
                     .args = {{.name = "question", .type = ArgType::kRest}, {.name = "image", .required = false}},
                     .handler = noop}),
                 core::Error);
    EXPECT_NO_THROW(engine.Register(CommandSpec{.name = "ask",
                                                .args = {{.name = "question", .type = ArgType::kRest},
                                                         {.name = "image", .type = ArgType::kImage, .required = false}},
                                                .handler = noop}));
    auto defs = engine.SlashDefinitions();
    auto ask = std::find_if(defs.begin(), defs.end(), [](const auto& d) { return d.at("name") == "ask"; });
    ASSERT_NE(ask, defs.end());
    EXPECT_EQ(ask->at("options").as_array()[1].at("type"), 11);  // ATTACHMENT
}

// /imagine's refusals each say their own reason, never "ask me something" (the empty-question text).
TEST(PlanCommands, ImagineRefusalsNameTheirReason) {
    const auto& c = Catalog::Builtin();
    for (const std::string locale : {"fr", "en"}) {
        auto empty_question = c.Text(locale, "plans.assistant.empty");
        auto failed = ImagineReply(c, locale, plans::Answer{.kind = plans::AnswerKind::kFailed});
        EXPECT_TRUE(failed.is_error);
        EXPECT_EQ(failed.text, c.Text(locale, "plans.imagine.failed"));
        auto too_long = ImagineReply(c, locale, plans::Answer{.kind = plans::AnswerKind::kTooLong, .limit = 2000});
        EXPECT_EQ(too_long.text, c.Text(locale, "plans.imagine.too_long", {{"max", "2000"}}));
        EXPECT_NE(too_long.text.find("2000"), std::string::npos);
        auto off = ImagineReply(c, locale, plans::Answer{.kind = plans::AnswerKind::kNoProvider});
        EXPECT_EQ(off.text, c.Text(locale, "plans.imagine.off"));
        for (const auto& reply : {failed, too_long, off}) EXPECT_NE(reply.text, empty_question) << locale;
    }
    EXPECT_NE(Catalog::Builtin().Text("fr", "plans.imagine.failed"),
              Catalog::Builtin().Text("en", "plans.imagine.failed"));
}

TEST(Catalogs, FrenchAndEnglishHaveTheSameKeysAndPlaceholders) {
    const auto& catalog = Catalog::Builtin();
    auto fr = catalog.Keys("fr");
    auto en = catalog.Keys("en");
    EXPECT_EQ(fr, en);
    std::regex placeholder("\\{([a-z_]+)\\}");
    for (const auto& key : fr) {
        auto placeholders = [&](const std::string& locale) {
            std::set<std::string> out;
            // Text() with no params keeps placeholders as written.
            std::string text = catalog.Text(locale, key);
            for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it)
                out.insert((*it)[1]);
            return out;
        };
        EXPECT_EQ(placeholders("fr"), placeholders("en")) << key;
    }
}

TEST(Catalogs, FallsBackToDefaultLocaleThenKey) {
    Catalog c({{"fr", "a = \"A {x}\"\nb = \"B\""}, {"en", "a = \"EN {x}\""}}, "fr");
    EXPECT_EQ(c.Text("en", "a", {{"x", "1"}}), "EN 1");
    EXPECT_EQ(c.Text("en", "b"), "B");
    EXPECT_EQ(c.Text("de", "a", {{"x", "2"}}), "A 2");
    EXPECT_EQ(c.Text("fr", "missing.key"), "missing.key");
    EXPECT_EQ(Substitute("{{literal}} {x}", {{"x", "y"}}), "{literal} y");
    EXPECT_THROW(Catalog({{"fr", "a = 1"}}, "fr"), core::Error);
    EXPECT_THROW(Catalog({{"fr", "a = \"x"}}, "fr"), core::Error);
}

TEST(NoticeReply, RendersPeopleAmountsDatesAndButtonsForTheReader) {
    const auto& catalog = Catalog::Builtin();
    auto n = scheduling::Notice::ToStaff("shop.notify.new_order", "k");
    n.params = {{"number", "MX-2026-000007"}};
    n.people = {{"user", core::UserId{77}}};
    n.money = {{"total", core::Money{1999, "EUR"}}};
    n.order = "MX-2026-000007";
    n.link = scheduling::Notice::Link{"http://not-https.example", "shop.button.invoice"};
    auto discord = NoticeReply(n, catalog, "fr");
    EXPECT_NE(discord.text.find("<@77>"), std::string::npos) << discord.text;
    EXPECT_NE(discord.text.find("19,99 €"), std::string::npos) << discord.text;
    ASSERT_EQ(discord.buttons.size(), 1U);  // the order's button; a link that is not https is not shown
    EXPECT_EQ(discord.buttons[0].action, "order MX-2026-000007");
    auto named = NoticeReply(n, catalog, "en", [](core::UserId u) { return "alice#" + u.ToString(); });
    EXPECT_NE(named.text.find("alice#77"), std::string::npos) << named.text;
    EXPECT_EQ(named.text.find("<@"), std::string::npos) << named.text;

    auto m = scheduling::Notice::ToMember(core::UserId{5}, "plans.notify.canceling", "k2");
    m.params = {{"plan", "Pro"}};
    m.dates = {{"until", "2026-12-25"}};
    EXPECT_NE(NoticeReply(m, catalog, "fr").text.find("25/12/2026"), std::string::npos);
    EXPECT_NE(NoticeReply(m, catalog, "en").text.find("2026-12-25"), std::string::npos);
}

TEST(Mentions, TextIsCutAtEachMentionIntoWordsAndPeople) {
    auto pieces = SplitMentions("<@7> a réattribué le ticket de <@!8> à <@9>. <@x> <@0> <@");
    ASSERT_EQ(pieces.size(), 6U);
    EXPECT_EQ(pieces[0].person, UserId{7});
    EXPECT_EQ(pieces[1].text, " a réattribué le ticket de ");
    EXPECT_FALSE(pieces[1].person);
    EXPECT_EQ(pieces[2].person, UserId{8});
    EXPECT_EQ(pieces[3].text, " à ");
    EXPECT_EQ(pieces[4].person, UserId{9});
    EXPECT_EQ(pieces[5].text, ". <@x> <@0> <@");  // not ids: words
    ASSERT_EQ(SplitMentions("sans personne").size(), 1U);
    EXPECT_EQ(SplitMentions("sans personne")[0].text, "sans personne");
    EXPECT_EQ(SplitMentions("")[0].text, "");
}

// The history's sentences are written once, for every surface: people as mentions, values by their names in
// the reader's language, Maxis by its name, and an action no sentence knows yet still in words.
TEST(HistorySentence, EachEntryReadsAsASentenceInTheReadersLanguage) {
    const auto& catalog = Catalog::Builtin();
    Viewer staff{UserId{3}, Role::kStaff};
    auto entry = [](long long actor, std::string action, std::string before, std::string after) {
        return tickets::AuditEntry{.actor = UserId{actor}, .action = action, .before = before, .after = after};
    };
    EXPECT_EQ(HistorySentence(entry(7, "priority", "medium", "critical"), catalog, "fr", staff),
              "<@7> a passé la priorité de moyenne à critique");
    EXPECT_EQ(HistorySentence(entry(7, "priority", "medium", "critical"), catalog, "en", staff),
              "<@7> changed the priority from medium to critical");
    EXPECT_EQ(HistorySentence(entry(7, "create", "", "high/billing"), catalog, "fr", staff),
              "<@7> a ouvert le ticket (priorité haute, facturation)");
    EXPECT_EQ(HistorySentence(entry(3, "assign", "8", "9"), catalog, "fr", staff),
              "<@3> a réattribué le ticket de <@8> à <@9>");
    EXPECT_EQ(HistorySentence(entry(3, "reply", "open", "waiting_member"), catalog, "fr", staff),
              "<@3> a répondu ; statut : ouvert → attente du membre");
    EXPECT_EQ(HistorySentence(entry(0, "close", "", "auto_close"), catalog, "en", staff),
              "Maxis closed the ticket: no answer from the member");
    EXPECT_EQ(HistorySentence(entry(0, "sla_breach", "", "first_response"), catalog, "fr", staff),
              "Le délai de première réponse est dépassé");
    EXPECT_EQ(HistorySentence(entry(7, "merged", "12", "13"), catalog, "fr", staff), "<@7> : merged (12 → 13)");
    // A language the catalogs do not have reads as the default one.
    EXPECT_EQ(HistorySentence(entry(7, "reopen", "closed", "open"), catalog, "de", staff), "<@7> a rouvert le ticket");
}

// One French voice: the catalog says « vous » everywhere; each « tu » form (support/french_voice.hpp, the list
// the panel's texts are held to as well) fails this test, with the key.
TEST(FrenchVoice, TheFrenchCatalogNeverSaysTu) {
    const auto& catalog = Catalog::Builtin();
    std::string found;
    for (const auto& key : catalog.Keys("fr")) {
        std::string text = catalog.Text("fr", key);
        for (const auto& word : testing::TuForms(text)) found += "\n  " + key + ": « " + word + " » in " + text;
    }
    EXPECT_TRUE(found.empty()) << found;
    // The check itself: it finds each kind of form, whatever the case, accents and punctuation around it.
    EXPECT_EQ(testing::TuForms("Préviens-nous\u00A0: « Écris-le », ton ticket, t’as vu\u2026 Retirez-le au-delà."),
              (std::vector<std::string>{"previens-nous", "ecris-le", "ton", "t’as"}));
}

// Every catalog key the invite and commission services throw or notify with, in both languages (the services only
// name keys; a missing one would reach a member as the bare key).
TEST(Catalogs, HoldEveryKeyOfTheInviteAndCommissionServices) {
    std::vector<std::string> keys = {"marketing.staff_only",
                                     "marketing.no_member",
                                     "marketing.not_marketer",
                                     "marketing.code_shape",
                                     "marketing.code_taken",
                                     "marketing.code_set",
                                     "marketing.code_unknown",
                                     "marketing.self_referral",
                                     "marketing.already_attributed",
                                     "marketing.reward_kind",
                                     "marketing.reward_bounds",
                                     "marketing.not_holder",
                                     "marketing.currency",
                                     "marketing.amount_positive",
                                     "marketing.reference_required",
                                     "marketing.payout_exceeds",
                                     "marketing.payout_nothing_due",
                                     "marketing.payout_owed",
                                     "marketing.unknown_role",
                                     "text.control.reference",
                                     "text.utf8.reference",
                                     "marketing.month_format",
                                     "invites.reason_required",
                                     "invites.bonus_range",
                                     "marketing.notify.invite_validated",
                                     "marketing.notify.commission_pending",
                                     "marketing.notify.commission_reduced",
                                     "marketing.notify.commission_due",
                                     "marketing.notify.reward",
                                     "marketing.notify.payout",
                                     "marketing.notify.self_referral.order",
                                     "marketing.notify.self_referral.preorder",
                                     "marketing.notify.self_referral.plan"};
    for (const char* reason :
         {marketing::kReasonRefund, marketing::kReasonDispute, marketing::kReasonInviteCancelled}) {
        keys.push_back(std::string("marketing.notify.reversed.") + reason);
        keys.push_back(std::string("marketing.notify.clawback.") + reason);
    }
    keys.push_back(std::string("marketing.notify.clawback.") + marketing::kReasonPartialRefund);
    const auto& catalog = Catalog::Builtin();
    for (const auto& key : keys) {
        EXPECT_TRUE(catalog.Has("fr", key)) << key;
        EXPECT_TRUE(catalog.Has("en", key)) << key;
    }
}

// Amounts in the commission service's errors are written in the reader's locale: 50,00 € in French, €50.00 in
// English (the service passes figures, each catalog composes them), and a negative balance is said as a debt.
TEST(Catalogs, WriteMarketingAmountsInTheReadersLocale) {
    const auto& catalog = Catalog::Builtin();
    Params bounds{{"min_units", "50"}, {"min_cents", "00"}, {"max_units", "200"}, {"max_cents", "00"}, {"symbol", "€"}};
    EXPECT_NE(catalog.Text("fr", "marketing.reward_bounds", bounds).find("entre 50,00 € et 200,00 €"),
              std::string::npos);
    EXPECT_NE(catalog.Text("en", "marketing.reward_bounds", bounds).find("from €50.00 to €200.00"), std::string::npos);
    Params owed{
        {"due_units", "10"}, {"due_cents", "00"}, {"amount_units", "0"}, {"amount_cents", "01"}, {"symbol", "€"}};
    EXPECT_NE(catalog.Text("fr", "marketing.payout_owed", owed).find("doit 10,00 €"), std::string::npos);
    EXPECT_NE(catalog.Text("en", "marketing.payout_owed", owed).find("they owe €10.00"), std::string::npos);
    for (const auto* locale : {"fr", "en"}) {
        for (const auto* key : {"marketing.reward_bounds", "marketing.payout_exceeds", "marketing.payout_owed"}) {
            EXPECT_EQ(catalog.Text(locale, key, owed).find('-'), std::string::npos) << locale << " " << key;
        }
    }
}

// Every catalog key the roles' service throws or notifies with, in both languages: its errors, each role's name and
// its four notices (each role says them in its own words), and the measured conditions' progress lines.
TEST(Catalogs, HoldEveryKeyOfTheMarketingRoles) {
    std::vector<std::string> keys = {
        "marketing.unknown_role",        "marketing.already_holds",   "marketing.already_applied",
        "marketing.followers_required",  "marketing.links_required",  "marketing.portfolio_required",
        "marketing.message_required",    "marketing.no_application",  "marketing.reason_required",
        "marketing.event_name_required", "marketing.event_duplicate", "marketing.discount_amount",
        "marketing.discount_exceeds",    "marketing.too_long",        "marketing.staff_only",
        "marketing.not_holder",          "text.control.links",        "text.utf8.links",
        "text.control.portfolio",        "text.utf8.portfolio"};
    for (const char* requirement : {"invites", "help_messages", "events", "followers"}) {
        keys.push_back(std::string("marketing.requirement.") + requirement);
        keys.push_back(std::string("marketing.not_eligible_") + requirement);  // the condition not met, named
    }
    for (auto role : marketing::AllRoles()) {
        auto name = std::string(marketing::ToString(role));
        keys.push_back("marketing.role." + name);
        for (const char* notice : {"application_received", "role_approved", "role_rejected", "role_revoked"}) {
            keys.push_back(std::string("marketing.notify.") + notice + "." + name);
        }
    }
    const auto& catalog = Catalog::Builtin();
    for (const auto& key : keys) {
        EXPECT_TRUE(catalog.Has("fr", key)) << key;
        EXPECT_TRUE(catalog.Has("en", key)) << key;
    }
    // Progress reads as the issue asks, and a rejection or revocation says staff's reason.
    EXPECT_EQ(catalog.Text("fr", "marketing.requirement.invites", {{"have", "7"}, {"need", "10"}}),
              "7/10 invitations validées");
    EXPECT_NE(
        catalog.Text("fr", "marketing.notify.role_rejected.creator", {{"reason", "trop court"}}).find("trop court"),
        std::string::npos);
    EXPECT_NE(catalog.Text("en", "marketing.notify.role_revoked.partner", {{"reason", "ended"}}).find("ended"),
              std::string::npos);
}

}  // namespace
}  // namespace maxis::commands
