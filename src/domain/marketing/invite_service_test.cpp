// Invite tracking's rules on an in-memory store (milliseconds, no database): a join through a member's invite is
// pending, validated after 7 days in the server, cancelled by an early leave; self-invites, young accounts, bots and
// rejoins never count; counters, leaderboard windows and staff's bonuses; a counted join attributes the member to the
// inviter, or to the code's owner when the invite is a referral link. Finding the invite (the use-count diff) is the
// Discord side's; the same store contract on SQLite and PostgreSQL is storage's suite.
#include "domain/marketing/invite_service.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/errors.hpp"
#include "support/error_key.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_marketing_store.hpp"
#include "support/snowflake.hpp"

namespace maxis::marketing {
namespace {

using namespace std::chrono_literals;
using core::Role;
using core::UserId;
using core::Viewer;
using testing::AccountBornAt;
using testing::KeyOf;

constexpr auto kDay = std::chrono::hours(24);
const Viewer kStaff{UserId{9001}, Role::kStaff};

class Rewards final : public InviteRewards {
public:
    void OnValidated(UserId inviter, UserId member) override {
        if (fail) throw std::runtime_error("coins are down");
        credited.emplace_back(inviter, member);
    }
    std::vector<std::pair<UserId, UserId>> credited;
    bool fail = false;
};

class InviteServiceTest : public ::testing::Test {
protected:
    InviteServiceTest() : service(repo, clock, InviteOptions{}, &rewards) {}

    /// An account a year old (n tells them apart).
    UserId Old(int n) const { return AccountBornAt(clock.Now() - 365 * kDay, n); }
    InviteJoin JoinVia(UserId member, UserId inviter, const std::string& code = "abc", bool bot = false) {
        return service.OnJoin(JoinFacts{.member = member,
                                        .is_bot = bot,
                                        .source = JoinSource::kInvite,
                                        .code = code,
                                        .inviter = inviter,
                                        .at = clock.Now()});
    }
    InviteJoin Row(JoinId id) {
        return repo.Inspect([&](auto& s) { return s.joins.at(id.value); });
    }
    InviteCounts CountsOf(UserId inviter) { return service.Summary(kStaff, inviter).counts; }
    std::vector<Attribution> Attributions() {
        return repo.Inspect([](auto& s) {
            std::vector<Attribution> out;
            for (const auto& [id, a] : s.attributions) out.push_back(a);
            return out;
        });
    }

    testing::FakeClock clock;
    testing::MemoryMarketingRepository repo;
    Rewards rewards;
    InviteService service;
};

TEST_F(InviteServiceTest, AJoinIsValidatedAfterSevenDaysInTheServer) {
    auto alice = Old(1);
    auto bob = Old(2);
    auto join = JoinVia(bob, alice);
    EXPECT_EQ(join.status, JoinStatus::kPending);
    EXPECT_EQ(join.inviter, alice);
    EXPECT_EQ(join.validate_at, clock.Now() + 7 * kDay);
    EXPECT_EQ(CountsOf(alice).pending, 1);

    clock.Advance(7 * kDay - 1ms);
    EXPECT_EQ(service.ValidateDue(), 0);
    EXPECT_EQ(Row(join.id).status, JoinStatus::kPending);
    EXPECT_TRUE(rewards.credited.empty());

    clock.Advance(1ms);
    EXPECT_EQ(service.ValidateDue(), 1);
    EXPECT_EQ(Row(join.id).status, JoinStatus::kValidated);
    EXPECT_EQ(Row(join.id).validated_at, clock.Now());
    auto counts = CountsOf(alice);
    EXPECT_EQ(counts.regular, 1);
    EXPECT_EQ(counts.validated, 1);
    EXPECT_EQ(counts.pending, 0);
    EXPECT_EQ(counts.total(), 1);
    // The coins' hook once, and the inviter told (the member named: invites are public in the community).
    ASSERT_EQ(rewards.credited.size(), 1U);
    EXPECT_EQ(rewards.credited[0], std::make_pair(alice, bob));
    auto notices = repo.Inspect([](auto& s) { return s.notices; });
    ASSERT_EQ(notices.size(), 1U);
    EXPECT_EQ(notices[0].key, "marketing.notify.invite_validated");
    EXPECT_EQ(notices[0].recipient, alice);
    EXPECT_EQ(notices[0].people.at("member"), bob);
    EXPECT_EQ(notices[0].params.at("days"), "7");
    EXPECT_EQ(notices[0].params.at("validated"), "1");
    // A second sweep validates nothing more.
    clock.Advance(kDay);
    EXPECT_EQ(service.ValidateDue(), 0);
    EXPECT_EQ(rewards.credited.size(), 1U);
}

TEST_F(InviteServiceTest, AnEarlyLeaveCancelsTheJoin) {
    auto alice = Old(1);
    auto bob = Old(2);
    auto join = JoinVia(bob, alice);
    clock.Advance(3 * kDay);
    service.OnLeave(bob, clock.Now());
    EXPECT_EQ(Row(join.id).status, JoinStatus::kLeftEarly);
    EXPECT_EQ(Row(join.id).left_at, clock.Now());

    clock.Advance(10 * kDay);
    EXPECT_EQ(service.ValidateDue(), 0);
    EXPECT_EQ(Row(join.id).status, JoinStatus::kLeftEarly);
    auto counts = CountsOf(alice);
    EXPECT_EQ(counts.regular, 1);
    EXPECT_EQ(counts.left, 1);
    EXPECT_EQ(counts.validated, 0);
    EXPECT_EQ(counts.total(), 0);
    EXPECT_TRUE(rewards.credited.empty());
}

TEST_F(InviteServiceTest, AValidatedMemberWhoLeavesKeepsTheValidationAndCountsInLeft) {
    auto alice = Old(1);
    auto bob = Old(2);
    auto join = JoinVia(bob, alice);
    clock.Advance(8 * kDay);
    service.ValidateDue();
    service.OnLeave(bob, clock.Now());
    EXPECT_EQ(Row(join.id).status, JoinStatus::kValidated);
    EXPECT_TRUE(Row(join.id).left_at.has_value());
    auto counts = CountsOf(alice);
    EXPECT_EQ(counts.validated, 1);
    EXPECT_EQ(counts.left, 1);
    EXPECT_EQ(counts.total(), 0);
}

TEST_F(InviteServiceTest, SelfInvitesYoungAccountsAndBotsNeverCount) {
    auto alice = Old(1);
    auto self = JoinVia(alice, alice);
    auto fresh = JoinVia(AccountBornAt(clock.Now() - 2 * kDay, 2), alice);
    auto bot = JoinVia(Old(3), alice, "abc", true);
    EXPECT_EQ(self.status, JoinStatus::kFake);
    EXPECT_EQ(self.fake_reason, kFakeSelf);
    EXPECT_EQ(fresh.status, JoinStatus::kFake);
    EXPECT_EQ(fresh.fake_reason, kFakeYoungAccount);
    EXPECT_EQ(bot.status, JoinStatus::kFake);
    EXPECT_EQ(bot.fake_reason, kFakeBot);
    // An account just older than the minimum counts.
    auto grown = JoinVia(AccountBornAt(clock.Now() - 7 * kDay - 1s, 4), alice);
    EXPECT_EQ(grown.status, JoinStatus::kPending);

    clock.Advance(8 * kDay);
    EXPECT_EQ(service.ValidateDue(), 1);
    auto counts = CountsOf(alice);
    EXPECT_EQ(counts.fake, 3);
    EXPECT_EQ(counts.regular, 1);
    EXPECT_EQ(counts.validated, 1);
    EXPECT_EQ(counts.total(), 1);
    // Only the counted join attributes its member.
    auto attributions = Attributions();
    ASSERT_EQ(attributions.size(), 1U);
    EXPECT_EQ(attributions[0].member, grown.member);
    EXPECT_EQ(rewards.credited.size(), 1U);
}

TEST_F(InviteServiceTest, ARejoinNeverCountsTwice) {
    auto alice = Old(1);
    auto carol = Old(3);
    auto bob = Old(2);
    JoinVia(bob, alice);
    clock.Advance(8 * kDay);
    service.ValidateDue();
    service.OnLeave(bob, clock.Now());
    clock.Advance(kDay);
    // Back through another member's invite: recorded, never counted.
    auto again = JoinVia(bob, carol, "xyz");
    EXPECT_EQ(again.status, JoinStatus::kFake);
    EXPECT_EQ(again.fake_reason, kFakeRejoin);
    // And through the same inviter's again: still not.
    service.OnLeave(bob, clock.Now());
    auto third = JoinVia(bob, alice);
    EXPECT_EQ(third.fake_reason, kFakeRejoin);
    clock.Advance(8 * kDay);
    EXPECT_EQ(service.ValidateDue(), 0);
    EXPECT_EQ(CountsOf(alice).validated, 1);
    EXPECT_EQ(CountsOf(carol).regular, 0);
    EXPECT_EQ(CountsOf(carol).fake, 1);
    EXPECT_EQ(rewards.credited.size(), 1U);
    // A member who left early and comes back does not count either.
    auto dave = Old(4);
    JoinVia(dave, alice);
    service.OnLeave(dave, clock.Now());
    EXPECT_EQ(JoinVia(dave, alice).fake_reason, kFakeRejoin);
}

TEST_F(InviteServiceTest, VanityAndUnknownJoinsHaveNoInviterAndAttributeNobody) {
    auto vanity =
        service.OnJoin(JoinFacts{.member = Old(2), .source = JoinSource::kVanity, .code = "maxis", .at = clock.Now()});
    auto unknown = service.OnJoin(JoinFacts{.member = Old(3), .source = JoinSource::kUnknown, .at = clock.Now()});
    EXPECT_EQ(vanity.inviter.value, 0);
    EXPECT_EQ(unknown.inviter.value, 0);
    EXPECT_TRUE(Attributions().empty());
    clock.Advance(8 * kDay);
    service.ValidateDue();
    EXPECT_TRUE(rewards.credited.empty());
    EXPECT_TRUE(repo.Inspect([](auto& s) { return s.notices.empty(); }));
}

// The sweep read a join as pending, then the member left before the sweep wrote: the leave stands (left_early, its
// left_at kept), the sweep neither validates it nor rewards it.
TEST_F(InviteServiceTest, ALeaveWrittenWhileTheSweepDecidesIsNotOverwritten) {
    auto alice = Old(1);
    auto bob = Old(2);
    auto join = JoinVia(bob, alice);
    clock.Advance(7 * kDay);
    auto left = clock.Now();
    repo.state.after_validations_due = [&] { service.OnLeave(bob, left); };
    EXPECT_EQ(service.ValidateDue(), 0);
    EXPECT_EQ(Row(join.id).status, JoinStatus::kLeftEarly);
    EXPECT_EQ(Row(join.id).left_at, left);
    EXPECT_FALSE(Row(join.id).validated_at.has_value());
    EXPECT_TRUE(rewards.credited.empty());
    EXPECT_EQ(CountsOf(alice).validated, 0);
}

// A marketer who lost the role (their code inactive): a join through their referral link counts for nobody, not for
// the bot that made the link.
TEST_F(InviteServiceTest, AnInactiveReferralLinkAttributesNobody) {
    auto partner = Old(5);
    auto bot = UserId{77};
    repo.state.codes[partner.value] = ReferralCode{
        .user = partner, .code = "PARTNER5", .invite_code = "ref5", .created_at = clock.Now(), .active = false};
    auto join = JoinVia(Old(3), bot, "ref5");
    EXPECT_EQ(join.inviter.value, 0);
    EXPECT_EQ(CountsOf(bot).regular, 0);
    EXPECT_EQ(CountsOf(partner).regular, 0);
    EXPECT_TRUE(Attributions().empty());
}

TEST_F(InviteServiceTest, ACountedJoinAttributesTheMemberToTheInviterOrTheReferralLinksOwner) {
    auto alice = Old(1);
    auto bob = Old(2);
    auto partner = Old(5);
    repo.state.codes[partner.value] =
        ReferralCode{.user = partner, .code = "PARTNER5", .invite_code = "ref5", .created_at = clock.Now()};
    auto start = clock.Now();
    auto join = JoinVia(bob, alice);
    // The referral link was made by the bot: the join and the attribution are the code owner's.
    auto carol = Old(3);
    auto via_link = JoinVia(carol, UserId{77}, "ref5");
    EXPECT_EQ(via_link.inviter, partner);
    EXPECT_EQ(via_link.status, JoinStatus::kPending);

    auto attributions = Attributions();
    ASSERT_EQ(attributions.size(), 2U);
    EXPECT_EQ(attributions[0].member, bob);
    EXPECT_EQ(attributions[0].referrer, alice);
    EXPECT_EQ(attributions[0].source, AttributionSource::kInvite);
    EXPECT_EQ(attributions[0].join, join.id);
    EXPECT_EQ(attributions[0].starts_at, start);
    EXPECT_EQ(attributions[0].ends_at, start + 30 * kDay);
    EXPECT_EQ(attributions[1].member, carol);
    EXPECT_EQ(attributions[1].referrer, partner);
    EXPECT_EQ(CountsOf(partner).pending, 1);
}

TEST_F(InviteServiceTest, TheFirstLiveAttributionWins) {
    auto alice = Old(1);
    auto bob = Old(2);
    repo.state.next_id = 100;
    repo.state.attributions[1] = Attribution{.id = 1,
                                             .member = bob,
                                             .referrer = Old(9),
                                             .source = AttributionSource::kCode,
                                             .code = "EARLIER1",
                                             .starts_at = clock.Now() - kDay,
                                             .ends_at = clock.Now() + 29 * kDay};
    JoinVia(bob, alice);
    auto attributions = Attributions();
    ASSERT_EQ(attributions.size(), 1U);
    EXPECT_EQ(attributions[0].code, "EARLIER1");
    // The join counts for Alice all the same.
    EXPECT_EQ(CountsOf(alice).pending, 1);
}

TEST_F(InviteServiceTest, LeaderboardsCountJoinsInTheirWindow) {
    auto alice = Old(1);
    auto bob = Old(2);
    auto carol = Old(3);
    // Alice: three joins 40 days ago. Bob: two joins 20 days ago. Carol: one join today.
    for (int i = 0; i < 3; ++i) JoinVia(Old(100 + i), alice);
    clock.Advance(20 * kDay);
    for (int i = 0; i < 2; ++i) JoinVia(Old(200 + i), bob);
    clock.Advance(20 * kDay);
    JoinVia(Old(300), carol);
    service.ValidateDue();

    auto all = service.Leaderboard(Window::kAll);
    ASSERT_EQ(all.size(), 3U);
    EXPECT_EQ(all[0].inviter, alice);
    EXPECT_EQ(all[0].total, 3);
    EXPECT_EQ(all[0].validated, 3);
    EXPECT_EQ(all[1].inviter, bob);
    EXPECT_EQ(all[2].inviter, carol);
    auto month = service.Leaderboard(Window::kMonth);
    ASSERT_EQ(month.size(), 2U);
    EXPECT_EQ(month[0].inviter, bob);
    EXPECT_EQ(month[1].inviter, carol);
    auto week = service.Leaderboard(Window::kWeek);
    ASSERT_EQ(week.size(), 1U);
    EXPECT_EQ(week[0].inviter, carol);
    EXPECT_EQ(week[0].validated, 0);
}

TEST_F(InviteServiceTest, StaffBonusesNeedAReasonAndARangeAndCount) {
    auto alice = Old(1);
    JoinVia(Old(2), alice);
    auto writes = repo.writes;
    EXPECT_EQ(KeyOf([&] { service.AddBonus(kStaff, alice, 5, "  "); }), "invites.reason_required");
    EXPECT_EQ(KeyOf([&] { service.AddBonus(kStaff, alice, 0, "event"); }), "invites.bonus_range");
    EXPECT_EQ(KeyOf([&] { service.AddBonus(kStaff, alice, 1001, "event"); }), "invites.bonus_range");
    EXPECT_EQ(KeyOf([&] { service.AddBonus(kStaff, alice, -1001, "event"); }), "invites.bonus_range");
    EXPECT_EQ(KeyOf([&] { service.AddBonus(Viewer{alice, Role::kMember}, alice, 5, "me"); }), "marketing.staff_only");
    EXPECT_EQ(repo.writes, writes);
    EXPECT_EQ(CountsOf(alice).bonus, 0);

    auto counts = service.AddBonus(kStaff, alice, 5, "the launch event");
    EXPECT_EQ(counts.bonus, 5);
    EXPECT_EQ(counts.total(), 6);
    counts = service.AddBonus(kStaff, alice, -2, "two were alts");
    EXPECT_EQ(counts.bonus, 3);
    EXPECT_EQ(service.Leaderboard(Window::kWeek)[0].total, 4);
    auto bonus = repo.Inspect([](auto& s) { return s.bonuses.begin()->second; });
    EXPECT_EQ(bonus.by, kStaff.user_id);
    EXPECT_EQ(bonus.reason, "the launch event");
}

TEST_F(InviteServiceTest, ASummaryShowsThePeopleInvitedOnlyToTheInviterAndStaff) {
    auto alice = Old(1);
    auto bob = Old(2);
    JoinVia(bob, alice);
    auto own = service.Summary(Viewer{alice, Role::kMember}, alice);
    ASSERT_EQ(own.recent.size(), 1U);
    EXPECT_EQ(own.recent[0].member, bob);
    EXPECT_EQ(service.Summary(kStaff, alice).recent.size(), 1U);
    auto other = service.Summary(Viewer{Old(3), Role::kMember}, alice);
    EXPECT_EQ(other.counts.pending, 1);  // counters are public in the community
    EXPECT_TRUE(other.recent.empty());
}

TEST_F(InviteServiceTest, InvitesAreMirroredAndListedForStaff) {
    auto alice = Old(1);
    service.SaveInvite(Invite{.code = "abc", .inviter = alice, .channel_id = "10", .uses = 2});
    service.SaveInvite(Invite{.code = "def", .inviter = alice, .channel_id = "10", .uses = 7});
    service.DeleteInvite("abc");
    service.DeleteInvite("nope");
    auto listed = service.Invites(kStaff);
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].code, "def");
    EXPECT_EQ(KeyOf([&] { (void)service.Invites(Viewer{alice, Role::kMember}); }), "marketing.staff_only");
}

TEST_F(InviteServiceTest, AFailingRewardHookNeitherUndoesValidationsNorSkipsTheOthers) {
    auto alice = Old(1);
    auto join1 = JoinVia(Old(2), alice);
    auto join2 = JoinVia(Old(3), alice);
    rewards.fail = true;
    clock.Advance(8 * kDay);
    EXPECT_THROW(service.ValidateDue(), std::runtime_error);
    EXPECT_EQ(Row(join1.id).status, JoinStatus::kValidated);
    EXPECT_EQ(Row(join2.id).status, JoinStatus::kValidated);
    EXPECT_EQ(service.ValidateDue(), 0);
}

}  // namespace
}  // namespace maxis::marketing
