// The coin economy's rules on an in-memory store: idempotent credits, refused overspending, staff gifts and
// takes with their reason, the daily claim per local day, activity earning's limits and the leaderboards'
// windows in the community's time zone. Every refusal changes nothing.
#include "domain/coins/coin_service.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "support/error_key.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_coin_store.hpp"

namespace maxis::coins {

using testing::KeyOf;
namespace {

using namespace std::chrono_literals;
using core::Role;
using core::UserId;
using core::Viewer;

const Viewer kAlice{UserId{1001}, Role::kMember};
const Viewer kBob{UserId{1002}, Role::kMember};
const Viewer kStaff{UserId{9001}, Role::kStaff};

class CoinServiceTest : public ::testing::Test {
protected:
    CoinServiceTest() {
        repo.state.known = {kAlice.user_id, kBob.user_id, kStaff.user_id};
        // Wednesday 2026-11-18 12:00 in Paris (11:00 UTC).
        clock.Set(Paris(2026, 11, 18, 12, 0));
    }
    core::TimePoint Paris(int y, unsigned m, unsigned d, int h, int min) {
        return zone.FromLocal(core::LocalTime(std::chrono::local_days(std::chrono::year(y) / m / d) +
                                              std::chrono::hours(h) + std::chrono::minutes(min)));
    }
    std::int64_t BalanceOf(const Viewer& v) { return service.Balance(v, v.user_id); }
    std::size_t Rows() const { return repo.state.ledger.size(); }

    testing::FakeClock clock;
    core::TimeZone zone = core::TimeZone::Load("Europe/Paris");
    testing::MemoryCoinRepository repo;
    CoinService service{
        repo, clock, zone,
        CoinOptions{
            .daily_amount = 25,
            .activity = {
                .per_message = 2, .cooldown = 60s, .daily_cap = 6, .min_length = 5, .excluded_channels = {"c-spam"}}}};
};

TEST_F(CoinServiceTest, ACreditWithTheSameReferenceAppliesOnce) {
    auto first = service.Credit(kAlice.user_id, 5, CoinReason::kGiveaway, "giveaway-7");
    auto again = service.Credit(kAlice.user_id, 5, CoinReason::kGiveaway, "giveaway-7");
    EXPECT_TRUE(first.applied);
    EXPECT_FALSE(again.applied);
    EXPECT_EQ(first.entry.balance_after, 5);
    EXPECT_EQ(BalanceOf(kAlice), 5);
    EXPECT_EQ(Rows(), 1u);
    // Another member, or another reason, under the same reference is another movement.
    EXPECT_TRUE(service.Credit(kBob.user_id, 5, CoinReason::kGiveaway, "giveaway-7").applied);
    EXPECT_TRUE(service.Credit(kAlice.user_id, 3, CoinReason::kInvite, "giveaway-7").applied);
    EXPECT_EQ(BalanceOf(kAlice), 8);
}

TEST_F(CoinServiceTest, SpendingMoreThanHeldIsRefusedAndChangesNothing) {
    service.Credit(kAlice.user_id, 10, CoinReason::kGiveaway, "g1");
    EXPECT_EQ(KeyOf([&] { service.Spend(kAlice.user_id, 11, CoinReason::kPurchase, "order-1"); }),
              "coins.insufficient");
    EXPECT_EQ(BalanceOf(kAlice), 10);
    EXPECT_EQ(Rows(), 1u);
    auto spent = service.Spend(kAlice.user_id, 10, CoinReason::kPurchase, "order-1");
    EXPECT_TRUE(spent.applied);
    EXPECT_EQ(spent.entry.amount, -10);
    EXPECT_EQ(spent.entry.balance_after, 0);
    EXPECT_FALSE(service.Spend(kAlice.user_id, 10, CoinReason::kPurchase, "order-1").applied);  // the same order
    EXPECT_EQ(BalanceOf(kAlice), 0);
}

TEST_F(CoinServiceTest, BadAmountsReasonsAndMembersAreRefusedWithTheirKey) {
    for (std::int64_t amount : {std::int64_t{0}, std::int64_t{-5}, kMaxAmount + 1}) {
        EXPECT_EQ(KeyOf([&] { service.Credit(kAlice.user_id, amount, CoinReason::kGiveaway, "g"); }),
                  "coins.amount_invalid");
        EXPECT_EQ(KeyOf([&] { service.Spend(kAlice.user_id, amount, CoinReason::kPurchase, "o"); }),
                  "coins.amount_invalid");
        EXPECT_EQ(KeyOf([&] { service.Give(kStaff, kAlice.user_id, amount, "bonus"); }), "coins.amount_invalid");
    }
    EXPECT_EQ(KeyOf([&] { service.Credit(kAlice.user_id, 5, CoinReason::kPurchase, "g"); }), "coins.reason_invalid");
    EXPECT_EQ(KeyOf([&] { service.Credit(kAlice.user_id, 5, CoinReason::kStaffGive, "g"); }), "coins.reason_invalid");
    EXPECT_EQ(KeyOf([&] { service.Spend(kAlice.user_id, 5, CoinReason::kDaily, "g"); }), "coins.reason_invalid");
    EXPECT_EQ(KeyOf([&] { service.Credit(UserId{4242}, 5, CoinReason::kGiveaway, "g"); }), "coins.member_unknown");
    EXPECT_EQ(KeyOf([&] { service.Give(kStaff, UserId{4242}, 5, "bonus"); }), "coins.member_unknown");
    EXPECT_EQ(KeyOf([&] { service.Credit(kAlice.user_id, 5, CoinReason::kGiveaway, "g\x1b"); }), "text.control.ref");
    EXPECT_EQ(Rows(), 0u);
    EXPECT_TRUE(repo.state.balances.empty() || repo.state.balances[kAlice.user_id] == 0);
}

TEST_F(CoinServiceTest, StaffGiveAndTakeWithAReasonKeptBesideWhoDidIt) {
    EXPECT_EQ(KeyOf([&] { service.Give(kAlice, kAlice.user_id, 100, "myself"); }), "coins.staff_only");
    EXPECT_EQ(KeyOf([&] { service.Give(kStaff, kAlice.user_id, 100, "   "); }), "coins.why_required");
    auto given = service.Give(kStaff, kAlice.user_id, 100, "  tournoi gagné ");
    EXPECT_EQ(given.actor, kStaff.user_id);
    EXPECT_EQ(given.note, "tournoi gagné");
    EXPECT_EQ(given.reason, CoinReason::kStaffGive);
    EXPECT_EQ(KeyOf([&] { service.Take(kStaff, kAlice.user_id, 101, "erreur"); }), "coins.take_insufficient");
    EXPECT_EQ(BalanceOf(kAlice), 100);
    auto taken = service.Take(kStaff, kAlice.user_id, 40, "erreur de saisie");
    EXPECT_EQ(taken.amount, -40);
    EXPECT_EQ(taken.balance_after, 60);
    EXPECT_EQ(taken.actor, kStaff.user_id);
    // Two gifts with the same words are two movements: staff gifts carry no reference.
    service.Give(kStaff, kAlice.user_id, 1, "bonus");
    service.Give(kStaff, kAlice.user_id, 1, "bonus");
    EXPECT_EQ(BalanceOf(kAlice), 62);
}

TEST_F(CoinServiceTest, StaffGiveAndTakeTellTheMemberTheAmountTheReasonAndWhoInTheSameTransaction) {
    auto given = service.Give(kStaff, kAlice.user_id, 30, " quiz du vendredi ");
    auto taken = service.Take(kStaff, kAlice.user_id, 5, "erreur");
    ASSERT_EQ(repo.state.notices.size(), 2u);
    const auto& gift = repo.state.notices[0];
    EXPECT_EQ(gift.audience, scheduling::Notice::Audience::kMember);
    EXPECT_EQ(gift.recipient, kAlice.user_id);
    EXPECT_EQ(gift.key, "coins.notify.given");
    EXPECT_EQ(gift.params.at("amount"), "30");
    EXPECT_EQ(gift.params.at("reason"), "quiz du vendredi");
    EXPECT_EQ(gift.params.at("balance"), "30");
    EXPECT_EQ(gift.people.at("staff"), kStaff.user_id);
    EXPECT_EQ(gift.idempotency_key, "coins:ledger:" + std::to_string(given.id) + ":notice");
    const auto& take = repo.state.notices[1];
    EXPECT_EQ(take.key, "coins.notify.taken");
    EXPECT_EQ(take.params.at("amount"), "5");
    EXPECT_EQ(take.params.at("balance"), "25");
    EXPECT_EQ(take.idempotency_key, "coins:ledger:" + std::to_string(taken.id) + ":notice");
    // A refused take writes neither a row nor a notice; earning by other means tells nobody.
    EXPECT_EQ(KeyOf([&] { service.Take(kStaff, kAlice.user_id, 500, "trop"); }), "coins.take_insufficient");
    service.Credit(kAlice.user_id, 5, CoinReason::kGiveaway, "g1");
    EXPECT_EQ(repo.state.notices.size(), 2u);
}

TEST_F(CoinServiceTest, MembersReadOnlyTheirOwnBalanceAndHistory) {
    service.Credit(kAlice.user_id, 5, CoinReason::kGiveaway, "g1");
    EXPECT_EQ(KeyOf([&] { service.Balance(kBob, kAlice.user_id); }), "coins.member_unknown");
    EXPECT_EQ(KeyOf([&] { service.History(kBob, kAlice.user_id, 0, 10); }), "coins.member_unknown");
    EXPECT_EQ(service.Balance(kStaff, kAlice.user_id), 5);
}

TEST_F(CoinServiceTest, HistoryPagesNewestFirst) {
    for (int i = 1; i <= 5; ++i) service.Credit(kAlice.user_id, i, CoinReason::kGiveaway, "g" + std::to_string(i));
    auto page = service.History(kAlice, kAlice.user_id, 0, 2);
    ASSERT_EQ(page.entries.size(), 2u);
    EXPECT_EQ(page.entries[0].amount, 5);
    EXPECT_EQ(page.entries[1].amount, 4);
    EXPECT_EQ(page.balance, 15);
    page = service.History(kAlice, kAlice.user_id, page.next_before, 2);
    ASSERT_EQ(page.entries.size(), 2u);
    EXPECT_EQ(page.entries[0].amount, 3);
    page = service.History(kAlice, kAlice.user_id, page.next_before, 2);
    ASSERT_EQ(page.entries.size(), 1u);
    EXPECT_EQ(page.next_before, 0);
}

TEST_F(CoinServiceTest, TheDailyClaimOpensOncePerLocalDay) {
    clock.Set(Paris(2026, 11, 18, 23, 50));
    auto claim = service.ClaimDaily(kAlice.user_id);
    EXPECT_TRUE(claim.claimed);
    EXPECT_EQ(claim.entry.amount, 25);
    EXPECT_EQ(claim.next, Paris(2026, 11, 19, 0, 0));
    clock.Advance(5min);  // 23:55 in Paris, 22:55 UTC: the same local day
    EXPECT_FALSE(service.ClaimDaily(kAlice.user_id).claimed);
    EXPECT_EQ(BalanceOf(kAlice), 25);
    clock.Set(Paris(2026, 11, 19, 0, 1));  // still the 18th in UTC, the 19th in Paris
    EXPECT_TRUE(service.ClaimDaily(kAlice.user_id).claimed);
    EXPECT_EQ(BalanceOf(kAlice), 50);
    service.SetDailyAmount(0);
    EXPECT_EQ(KeyOf([&] { service.ClaimDaily(kBob.user_id); }), "coins.daily_off");
}

TEST_F(CoinServiceTest, ActivityEarnsWithinItsRules) {
    auto alice = kAlice.user_id;
    EXPECT_EQ(service.OnMessage(alice, true, "c-general", 50, "m0"), 0);  // a bot
    EXPECT_EQ(service.OnMessage(alice, false, "c-spam", 50, "m1"), 0);    // excluded channel
    EXPECT_EQ(service.OnMessage(alice, false, "c-general", 4, "m2"), 0);  // too short
    EXPECT_EQ(service.OnMessage(alice, false, "c-general", 5, "m3"), 2);
    EXPECT_EQ(service.OnMessage(alice, false, "c-general", 50, "m4"), 0);  // within the cooldown
    clock.Advance(61s);
    EXPECT_EQ(service.OnMessage(alice, false, "c-general", 50, "m3"), 0);  // the same message again
    EXPECT_EQ(service.EarnedToday(alice), 2);
    EXPECT_EQ(service.OnMessage(alice, false, "c-general", 50, "m5"), 2);
    clock.Advance(61s);
    EXPECT_EQ(service.OnMessage(alice, false, "c-general", 50, "m6"), 2);
    clock.Advance(61s);
    EXPECT_EQ(service.OnMessage(alice, false, "c-general", 50, "m7"), 0);  // the day's cap (6) reached
    EXPECT_EQ(service.EarnedToday(alice), 6);
    EXPECT_EQ(BalanceOf(kAlice), 6);
    clock.Set(Paris(2026, 11, 19, 0, 5));  // a new local day
    EXPECT_EQ(service.OnMessage(alice, false, "c-general", 50, "m8"), 2);
    EXPECT_EQ(BalanceOf(kAlice), 8);
    service.SetActivity(ActivityRules{.per_message = 0});
    clock.Advance(1h);
    EXPECT_EQ(service.OnMessage(alice, false, "c-general", 50, "m9"), 0);  // turned off
}

TEST_F(CoinServiceTest, LeaderboardsCountEarningsInTheLocalWeekAndMonth) {
    // Sunday 2026-11-15 23:30 in Paris is last week; Monday 00:10 is this week.
    clock.Set(Paris(2026, 11, 15, 23, 30));
    service.Credit(kBob.user_id, 50, CoinReason::kGiveaway, "old");
    clock.Set(Paris(2026, 11, 16, 0, 10));
    service.Credit(kAlice.user_id, 20, CoinReason::kGiveaway, "new");
    service.Spend(kAlice.user_id, 15, CoinReason::kPurchase, "o1");  // spending does not lower a rank
    clock.Set(Paris(2026, 11, 18, 12, 0));
    EXPECT_EQ(service.WindowStart(Period::kWeek, clock.Now()), Paris(2026, 11, 16, 0, 0));
    EXPECT_EQ(service.WindowStart(Period::kMonth, clock.Now()), Paris(2026, 11, 1, 0, 0));
    auto week = service.Leaderboard(Period::kWeek);
    ASSERT_EQ(week.size(), 1u);
    EXPECT_EQ(week[0].user, kAlice.user_id);
    EXPECT_EQ(week[0].earned, 20);
    auto month = service.Leaderboard(Period::kMonth);
    ASSERT_EQ(month.size(), 2u);
    EXPECT_EQ(month[0].user, kBob.user_id);
    EXPECT_EQ(service.Leaderboard(Period::kAll).size(), 2u);
    clock.Set(Paris(2026, 12, 1, 0, 30));
    EXPECT_TRUE(service.Leaderboard(Period::kMonth).empty());
}

}  // namespace
}  // namespace maxis::coins
