// The referral and commission ledger's rules on an in-memory store (milliseconds, no database): referral codes and
// links, a declared code (a forged one changes nothing), an attributed purchase pending for the refund window then
// due (an invite's waiting for the join's validation, reversed when it was cancelled), the promotion code first,
// self-referral by the same member, customer or card refused, partial refunds, full refunds and disputes (after payout:
// a clawback carried as a negative balance into the next payout), staff's rewards within bounds, payouts never more
// than what is due and covering rows oldest first, and monthly statements in the community's zone with the buyer
// blanked for the marketer. The same store contract on SQLite and PostgreSQL is storage's suite.
#include "domain/marketing/commission_service.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "domain/marketing/invite_service.hpp"
#include "support/error_key.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_marketing_store.hpp"
#include "support/snowflake.hpp"

namespace maxis::marketing {
namespace {

using namespace std::chrono_literals;
using core::Money;
using core::Role;
using core::UserId;
using core::Viewer;
using testing::AccountBornAt;
using testing::KeyOf;
using Audience = scheduling::Notice::Audience;

constexpr auto kDay = std::chrono::hours(24);
const Viewer kStaff{UserId{9001}, Role::kStaff};

Money Eur(long long minor) { return Money{minor, "EUR"}; }

/// Stripe's promotion codes and Discord's invites: made on demand ("promo_<code>", "inv<user>"), every call
/// recorded, refusing when told.
class FakeProvider final : public ReferralProvider {
public:
    [[nodiscard]] bool promotions_configured() const override { return configured; }
    std::string CreatePromotionCode(UserId marketer, const std::string& code) override {
        ++promotion_calls;
        if (refuse) throw core::Error(core::ErrorCode::kUnavailable, "Stripe is down");
        // Stripe gives each promotion code its own id, even for the same code text made again.
        ++promotions_made;
        return "promo_" + code + "_" + marketer.ToString() +
               (promotions_made > 1 ? "_" + std::to_string(promotions_made) : "");
    }
    void DeactivatePromotionCode(const std::string&) override {}
    std::string CreateInviteLink(UserId marketer) override {
        ++invite_calls;
        if (refuse) throw core::Error(core::ErrorCode::kUnavailable, "Discord is down");
        return "inv" + marketer.ToString();
    }
    bool configured = true;
    bool refuse = false;
    int promotion_calls = 0;
    int promotions_made = 0;
    int invite_calls = 0;
};

class CommissionServiceTest : public ::testing::Test {
protected:
    // 2026-11-10T12:00:00Z: a Tuesday, Paris is UTC+1.
    CommissionServiceTest()
        : clock(core::FromEpochMillis(1'794'312'000'000)),
          zone(core::TimeZone::Load("Europe/Paris")),
          roles(DefaultRoles()),
          invites(repo, clock, InviteOptions{}),
          service(repo, provider, clock, zone, roles, CommissionOptions{}) {
        alice = Old(1);
        bob = Old(2);
        carol = Old(3);
        Grant(alice, RoleKind::kAmbassador);
    }

    UserId Old(int n) const { return AccountBornAt(core::FromEpochMillis(1'700'000'000'000), n); }
    void Grant(UserId user, RoleKind role) {
        repo.state.member_roles[{user.value, role}] =
            MemberRole{.user = user, .role = role, .granted_at = clock.Now(), .granted_by = kStaff.user_id};
    }
    void Revoke(UserId user, RoleKind role) { repo.state.member_roles[{user.value, role}].revoked_at = clock.Now(); }
    /// Bob joins through Alice's invite and stays until validated.
    InviteJoin InvitedAndValidated(UserId member, UserId inviter) {
        auto join = invites.OnJoin(JoinFacts{
            .member = member, .source = JoinSource::kInvite, .code = "abc", .inviter = inviter, .at = clock.Now()});
        clock.Advance(7 * kDay);
        invites.ValidateDue();
        return join;
    }
    std::optional<Commission> Sale(const std::string& ref, UserId buyer, long long minor, std::string customer = {},
                                   std::string card = {}, std::string promotion = {}) {
        return service.OnSale(SaleFacts{.source = kSourceOrder,
                                        .payment_ref = ref,
                                        .buyer = buyer,
                                        .amount = Eur(minor),
                                        .customer = std::move(customer),
                                        .card_fingerprint = std::move(card),
                                        .promotion_code = std::move(promotion),
                                        .paid_at = clock.Now()});
    }
    Commission Row(CommissionId id) {
        return repo.Inspect([&](auto& s) { return s.commissions.at(id.value); });
    }
    std::vector<Commission> Rows() {
        return repo.Inspect([](auto& s) {
            std::vector<Commission> out;
            for (const auto& [id, c] : s.commissions) out.push_back(c);
            return out;
        });
    }
    std::vector<scheduling::Notice> NoticesWith(const std::string& key) {
        return repo.Inspect([&](auto& s) {
            std::vector<scheduling::Notice> out;
            for (const auto& n : s.notices) {
                if (n.key == key) out.push_back(n);
            }
            return out;
        });
    }
    long long Due(UserId marketer) { return service.BalanceOf(kStaff, marketer).due_minor; }
    /// The statement of the month adds up by its own formula.
    Statement AddingUp(const std::string& month) {
        auto s = service.MonthlyStatement(kStaff, alice, month);
        EXPECT_EQ(s.closing_minor, s.opening_minor + s.earned_minor - s.reversed_minor - s.paid_minor) << month;
        return s;
    }
    /// A commission of `minor` (20 % of 5 times it) due for Alice: Bob invited, validated, buys, 14 days pass.
    Commission DueCommission(const std::string& ref, long long sale_minor) {
        auto c = Sale(ref, bob, sale_minor);
        EXPECT_TRUE(c.has_value());
        clock.Advance(14 * kDay);
        service.SettleDue();
        return Row(c->id);
    }

    testing::FakeClock clock;
    core::TimeZone zone;
    std::vector<RoleConfig> roles;
    testing::MemoryMarketingRepository repo;
    FakeProvider provider;
    InviteService invites;
    CommissionService service;
    UserId alice, bob, carol;
};

// ---------------------------------------------------------------------------------------------------------------
// Referral codes.

TEST_F(CommissionServiceTest, AMarketerGetsACodeAPromotionCodeAndALinkOnce) {
    auto view = service.Referral(Viewer{alice, Role::kMember});
    ASSERT_TRUE(view.code.has_value());
    EXPECT_TRUE(ValidCodeShape(view.code->code));
    EXPECT_EQ(view.code->code.size(), 8U);
    EXPECT_EQ(view.code->promotion_code_id, "promo_" + view.code->code + "_" + alice.ToString());
    EXPECT_EQ(view.link, "https://discord.gg/inv" + alice.ToString());
    auto again = service.Referral(Viewer{alice, Role::kMember});
    EXPECT_EQ(again.code->code, view.code->code);
    EXPECT_EQ(provider.promotion_calls, 1);
    EXPECT_EQ(provider.invite_calls, 1);
    // Another marketer gets another code.
    Grant(carol, RoleKind::kPartner);
    EXPECT_NE(service.Referral(Viewer{carol, Role::kMember}).code->code, view.code->code);
}

TEST_F(CommissionServiceTest, AWantedCodeIsCheckedAndAProviderFailureIsCompletedLater) {
    Grant(carol, RoleKind::kPartner);
    EXPECT_EQ(KeyOf([&] { service.Referral(Viewer{alice, Role::kMember}, "a b"); }), "marketing.code_shape");
    EXPECT_EQ(KeyOf([&] { service.Referral(Viewer{alice, Role::kMember}, "abc"); }), "marketing.code_shape");
    EXPECT_EQ(KeyOf([&] { service.Referral(Viewer{bob, Role::kMember}, "BOBBY"); }), "marketing.not_marketer");
    provider.refuse = true;
    auto view = service.Referral(Viewer{alice, Role::kMember}, "alice2026");
    EXPECT_EQ(view.code->code, "ALICE2026");
    EXPECT_TRUE(view.code->promotion_code_id.empty());
    EXPECT_TRUE(view.link.empty());
    EXPECT_EQ(KeyOf([&] { service.Referral(Viewer{carol, Role::kMember}, "Alice2026"); }), "marketing.code_taken");
    EXPECT_EQ(KeyOf([&] { service.Referral(Viewer{alice, Role::kMember}, "OTHER99"); }), "marketing.code_set");
    provider.refuse = false;
    view = service.Referral(Viewer{alice, Role::kMember});
    EXPECT_EQ(view.code->promotion_code_id, "promo_ALICE2026_" + alice.ToString());
    EXPECT_FALSE(view.link.empty());
}

TEST_F(CommissionServiceTest, AForgedCodeIsRefusedAndChangesNothing) {
    service.Referral(Viewer{alice, Role::kMember}, "ALICE1");
    auto writes = repo.writes;
    EXPECT_EQ(KeyOf([&] { service.UseCode(Viewer{bob, Role::kMember}, "FORGED99"); }), "marketing.code_unknown");
    EXPECT_EQ(KeyOf([&] { service.UseCode(Viewer{bob, Role::kMember}, "x"); }), "marketing.code_unknown");
    EXPECT_EQ(KeyOf([&] { service.UseCode(Viewer{alice, Role::kMember}, "alice1"); }), "marketing.self_referral");
    EXPECT_EQ(repo.writes, writes);
    EXPECT_TRUE(repo.Inspect([](auto& s) { return s.attributions.empty(); }));

    auto a = service.UseCode(Viewer{bob, Role::kMember}, " alice1 ");
    EXPECT_EQ(a.referrer, alice);
    EXPECT_EQ(a.source, AttributionSource::kCode);
    EXPECT_EQ(a.ends_at, clock.Now() + 30 * kDay);
    Grant(carol, RoleKind::kPartner);
    service.Referral(Viewer{carol, Role::kMember}, "CAROL1");
    EXPECT_EQ(KeyOf([&] { service.UseCode(Viewer{bob, Role::kMember}, "CAROL1"); }), "marketing.already_attributed");
    // A code whose owner lost the role attributes nobody.
    Revoke(alice, RoleKind::kAmbassador);
    EXPECT_EQ(KeyOf([&] { service.UseCode(Viewer{Old(8), Role::kMember}, "ALICE1"); }), "marketing.code_unknown");
}

// ---------------------------------------------------------------------------------------------------------------
// Sales.

TEST_F(CommissionServiceTest, AnAttributedPurchaseIsPendingThenDueAfterFourteenDays) {
    InvitedAndValidated(bob, alice);
    auto c = Sale("pi_1", bob, 5000);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->marketer, alice);
    EXPECT_EQ(c->status, CommissionStatus::kPending);
    EXPECT_EQ(c->amount, Eur(1000));  // 20 % of 50 €
    EXPECT_EQ(c->role, RoleKind::kAmbassador);
    EXPECT_EQ(c->due_at, clock.Now() + 14 * kDay);
    // Alice is told the amount, never who bought.
    auto pending = NoticesWith("marketing.notify.commission_pending");
    ASSERT_EQ(pending.size(), 1U);
    EXPECT_EQ(pending[0].recipient, alice);
    EXPECT_EQ(pending[0].money.at("amount"), Eur(1000));
    EXPECT_TRUE(pending[0].people.empty());
    auto balance = service.BalanceOf(Viewer{alice, Role::kMember}, alice);
    EXPECT_EQ(balance.pending_minor, 1000);
    EXPECT_EQ(balance.due_minor, 0);

    clock.Advance(14 * kDay - 1ms);
    EXPECT_EQ(service.SettleDue(), 0);
    EXPECT_EQ(Row(c->id).status, CommissionStatus::kPending);
    clock.Advance(1ms);
    EXPECT_EQ(service.SettleDue(), 1);
    EXPECT_EQ(Row(c->id).status, CommissionStatus::kDue);
    EXPECT_EQ(NoticesWith("marketing.notify.commission_due").size(), 1U);
    balance = service.BalanceOf(Viewer{alice, Role::kMember}, alice);
    EXPECT_EQ(balance.due_minor, 1000);
    EXPECT_EQ(balance.pending_minor, 0);
    EXPECT_EQ(service.SettleDue(), 0);
    // A redelivered payment changes nothing more.
    Sale("pi_1", bob, 5000);
    EXPECT_EQ(Rows().size(), 1U);
    EXPECT_EQ(NoticesWith("marketing.notify.commission_pending").size(), 1U);
}

TEST_F(CommissionServiceTest, AnInvitesCommissionWaitsForTheValidationAndIsReversedByAnEarlyLeave) {
    // Bob joins and buys the same day; a slow validation (20 days) keeps the commission pending past 14 days.
    InviteService slow(repo, clock, InviteOptions{.validate_after = 20 * kDay});
    slow.OnJoin(
        JoinFacts{.member = bob, .source = JoinSource::kInvite, .code = "abc", .inviter = alice, .at = clock.Now()});
    auto c = Sale("pi_1", bob, 5000);
    ASSERT_TRUE(c.has_value());
    clock.Advance(15 * kDay);
    EXPECT_EQ(service.SettleDue(), 0);
    EXPECT_EQ(Row(c->id).status, CommissionStatus::kPending);
    clock.Advance(5 * kDay);
    EXPECT_EQ(slow.ValidateDue(), 1);
    EXPECT_EQ(service.SettleDue(), 1);
    EXPECT_EQ(Row(c->id).status, CommissionStatus::kDue);

    // Carol joins through Alice's invite, buys, leaves after 2 days: the commission is reversed.
    slow.OnJoin(
        JoinFacts{.member = carol, .source = JoinSource::kInvite, .code = "abc", .inviter = alice, .at = clock.Now()});
    auto c2 = Sale("pi_2", carol, 2000);
    ASSERT_TRUE(c2.has_value());
    clock.Advance(2 * kDay);
    slow.OnLeave(carol, clock.Now());
    clock.Advance(13 * kDay);
    EXPECT_EQ(service.SettleDue(), 1);
    auto row = Row(c2->id);
    EXPECT_EQ(row.status, CommissionStatus::kReversed);
    EXPECT_EQ(row.note, kReasonInviteCancelled);
    EXPECT_EQ(NoticesWith("marketing.notify.reversed.invite_cancelled").size(), 1U);
    EXPECT_EQ(Due(alice), 1000);
    // Carol comes back (a rejoin, not counted) and buys within the window: the cancelled invite earns nothing more.
    slow.OnJoin(JoinFacts{.member = carol, .source = JoinSource::kVanity, .at = clock.Now()});
    EXPECT_FALSE(Sale("pi_3", carol, 2000).has_value());
}

TEST_F(CommissionServiceTest, NoCommissionWithoutAttributionACommissionRoleOrTheCommunitysCurrency) {
    EXPECT_FALSE(Sale("pi_0", bob, 5000).has_value());  // nobody referred Bob
    InvitedAndValidated(bob, alice);
    EXPECT_FALSE(service
                     .OnSale(SaleFacts{.source = kSourcePlan,
                                       .payment_ref = "in_1",
                                       .buyer = bob,
                                       .amount = Money{5000, "USD"},
                                       .paid_at = clock.Now()})
                     .has_value());
    // The role held at the sale counts: Carol invited Dave while a helper (no commission).
    Grant(carol, RoleKind::kHelper);
    auto dave = Old(4);
    InvitedAndValidated(dave, carol);
    EXPECT_FALSE(Sale("pi_2", dave, 5000).has_value());
    Revoke(alice, RoleKind::kAmbassador);
    EXPECT_FALSE(Sale("pi_3", bob, 5000).has_value());
    EXPECT_TRUE(Rows().empty());
    // A partner earns their own percent.
    Grant(carol, RoleKind::kPartner);
    auto c = Sale("pi_4", dave, 5000);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->amount, Eur(1500));
    EXPECT_EQ(c->role, RoleKind::kPartner);
}

TEST_F(CommissionServiceTest, APromotionCodeAtCheckoutComesFirst) {
    InvitedAndValidated(bob, alice);
    Grant(carol, RoleKind::kPartner);
    auto code = service.Referral(Viewer{carol, Role::kMember}, "CAROL30").code;
    auto c = Sale("pi_1", bob, 10000, {}, {}, code->promotion_code_id);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->marketer, carol);
    EXPECT_EQ(c->amount, Eur(3000));
    // Bob's attribution to Alice stays: his next purchase without the code is hers.
    auto next = Sale("pi_2", bob, 10000);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->marketer, alice);
    // A member nobody holds is attributed to the code's owner for the window.
    auto dave = Old(4);
    Sale("pi_3", dave, 1000, {}, {}, code->promotion_code_id);
    clock.Advance(10 * kDay);
    auto later = Sale("pi_4", dave, 1000);
    ASSERT_TRUE(later.has_value());
    EXPECT_EQ(later->marketer, carol);
}

TEST_F(CommissionServiceTest, SelfReferralBySameMemberCustomerOrCardIsRefused) {
    // Alice paid once herself with her Stripe customer and card.
    EXPECT_FALSE(Sale("pi_own", alice, 1000, "cus_alice", "fp_alice").has_value());
    InvitedAndValidated(bob, alice);
    // "Bob" pays as Alice's customer: no commission, staff told, nothing else changes.
    EXPECT_FALSE(Sale("pi_1", bob, 5000, "cus_alice").has_value());
    EXPECT_FALSE(Sale("pi_2", bob, 5000, "cus_bob", "fp_alice").has_value());
    EXPECT_TRUE(Rows().empty());
    auto flagged = NoticesWith("marketing.notify.self_referral.order");  // the kind of sale named
    ASSERT_EQ(flagged.size(), 2U);
    EXPECT_EQ(flagged[0].audience, Audience::kStaff);
    EXPECT_EQ(flagged[0].people.at("marketer"), alice);
    // Alice's own promotion code on her own purchase earns nothing either.
    auto code = service.Referral(Viewer{alice, Role::kMember}).code;
    EXPECT_FALSE(Sale("pi_3", alice, 5000, {}, {}, code->promotion_code_id).has_value());
    // Bob with his own customer and card earns Alice her commission.
    EXPECT_TRUE(Sale("pi_4", bob, 5000, "cus_bob", "fp_bob").has_value());
}

// ---------------------------------------------------------------------------------------------------------------
// Refunds, disputes, clawbacks.

TEST_F(CommissionServiceTest, APartialRefundReducesTheCommissionProportionally) {
    InvitedAndValidated(bob, alice);
    auto c = Sale("pi_1", bob, 5000);
    service.OnRefunded("pi_1", 2000, false);  // 20 of 50 € refunded: 10 € -> 6 €
    EXPECT_EQ(Row(c->id).amount, Eur(600));
    EXPECT_EQ(Row(c->id).refunded_minor, 2000);
    EXPECT_EQ(Row(c->id).status, CommissionStatus::kPending);
    service.OnRefunded("pi_1", 2000, false);  // redelivered: nothing more
    service.OnRefunded("pi_1", 1000, false);  // an older figure: nothing
    EXPECT_EQ(Row(c->id).amount, Eur(600));
    auto reduced = NoticesWith("marketing.notify.commission_reduced");
    ASSERT_EQ(reduced.size(), 1U);
    EXPECT_EQ(reduced[0].money.at("amount"), Eur(400));
    service.OnRefunded("pi_1", 3500, false);  // 35 of 50 €: 3 €, recomputed from the original
    EXPECT_EQ(Row(c->id).amount, Eur(300));
    clock.Advance(14 * kDay);
    service.SettleDue();
    EXPECT_EQ(Due(alice), 300);
    // The rest refunded: reversed.
    service.OnRefunded("pi_1", 5000, true);
    EXPECT_EQ(Row(c->id).status, CommissionStatus::kReversed);
    EXPECT_EQ(Due(alice), 0);
}

TEST_F(CommissionServiceTest, ADisputeReversesTheCommissionOnce) {
    InvitedAndValidated(bob, alice);
    auto c = Sale("pi_1", bob, 5000);
    service.OnDisputed("pi_1");
    auto row = Row(c->id);
    EXPECT_EQ(row.status, CommissionStatus::kReversed);
    EXPECT_EQ(row.note, kReasonDispute);
    EXPECT_TRUE(row.reversed_at.has_value());
    service.OnDisputed("pi_1");
    service.OnRefunded("pi_1", 5000, true);
    EXPECT_EQ(Rows().size(), 1U);
    EXPECT_EQ(NoticesWith("marketing.notify.reversed.dispute").size(), 1U);
    clock.Advance(15 * kDay);
    EXPECT_EQ(service.SettleDue(), 0);
    EXPECT_EQ(Due(alice), 0);
    service.OnDisputed("pi_unknown");  // a payment without commission: nothing
    EXPECT_EQ(Rows().size(), 1U);
}

TEST_F(CommissionServiceTest, AReversalAfterPayoutCarriesANegativeBalanceIntoTheNextPayout) {
    InvitedAndValidated(bob, alice);
    auto c = DueCommission("pi_1", 5000);  // 10 € due
    auto payout = service.RecordPayout(kStaff, alice, Eur(1000), "SEPA 2026-001");
    EXPECT_EQ(Row(c.id).status, CommissionStatus::kPaid);
    EXPECT_EQ(Row(c.id).payout, payout.id);
    EXPECT_EQ(Due(alice), 0);

    // Disputed after the payout: a clawback of 10 €, due now; Alice owes it.
    service.OnDisputed("pi_1");
    service.OnDisputed("pi_1");
    auto rows = Rows();
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[0].status, CommissionStatus::kPaid);  // what was paid stays paid
    EXPECT_EQ(rows[1].kind, CommissionKind::kClawback);
    EXPECT_EQ(rows[1].amount, Eur(-1000));
    EXPECT_EQ(rows[1].status, CommissionStatus::kDue);
    EXPECT_EQ(rows[1].clawback_of, c.id);
    EXPECT_EQ(rows[1].note, kReasonDispute);
    EXPECT_EQ(NoticesWith("marketing.notify.clawback.dispute").size(), 1U);
    EXPECT_EQ(Due(alice), -1000);
    // Said as a debt, not as a negative amount due.
    core::Error owed(core::ErrorCode::kInternal, "none");
    try {
        service.RecordPayout(kStaff, alice, Eur(1), "x");
    } catch (const core::Error& e) {
        owed = e;
    }
    EXPECT_EQ(owed.key(), "marketing.payout_owed");
    EXPECT_EQ(owed.params().at("due_units"), "10");
    EXPECT_EQ(owed.params().at("due_cents"), "00");

    // The next commission (30 €) pays it back: 20 € are due, and a 20 € payout settles every row.
    auto next = DueCommission("pi_2", 15000);
    EXPECT_EQ(Due(alice), 2000);
    EXPECT_EQ(KeyOf([&] { service.RecordPayout(kStaff, alice, Eur(2001), "x"); }), "marketing.payout_exceeds");
    service.RecordPayout(kStaff, alice, Eur(2000), "SEPA 2026-002");
    EXPECT_EQ(Due(alice), 0);
    for (const auto& row : Rows()) EXPECT_EQ(row.status, CommissionStatus::kPaid) << row.id.value;
    EXPECT_EQ(Row(next.id).status, CommissionStatus::kPaid);
    EXPECT_EQ(service.BalanceOf(kStaff, alice).paid_minor, 3000);
}

TEST_F(CommissionServiceTest, APartialRefundAfterPayoutIsClawedBackOnlyForTheDifference) {
    InvitedAndValidated(bob, alice);
    auto c = DueCommission("pi_1", 5000);
    service.RecordPayout(kStaff, alice, Eur(1000), "SEPA 1");
    service.OnRefunded("pi_1", 2500, false);  // half refunded: 5 € back
    service.OnRefunded("pi_1", 2500, false);
    EXPECT_EQ(Due(alice), -500);
    service.OnRefunded("pi_1", 5000, true);  // the rest: the other 5 €
    EXPECT_EQ(Due(alice), -1000);
    auto rows = Rows();
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[1].amount, Eur(-500));
    EXPECT_EQ(rows[1].note, kReasonPartialRefund);
    EXPECT_EQ(rows[2].amount, Eur(-500));
    EXPECT_EQ(rows[2].note, kReasonRefund);
    EXPECT_EQ(Row(c.id).amount, Eur(1000));
}

// ---------------------------------------------------------------------------------------------------------------
// Staff: rewards and payouts.

TEST_F(CommissionServiceTest, ARewardOutsideTheRolesBoundsIsRefused) {
    Grant(carol, RoleKind::kInfluencer);
    auto writes = repo.writes;
    core::Error refused(core::ErrorCode::kInternal, "none");
    try {
        service.AddReward(kStaff, carol, RoleKind::kInfluencer, Eur(20001), "November");
    } catch (const core::Error& e) {
        refused = e;
    }
    EXPECT_EQ(refused.key(), "marketing.reward_bounds");
    // Amounts go as figures the reader's catalog writes in their locale (50,00 € in French), never pre-formatted.
    EXPECT_EQ(refused.params().at("min_units"), "50");
    EXPECT_EQ(refused.params().at("min_cents"), "00");
    EXPECT_EQ(refused.params().at("max_units"), "200");
    EXPECT_EQ(refused.params().at("symbol"), "€");
    EXPECT_EQ(refused.params().count("min"), 0U);
    EXPECT_EQ(KeyOf([&] { service.AddReward(kStaff, carol, RoleKind::kInfluencer, Eur(4999), "Nov"); }),
              "marketing.reward_bounds");
    EXPECT_EQ(KeyOf([&] { service.AddReward(kStaff, bob, RoleKind::kInfluencer, Eur(10000), "Nov"); }),
              "marketing.not_holder");
    EXPECT_EQ(KeyOf([&] { service.AddReward(kStaff, alice, RoleKind::kAmbassador, Eur(10000), "Nov"); }),
              "marketing.reward_kind");
    EXPECT_EQ(KeyOf([&] {
                  service.AddReward(kStaff, carol, RoleKind::kInfluencer, Money{10000, "USD"}, "Nov");
              }),
              "marketing.currency");
    EXPECT_EQ(KeyOf([&] {
                  service.AddReward(Viewer{carol, Role::kMember}, carol, RoleKind::kInfluencer, Eur(10000), "Nov");
              }),
              "marketing.staff_only");
    EXPECT_EQ(repo.writes, writes);
    EXPECT_TRUE(Rows().empty());

    auto reward = service.AddReward(kStaff, carol, RoleKind::kInfluencer, Eur(20000), "November's videos");
    EXPECT_EQ(reward.kind, CommissionKind::kMonthly);
    EXPECT_EQ(reward.status, CommissionStatus::kDue);
    EXPECT_EQ(reward.created_by, kStaff.user_id);
    EXPECT_EQ(Due(carol), 20000);
    auto told = NoticesWith("marketing.notify.reward");
    ASSERT_EQ(told.size(), 1U);
    EXPECT_EQ(told[0].params.at("note"), "November's videos");
    Grant(carol, RoleKind::kCreator);
    EXPECT_EQ(service.AddReward(kStaff, carol, RoleKind::kCreator, Eur(1000), "a video").kind, CommissionKind::kPiece);
    Grant(carol, RoleKind::kEventHost);
    EXPECT_EQ(service.AddReward(kStaff, carol, RoleKind::kEventHost, Eur(5000), "the quiz").kind,
              CommissionKind::kEvent);
}

TEST_F(CommissionServiceTest, APayoutMoreThanWhatIsDueIsRefused) {
    InvitedAndValidated(bob, alice);
    auto first = DueCommission("pi_1", 5000);   // 10 €
    auto second = DueCommission("pi_2", 2500);  // 5 €
    InvitedAndValidated(carol, alice);
    Sale("pi_3", carol, 5000);  // 10 € pending: not payable
    auto writes = repo.writes;
    EXPECT_EQ(KeyOf([&] { service.RecordPayout(kStaff, alice, Eur(1501), "SEPA"); }), "marketing.payout_exceeds");
    EXPECT_EQ(KeyOf([&] { service.RecordPayout(kStaff, alice, Eur(0), "SEPA"); }), "marketing.amount_positive");
    EXPECT_EQ(KeyOf([&] { service.RecordPayout(kStaff, alice, Eur(1000), " "); }), "marketing.reference_required");
    EXPECT_EQ(KeyOf([&] { service.RecordPayout(kStaff, alice, Eur(1000), "a\x1b"); }), "text.control.reference");
    EXPECT_EQ(KeyOf([&] {
                  service.RecordPayout(Viewer{alice, Role::kMember}, alice, Eur(1000), "me");
              }),
              "marketing.staff_only");
    EXPECT_EQ(repo.writes, writes);

    // 12 € covers the oldest row whole (10 €), not the next: it stays due.
    auto payout = service.RecordPayout(kStaff, alice, Eur(1200), "SEPA 7");
    EXPECT_EQ(Row(first.id).status, CommissionStatus::kPaid);
    EXPECT_EQ(Row(second.id).status, CommissionStatus::kDue);
    EXPECT_EQ(Due(alice), 300);
    auto told = NoticesWith("marketing.notify.payout");
    ASSERT_EQ(told.size(), 1U);
    EXPECT_EQ(told[0].money.at("amount"), Eur(1200));
    EXPECT_EQ(told[0].params.at("reference"), "SEPA 7");
    service.RecordPayout(kStaff, alice, Eur(300), "SEPA 8");
    EXPECT_EQ(Row(second.id).status, CommissionStatus::kPaid);
    EXPECT_NE(Row(second.id).payout, payout.id);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading.

TEST_F(CommissionServiceTest, AMonthlyStatementSumsItsMonthInTheCommunitysZone) {
    InvitedAndValidated(bob, alice);      // now 2026-11-17
    auto nov1 = Sale("pi_1", bob, 5000);  // 10 €, due 12-01 (Paris)
    auto nov2 = Sale("pi_2", bob, 2500);  // 5 €, disputed in November
    service.OnDisputed("pi_2");
    // 2026-11-30T23:30Z is 00:30 on December 1st in Paris: a December row.
    clock.Set(core::FromEpochMillis(1'796'081'400'000));
    auto dec1 = Sale("pi_3", bob, 10000);  // 20 €
    clock.Advance(2 * kDay);               // December 3rd: pi_1 due
    service.SettleDue();
    service.RecordPayout(kStaff, alice, Eur(1000), "SEPA dec");
    clock.Advance(20 * kDay);  // December 23rd: pi_3 due
    service.SettleDue();
    service.OnRefunded("pi_1", 5000, true);  // refunded after payout: a 10 € clawback in December

    auto nov = AddingUp("2026-11");
    EXPECT_EQ(nov.month, "2026-11");
    EXPECT_EQ(nov.opening_minor, 0);
    EXPECT_EQ(nov.earned_minor, 0);    // pi_1 became due in December
    EXPECT_EQ(nov.reversed_minor, 0);  // pi_2 was reversed while pending: it never entered the balance
    EXPECT_EQ(nov.cancelled_minor, 500);
    EXPECT_EQ(nov.paid_minor, 0);
    EXPECT_EQ(nov.pending_minor, 1000);
    EXPECT_EQ(nov.closing_minor, 0);
    ASSERT_EQ(nov.lines.size(), 2U);
    EXPECT_EQ(nov.lines[0].buyer, bob);  // staff see who bought

    auto dec = service.MonthlyStatement(Viewer{alice, Role::kMember}, alice, "2026-12");
    EXPECT_EQ(dec.closing_minor, dec.opening_minor + dec.earned_minor - dec.reversed_minor - dec.paid_minor);
    EXPECT_EQ(dec.opening_minor, 0);
    EXPECT_EQ(dec.earned_minor, 3000);  // pi_1 and pi_3 became due
    EXPECT_EQ(dec.reversed_minor, 1000);
    EXPECT_EQ(dec.paid_minor, 1000);
    ASSERT_EQ(dec.payouts.size(), 1U);
    EXPECT_EQ(dec.pending_minor, 0);
    // Closing: 10 € (pi_1) + 20 € (pi_3) - 10 € clawback - 10 € paid.
    EXPECT_EQ(dec.closing_minor, 1000);
    EXPECT_EQ(dec.closing_minor, service.BalanceOf(kStaff, alice).due_minor);
    ASSERT_EQ(dec.lines.size(), 2U);
    // Nothing that names who bought, for the marketer: no buyer, no payment, no attribution.
    for (const auto& line : dec.lines) {
        EXPECT_EQ(line.buyer.value, 0);
        EXPECT_TRUE(line.payment_ref.empty());
        EXPECT_FALSE(line.attribution.has_value());
    }
    EXPECT_EQ(AddingUp("2026-12").lines[0].payment_ref, "pi_3");  // staff see it
    EXPECT_EQ(dec.currency, "EUR");
    (void)nov1;
    (void)nov2;
    (void)dec1;

    // The current month by default; a malformed month refused; another marketer's statement is staff's.
    EXPECT_EQ(service.MonthlyStatement(kStaff, alice, "").month, "2026-12");
    EXPECT_EQ(KeyOf([&] { (void)service.MonthlyStatement(kStaff, alice, "2026-13"); }), "marketing.month_format");
    EXPECT_EQ(KeyOf([&] { (void)service.MonthlyStatement(kStaff, alice, "12/2026"); }), "marketing.month_format");
    EXPECT_EQ(KeyOf([&] {
                  (void)service.MonthlyStatement(Viewer{bob, Role::kMember}, alice, "2026-12");
              }),
              "marketing.staff_only");
    EXPECT_EQ(KeyOf([&] { (void)service.BalanceOf(Viewer{bob, Role::kMember}, alice); }), "marketing.staff_only");

    // Staff: every marketer's statement for the month.
    Grant(carol, RoleKind::kHelper);
    service.AddReward(kStaff, carol, RoleKind::kHelper, Eur(3000), "December help");
    auto all = service.Statements(kStaff, "2026-12");
    ASSERT_EQ(all.size(), 2U);
    long long earned = 0;
    for (const auto& s : all) earned += s.earned_minor;
    EXPECT_EQ(earned, 6000);
    EXPECT_EQ(KeyOf([&] {
                  (void)service.Statements(Viewer{alice, Role::kMember}, "2026-12");
              }),
              "marketing.staff_only");
}

// ---------------------------------------------------------------------------------------------------------------
// The reviewer's defects, each with the scenario that showed it.

// A refund or a dispute reported before the sale's own event is kept by payment and applied when the sale comes.
TEST_F(CommissionServiceTest, ARefundOrDisputeBeforeTheSaleIsAppliedWhenTheSaleArrives) {
    InvitedAndValidated(bob, alice);
    service.OnRefunded("pi_1", 5000, true);
    EXPECT_FALSE(Sale("pi_1", bob, 5000).has_value());  // refunded whole: nothing
    service.OnDisputed("pi_2");
    EXPECT_FALSE(Sale("pi_2", bob, 5000).has_value());  // disputed: nothing
    EXPECT_TRUE(Rows().empty());
    service.OnRefunded("pi_3", 2000, false);  // 20 of 50 € refunded first: 10 € -> 6 €
    auto c = Sale("pi_3", bob, 5000);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(Row(c->id).amount, Eur(600));
    EXPECT_EQ(Row(c->id).refunded_minor, 2000);
    EXPECT_EQ(NoticesWith("marketing.notify.commission_pending")[0].money.at("amount"), Eur(600));
    service.OnRefunded("pi_3", 2000, false);  // redelivered: nothing more
    EXPECT_EQ(Row(c->id).amount, Eur(600));
    service.OnRefunded("pi_3", 5000, true);
    EXPECT_EQ(Row(c->id).status, CommissionStatus::kReversed);
    // A refund figure larger than the sale (another event's figure): nothing either.
    service.OnRefunded("pi_4", 9000, false);
    EXPECT_FALSE(Sale("pi_4", bob, 5000).has_value());
}

// closing = opening + earned - reversed - paid, month after month: a commission reversed while pending, a partial
// refund, a clawback after a payout, payouts.
TEST_F(CommissionServiceTest, EveryStatementAddsUpByItsFormula) {
    InvitedAndValidated(bob, alice);  // 2026-11-17
    Sale("pi_1", bob, 5000);          // 10 €
    Sale("pi_2", bob, 2500);          // 5 €, disputed while pending
    service.OnDisputed("pi_2");
    Sale("pi_3", bob, 10000);  // 20 €, refunded in part while pending: 12 €
    service.OnRefunded("pi_3", 4000, false);
    clock.Advance(15 * kDay);  // 2026-12-02: pi_1 and pi_3 due (since 12-01)
    service.SettleDue();
    service.RecordPayout(kStaff, alice, Eur(2200), "SEPA 1");
    service.OnRefunded("pi_1", 5000, true);  // after payout: a 10 € clawback
    Sale("pi_4", bob, 5000);                 // 10 €, due 12-16
    clock.Advance(15 * kDay);                // 2026-12-17
    service.SettleDue();
    clock.Advance(25 * kDay);  // 2027-01-11: a reward and a payout in January
    Grant(alice, RoleKind::kInfluencer);
    service.AddReward(kStaff, alice, RoleKind::kInfluencer, Eur(5000), "January");
    service.RecordPayout(kStaff, alice, Eur(2000), "SEPA 2");

    auto nov = AddingUp("2026-11");
    EXPECT_EQ(nov.earned_minor, 0);
    EXPECT_EQ(nov.reversed_minor, 0);
    EXPECT_EQ(nov.cancelled_minor, 500);
    EXPECT_EQ(nov.pending_minor, 2200);
    EXPECT_EQ(nov.closing_minor, 0);
    auto dec = AddingUp("2026-12");
    EXPECT_EQ(dec.opening_minor, nov.closing_minor);
    EXPECT_EQ(dec.earned_minor, 3200);
    EXPECT_EQ(dec.reversed_minor, 1000);
    EXPECT_EQ(dec.paid_minor, 2200);
    EXPECT_EQ(dec.closing_minor, 0);
    auto jan = AddingUp("2027-01");
    EXPECT_EQ(jan.opening_minor, dec.closing_minor);
    EXPECT_EQ(jan.earned_minor, 5000);
    EXPECT_EQ(jan.paid_minor, 2000);
    EXPECT_EQ(jan.closing_minor, 3000);
    EXPECT_EQ(jan.closing_minor, Due(alice));
}

// S1 40 € and S2 40 € due; a 40 € payout pays S1; S1 refunded whole (a 40 € clawback); S3 30 € due; a 30 € payout
// brings the balance to 0: every row is paid, none left due.
TEST_F(CommissionServiceTest, APayoutThatBringsTheBalanceToZeroLeavesNoRowDue) {
    InvitedAndValidated(bob, alice);
    auto s1 = DueCommission("pi_1", 20000);  // 40 €
    auto s2 = DueCommission("pi_2", 20000);  // 40 €
    service.RecordPayout(kStaff, alice, Eur(4000), "SEPA 1");
    EXPECT_EQ(Row(s1.id).status, CommissionStatus::kPaid);
    EXPECT_EQ(Row(s2.id).status, CommissionStatus::kDue);
    service.OnRefunded("pi_1", 20000, true);
    InvitedAndValidated(carol, alice);
    auto s3 = Sale("pi_3", carol, 15000);  // 30 €
    ASSERT_TRUE(s3.has_value());
    clock.Advance(14 * kDay);
    service.SettleDue();
    EXPECT_EQ(Due(alice), 3000);
    service.RecordPayout(kStaff, alice, Eur(3000), "SEPA 2");
    EXPECT_EQ(Due(alice), 0);
    EXPECT_EQ(Row(s2.id).status, CommissionStatus::kPaid);
    EXPECT_EQ(Row(s3->id).status, CommissionStatus::kPaid);
    for (const auto& row : Rows()) EXPECT_NE(row.status, CommissionStatus::kDue) << row.id.value;
}

// A sale with a promotion code whose owner also invited the buyer is the promotion's: it waits on no join, and an
// early leave does not reverse it.
TEST_F(CommissionServiceTest, APromotionCodeSaleOfTheInvitersOwnCodeWaitsOnNoJoin) {
    auto code = service.Referral(Viewer{alice, Role::kMember}, "ALICE1").code;
    invites.OnJoin(
        JoinFacts{.member = bob, .source = JoinSource::kInvite, .code = "abc", .inviter = alice, .at = clock.Now()});
    auto c = Sale("pi_1", bob, 5000, {}, {}, code->promotion_code_id);
    ASSERT_TRUE(c.has_value());
    auto a = repo.Inspect([&](auto& s) { return s.attributions.at(*c->attribution); });
    EXPECT_EQ(a.source, AttributionSource::kPromotion);
    clock.Advance(2 * kDay);
    invites.OnLeave(bob, clock.Now());
    clock.Advance(12 * kDay);
    EXPECT_EQ(service.SettleDue(), 1);
    EXPECT_EQ(Row(c->id).status, CommissionStatus::kDue);
}

// Re-approved after a revocation (which deactivated the promotion code at Stripe): the code works again with a new
// promotion code.
TEST_F(CommissionServiceTest, AReapprovedMarketerGetsANewPromotionCode) {
    auto first = service.Referral(Viewer{alice, Role::kMember}, "ALICE1").code->promotion_code_id;
    Revoke(alice, RoleKind::kAmbassador);
    repo.state.codes[alice.value].active = false;  // as MarketingService::Revoke leaves it
    Grant(alice, RoleKind::kAmbassador);
    auto again = service.Referral(Viewer{alice, Role::kMember});
    EXPECT_TRUE(again.code->active);
    EXPECT_EQ(again.code->code, "ALICE1");
    EXPECT_EQ(provider.promotion_calls, 2);
    EXPECT_FALSE(again.code->promotion_code_id.empty());
    EXPECT_NE(again.code->promotion_code_id, first);
    // Sales with the new promotion code are hers.
    auto c = Sale("pi_1", bob, 5000, {}, {}, again.code->promotion_code_id);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->marketer, alice);
}

// A role the config disables rewards nobody.
TEST_F(CommissionServiceTest, ARoleDisabledInTheConfigTakesNoReward) {
    Grant(carol, RoleKind::kInfluencer);
    for (auto& r : roles) {
        if (r.kind == RoleKind::kInfluencer) r.enabled = false;
    }
    EXPECT_EQ(KeyOf([&] { service.AddReward(kStaff, carol, RoleKind::kInfluencer, Eur(10000), "Nov"); }),
              "marketing.unknown_role");
    EXPECT_TRUE(Rows().empty());
}

// A promotion code's sale without a known buyer attributes nobody for the window.
TEST_F(CommissionServiceTest, APromotionSaleWithoutBuyerLeavesNoLiveAttribution) {
    auto code = service.Referral(Viewer{alice, Role::kMember}, "ALICE1").code;
    ASSERT_TRUE(Sale("pi_1", UserId{0}, 5000, {}, {}, code->promotion_code_id).has_value());
    auto attributions = repo.Inspect([](auto& s) { return s.attributions; });
    ASSERT_EQ(attributions.size(), 1U);
    EXPECT_EQ(attributions.begin()->second.ends_at, attributions.begin()->second.starts_at);
}

}  // namespace
}  // namespace maxis::marketing
