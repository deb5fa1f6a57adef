#pragma once
// Milestone giveaways on the SQL store, run on SQLite and PostgreSQL (included by giveaway_store_test.cpp and
// giveaway_store_pgtest.cpp after giveaway_store_suite.hpp). Each file also defines OpenSameGiveawayDatabase(): a
// second connection pool on the database MakeGiveawayDatabase() made last, as another instance of Maxis would open.
#include <atomic>
#include <thread>

#include "storage/giveaway_store_suite.hpp"

namespace maxis::storage::giveaway_suite {

std::unique_ptr<Database> OpenSameGiveawayDatabase();

/// One instance of Maxis: its own pool, repository and service on the shared database.
struct Instance {
    Instance(std::unique_ptr<Database> database, const core::Clock& clock, giveaways::EntrantFactsSource& facts)
        : db(std::move(database)),
          repo(*db, clock),
          service(repo, facts, clock, giveaways::GiveawayOptions{.max_winners = 10, .channel = "555"}) {}
    std::unique_ptr<Database> db;
    SqlGiveawayRepository repo;
    giveaways::GiveawayService service;
};

class MilestoneSuite : public GiveawaySuite {
protected:
    long long MilestoneGiveaways(long long milestone) {
        return Count("SELECT COUNT(*) FROM giveaways WHERE source = 'milestone' AND milestone = " +
                     std::to_string(milestone));
    }
    /// Posts queued at a giveaway's start (a draw queues its own edit).
    long long Posts() {
        return Count(
            "SELECT COUNT(*) FROM outbox WHERE channel = 'giveaways.post' AND idempotency_key LIKE "
            "'%:post:start'");
    }
};

TEST_F(MilestoneSuite, FiresOnceAcrossBackAndForthAndRestarts) {
    EXPECT_TRUE(service.ObserveMemberCount(98).empty());  // the baseline
    EXPECT_TRUE(service.ObserveMemberCount(99).empty());
    auto started = service.ObserveMemberCount(100);
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(started[0].milestone, 100);
    // Stored as the service returned it, with its seed, and its post queued in the same transaction.
    auto stored = service.Get(kStaff, started[0].id).giveaway;
    EXPECT_EQ(stored.source, giveaways::Source::kMilestone);
    EXPECT_EQ(stored.milestone, 100);
    EXPECT_EQ(stored.seed_hash, started[0].seed_hash);
    EXPECT_EQ(Posts(), 1);
    // Its seed was stored with it: once drawn, the proof shows the seed committed to.
    service.EndEarly(kStaff, started[0].id);
    EXPECT_EQ(giveaways::SeedHash(service.ProofOf(kStaff, started[0].id).seed), started[0].seed_hash);
    for (long long n : {99, 100, 98, 100, 99}) EXPECT_TRUE(service.ObserveMemberCount(n).empty());
    // A restart: another pool and service on the same rows.
    Instance restarted(OpenSameGiveawayDatabase(), clock, facts);
    EXPECT_TRUE(restarted.service.ObserveMemberCount(100).empty());
    EXPECT_TRUE(restarted.service.ObserveMemberCount(99).empty());
    EXPECT_TRUE(restarted.service.ObserveMemberCount(100).empty());
    EXPECT_EQ(MilestoneGiveaways(100), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaways"), 1);
    EXPECT_EQ(Posts(), 1);
    EXPECT_EQ(Count("SELECT baseline FROM giveaway_milestone_state"), 98);
    EXPECT_EQ(Count("SELECT highest FROM giveaway_milestone_state"), 100);
    // Past the list: 1000 then every 1000.
    EXPECT_EQ(restarted.service.ObserveMemberCount(2000).size(), 4u);  // 250, 500, 1000, 2000
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaways WHERE milestone IN (250, 500, 1000, 2000)"), 4);
}

TEST_F(MilestoneSuite, AServerFirstSeenAboveAMilestoneNeverFiresIt) {
    EXPECT_TRUE(service.ObserveMemberCount(120).empty());
    for (long long n : {119, 100, 50, 120, 249}) EXPECT_TRUE(service.ObserveMemberCount(n).empty());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaways"), 0);
    EXPECT_EQ(service.ObserveMemberCount(250).size(), 1u);
    EXPECT_EQ(MilestoneGiveaways(250), 1);
}

// The store's own guarantee, without the service's look-up first: a second insert of a milestone writes nothing.
TEST_F(MilestoneSuite, ASecondInsertOfAMilestoneIsANoOp) {
    auto g = StartOne();  // a manual one, for the columns
    g.source = giveaways::Source::kMilestone;
    g.milestone = 500;
    std::optional<GiveawayId> first, second;
    repo.Write(Viewer::System(), [&](giveaways::GiveawayStore& s) { first = s.InsertForMilestone(g, "aa"); });
    Instance other(OpenSameGiveawayDatabase(), clock, facts);
    other.repo.Write(Viewer::System(), [&](giveaways::GiveawayStore& s) { second = s.InsertForMilestone(g, "bb"); });
    ASSERT_TRUE(first.has_value());
    EXPECT_FALSE(second.has_value());
    EXPECT_EQ(MilestoneGiveaways(500), 1);
    repo.Read(kStaff, [&](giveaways::GiveawayStore& s) { EXPECT_EQ(s.FindByMilestone(500)->id, *first); });
}

// Two instances, four threads each, report the crossing at once, and staff's command races them: one giveaway,
// one post. The count's state row makes writers take turns; the unique milestone column holds even without it (the
// staff command does not read the state).
TEST_F(MilestoneSuite, TwoInstancesRacingStartOneGiveaway) {
    Instance a(OpenSameGiveawayDatabase(), clock, facts);
    Instance b(OpenSameGiveawayDatabase(), clock, facts);
    a.service.ObserveMemberCount(98);
    std::atomic<int> by_count{0}, by_command{0}, found{0}, failed{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&, i] {
            auto& instance = i % 2 == 0 ? a : b;
            while (!go.load()) std::this_thread::yield();
            for (int attempt = 0; attempt < 20; ++attempt) {
                try {
                    if (i < 4) {
                        by_count += static_cast<int>(instance.service.ObserveMemberCount(100 + i % 2).size());
                    } else {
                        auto run = instance.service.StartMilestone(kStaff, 100);
                        (run.started ? by_command : found) += 1;
                    }
                    return;
                } catch (const core::Error& e) {
                    // A serialization failure or a busy database says "try again"; anything else is a failure.
                    if (e.code() != core::ErrorCode::kUnavailable && e.code() != core::ErrorCode::kConflict) break;
                }
            }
            ++failed;
        });
    }
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(by_count.load() + by_command.load(), 1);
    EXPECT_EQ(by_command.load() + found.load(), 4);  // every command answered: started, or found the one that did
    EXPECT_EQ(MilestoneGiveaways(100), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaways"), 1);
    EXPECT_EQ(Posts(), 1);
    EXPECT_EQ(Count("SELECT highest FROM giveaway_milestone_state"), 101);
}

}  // namespace maxis::storage::giveaway_suite
