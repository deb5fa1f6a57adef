// The giveaway commands through the engine, on the in-memory store: what staff and members type, what the buttons
// run, and the refusals each bad input gets (nothing changed).
#include "commands/giveaway_commands.hpp"

#include <gtest/gtest.h>

#include "core/time_zone.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_giveaway_store.hpp"

namespace maxis::commands {
namespace {

using core::Role;
using core::UserId;
using core::Viewer;

class Everyone final : public giveaways::EntrantFactsSource {
public:
    giveaways::MemberFacts Facts(UserId) override { return {}; }
};

class GiveawayCommandsTest : public ::testing::Test {
protected:
    GiveawayCommandsTest()
        : zone(core::TimeZone::Load("Europe/Paris")),
          service(repo, facts, clock, giveaways::GiveawayOptions{.max_winners = 5}) {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
        RegisterGiveawayCommands(engine, service, zone);
    }
    Reply Run(const Viewer& v, const std::string& line) { return *engine.HandleLine(v, "fr", line); }

    testing::FakeClock clock;
    testing::MemoryGiveawayRepository repo;
    Everyone facts;
    core::TimeZone zone;
    giveaways::GiveawayService service;
    Engine engine{Catalog::Builtin(), "!"};
    const Viewer staff{UserId{9001}, Role::kStaff};
    const Viewer alice{UserId{3001}, Role::kMember};
};

TEST_F(GiveawayCommandsTest, StaffStartAndMembersEnterByTheButtonsAction) {
    auto started = Run(staff, "!giveaway_start 2h 2 Nitro Classic");
    ASSERT_FALSE(started.is_error) << started.text;
    EXPECT_NE(started.text.find("Concours #1"), std::string::npos) << started.text;
    EXPECT_NE(started.text.find(repo.state.giveaways.at(1).seed_hash), std::string::npos);
    auto list = Run(alice, "!giveaway");
    ASSERT_EQ(list.embeds.size(), 1u);
    EXPECT_EQ(list.embeds[0].title, "🎉 Nitro Classic");
    EXPECT_NE(list.embeds[0].description.find("<t:1780007200:R>"), std::string::npos) << list.embeds[0].description;
    ASSERT_EQ(list.buttons.size(), 1u);
    EXPECT_EQ(list.buttons[0].action, "giveaway_enter 1");
    EXPECT_FALSE(Run(alice, "!" + list.buttons[0].action).is_error);
    // Once entered, the list offers Leave instead.
    EXPECT_EQ(Run(alice, "!giveaway").buttons[0].action, "giveaway_leave 1");
    auto twice = Run(alice, "!giveaway_enter 1");
    EXPECT_TRUE(twice.is_error);
    EXPECT_EQ(twice.text, "Vous participez déjà au concours #1.");
    auto ended = Run(staff, "!giveaway_end 1");
    EXPECT_NE(ended.text.find("<@3001>"), std::string::npos) << ended.text;
}

TEST_F(GiveawayCommandsTest, BadInputGetsAClearMessageAndChangesNothing) {
    EXPECT_TRUE(Run(staff, "!giveaway_start 0m 1 Nitro").is_error);
    EXPECT_EQ(Run(staff, "!giveaway_start 2h 9 Nitro").text, "Un concours a au plus 5 gagnants.");
    EXPECT_EQ(Run(staff, "!giveaway_start 2h 0 Nitro").is_error, true);
    EXPECT_TRUE(Run(alice, "!giveaway_start 2h 1 Nitro").is_error);
    EXPECT_TRUE(repo.state.giveaways.empty());
    EXPECT_EQ(Run(alice, "!giveaway_enter 4").text,
              "Le concours #4 n'existe pas. Voyez les concours en cours avec !giveaway.");
    Run(staff, "!giveaway_start 2h 1 Nitro");
    EXPECT_EQ(Run(staff, "!giveaway_edit 1 fin demain").text,
              "« demain » n'est pas une durée : écrivez par exemple 2h ou 1d12h (à partir de maintenant).");
    EXPECT_FALSE(Run(staff, "!giveaway_edit 1 lot Nitro Boost").is_error);
    EXPECT_EQ(repo.state.giveaways.at(1).prize, "Nitro Boost");
    EXPECT_EQ(Run(staff, "!giveaway_reroll 1").text,
              "Le concours #1 n'est pas encore terminé : le tirage et sa preuve viennent à la fin.");
    Run(staff, "!giveaway_cancel 1");
    EXPECT_EQ(Run(alice, "!giveaway_enter 1").text,
              "Le concours #1 est terminé : il n'est plus possible d'y participer ni de le modifier.");
    EXPECT_TRUE(repo.state.entries.empty());
}

}  // namespace
}  // namespace maxis::commands
