// Milestone giveaways' rules on the in-memory store: the baseline, crossing, back and forth, every N beyond the
// list, disabled, and the staff command's once-only start.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "domain/giveaways/giveaway_service.hpp"
#include "support/error_key.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_giveaway_store.hpp"

namespace maxis::giveaways {

using testing::KeyOf;
namespace {

using core::Role;
using core::UserId;
using core::Viewer;

class NoFacts final : public EntrantFactsSource {
public:
    MemberFacts Facts(UserId) override { return {}; }
};

std::vector<long long> Milestones(const std::vector<Giveaway>& giveaways) {
    std::vector<long long> out;
    for (const auto& g : giveaways) out.push_back(g.milestone.value_or(-1));
    return out;
}

class MilestoneTest : public ::testing::Test {
protected:
    explicit MilestoneTest(MilestonePlan plan = {.prize = "Nitro pour nos {milestone} membres",
                                                 .duration = std::chrono::hours(48),
                                                 .winners = 2,
                                                 .prize_cost_cents = 999})
        : service(repo, facts, clock, GiveawayOptions{.max_winners = 5, .channel = "555", .milestones = plan}) {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
    }
    /// Every milestone giveaway in the store, in id order.
    std::vector<long long> Fired() {
        std::vector<long long> out;
        for (const auto& [id, g] : repo.state.giveaways) {
            if (g.source == Source::kMilestone) out.push_back(g.milestone.value_or(-1));
        }
        return out;
    }
    testing::FakeClock clock;
    testing::MemoryGiveawayRepository repo;
    NoFacts facts;
    GiveawayService service;
};

TEST(MilestonePlanTest, TheListThenEveryStepAfterItsLast) {
    MilestonePlan plan;  // 50, 100, 250, 500, 1000, then every 1000
    EXPECT_EQ(MilestonesBetween(plan, 0, 49), (std::vector<long long>{}));
    EXPECT_EQ(MilestonesBetween(plan, 49, 50), (std::vector<long long>{50}));
    EXPECT_EQ(MilestonesBetween(plan, 50, 50), (std::vector<long long>{}));
    EXPECT_EQ(MilestonesBetween(plan, 98, 260), (std::vector<long long>{100, 250}));
    EXPECT_EQ(MilestonesBetween(plan, 999, 3000), (std::vector<long long>{1000, 2000, 3000}));
    EXPECT_EQ(MilestonesBetween(plan, 4321, 6999), (std::vector<long long>{5000, 6000}));
    plan.list = {10, 75};
    plan.every = 100;  // 175, 275...: every step after the last, not multiples
    EXPECT_EQ(MilestonesBetween(plan, 0, 300), (std::vector<long long>{10, 75, 175, 275}));
    plan.every = 0;
    EXPECT_EQ(MilestonesBetween(plan, 0, 100000), (std::vector<long long>{10, 75}));
    EXPECT_EQ(MilestonePrize(MilestonePlan{.prize = "{milestone}! {milestone}"}, 250), "250! 250");
}

TEST_F(MilestoneTest, TheFirstCountIsTheBaselineAndNothingAtOrBelowItFires) {
    // Installed on a server of 5,000: the ten milestones already passed start nothing.
    EXPECT_TRUE(service.ObserveMemberCount(5000).empty());
    ASSERT_TRUE(repo.state.milestone_state);
    EXPECT_EQ(repo.state.milestone_state->baseline, 5000);
    EXPECT_EQ(repo.state.milestone_state->highest, 5000);
    EXPECT_TRUE(repo.state.giveaways.empty());
    EXPECT_TRUE(repo.state.outbox.empty());
    EXPECT_TRUE(service.ObserveMemberCount(5999).empty());
    EXPECT_EQ(Milestones(service.ObserveMemberCount(6000)), (std::vector<long long>{6000}));
    EXPECT_EQ(Fired(), (std::vector<long long>{6000}));
}

TEST_F(MilestoneTest, CrossingAMilestoneStartsItsGiveawayWithThePlanAndQueuesThePost) {
    service.ObserveMemberCount(98);
    EXPECT_TRUE(service.ObserveMemberCount(99).empty());
    auto started = service.ObserveMemberCount(100);
    ASSERT_EQ(started.size(), 1u);
    const auto& g = started[0];
    EXPECT_EQ(g.milestone, 100);
    EXPECT_EQ(g.source, Source::kMilestone);
    EXPECT_EQ(g.prize, "Nitro pour nos 100 membres");
    EXPECT_EQ(g.winners_count, 2);
    EXPECT_EQ(g.prize_cost_cents, 999);
    EXPECT_EQ(g.ends_at - g.starts_at, std::chrono::hours(48));
    EXPECT_EQ(g.created_by, UserId{0});  // Maxis itself
    EXPECT_EQ(g.status, Status::kRunning);
    // The same commitment as a manual start: SHA-256 of its secret seed.
    EXPECT_EQ(g.seed_hash, SeedHash(repo.state.seeds.at(g.id.value)));
    ASSERT_EQ(repo.state.outbox.size(), 1u);
    EXPECT_EQ(repo.state.outbox[0].channel, kPostChannel);
    EXPECT_EQ(repo.state.milestone_state->highest, 100);
    EXPECT_EQ(repo.state.milestone_state->baseline, 98);
}

TEST_F(MilestoneTest, BackAndForthAroundAMilestoneFiresItOnce) {
    service.ObserveMemberCount(98);
    for (long long n : {99, 100, 99, 100, 98, 101, 100, 99, 101}) service.ObserveMemberCount(n);
    EXPECT_EQ(Fired(), (std::vector<long long>{100}));
    EXPECT_EQ(repo.state.outbox.size(), 1u);
    // A restart is a new service on the same rows: the count it first sees changes nothing.
    GiveawayService again(repo, facts, clock, service.options());
    EXPECT_TRUE(again.ObserveMemberCount(100).empty());
    EXPECT_TRUE(again.ObserveMemberCount(99).empty());
    EXPECT_TRUE(again.ObserveMemberCount(100).empty());
    EXPECT_EQ(Fired(), (std::vector<long long>{100}));
    EXPECT_EQ(repo.state.milestone_state->baseline, 98);
}

TEST_F(MilestoneTest, AJumpFiresEachMilestoneCrossedAndEveryThousandBeyondTheList) {
    service.ObserveMemberCount(40);
    EXPECT_EQ(Milestones(service.ObserveMemberCount(260)), (std::vector<long long>{50, 100, 250}));
    service.ObserveMemberCount(999);
    EXPECT_EQ(Fired(), (std::vector<long long>{50, 100, 250, 500}));
    EXPECT_EQ(Milestones(service.ObserveMemberCount(2000)), (std::vector<long long>{1000, 2000}));
    EXPECT_TRUE(service.ObserveMemberCount(2999).empty());
    EXPECT_EQ(Milestones(service.ObserveMemberCount(3000)), (std::vector<long long>{3000}));
    EXPECT_EQ(repo.state.outbox.size(), 7u);
}

TEST_F(MilestoneTest, AMilestoneStartedByStaffFirstIsNotStartedAgainByTheCount) {
    service.ObserveMemberCount(90);
    const Viewer staff{UserId{9001}, Role::kStaff};
    auto first = service.StartMilestone(staff, 100);
    EXPECT_TRUE(first.started);
    EXPECT_EQ(first.giveaway.created_by, UserId{9001});
    auto second = service.StartMilestone(staff, 100);
    EXPECT_FALSE(second.started);
    EXPECT_EQ(second.giveaway.id, first.giveaway.id);
    EXPECT_TRUE(service.ObserveMemberCount(100).empty());
    EXPECT_EQ(Fired(), (std::vector<long long>{100}));
    EXPECT_EQ(repo.state.outbox.size(), 1u);
}

TEST_F(MilestoneTest, BadMilestoneCommandsAreRefusedAndChangeNothing) {
    EXPECT_EQ(KeyOf([&] { service.StartMilestone(Viewer{UserId{5}, Role::kMember}, 100); }), "giveaways.staff_only");
    const Viewer staff{UserId{9001}, Role::kStaff};
    EXPECT_EQ(KeyOf([&] { service.StartMilestone(staff, 0); }), "giveaways.milestone.bad");
    EXPECT_EQ(KeyOf([&] { service.StartMilestone(staff, -100); }), "giveaways.milestone.bad");
    EXPECT_TRUE(repo.state.giveaways.empty());
    EXPECT_TRUE(repo.state.outbox.empty());
    // Members never write the count's state.
    EXPECT_FALSE(repo.state.milestone_state);
}

class DisabledMilestoneTest : public MilestoneTest {
protected:
    DisabledMilestoneTest() : MilestoneTest(MilestonePlan{.enabled = false}) {}
};

TEST_F(DisabledMilestoneTest, TheCountIsFollowedAndNothingStarts) {
    service.ObserveMemberCount(98);
    EXPECT_TRUE(service.ObserveMemberCount(100).empty());
    EXPECT_TRUE(service.ObserveMemberCount(300).empty());
    EXPECT_TRUE(repo.state.giveaways.empty());
    EXPECT_EQ(repo.state.milestone_state->highest, 300);
    // Staff may still start one by hand.
    EXPECT_TRUE(service.StartMilestone(Viewer{UserId{9001}, Role::kStaff}, 250).started);
}

}  // namespace
}  // namespace maxis::giveaways
