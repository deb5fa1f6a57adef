#pragma once
// The giveaways' store under GiveawayService, run on SQLite (giveaway_store_test.cpp) and on PostgreSQL through the
// login role with row-level security (giveaway_store_pgtest.cpp). Each file defines MakeGiveawayDatabase().
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <set>

#include "core/errors.hpp"
#include "domain/giveaways/giveaway_service.hpp"
#include "storage/giveaway_store.hpp"
#include "support/error_key.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage::giveaway_suite {

using testing::KeyOf;

using core::Role;
using core::UserId;
using core::Viewer;
using giveaways::GiveawayId;

std::unique_ptr<Database> MakeGiveawayDatabase(testing::FakeClock& clock);

inline const Viewer kStaff{UserId{9001}, Role::kStaff};
inline Viewer Member(long long id) { return Viewer{UserId{id}, Role::kMember}; }

class NoFacts final : public giveaways::EntrantFactsSource {
public:
    giveaways::MemberFacts Facts(UserId user) override {
        return giveaways::MemberFacts{.is_bot = bots.contains(user.value)};
    }
    std::set<long long> bots;
};

class GiveawaySuite : public ::testing::Test {
protected:
    GiveawaySuite()
        : db(MakeGiveawayDatabase(clock)),
          repo(*db, clock),
          service(repo, facts, clock, giveaways::GiveawayOptions{.max_winners = 10, .channel = "555"}) {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
    }
    giveaways::Giveaway StartOne(int winners = 3) {
        return service.Start(
            kStaff, giveaways::StartRequest{.duration = std::chrono::hours(1), .winners = winners, .prize = "Nitro"});
    }
    long long Count(const std::string& sql) {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << sql, soci::into(n);
            return n;
        });
    }

    testing::FakeClock clock;
    std::unique_ptr<Database> db;
    SqlGiveawayRepository repo;
    NoFacts facts;
    giveaways::GiveawayService service;
};

TEST_F(GiveawaySuite, StoresAGiveawayAndKeepsItsSeedSecretUntilTheEnd) {
    auto g = StartOne();
    auto got = service.Get(Member(1), g.id).giveaway;
    EXPECT_EQ(got.prize, "Nitro");
    EXPECT_EQ(got.winners_count, 3);
    EXPECT_EQ(got.seed_hash, g.seed_hash);
    EXPECT_EQ(got.ends_at, g.ends_at);
    EXPECT_EQ(got.status, giveaways::Status::kRunning);
    EXPECT_FALSE(got.channel.has_value());
    for (const auto& who : {Member(1), kStaff, Viewer::System()}) {
        repo.Read(who, [&](giveaways::GiveawayStore& s) { EXPECT_FALSE(s.Seed(g.id).has_value()); });
    }
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE channel = 'giveaways.post'"), 1);
    service.RecordPost(g.id, core::ChannelId{555}, 777, 0);
    got = service.Get(kStaff, g.id).giveaway;
    EXPECT_EQ(got.channel, core::ChannelId{555});
    EXPECT_EQ(got.message_id, 777);
    EXPECT_EQ(got.posted_count, 0);
}

TEST_F(GiveawaySuite, EntriesDrawRerollAndProofThroughSql) {
    auto g = StartOne(3);
    for (int i = 1; i <= 60; ++i) service.Enter(Member(1000 + i), g.id);
    facts.bots.insert(1007);
    EXPECT_EQ(KeyOf([&] { service.Enter(Member(1001), g.id); }), "giveaways.already_entered");
    service.Leave(Member(1002), g.id);
    EXPECT_EQ(service.Get(Member(1002), g.id).entries, 59);
    EXPECT_EQ(KeyOf([&] { service.Leave(Member(1002), g.id); }), "giveaways.not_entered");
    // A member reads only their own entry while it runs, and no winner.
    repo.Read(Member(1001), [&](giveaways::GiveawayStore& s) {
        auto entries = s.Entries(g.id);
        ASSERT_EQ(entries.size(), 1u);
        EXPECT_EQ(entries[0].user, UserId{1001});
    });
    EXPECT_EQ(service.RefreshPosts(), 1);
    clock.Advance(std::chrono::hours(1));
    EXPECT_EQ(service.EndDue(), 1);
    EXPECT_EQ(service.EndDue(), 0);
    auto proof = service.ProofOf(Member(1001), g.id);
    EXPECT_EQ(proof.entries.size(), 58u);  // 60, one left, one bot
    ASSERT_EQ(proof.excluded.size(), 1u);
    EXPECT_EQ(proof.excluded[0].user, 1007);
    EXPECT_EQ(proof.rounds[0].winners.size(), 3u);
    EXPECT_TRUE(giveaways::VerifyProof(proof).empty());
    repo.Read(Member(1001), [&](giveaways::GiveawayStore& s) { EXPECT_EQ(s.Entries(g.id).size(), 59u); });

    std::set<long long> ever(proof.rounds[0].winners.begin(), proof.rounds[0].winners.end());
    for (const auto& w : service.Reroll(kStaff, g.id)) EXPECT_TRUE(ever.insert(w.user.value).second);
    auto current = service.Get(Member(1003), g.id).winners;
    ASSERT_EQ(current.size(), 3u);
    auto replaced = service.ReplaceWinner(kStaff, g.id, current[1].user);
    EXPECT_TRUE(ever.insert(replaced.user.value).second);
    auto after = service.Get(Member(1003), g.id).winners;
    EXPECT_EQ(after[0].user, current[0].user);
    EXPECT_EQ(after[1].user, replaced.user);
    EXPECT_EQ(after[2].user, current[2].user);
    proof = service.ProofOf(Member(1003), g.id);
    EXPECT_EQ(proof.rounds.size(), 3u);
    EXPECT_TRUE(giveaways::VerifyProof(proof).empty());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE channel = 'notify.member'"), 7);
}

// A later round checks eligibility again; its exclusions are stored per round and published in the proof, which a
// member reads once it has ended.
TEST_F(GiveawaySuite, ALaterRoundLeavesOutWhoIsNoLongerEligibleAndTheProofSaysSo) {
    auto g = StartOne(1);
    for (int i = 1; i <= 6; ++i) service.Enter(Member(2000 + i), g.id);
    auto first = service.EndEarly(kStaff, g.id);
    ASSERT_EQ(first.size(), 1u);
    long long keep = first[0].user.value == 2001 ? 2002 : 2001;
    for (long long i = 2001; i <= 2006; ++i) {
        if (i != keep && i != first[0].user.value) facts.bots.insert(i);
    }
    auto rerolled = service.Reroll(kStaff, g.id);
    ASSERT_EQ(rerolled.size(), 1u);
    EXPECT_EQ(rerolled[0].user.value, keep);
    EXPECT_EQ(KeyOf([&] { service.Reroll(kStaff, g.id); }), "giveaways.no_one_left");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaway_round_exclusions"), 4);  // the refused round wrote nothing
    auto proof = service.ProofOf(Member(2001), g.id);
    ASSERT_EQ(proof.rounds.size(), 2u);
    ASSERT_EQ(proof.rounds[1].excluded.size(), 4u);
    for (const auto& x : proof.rounds[1].excluded) EXPECT_EQ(x.reason, giveaways::kExcludedBot);
    EXPECT_TRUE(giveaways::VerifyProof(proof).empty());
}

TEST_F(GiveawaySuite, ClosedGiveawaysRefuseEntriesAndChangeNothing) {
    auto g = StartOne();
    service.Enter(Member(1), g.id);
    service.Cancel(kStaff, g.id);
    EXPECT_EQ(KeyOf([&] { service.Enter(Member(2), g.id); }), "giveaways.not_running");
    EXPECT_EQ(KeyOf([&] { service.Leave(Member(1), g.id); }), "giveaways.not_running");
    EXPECT_EQ(KeyOf([&] { service.Enter(Member(2), GiveawayId{12345}); }), "giveaways.not_found");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaway_entries"), 1);
    EXPECT_EQ(service.ListRunning(Member(1)).size(), 0u);
    EXPECT_EQ(service.List(kStaff, giveaways::Status::kCancelled, 10).size(), 1u);
}

}  // namespace maxis::storage::giveaway_suite
