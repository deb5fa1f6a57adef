// A giveaway's return on the in-memory store: the scripted month of tests/support/roi_script.hpp, the window "so
// far" while it is open, the end used once drawn early, and who may ask.
#include "domain/giveaways/giveaway_stats.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/errors.hpp"
#include "support/error_key.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_giveaway_store.hpp"
#include "support/roi_script.hpp"

namespace maxis::giveaways {

using testing::KeyOf;
namespace {

using core::Role;
using core::UserId;
using core::Viewer;
using std::chrono::days;
using std::chrono::hours;
namespace script = testing::roi_script;

const Viewer kStaff{UserId{9001}, Role::kStaff};

class Everyone final : public EntrantFactsSource {
public:
    MemberFacts Facts(UserId) override { return {}; }
};

/// The port's contract over the script's rows: every event in [from, to), and the money of those who joined there.
class ScriptedRoi final : public RoiSource {
public:
    RoiRows Rows(const Viewer& viewer, core::TimePoint from, core::TimePoint to) override {
        EXPECT_TRUE(viewer.IsStaff());
        asked.emplace_back(from, to);
        RoiRows rows;
        std::set<long long> joiners;
        auto in = [&](core::Millis at) { return t0 + at >= from && t0 + at < to; };
        for (const auto& e : script::kEvents) {
            if (!in(e.at)) continue;
            rows.events.push_back({UserId{e.user}, e.joined, t0 + e.at});
            if (e.joined) joiners.insert(e.user);
        }
        for (const auto& p : script::kPayments) {
            if (in(p.at) && joiners.contains(p.user)) {
                rows.payments.push_back({UserId{p.user}, p.amount_minor, p.currency, t0 + p.at});
            }
        }
        for (const auto& p : script::kPlans) {
            if (in(p.at) && joiners.contains(p.user))
                rows.plans.push_back({UserId{p.user}, p.plan, p.revoked, t0 + p.at});
        }
        return rows;
    }
    core::TimePoint t0;
    std::vector<std::pair<core::TimePoint, core::TimePoint>> asked;
};

class GiveawayStatsTest : public ::testing::Test {
protected:
    GiveawayStatsTest()
        : service(repo, facts, clock, GiveawayOptions{.max_winners = 5}),
          stats(service, roi, clock, script::kPlanPrices) {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
        roi.t0 = clock.Now();
    }
    Giveaway StartScripted() {
        auto g = service.Start(kStaff, StartRequest{.duration = script::kDuration, .winners = 1, .prize = "Nitro"});
        return service.SetPrizeCost(kStaff, g.id, script::kCostCents);
    }
    testing::FakeClock clock;
    testing::MemoryGiveawayRepository repo;
    Everyone facts;
    ScriptedRoi roi;
    GiveawayService service;
    GiveawayStatsService stats;
};

TEST_F(GiveawayStatsTest, CountsTheScriptedMonthOnceTheWindowHasClosed) {
    auto g = StartScripted();
    clock.Set(roi.t0 + days(45));
    auto s = stats.Stats(kStaff, g.id);
    EXPECT_FALSE(s.open);
    EXPECT_EQ(s.from, roi.t0);
    EXPECT_EQ(s.to, roi.t0 + script::kDuration + days(30));
    EXPECT_EQ(s.counted_until, s.to);
    EXPECT_EQ(s.joined, script::kExpectedJoined);
    EXPECT_EQ(s.left, script::kExpectedLeft);
    EXPECT_EQ(s.gained, script::kExpectedJoined - script::kExpectedLeft);
    EXPECT_EQ(s.paying, script::kExpectedPaying);
    EXPECT_EQ(s.shop_minor, script::kExpectedShop);
    EXPECT_EQ(s.plans_minor, script::kExpectedPlans);
    EXPECT_EQ(s.revenue_minor, 2299);
    EXPECT_EQ(s.prize_cost_minor, 1000);
    EXPECT_EQ(s.net_minor, 1299);
    EXPECT_EQ(s.roi_percent, 129);
    EXPECT_EQ(s.cost_per_member_minor, 333);
    EXPECT_EQ(s.currency, "EUR");
    // One day per UTC day the window touches (T0 is 20:26 UTC: 33 days), all of them counted.
    ASSERT_EQ(s.days.size(), 33u);
    EXPECT_EQ(s.days.front().day, "2026-05-28");
    int joins = 0, leaves = 0;
    long long revenue = 0;
    for (const auto& d : s.days) {
        EXPECT_TRUE(d.counted) << d.day;
        joins += d.joins;
        leaves += d.leaves;
        revenue += d.revenue_minor;
    }
    EXPECT_EQ(joins, 4);
    EXPECT_EQ(leaves, 1);
    EXPECT_EQ(revenue, 2299);
    // The day user 1 paid 15,00 € (T0 + 3 days) and the day of its refund.
    EXPECT_EQ(s.days[3].revenue_minor, 1500);
    EXPECT_EQ(s.days[4].revenue_minor, -500);
    // The window asked of the store is exactly the giveaway's.
    ASSERT_EQ(roi.asked.size(), 1u);
    EXPECT_EQ(roi.asked[0].second, s.to);
}

TEST_F(GiveawayStatsTest, AnOpenWindowCountsSoFarAndSaysWhichDaysAreToCome) {
    auto g = StartScripted();
    clock.Set(roi.t0 + days(10));
    auto s = stats.Stats(kStaff, g.id);
    EXPECT_TRUE(s.open);
    EXPECT_EQ(s.counted_until, roi.t0 + days(10));
    EXPECT_EQ(roi.asked.back().second, roi.t0 + days(10));
    EXPECT_EQ(s.joined, 3);  // user 4 joins on day 31
    EXPECT_EQ(s.left, 1);
    EXPECT_EQ(s.shop_minor, 1000);
    EXPECT_EQ(s.plans_minor, 999);
    ASSERT_EQ(s.days.size(), 33u);
    EXPECT_EQ(std::count_if(s.days.begin(), s.days.end(), [](const auto& d) { return d.counted; }), 11);
}

TEST_F(GiveawayStatsTest, AGiveawayEndedEarlyCountsThirtyDaysFromItsRealEnd) {
    auto g = StartScripted();
    clock.Set(roi.t0 + hours(3));
    service.EndEarly(kStaff, g.id);
    clock.Set(roi.t0 + days(60));
    auto s = stats.Stats(kStaff, g.id);
    EXPECT_EQ(s.to, roi.t0 + hours(3) + days(30));
    EXPECT_EQ(s.joined, 3);  // user 4's join (day 31) is now outside
    EXPECT_EQ(s.shop_minor, 1000);
}

TEST_F(GiveawayStatsTest, WithoutACostThereIsNoRatioAndOnlyStaffAsk) {
    auto g = service.Start(kStaff, StartRequest{.duration = hours(1), .winners = 1, .prize = "Nitro"});
    clock.Set(roi.t0 + days(45));
    auto s = stats.Stats(kStaff, g.id);
    EXPECT_EQ(s.prize_cost_minor, 0);
    EXPECT_FALSE(s.roi_percent.has_value());
    EXPECT_EQ(s.net_minor, s.revenue_minor);
    EXPECT_EQ(KeyOf([&] { (void)stats.Stats(Viewer{UserId{5}, Role::kMember}, g.id); }), "giveaways.staff_only");
    EXPECT_EQ(KeyOf([&] { (void)stats.Stats(kStaff, GiveawayId{999}); }), "giveaways.not_found");
    // A cost is set at any time, never negative nor absurd; a refusal changes nothing.
    EXPECT_EQ(KeyOf([&] { service.SetPrizeCost(kStaff, g.id, -1); }), "giveaways.bad_cost");
    EXPECT_EQ(KeyOf([&] { service.SetPrizeCost(kStaff, g.id, 100'000'000'001); }), "giveaways.bad_cost");
    EXPECT_EQ(KeyOf([&] { service.SetPrizeCost(Viewer{UserId{5}, Role::kMember}, g.id, 10); }), "giveaways.staff_only");
    EXPECT_EQ(service.Get(kStaff, g.id).giveaway.prize_cost_cents, 0);
    EXPECT_EQ(service.SetPrizeCost(kStaff, g.id, 2500).prize_cost_cents, 2500);
    EXPECT_EQ(stats.Stats(kStaff, g.id).roi_percent, (s.revenue_minor - 2500) * 100 / 2500);
}

}  // namespace
}  // namespace maxis::giveaways
