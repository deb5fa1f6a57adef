// The pre-order commands through the engine, on the in-memory store: what staff
// type to define an item, what a member sees (tiers, prices, seats open and
// held, the countdown) and what the Buy button runs, the new price when the
// tier seen has just filled, and the refusals each bad input gets (nothing
// changed).
#include "commands/preorder_commands.hpp"

#include <gtest/gtest.h>

#include "core/time_zone.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_preorder_store.hpp"

namespace maxis::commands {
namespace {

using core::Role;
using core::UserId;
using core::Viewer;
using namespace preorders;

/// The provider's hosted page, as far as the commands see it: a session id and
/// its URL.
class PaymentPages final : public PreorderCheckout {
public:
    [[nodiscard]] bool configured() const override { return true; }
    Session CreateCheckout(const Purchase &purchase, const Item &, const Tier &, core::TimePoint,
                           const std::string &) override {
        auto id = "cs_test_" + purchase.id.ToString();
        return {id, "https://checkout.example/" + id};
    }
    std::string Refund(const Purchase &purchase, const std::string &) override {
        return "re_" + purchase.id.ToString();
    }
};

class PreorderCommandsTest : public ::testing::Test {
protected:
    PreorderCommandsTest()
        : zone(core::TimeZone::Load("Europe/Paris")), service(repo, pages, clock, zone, PreorderOptions{}) {
        RegisterPreorderCommands(engine, service, zone);
    }
    Reply Run(const Viewer &v, const std::string &line) { return *engine.HandleLine(v, "fr", line); }
    std::size_t Items() {
        return repo.Inspect([](const auto &s) { return s.items.size(); });
    }
    std::size_t Purchases() {
        return repo.Inspect([](const auto &s) { return s.purchases.size(); });
    }
    /// The tier ids of item 1, in position order.
    std::vector<std::string> TierIds() {
        std::vector<std::string> ids;
        for (const auto &t : service.Get(staff, ItemId{1}).tiers) ids.push_back(t.id.ToString());
        return ids;
    }

    testing::FakeClock clock;  // 28/05/2026 in Paris
    testing::MemoryPreorderRepository repo;
    PaymentPages pages;
    core::TimeZone zone;
    PreorderService service;
    Engine engine{Catalog::Builtin(), "!"};
    const Viewer staff{UserId{9001}, Role::kStaff};
    const Viewer alice{UserId{3001}, Role::kMember};
    const Viewer bob{UserId{3002}, Role::kMember};
};

constexpr const char *kCreate =
    "!preorder_create \"Carte collector\" 49,99 "
    "25/12/2026 18:00 \"Édition numérotée\"";
constexpr const char *kChristmasCountdown = "<t:1798218000:R>";  // 25/12/2026 18:00 in Paris is 17:00 UTC

TEST_F(PreorderCommandsTest, StaffCreateAndOpenThenAMemberBuysTheCheapestTierByTheButton) {
    auto created = Run(staff, kCreate);
    ASSERT_FALSE(created.is_error) << created.text;
    EXPECT_NE(created.text.find("Pré-commande #1 « Carte collector » créée (brouillon)"), std::string::npos)
        << created.text;
    ASSERT_EQ(created.embeds.size(), 1u);
    // The default tiers, each at its price.
    ASSERT_EQ(created.embeds[0].fields.size(), 4u);
    EXPECT_EQ(created.embeds[0].fields[0].name, "Early Bird (-30 %)");  // a draft sells nothing yet
    EXPECT_NE(created.embeds[0].fields[0].value.find("34,99 €"), std::string::npos)
        << created.embeds[0].fields[0].value;
    EXPECT_NE(created.embeds[0].fields[0].value.find("20 place(s) sur 20"), std::string::npos);
    EXPECT_NE(created.embeds[0].fields[3].value.find("sans limite de places"), std::string::npos);

    // Drafts are staff's: a member sees nothing to buy yet.
    EXPECT_EQ(Run(alice, "!preorder").text, "Aucune pré-commande ouverte pour l'instant.");
    ASSERT_FALSE(Run(staff, "!preorder_open 1").is_error);

    auto list = Run(alice, "!preorder");
    EXPECT_TRUE(list.ephemeral);
    ASSERT_EQ(list.embeds.size(), 1u);
    EXPECT_EQ(list.embeds[0].title, "Carte collector");
    EXPECT_NE(list.embeds[0].description.find("Édition numérotée"), std::string::npos);
    EXPECT_NE(list.embeds[0].description.find(std::string("Sortie ") + kChristmasCountdown + " (25/12/2026 18:00 CET)"),
              std::string::npos)
        << list.embeds[0].description;
    EXPECT_EQ(list.embeds[0].fields[0].name, "➡️ Early Bird (-30 %)");  // the tier a buyer gets now
    ASSERT_EQ(list.buttons.size(), 1u);
    EXPECT_EQ(list.buttons[0].action, "preorder_buy 1 " + TierIds()[0]);
    EXPECT_EQ(list.buttons[0].label, "Acheter Carte collector · 34,99 € (Early Bird)");

    auto bought = Run(alice, "!" + list.buttons[0].action);
    ASSERT_FALSE(bought.is_error) << bought.text;
    EXPECT_TRUE(bought.ephemeral);
    ASSERT_EQ(bought.buttons.size(), 1u);
    EXPECT_EQ(bought.buttons[0].style, ButtonStyle::kLink);
    EXPECT_EQ(bought.buttons[0].url, "https://checkout.example/cs_test_1");
    EXPECT_EQ(bought.buttons[0].label, "Payer 34,99 €");
    EXPECT_NE(bought.text.find("Votre place Early Bird à 34,99 € est réservée"), std::string::npos) << bought.text;

    // The held seat shows as being paid for, and is not open to anyone else.
    auto after = Run(bob, "!preorder");
    EXPECT_NE(after.embeds[0].fields[0].value.find("19 place(s) sur 20 · 1 en cours de paiement"), std::string::npos)
        << after.embeds[0].fields[0].value;

    // Paid: the member's list and the staff's buyers show it.
    ASSERT_EQ(service.OnCheckoutCompleted("evt_1", "cs_test_1", true, "pi_1", 3499), EventOutcome::kApplied);
    auto mine = Run(alice, "!preorders_mine");
    ASSERT_EQ(mine.embeds.size(), 1u);
    ASSERT_EQ(mine.embeds[0].fields.size(), 1u);
    EXPECT_EQ(mine.embeds[0].fields[0].name, "#1 · Carte collector");
    EXPECT_NE(mine.embeds[0].fields[0].value.find("Early Bird · 34,99 € · payée"), std::string::npos)
        << mine.embeds[0].fields[0].value;
    auto buyers = Run(staff, "!preorder_buyers 1");
    ASSERT_EQ(buyers.embeds.size(), 1u);
    EXPECT_NE(buyers.embeds[0].description.find("#1 · <@3001> · Early Bird · 34,99 € · payée"), std::string::npos)
        << buyers.embeds[0].description;
    EXPECT_TRUE(Run(alice, "!preorder_buyers 1").is_error);
}

TEST_F(PreorderCommandsTest, TheTierSeenHasJustFilledSoTheAnswerIsTheNewPriceWithItsOwnButton) {
    ASSERT_FALSE(Run(staff, kCreate).is_error);
    auto tiers = Run(staff, "!preorder_tiers 1 \"Early Bird\" 30% 1 Founder 20% 50 Regular 0% -");
    ASSERT_FALSE(tiers.is_error) << tiers.text;
    ASSERT_FALSE(Run(staff, "!preorder_open 1").is_error);
    auto seen = Run(bob, "!preorder");                                // Bob looks at the Early Bird price ...
    ASSERT_FALSE(Run(alice, "!" + seen.buttons[0].action).is_error);  // ... Alice takes its only seat ...
    auto changed = Run(bob, "!" + seen.buttons[0].action);            // ... then Bob clicks.
    ASSERT_FALSE(changed.is_error) << changed.text;
    EXPECT_EQ(changed.text.substr(0, changed.text.find(". ")),
              "Early Bird vient d'être complet : le prix est maintenant "
              "39,99 € (Founder)");
    EXPECT_EQ(Purchases(), 1u);  // nothing held for Bob
    ASSERT_EQ(changed.buttons.size(), 1u);
    EXPECT_EQ(changed.buttons[0].action, "preorder_buy 1 " + TierIds()[1]);
    auto confirmed = Run(bob, "!" + changed.buttons[0].action);
    ASSERT_FALSE(confirmed.is_error) << confirmed.text;
    EXPECT_EQ(confirmed.buttons.at(0).label, "Payer 39,99 €");
    auto list = Run(bob, "!preorder");
    EXPECT_NE(list.embeds[0].fields[0].value.find("complet · 1 en cours de paiement"), std::string::npos)
        << list.embeds[0].fields[0].value;
    EXPECT_EQ(list.embeds[0].fields[1].name, "➡️ Founder (-20 %)");
}

TEST_F(PreorderCommandsTest, BadInputGetsAClearMessageAndChangesNothing) {
    EXPECT_EQ(Run(staff, "!preorder_create Carte 49,99 31/02/2027 18:00").text,
              "« 31/02/2027 18:00 » n'est pas une date : écrivez par exemple "
              "2026-12-25 18:00 ou 25/12/2026 18:00 "
              "(heure de la communauté).");
    EXPECT_TRUE(Run(staff, "!preorder_create Carte 49,99 01/01/2020 18:00").is_error);  // in the past
    EXPECT_TRUE(Run(staff, "!preorder_create Carte gratuit 25/12/2026 18:00").is_error);
    EXPECT_TRUE(Run(alice, kCreate).is_error);  // staff only
    EXPECT_EQ(Items(), 0u);

    ASSERT_FALSE(Run(staff, kCreate).is_error);
    auto before = service.Get(staff, ItemId{1}).tiers;
    for (const char *bad : {"!preorder_tiers 1 \"Early Bird\" 120% 20 Regular 0% -",  // discount
                                                                                      // over 99 %
                            "!preorder_tiers 1 \"Early Bird\" 30% 0 Regular 0% -",    // zero seats
                            "!preorder_tiers 1 \"Early Bird\" 30% 20 Regular",        // a tier cut short
                            "!preorder_tiers 1 Regular 0% - Founder 20% 50",          // unlimited before the
                                                                                      // last
                            "!preorder_seats 1 9 10", "!preorder_seats 1 1 beaucoup"}) {
        auto r = Run(staff, bad);
        EXPECT_TRUE(r.is_error) << bad;
        EXPECT_FALSE(r.text.empty()) << bad;
    }
    EXPECT_EQ(Run(staff, "!preorder_tiers 1 \"Early Bird\" 30% 20 Regular").text,
              "Paliers illisibles : « \"Early Bird\" 30% 20 Regular ». Écrivez "
              "pour chaque palier son nom, sa remise et "
              "ses places, par exemple : \"Early Bird\" 30% 20 \"Founder\" 20% "
              "50 Regular 0% -");
    auto after = service.Get(staff, ItemId{1}).tiers;
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].seats, before[i].seats);

    // A closed, an unknown or a draft item is not for sale; over the limit
    // neither.
    EXPECT_TRUE(Run(alice, "!preorder_buy 1").is_error);  // still a draft
    EXPECT_TRUE(Run(alice, "!preorder_buy 7").is_error);
    ASSERT_FALSE(Run(staff, "!preorder_open 1").is_error);
    ASSERT_FALSE(Run(alice, "!preorder_buy 1").is_error);
    EXPECT_TRUE(Run(alice, "!preorder_buy 1").is_error);  // one per member
    ASSERT_FALSE(Run(staff, "!preorder_close 1").is_error);
    EXPECT_TRUE(Run(bob, "!preorder_buy 1").is_error);
    EXPECT_EQ(Purchases(), 1u);
    EXPECT_TRUE(Run(alice, "!preorder_cancel 1").is_error);  // no moved release: nothing to cancel
}

TEST_F(PreorderCommandsTest, StaffEditTheReleaseInTheCommunitysTimeAndChangeSeats) {
    ASSERT_FALSE(Run(staff, kCreate).is_error);
    auto edited = Run(staff, "!preorder_edit 1 sortie 2027-01-10 20:30");
    ASSERT_FALSE(edited.is_error) << edited.text;
    EXPECT_NE(edited.embeds.at(0).description.find("<t:1799609400:R> (10/01/2027 20:30 CET)"), std::string::npos)
        << edited.embeds[0].description;
    ASSERT_FALSE(Run(staff, "!preorder_edit 1 livraison Le code arrive par message privé.").is_error);
    EXPECT_EQ(service.Get(staff, ItemId{1}).item.delivery, "Le code arrive par message privé.");
    ASSERT_FALSE(Run(staff, "!preorder_seats 1 2 80").is_error);
    EXPECT_EQ(service.Get(staff, ItemId{1}).tiers[1].seats, 80);
    EXPECT_TRUE(Run(staff, "!preorder_edit 1 prix beaucoup").is_error);
    EXPECT_TRUE(Run(staff, "!preorder_edit 1 limite 0").is_error);
    EXPECT_EQ(service.Get(staff, ItemId{1}).item.price.minor, 4999);
}

TEST(ParseLocalDateTime, TheFormsStaffTypeAndNothingElse) {
    using namespace std::chrono;
    auto at = [](int y, unsigned m, unsigned d, int h, int min) {
        return core::LocalTime(local_days(year(y) / m / d)) + hours(h) + minutes(min);
    };
    EXPECT_EQ(ParseLocalDateTime("2026-12-25 18:00"), at(2026, 12, 25, 18, 0));
    EXPECT_EQ(ParseLocalDateTime("2026-12-25T18:00"), at(2026, 12, 25, 18, 0));
    EXPECT_EQ(ParseLocalDateTime("25/12/2026 18:30"), at(2026, 12, 25, 18, 30));
    EXPECT_EQ(ParseLocalDateTime("25/12/2026 18h"), at(2026, 12, 25, 18, 0));
    EXPECT_EQ(ParseLocalDateTime("5/1/2027 9h05"), at(2027, 1, 5, 9, 5));
    EXPECT_EQ(ParseLocalDateTime("2026-12-25"), at(2026, 12, 25, 0, 0));
    for (const char *bad : {"", "demain", "2026-13-01 10:00", "31/02/2027 10:00", "25/12/2026 24:00",
                            "25/12/2026 18:60", "25/12/26 18:00", "2026-12-25 18:00 extra", "12/25/2026 10:00"}) {
        EXPECT_FALSE(ParseLocalDateTime(bad)) << bad;
    }
}

}  // namespace
}  // namespace maxis::commands
