// The giveaways' return in the chat: staff set what a prize cost (!giveaway_edit <id> coût 25,00 €) and read the
// return (!giveaway_stats <id>), amounts as the product writes them; members are refused; bad amounts are named.
#include <gtest/gtest.h>

#include "commands/giveaway_commands.hpp"
#include "core/time_zone.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_giveaway_store.hpp"

namespace maxis::commands {
namespace {

using core::Role;
using core::UserId;
using core::Viewer;
using std::chrono::days;
using std::chrono::hours;

class Everyone final : public giveaways::EntrantFactsSource {
public:
    giveaways::MemberFacts Facts(UserId) override { return {}; }
};

/// Two members joined on the first day; one paid 49,90 € on the second and bought Pro.
class TwoJoiners final : public giveaways::RoiSource {
public:
    giveaways::RoiRows Rows(const Viewer&, core::TimePoint from, core::TimePoint to) override {
        giveaways::RoiRows rows;
        auto add = [&](core::TimePoint at, auto&& push) {
            if (at >= from && at < to) push();
        };
        add(t0 + hours(1), [&] { rows.events.push_back({UserId{71}, true, t0 + hours(1)}); });
        add(t0 + hours(2), [&] { rows.events.push_back({UserId{72}, true, t0 + hours(2)}); });
        add(t0 + days(1), [&] { rows.payments.push_back({UserId{71}, 4990, "EUR", t0 + days(1)}); });
        add(t0 + days(1), [&] { rows.plans.push_back({UserId{71}, "pro", false, t0 + days(1)}); });
        return rows;
    }
    core::TimePoint t0;
};

class GiveawayStatsCommandsTest : public ::testing::Test {
protected:
    GiveawayStatsCommandsTest()
        : zone(core::TimeZone::Load("Europe/Paris")),
          service(repo, facts, clock, giveaways::GiveawayOptions{.max_winners = 5}),
          stats(service, roi, clock, {{"pro", 999}}) {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
        roi.t0 = clock.Now();
        RegisterGiveawayCommands(engine, service, zone);
        RegisterGiveawayStatsCommands(engine, stats, service, zone);
    }
    Reply Run(const Viewer& v, const std::string& line, const std::string& locale = "fr") {
        return *engine.HandleLine(v, locale, line);
    }

    testing::FakeClock clock;
    testing::MemoryGiveawayRepository repo;
    Everyone facts;
    TwoJoiners roi;
    core::TimeZone zone;
    giveaways::GiveawayService service;
    giveaways::GiveawayStatsService stats;
    Engine engine{Catalog::Builtin(), "!"};
    const Viewer staff{UserId{9001}, Role::kStaff};
    const Viewer alice{UserId{3001}, Role::kMember};
};

TEST_F(GiveawayStatsCommandsTest, StaffSetTheCostAndReadTheReturnSoFarThenFinal) {
    ASSERT_FALSE(Run(staff, "!giveaway_start 1d 1 Nitro").is_error);
    auto set = Run(staff, "!giveaway_edit 1 coût 25,00 €");
    ASSERT_FALSE(set.is_error) << set.text;
    EXPECT_EQ(set.text, "Concours #1 : le lot a coûté " + core::FormatMoney({2500, "EUR"}, "fr") + ".");
    EXPECT_EQ(repo.state.giveaways.at(1).prize_cost_cents, 2500);

    clock.Set(roi.t0 + days(3));
    auto open = Run(staff, "!giveaway_stats 1");
    ASSERT_FALSE(open.is_error) << open.text;
    EXPECT_TRUE(open.ephemeral);
    EXPECT_NE(open.text.find("Fenêtre encore ouverte"), std::string::npos) << open.text;
    EXPECT_NE(open.text.find("Coût du lot : 25,00"), std::string::npos) << open.text;
    EXPECT_NE(open.text.find("Membres gagnés : 2 (2 arrivée(s), dont 0 reparti(e)s)."), std::string::npos) << open.text;
    // 49,90 € + Pro at 9,99 € = 59,89 €; less 25,00 €: 34,89 €, 139 %.
    EXPECT_NE(open.text.find("Revenus de ces membres : " + core::FormatMoney({5989, "EUR"}, "fr")), std::string::npos)
        << open.text;
    EXPECT_NE(open.text.find("boutique " + core::FormatMoney({4990, "EUR"}, "fr")), std::string::npos) << open.text;
    EXPECT_NE(open.text.find("1 membre(s) payant(s)"), std::string::npos) << open.text;
    EXPECT_NE(open.text.find("Résultat : " + core::FormatMoney({3489, "EUR"}, "fr") + ", soit un ROI de 139 %."),
              std::string::npos)
        << open.text;
    // No raw id of a person in the answer.
    EXPECT_EQ(open.text.find("71"), std::string::npos) << open.text;

    clock.Set(roi.t0 + days(40));
    auto closed = Run(staff, "!giveaway_stats 1", "en");
    EXPECT_EQ(closed.text.find("still open"), std::string::npos) << closed.text;
    EXPECT_NE(closed.text.find("Prize cost: €25.00."), std::string::npos) << closed.text;
    EXPECT_NE(closed.text.find("Cost per member gained: €12.50."), std::string::npos) << closed.text;
}

TEST_F(GiveawayStatsCommandsTest, RefusalsNameTheProblemAndChangeNothing) {
    Run(staff, "!giveaway_start 1d 1 Nitro");
    EXPECT_EQ(Run(staff, "!giveaway_edit 1 coût beaucoup").text,
              "« beaucoup » n'est pas un montant : écrivez par exemple 25,00 €.");
    EXPECT_EQ(Run(staff, "!giveaway_edit 1 coût -3").text,
              "« -3 » n'est pas un montant : écrivez par exemple 25,00 €.");
    EXPECT_TRUE(Run(alice, "!giveaway_edit 1 coût 3").is_error);
    EXPECT_EQ(repo.state.giveaways.at(1).prize_cost_cents, 0);
    EXPECT_TRUE(Run(alice, "!giveaway_stats 1").is_error);
    EXPECT_EQ(Run(staff, "!giveaway_stats 9").text,
              "Le concours #9 n'existe pas. Voyez les concours en cours avec !giveaway.");
    // Without a cost, the answer says how to enter it.
    EXPECT_NE(Run(staff, "!giveaway_stats 1").text.find("!giveaway_edit 1 coût 25,00 €"), std::string::npos);
}

}  // namespace
}  // namespace maxis::commands
