// The marketing commands through the engine, on the in-memory store with the real services: what a member sees of
// the roles (progress such as "7/10 invitations validées"), applies with the form's fields from a chat line, staff
// approve by the application's button, invites and the leaderboard, a referral code declared, a commission's
// statement (amounts as "9,99 €", never the buyer for the marketer, the buyer for staff), rewards and payouts, and
// the refusals bad input gets (nothing changed). Every text a command shows comes from both catalogs.
#include "commands/marketing_commands.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/time_zone.hpp"
#include "support/fake_clock.hpp"
#include "support/marketing_providers.hpp"
#include "support/memory_marketing_store.hpp"

namespace maxis::commands {
namespace {

using core::Role;
using core::UserId;
using core::Viewer;
using namespace marketing;
using namespace std::chrono_literals;

/// Every command's reply, its embeds and buttons as one text (a catalog key that is missing shows as itself).
std::string AllText(const Reply& r) {
    std::string all = r.text;
    for (const auto& e : r.embeds) {
        all += "\n" + e.title + "\n" + e.description + "\n" + e.footer;
        for (const auto& f : e.fields) all += "\n" + f.name + "\n" + f.value;
    }
    for (const auto& b : r.buttons) all += "\n" + b.label;
    return all;
}

/// The seed's roles, the ambassador's with a Discord role to give.
std::vector<RoleConfig> RolesConfig() {
    auto roles = DefaultRoles();
    roles[0].discord_role = "555";
    return roles;
}

class MarketingCommandsTest : public ::testing::Test {
protected:
    MarketingCommandsTest()
        : zone(core::TimeZone::Load("Europe/Paris")),
          roles_config(RolesConfig()),
          roles(repo, perks, &referrals, clock, roles_config, MarketingOptions{.help_channels = {"help"}}),
          invites(repo, clock, InviteOptions{}),
          commissions(repo, referrals, clock, zone, roles_config, CommissionOptions{}) {
        roles.MirrorRoles();
        RegisterMarketingCommands(engine, roles, invites, commissions, zone);
    }

    Reply Run(const Viewer& v, const std::string& line, const std::string& locale = "fr") {
        auto reply = *engine.HandleLine(v, locale, line);
        // A key the catalogs lack shows as itself ("marketing.role.ambassador").
        static const std::regex kKey(R"((marketing|invites|cmd)\.[a-z])");
        auto all = AllText(reply);
        EXPECT_FALSE(std::regex_search(all, kKey)) << line << " (" << locale << "): " << all;
        return reply;
    }
    /// n members join through alice's invite and stay a week: n validated invites.
    void ValidatedInvites(int n, long long first_member) {
        for (int i = 0; i < n; ++i) {
            invites.OnJoin(JoinFacts{.member = UserId{first_member + i},
                                     .source = JoinSource::kInvite,
                                     .code = "aliceInv",
                                     .inviter = alice.user_id,
                                     .at = clock.Now()});
        }
        clock.Advance(24h * 8);
        ASSERT_EQ(invites.ValidateDue(), n);
    }
    std::size_t Applications() {
        return repo.Inspect([](const auto& s) { return s.applications.size(); });
    }
    std::size_t Ledger() {
        return repo.Inspect([](const auto& s) { return s.commissions.size() + s.payouts.size(); });
    }
    /// Alice holds the ambassador role (applied with 10 validated invites, approved).
    void AliceAmbassador() {
        ValidatedInvites(10, 5000);
        ASSERT_FALSE(Run(alice, "!marketing_apply ambassadeur").is_error);
        ASSERT_FALSE(Run(staff, "!marketing_approve <@3001> ambassadeur").is_error);
    }

    testing::FakeClock clock;  // 28/05/2026 in Paris
    testing::MemoryMarketingRepository repo;
    testing::OutboxMarketingPerks perks;
    testing::NoStripeReferrals referrals{"refAlice"};
    core::TimeZone zone;
    std::vector<RoleConfig> roles_config;
    MarketingService roles;
    InviteService invites;
    CommissionService commissions;
    Engine engine{Catalog::Builtin(), "!"};
    const Viewer staff{UserId{9001}, Role::kStaff};
    const Viewer alice{UserId{3001}, Role::kMember};
    const Viewer bob{UserId{3002}, Role::kMember};
};

TEST_F(MarketingCommandsTest, AnAmbassadorSeesTheirProgressAppliesWhenEligibleAndStaffApproveByTheButton) {
    ValidatedInvites(7, 5000);
    auto status = Run(alice, "!marketing");
    EXPECT_TRUE(status.ephemeral);
    ASSERT_EQ(status.embeds.size(), 1u);
    ASSERT_EQ(status.embeds[0].fields.size(), 7u);  // the seven roles
    EXPECT_EQ(status.embeds[0].fields[0].name, "Ambassadeur");
    EXPECT_NE(status.embeds[0].fields[0].value.find("20 % de chaque achat"), std::string::npos)
        << status.embeds[0].fields[0].value;
    EXPECT_NE(status.embeds[0].fields[0].value.find("⏳ 7/10 invitations validées"), std::string::npos)
        << status.embeds[0].fields[0].value;
    EXPECT_NE(status.embeds[0].fields[1].value.find("50,00 € à 200,00 € par mois"), std::string::npos)
        << status.embeds[0].fields[1].value;

    // Not yet eligible: refused with the progress, nothing written.
    auto early = Run(alice, "!marketing_apply ambassadeur");
    EXPECT_TRUE(early.is_error);
    EXPECT_NE(early.text.find("7/10 invitations validées"), std::string::npos) << early.text;
    EXPECT_EQ(Applications(), 0u);

    ValidatedInvites(3, 6000);
    auto applied = Run(alice, "!marketing_apply Ambassadeur");
    ASSERT_FALSE(applied.is_error) << applied.text;
    EXPECT_NE(applied.text.find("Votre candidature au rôle Ambassadeur est envoyée"), std::string::npos)
        << applied.text;
    EXPECT_NE(Run(alice, "!marketing").embeds[0].fields[0].value.find("en attente depuis le"), std::string::npos);
    EXPECT_TRUE(Run(alice, "!marketing_apply ambassador").is_error);  // applying twice
    EXPECT_EQ(Applications(), 1u);

    // Staff's list, with the buttons that decide.
    EXPECT_TRUE(Run(alice, "!marketing_applications").is_error);
    auto list = Run(staff, "!marketing_applications");
    ASSERT_EQ(list.embeds.size(), 1u);
    ASSERT_EQ(list.embeds[0].fields.size(), 1u);
    EXPECT_NE(list.embeds[0].fields[0].name.find("Ambassadeur"), std::string::npos);
    EXPECT_NE(list.embeds[0].fields[0].value.find("<@3001>"), std::string::npos);
    ASSERT_EQ(list.buttons.size(), 2u);
    EXPECT_EQ(list.buttons[0].action, "marketing_approve 3001 ambassador");
    EXPECT_EQ(list.buttons[1].action, "marketing_reject 3001 ambassador");
    EXPECT_TRUE(list.buttons[1].asks_input);  // the reason

    EXPECT_TRUE(Run(alice, "!" + list.buttons[0].action).is_error);  // a member cannot approve
    auto approved = Run(staff, "!" + list.buttons[0].action);
    ASSERT_FALSE(approved.is_error) << approved.text;
    EXPECT_EQ(approved.text, "<@3001> a maintenant le rôle Ambassadeur.");
    EXPECT_NE(Run(alice, "!marketing").embeds[0].fields[0].name.find("✅ Ambassadeur"), std::string::npos);
    // The Discord role, once, through the outbox.
    EXPECT_EQ(repo.Inspect([](const auto& s) { return s.outbox.size(); }), 1u);
    EXPECT_EQ(Run(staff, "!marketing_applications").text, "Aucune candidature en attente.");
    // Approving someone who has not applied changes nothing.
    EXPECT_TRUE(Run(staff, "!marketing_approve <@3002> ambassadeur").is_error);
    EXPECT_EQ(repo.Inspect([](const auto& s) { return s.outbox.size(); }), 1u);
}

TEST_F(MarketingCommandsTest, TheApplicationFormComesFromTheChatLineAndUnknownRolesAreNamed) {
    auto applied = Run(bob,
                       "!marketing_apply influenceur 1500 \"https://x.example/bob https://y.example/bob\" - "
                       "Je parle de jeux de société.");
    ASSERT_FALSE(applied.is_error) << applied.text;
    auto form = repo.Inspect([](const auto& s) { return s.applications.begin()->second.form; });
    EXPECT_EQ(form.followers, 1500);
    EXPECT_EQ(form.links, "https://x.example/bob https://y.example/bob");
    EXPECT_EQ(form.portfolio, "");  // "-": left empty
    EXPECT_EQ(form.message, "Je parle de jeux de société.");

    auto list = Run(staff, "!marketing_applications attente");
    ASSERT_EQ(list.embeds.size(), 1u);
    EXPECT_NE(list.embeds[0].fields[0].value.find("Abonnés : 1500"), std::string::npos)
        << list.embeds[0].fields[0].value;
    auto rejected = Run(staff, "!marketing_reject <@3002> influenceur Pas encore assez de publications");
    ASSERT_FALSE(rejected.is_error) << rejected.text;
    EXPECT_NE(rejected.text.find("refusée : Pas encore assez de publications"), std::string::npos) << rejected.text;
    EXPECT_NE(Run(staff, "!marketing_applications refusées")
                  .embeds.at(0)
                  .fields.at(0)
                  .value.find("Refusée : Pas encore assez de publications"),
              std::string::npos);

    // A role nobody has: the roles are named, nothing written.
    auto unknown = Run(bob, "!marketing_apply astronaute");
    EXPECT_TRUE(unknown.is_error);
    EXPECT_NE(unknown.text.find("Ambassadeur"), std::string::npos) << unknown.text;
    EXPECT_NE(unknown.text.find("Partenaire"), std::string::npos) << unknown.text;
    EXPECT_EQ(Applications(), 1u);
}

TEST_F(MarketingCommandsTest, InvitesCountersTheLeaderboardAndStaffBonuses) {
    ValidatedInvites(2, 5000);
    invites.OnJoin(JoinFacts{.member = alice.user_id,  // a self-invite never counts
                             .source = JoinSource::kInvite,
                             .code = "aliceInv",
                             .inviter = alice.user_id,
                             .at = clock.Now()});
    auto mine = Run(alice, "!invites");
    ASSERT_EQ(mine.embeds.size(), 1u);
    EXPECT_NE(mine.embeds[0].description.find("<@3001> : **2** invitation(s) (2 régulière(s), 0 partie(s), "
                                              "1 fausse(s), 0 en bonus) · 2 validée(s), 0 en attente"),
              std::string::npos)
        << mine.embeds[0].description;
    ASSERT_EQ(mine.embeds[0].fields.size(), 1u);
    EXPECT_NE(mine.embeds[0].fields[0].value.find("<@5000> · validée"), std::string::npos)
        << mine.embeds[0].fields[0].value;

    auto bonus = Run(staff, "!invites_bonus <@3001> -1 Comptes doublons");
    ASSERT_FALSE(bonus.is_error) << bonus.text;
    EXPECT_NE(bonus.text.find("-1 invitation(s) en bonus (Comptes doublons)"), std::string::npos) << bonus.text;
    EXPECT_NE(bonus.text.find("**1** invitation(s)"), std::string::npos) << bonus.text;
    EXPECT_TRUE(Run(alice, "!invites_bonus <@3001> 100 moi").is_error);  // staff only
    EXPECT_TRUE(Run(staff, "!invites_bonus <@3001> 0 rien").is_error);   // the service's range

    auto top = Run(bob, "!invites_top tout");
    ASSERT_EQ(top.embeds.size(), 1u);
    EXPECT_EQ(top.embeds[0].title, "🏆 Invitations depuis toujours");
    EXPECT_NE(top.embeds[0].description.find("1. <@3001> : 1 (2 validée(s))"), std::string::npos)
        << top.embeds[0].description;
    EXPECT_EQ(Run(bob, "!invites_top 7j").embeds[0].title, "🏆 Invitations des 7 derniers jours");
}

TEST_F(MarketingCommandsTest, AStatementShowsAmountsNeverTheBuyerToTheMarketerAndStaffRecordAPayout) {
    AliceAmbassador();
    auto referral = Run(alice, "!referral");
    ASSERT_FALSE(referral.is_error) << referral.text;
    ASSERT_EQ(referral.embeds.size(), 1u);
    auto code = repo.Inspect([](const auto& s) { return s.codes.at(3001).code; });
    EXPECT_NE(referral.embeds[0].description.find("Votre code : **" + code + "**"), std::string::npos)
        << referral.embeds[0].description;
    EXPECT_NE(referral.embeds[0].description.find("https://discord.gg/refAlice"), std::string::npos)
        << referral.embeds[0].description;

    // Bob declares Alice's code, buys, and the refund window passes.
    EXPECT_TRUE(Run(bob, "!referral_use NOPE1234").is_error);  // a forged code changes nothing
    auto used = Run(bob, "!referral_use " + code);
    ASSERT_FALSE(used.is_error) << used.text;
    EXPECT_NE(used.text.find("<@3001> vous a parrainé"), std::string::npos) << used.text;
    ASSERT_TRUE(commissions.OnSale(SaleFacts{.source = kSourceOrder,
                                             .payment_ref = "pi_1",
                                             .buyer = bob.user_id,
                                             .amount = core::Money{4995, "EUR"},
                                             .paid_at = clock.Now()}));
    clock.Advance(24h * 15);
    ASSERT_EQ(commissions.SettleDue(), 1);

    auto own = Run(alice, "!commissions");
    ASSERT_EQ(own.embeds.size(), 1u);
    auto all = AllText(own);
    EXPECT_NE(all.find("Gagné : 9,99 €"), std::string::npos) << all;
    EXPECT_NE(all.find("**Reste à verser : 9,99 €**"), std::string::npos) << all;
    EXPECT_NE(all.find("commission · 9,99 € · à verser · 20 % de 49,95 €"), std::string::npos) << all;
    EXPECT_EQ(all.find("3002"), std::string::npos) << all;  // never the buyer
    EXPECT_EQ(all.find("acheteur"), std::string::npos) << all;

    auto of = Run(staff, "!commissions_of <@3001>");
    EXPECT_NE(AllText(of).find("acheteur <@3002>"), std::string::npos) << AllText(of);
    EXPECT_TRUE(Run(alice, "!commissions_of <@3001>").is_error);

    // A payout over what is due changes nothing; within it, it is recorded.
    auto before = Ledger();
    EXPECT_TRUE(Run(staff, "!commission_payout <@3001> 10 VIR-1").is_error);
    EXPECT_EQ(Ledger(), before);
    auto paid = Run(staff, "!commission_payout <@3001> 9,99 VIR-2026-06");
    ASSERT_FALSE(paid.is_error) << paid.text;
    EXPECT_NE(paid.text.find("Versement de 9,99 € à <@3001> enregistré (réf. VIR-2026-06)"), std::string::npos)
        << paid.text;
    auto after = AllText(Run(alice, "!commissions"));
    EXPECT_NE(after.find("**Reste à verser : 0,00 €**"), std::string::npos) << after;
    EXPECT_NE(after.find("9,99 € · réf. VIR-2026-06"), std::string::npos) << after;
    EXPECT_TRUE(Run(alice, "!commissions 2026-13").is_error);  // not a month
}

TEST_F(MarketingCommandsTest, RewardsStayWithinTheRolesBoundsAndEventsAreCounted) {
    EXPECT_TRUE(Run(bob, "!marketing_apply event_host").is_error);  // 0/3 events: not eligible
    for (const char* name : {"Tournoi de printemps", "Soirée quiz", "Atelier peinture"}) {
        auto marked = Run(staff, std::string("!marketing_event <@3002> ") + name);
        ASSERT_FALSE(marked.is_error) << marked.text;
        EXPECT_NE(marked.text.find(std::string("« ") + name + " » de <@3002> compté comme réussi"), std::string::npos)
            << marked.text;
    }
    EXPECT_TRUE(Run(staff, "!marketing_event <@3002> Soirée quiz").is_error);  // the same event twice
    ASSERT_FALSE(Run(bob, "!marketing_apply \"event host\"").is_error);
    ASSERT_FALSE(Run(staff, "!marketing_approve <@3002> event_host").is_error);

    auto before = Ledger();
    EXPECT_TRUE(Run(staff, "!marketing_reward <@3002> event_host 250 Tournoi d'été").is_error);  // over 200 €
    EXPECT_TRUE(Run(staff, "!marketing_reward <@3002> ambassadeur 10 Rien").is_error);           // not a holder
    EXPECT_EQ(Ledger(), before);
    auto reward = Run(staff, "!marketing_reward <@3002> event_host 120,50 Tournoi d'été");
    ASSERT_FALSE(reward.is_error) << reward.text;
    EXPECT_EQ(reward.text,
              "Récompense de 120,50 € (Event Host) enregistrée pour <@3002>, à lui verser : Tournoi d'été");
    auto statement = AllText(Run(bob, "!commissions"));
    EXPECT_NE(statement.find("événement · 120,50 € · à verser · Tournoi d'été"), std::string::npos) << statement;
}

TEST_F(MarketingCommandsTest, StaffDiscountHelpMessagesCountedByAbuse) {
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(
            roles.OnHelpMessage(bob.user_id, "help", "m" + std::to_string(i), alice.user_id, false, 80, clock.Now()));
        clock.Advance(1h);
    }
    EXPECT_NE(Run(bob, "!marketing").embeds.at(0).fields.at(3).value.find("3/100"), std::string::npos);
    EXPECT_TRUE(Run(staff, "!marketing_help_discount <@3002> 0 Rien").is_error);
    EXPECT_TRUE(Run(bob, "!marketing_help_discount <@3002> 1 Moi").is_error);  // staff only
    auto discounted = Run(staff, "!marketing_help_discount <@3002> 2 Réponses copiées");
    ASSERT_FALSE(discounted.is_error) << discounted.text;
    EXPECT_EQ(discounted.text, "2 message(s) d'aide retiré(s) du compte de <@3002> : Réponses copiées.");
    auto helper = Run(bob, "!marketing").embeds.at(0).fields.at(3);
    EXPECT_EQ(helper.name, "Helper");
    EXPECT_NE(helper.value.find("1/100"), std::string::npos) << helper.value;
}

TEST_F(MarketingCommandsTest, RevokingTakesTheRoleBackWithItsReason) {
    AliceAmbassador();
    EXPECT_TRUE(Run(staff, "!marketing_revoke <@3002> ambassadeur Fin").is_error);  // not a holder
    auto revoked = Run(staff, "!marketing_revoke <@3001> ambassadeur Fin du programme");
    ASSERT_FALSE(revoked.is_error) << revoked.text;
    EXPECT_EQ(revoked.text, "<@3001> n'a plus le rôle Ambassadeur : Fin du programme. Le membre est prévenu.");
    EXPECT_EQ(Run(alice, "!marketing").embeds[0].fields[0].name, "Ambassadeur");
}

TEST_F(MarketingCommandsTest, EveryCommandIsDescribedInBothLanguages) {
    const auto& catalog = Catalog::Builtin();
    std::set<std::string> names;
    for (const auto* spec : engine.VisibleTo(Role::kAdmin)) {
        if (spec->name.rfind("marketing", 0) != 0 && spec->name.rfind("invites", 0) != 0 &&
            spec->name.rfind("referral", 0) != 0 && spec->name.rfind("commission", 0) != 0) {
            continue;
        }
        names.insert(spec->name);
        for (const std::string locale : {"fr", "en"}) {
            EXPECT_TRUE(catalog.Has(locale, "cmd." + spec->name + ".summary")) << spec->name << " " << locale;
            for (const auto& arg : spec->args) {
                EXPECT_TRUE(catalog.Has(locale, "cmd." + spec->name + ".args." + arg.name))
                    << spec->name << "." << arg.name << " " << locale;
                EXPECT_TRUE(catalog.Has(locale, "cmd." + spec->name + ".help." + arg.name))
                    << spec->name << "." << arg.name << " " << locale;
            }
        }
    }
    EXPECT_EQ(names, (std::set<std::string>{"commission_payout", "commissions", "commissions_of", "invites",
                                            "invites_bonus", "invites_top", "marketing", "marketing_applications",
                                            "marketing_apply", "marketing_approve", "marketing_event",
                                            "marketing_help_discount", "marketing_reject", "marketing_revoke",
                                            "marketing_reward", "referral", "referral_use"}));
    // The members' commands are open to members, the rest to staff.
    std::set<std::string> members;
    for (const auto* spec : engine.VisibleTo(Role::kMember)) members.insert(spec->name);
    for (const auto& name : names) {
        bool member = name == "marketing" || name == "marketing_apply" || name == "invites" || name == "invites_top" ||
                      name == "referral" || name == "referral_use" || name == "commissions";
        EXPECT_EQ(members.contains(name), member) << name;
    }
    // The English texts too, end to end.
    ValidatedInvites(1, 5000);
    EXPECT_NE(Run(alice, "!marketing", "en").embeds.at(0).fields.at(0).value.find("1/10"), std::string::npos);
    EXPECT_NE(AllText(Run(alice, "!invites", "en")).find("**1** invite(s)"), std::string::npos);
    EXPECT_NE(AllText(Run(alice, "!commissions 2026-05", "en")).find("Statement for May 2026"), std::string::npos);
}

}  // namespace
}  // namespace maxis::commands
