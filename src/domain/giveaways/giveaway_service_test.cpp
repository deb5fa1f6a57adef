#include "domain/giveaways/giveaway_service.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/errors.hpp"
#include "support/error_key.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_giveaway_store.hpp"
#include "support/snowflake.hpp"

namespace maxis::giveaways {

using testing::KeyOf;
namespace {

using core::Role;
using core::UserId;
using core::Viewer;
using std::chrono::hours;
using testing::AccountBornAt;

const Viewer kStaff{UserId{9001}, Role::kStaff};

class KnownFacts final : public EntrantFactsSource {
public:
    MemberFacts Facts(UserId user) override {
        auto it = known.find(user);
        return it == known.end() ? MemberFacts{} : it->second;
    }
    std::map<UserId, MemberFacts> known;
};

class Listener final : public EntryListener {
public:
    void OnEntered(GiveawayId, UserId member) override { entered.push_back(member); }
    std::vector<UserId> entered;
};

class GiveawayServiceTest : public ::testing::Test {
protected:
    GiveawayServiceTest() : service(repo, facts, clock, GiveawayOptions{.max_winners = 5, .channel = "555"}) {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
    }

    Giveaway StartOne(int winners = 2, core::Millis duration = hours(1)) {
        return service.Start(kStaff, StartRequest{.duration = duration, .winners = winners, .prize = "Nitro"});
    }
    static Viewer Member(long long id) { return Viewer{UserId{id}, Role::kMember}; }
    testing::FakeClock clock;
    testing::MemoryGiveawayRepository repo;
    KnownFacts facts;
    GiveawayService service;
};

TEST_F(GiveawayServiceTest, StartsWithAPublishedCommitmentAndAQueuedPost) {
    auto g = StartOne();
    EXPECT_EQ(g.status, Status::kRunning);
    EXPECT_EQ(g.ends_at - g.starts_at, hours(1));
    const auto& seed = repo.state.seeds.at(g.id.value);
    EXPECT_EQ(g.seed_hash, SeedHash(seed));
    ASSERT_EQ(repo.state.outbox.size(), 1u);
    EXPECT_EQ(repo.state.outbox[0].channel, kPostChannel);
    // Nobody reads the seed while it runs, staff included.
    EXPECT_EQ(KeyOf([&] { (void)service.ProofOf(kStaff, g.id); }), "giveaways.not_ended");
}

TEST_F(GiveawayServiceTest, RefusesBadStartsAndChangesNothing) {
    auto start = [&](Viewer who, core::Millis d, int w, std::string prize) {
        return KeyOf([&] { service.Start(who, StartRequest{.duration = d, .winners = w, .prize = prize}); });
    };
    EXPECT_EQ(start(kStaff, core::Millis(0), 1, "x"), "giveaways.bad_duration");
    EXPECT_EQ(start(kStaff, -hours(1), 1, "x"), "giveaways.bad_duration");
    EXPECT_EQ(start(kStaff, hours(24 * 31), 1, "x"), "giveaways.too_long");
    EXPECT_EQ(start(kStaff, hours(1), 6, "x"), "giveaways.too_many_winners");
    EXPECT_EQ(start(kStaff, hours(1), 0, "x"), "giveaways.bad_winners");
    EXPECT_EQ(start(kStaff, hours(1), 1, "  "), "giveaways.no_prize");
    EXPECT_EQ(start(kStaff, hours(1), 1, "a\x1b[31m"), "text.control.prize");
    EXPECT_EQ(start(Member(1), hours(1), 1, "x"), "giveaways.staff_only");
    EXPECT_TRUE(repo.state.giveaways.empty());
    EXPECT_TRUE(repo.state.outbox.empty());
}

TEST_F(GiveawayServiceTest, MembersEnterOnceAndLeaveWhileItRuns) {
    auto g = StartOne();
    auto listener = std::make_shared<Listener>();
    service.SetEntryListener(listener);
    service.Enter(Member(1), g.id);
    service.Enter(Member(2), g.id);
    EXPECT_EQ(service.Get(Member(1), g.id).entries, 2);
    EXPECT_EQ(KeyOf([&] { service.Enter(Member(1), g.id); }), "giveaways.already_entered");
    service.Leave(Member(1), g.id);
    EXPECT_EQ(service.Get(Member(1), g.id).entries, 1);
    EXPECT_EQ(KeyOf([&] { service.Leave(Member(1), g.id); }), "giveaways.not_entered");
    EXPECT_EQ(KeyOf([&] { service.Enter(Member(1), GiveawayId{99}); }), "giveaways.not_found");
    EXPECT_EQ(listener->entered, (std::vector<UserId>{UserId{1}, UserId{2}}));
    EXPECT_TRUE(service.Get(Member(2), g.id).entered);
    EXPECT_FALSE(service.Get(Member(1), g.id).entered);
    // After the end time, even before the job ran: closed.
    clock.Advance(hours(1));
    EXPECT_EQ(KeyOf([&] { service.Enter(Member(3), g.id); }), "giveaways.not_running");
    EXPECT_EQ(KeyOf([&] { service.Leave(Member(2), g.id); }), "giveaways.not_running");
    EXPECT_EQ(service.Get(kStaff, g.id).entries, 1);
}

TEST_F(GiveawayServiceTest, EligibilityIsCheckedAtEntryAndAgainAtTheDraw) {
    auto g = service.Start(kStaff, StartRequest{.duration = hours(48),
                                                .winners = 5,
                                                .prize = "Nitro",
                                                .min_account_age = hours(24 * 30),
                                                .min_member_age = hours(24)});
    auto now = clock.Now();
    auto old = AccountBornAt(now - hours(24 * 365), 1);
    auto young = AccountBornAt(now - hours(24), 2);
    auto newcomer = AccountBornAt(now - hours(24 * 365), 3);
    auto leaver = AccountBornAt(now - hours(24 * 365), 4);
    auto bot = AccountBornAt(now - hours(24 * 365), 5);
    facts.known[old] = MemberFacts{.joined_at = now - hours(48)};
    facts.known[young] = MemberFacts{.joined_at = now - hours(48)};
    facts.known[newcomer] = MemberFacts{.joined_at = now - hours(1)};
    facts.known[leaver] = MemberFacts{.joined_at = now - hours(48)};
    facts.known[bot] = MemberFacts{.is_bot = true, .joined_at = now - hours(48)};
    service.Enter(Viewer{old, Role::kMember}, g.id);
    service.Enter(Viewer{leaver, Role::kMember}, g.id);
    EXPECT_EQ(KeyOf([&] { service.Enter(Viewer{young, Role::kMember}, g.id); }), "giveaways.ineligible.account_age");
    EXPECT_EQ(KeyOf([&] { service.Enter(Viewer{newcomer, Role::kMember}, g.id); }), "giveaways.ineligible.member_age");
    EXPECT_EQ(KeyOf([&] { service.Enter(Viewer{bot, Role::kMember}, g.id); }), "giveaways.ineligible.bot");
    EXPECT_EQ(KeyOf([&] { service.Enter(Member(77), g.id); }), "giveaways.ineligible.member_age");
    // The leaver leaves the server before the draw (and the newcomer, who could not enter, changes nothing).
    facts.known[leaver].in_guild = false;
    clock.Advance(hours(48));
    EXPECT_EQ(service.EndDue(), 1);
    auto proof = service.ProofOf(Member(1), g.id);
    EXPECT_EQ(proof.entries, (std::vector<std::int64_t>{old.value}));
    ASSERT_EQ(proof.excluded.size(), 1u);
    EXPECT_EQ(proof.excluded[0].user, leaver.value);
    EXPECT_EQ(proof.excluded[0].reason, kExcludedLeft);
    EXPECT_EQ(proof.rounds[0].winners, (std::vector<std::int64_t>{old.value}));
    EXPECT_TRUE(VerifyProof(proof).empty());
}

TEST_F(GiveawayServiceTest, TheJobEndsAtTheEndTimeAndTheProofVerifies) {
    auto g = StartOne(3);
    for (int i = 1; i <= 40; ++i) service.Enter(Member(i), g.id);
    clock.Advance(std::chrono::minutes(59));
    EXPECT_EQ(service.EndDue(), 0);
    // Members do not see other entrants while it runs.
    repo.Read(Member(1), [&](GiveawayStore& s) { EXPECT_EQ(s.Entries(g.id).size(), 1u); });
    clock.Advance(std::chrono::minutes(1));
    EXPECT_EQ(service.EndDue(), 1);
    EXPECT_EQ(service.EndDue(), 0);  // once
    auto view = service.Get(Member(1), g.id);
    EXPECT_EQ(view.giveaway.status, Status::kEnded);
    ASSERT_EQ(view.winners.size(), 3u);
    auto proof = service.ProofOf(Member(1), g.id);
    EXPECT_EQ(proof.entries.size(), 40u);
    EXPECT_EQ(proof.seed_hash, g.seed_hash);
    EXPECT_TRUE(VerifyProof(proof).empty());
    std::string error;
    auto parsed = ProofFromJson(ProofToJson(proof), error);
    ASSERT_TRUE(parsed) << error;
    EXPECT_TRUE(VerifyProof(*parsed).empty());
    // Each winner is DM'd and announced in the giveaway channel, by mention.
    int dms = 0, posts = 0;
    for (const auto& n : repo.state.notices) {
        if (n.key == "giveaways.notify.won") ++dms;
        if (n.key == "giveaways.notify.winner") {
            ++posts;
            EXPECT_EQ(n.channel, "555");
            EXPECT_TRUE(n.people.contains("winner"));
        }
    }
    EXPECT_EQ(dms, 3);
    EXPECT_EQ(posts, 3);
    EXPECT_EQ(KeyOf([&] { service.EndEarly(kStaff, g.id); }), "giveaways.not_running");
    EXPECT_EQ(KeyOf([&] { service.Cancel(kStaff, g.id); }), "giveaways.not_running");
}

TEST_F(GiveawayServiceTest, RerollNeverReturnsAnEarlierWinnerAndReplaceKeepsTheOthers) {
    auto g = StartOne(2);
    for (int i = 1; i <= 8; ++i) service.Enter(Member(i), g.id);
    EXPECT_EQ(KeyOf([&] { service.Reroll(kStaff, g.id); }), "giveaways.not_ended");
    auto first = service.EndEarly(kStaff, g.id);
    ASSERT_EQ(first.size(), 2u);
    std::set<long long> ever{first[0].user.value, first[1].user.value};
    auto rerolled = service.Reroll(kStaff, g.id);
    ASSERT_EQ(rerolled.size(), 2u);
    for (const auto& w : rerolled) EXPECT_FALSE(ever.contains(w.user.value)) << w.user.value;
    for (const auto& w : rerolled) ever.insert(w.user.value);
    // Replacing one named winner keeps the other in place.
    auto before = service.Get(kStaff, g.id).winners;
    ASSERT_EQ(before.size(), 2u);
    auto replaced = service.ReplaceWinner(kStaff, g.id, before[0].user);
    EXPECT_FALSE(ever.contains(replaced.user.value));
    ever.insert(replaced.user.value);
    auto after = service.Get(kStaff, g.id).winners;
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(after[0].user, replaced.user);
    EXPECT_EQ(after[0].position, before[0].position);
    EXPECT_EQ(after[1].user, before[1].user);
    EXPECT_EQ(KeyOf([&] { service.ReplaceWinner(kStaff, g.id, before[0].user); }), "giveaways.not_a_winner");
    EXPECT_EQ(KeyOf([&] { service.Reroll(Member(1), g.id); }), "giveaways.staff_only");
    // 8 entrants: 2 + 2 + 1 have won; one more reroll takes 2 of the 3 left, then 1, then nobody is left.
    service.Reroll(kStaff, g.id);
    auto last = service.Reroll(kStaff, g.id);
    EXPECT_EQ(last.size(), 1u);
    auto current = service.Get(kStaff, g.id).winners;
    EXPECT_EQ(current.size(), 2u);
    EXPECT_EQ(KeyOf([&] { service.Reroll(kStaff, g.id); }), "giveaways.no_one_left");
    auto proof = service.ProofOf(Member(3), g.id);
    EXPECT_EQ(proof.rounds.size(), 5u);
    EXPECT_EQ(proof.rounds[2].replaces, (std::vector<std::int64_t>{before[0].user.value}));
    EXPECT_TRUE(VerifyProof(proof).empty());
}

// Rerolls and replacements check eligibility again, as the draw does: whoever left the server, turned out to be a
// bot or no longer qualifies sits the new round out, and the proof says who, in which round.
TEST_F(GiveawayServiceTest, RerollAndReplaceRecheckEligibilityAndTheProofSaysWhoSatOut) {
    auto g = StartOne(2);
    for (int i = 1; i <= 12; ++i) service.Enter(Member(i), g.id);
    auto first = service.EndEarly(kStaff, g.id);
    ASSERT_EQ(first.size(), 2u);
    std::set<long long> won{first[0].user.value, first[1].user.value};
    // The first winner leaves the server; of the 10 who did not win, only two stay eligible.
    std::vector<long long> eligible;
    for (long long i = 1; i <= 12; ++i) {
        if (won.contains(i)) continue;
        if (eligible.size() < 2) {
            eligible.push_back(i);
        } else {
            facts.known[UserId{i}] = i % 2 == 0 ? MemberFacts{.in_guild = false} : MemberFacts{.is_bot = true};
        }
    }
    facts.known[first[0].user] = MemberFacts{.in_guild = false};
    auto replaced = service.ReplaceWinner(kStaff, g.id, first[0].user);
    EXPECT_TRUE(replaced.user.value == eligible[0] || replaced.user.value == eligible[1]) << replaced.user.value;
    auto current = service.Get(kStaff, g.id).winners;
    ASSERT_EQ(current.size(), 2u);
    EXPECT_EQ(current[first[0].position].user, replaced.user);
    EXPECT_EQ(current[first[1].position].user, first[1].user);  // the other winner kept
    // The reroll asks for two; one eligible entrant is left, so it draws one, never an ineligible one.
    auto rerolled = service.Reroll(kStaff, g.id);
    ASSERT_EQ(rerolled.size(), 1u);
    EXPECT_EQ(rerolled[0].user.value, replaced.user.value == eligible[0] ? eligible[1] : eligible[0]);
    EXPECT_EQ(KeyOf([&] { service.Reroll(kStaff, g.id); }), "giveaways.no_one_left");

    auto proof = service.ProofOf(Member(1), g.id);
    ASSERT_EQ(proof.rounds.size(), 3u);
    EXPECT_TRUE(proof.excluded.empty());  // all eligible at the draw
    EXPECT_TRUE(proof.rounds[0].excluded.empty());
    for (int r : {1, 2}) {
        ASSERT_EQ(proof.rounds[r].excluded.size(), 8u) << r;
        for (const auto& x : proof.rounds[r].excluded) {
            EXPECT_EQ(x.reason, x.user % 2 == 0 ? kExcludedLeft : kExcludedBot) << x.user;
        }
    }
    EXPECT_TRUE(VerifyProof(proof).empty());
    std::string error;
    auto parsed = ProofFromJson(ProofToJson(proof), error);
    ASSERT_TRUE(parsed) << error;
    EXPECT_EQ(parsed->rounds[1].excluded.size(), 8u);
    EXPECT_TRUE(VerifyProof(*parsed).empty());
    // A round that leaves out someone who never entered is refused.
    parsed->rounds[1].excluded.push_back(ProofExclusion{424242, kExcludedLeft});
    EXPECT_FALSE(VerifyProof(*parsed).empty());
}

// Entrants there were, but none eligible at the draw: no winner, and the channel hears that nobody was eligible.
TEST_F(GiveawayServiceTest, EveryEntrantExcludedEndsWithTheNoEligibleEntrantNotice) {
    auto g = StartOne(2);
    for (int i = 1; i <= 3; ++i) service.Enter(Member(i), g.id);
    for (int i = 1; i <= 3; ++i) facts.known[UserId{i}] = MemberFacts{.in_guild = false};
    EXPECT_TRUE(service.EndEarly(kStaff, g.id).empty());
    int none = 0;
    for (const auto& n : repo.state.notices) {
        EXPECT_NE(n.key, "giveaways.notify.winner");
        if (n.key == "giveaways.notify.no_winner") {
            ++none;
            EXPECT_EQ(n.channel, "555");
            EXPECT_EQ(n.params.at("id"), g.id.ToString());
        }
    }
    EXPECT_EQ(none, 1);
    auto proof = service.ProofOf(Member(1), g.id);
    EXPECT_TRUE(proof.entries.empty());
    EXPECT_EQ(proof.excluded.size(), 3u);
    EXPECT_TRUE(VerifyProof(proof).empty());
    EXPECT_EQ(KeyOf([&] { service.Reroll(kStaff, g.id); }), "giveaways.no_winner_to_replace");
}

TEST_F(GiveawayServiceTest, StaffEditCancelAndListRunning) {
    auto a = StartOne();
    auto b = StartOne(1, hours(5));
    auto edited = service.Edit(kStaff, a.id, hours(10), std::string("Nitro x2"));
    EXPECT_EQ(edited.prize, "Nitro x2");
    EXPECT_EQ(edited.ends_at, clock.Now() + hours(10));
    EXPECT_EQ(KeyOf([&] { service.Edit(kStaff, a.id, -hours(1), std::nullopt); }), "giveaways.bad_duration");
    EXPECT_EQ(KeyOf([&] { service.Edit(kStaff, a.id, hours(24 * 31), std::nullopt); }), "giveaways.too_long");
    EXPECT_EQ(KeyOf([&] { service.Edit(Member(1), a.id, std::nullopt, std::string("x")); }), "giveaways.staff_only");
    EXPECT_EQ(service.Get(kStaff, a.id).giveaway.prize, "Nitro x2");
    auto running = service.ListRunning(Member(1));
    ASSERT_EQ(running.size(), 2u);
    EXPECT_EQ(running[0].giveaway.id, b.id);  // ending first
    service.Cancel(kStaff, b.id);
    EXPECT_EQ(service.ListRunning(Member(1)).size(), 1u);
    EXPECT_EQ(KeyOf([&] { service.Enter(Member(1), b.id); }), "giveaways.not_running");
    EXPECT_EQ(KeyOf([&] { (void)service.ProofOf(kStaff, b.id); }), "giveaways.cancelled_no_proof");
    clock.Advance(hours(6));
    EXPECT_EQ(service.EndDue(), 0);  // a's end moved to +10h; b was cancelled
}

TEST_F(GiveawayServiceTest, PostsAreRefreshedOnlyWhenTheCountChanged) {
    auto g = StartOne();
    EXPECT_EQ(service.RefreshPosts(), 0);
    service.Enter(Member(1), g.id);
    service.Enter(Member(2), g.id);
    EXPECT_EQ(service.RefreshPosts(), 1);
    EXPECT_EQ(service.RefreshPosts(), 0);
    service.RecordPost(g.id, core::ChannelId{555}, 777, 2);
    EXPECT_EQ(service.Get(kStaff, g.id).giveaway.message_id, 777);
    EXPECT_EQ(service.RefreshPosts(), 0);
}

TEST_F(GiveawayServiceTest, NoEntrantsEndsWithoutWinners) {
    auto g = StartOne();
    EXPECT_TRUE(service.EndEarly(kStaff, g.id).empty());
    auto proof = service.ProofOf(Member(1), g.id);
    ASSERT_EQ(proof.rounds.size(), 1u);
    EXPECT_TRUE(proof.rounds[0].winners.empty());
    EXPECT_TRUE(VerifyProof(proof).empty());
    // Nobody was drawn: there is no winner to replace (not "everyone has won").
    EXPECT_EQ(KeyOf([&] { service.Reroll(kStaff, g.id); }), "giveaways.no_winner_to_replace");
}

TEST_F(GiveawayServiceTest, EachRoundDrawnQueuesItsProofOnceInTheDrawsTransaction) {
    auto proofs = [&] {
        std::vector<std::string> keys;
        for (const auto& o : repo.state.outbox) {
            if (o.channel == kProofChannel) keys.push_back(o.idempotency_key);
        }
        return keys;
    };
    auto g = StartOne(1);
    for (int i = 1; i <= 2; ++i) service.Enter(Member(i), g.id);
    EXPECT_TRUE(proofs().empty());  // nothing to publish before the draw
    service.EndEarly(kStaff, g.id);
    auto key = "giveaway:" + g.id.ToString() + ":proof:r";
    EXPECT_EQ(proofs(), (std::vector<std::string>{key + "0"}));
    EXPECT_EQ(KeyOf([&] { service.EndEarly(kStaff, g.id); }), "giveaways.not_running");
    service.Reroll(kStaff, g.id);
    EXPECT_EQ(proofs(), (std::vector<std::string>{key + "0", key + "1"}));
    // Nobody left to draw: no round, nothing more published.
    EXPECT_EQ(KeyOf([&] { service.Reroll(kStaff, g.id); }), "giveaways.no_one_left");
    EXPECT_EQ(proofs().size(), 2u);
    // A giveaway without entrants still publishes its (empty) proof; a cancelled one has none.
    auto empty = StartOne();
    service.EndEarly(kStaff, empty.id);
    EXPECT_EQ(proofs().back(), "giveaway:" + empty.id.ToString() + ":proof:r0");
    auto cancelled = StartOne();
    service.Cancel(kStaff, cancelled.id);
    EXPECT_EQ(proofs().size(), 3u);
}

// The Winner grade follows the winners: each draw, reroll and replacement writes one item in its own transaction (so
// no crash after the commit can lose it); a draw without winners writes none.
TEST_F(GiveawayServiceTest, EveryChangeOfWinnersQueuesTheWinnerGradeInTheDrawsTransaction) {
    auto winners_items = [&] {
        std::vector<std::string> keys;
        for (const auto& o : repo.state.outbox) {
            if (o.channel == kWinnersChannel) keys.push_back(o.idempotency_key);
        }
        return keys;
    };
    auto g = StartOne(2);
    for (int i = 1; i <= 6; ++i) service.Enter(Member(i), g.id);
    service.EndEarly(kStaff, g.id);
    auto id = g.id.ToString();
    EXPECT_EQ(winners_items(), (std::vector<std::string>{"giveaway:" + id + ":winners:r0"}));
    service.Reroll(kStaff, g.id);
    auto current = service.Get(kStaff, g.id).winners;
    service.ReplaceWinner(kStaff, g.id, current.front().user);
    EXPECT_EQ(winners_items(),
              (std::vector<std::string>{"giveaway:" + id + ":winners:r0", "giveaway:" + id + ":winners:r1",
                                        "giveaway:" + id + ":winners:r2"}));
    auto empty = StartOne(1);
    service.EndEarly(kStaff, empty.id);
    EXPECT_EQ(winners_items().size(), 3u);
}

}  // namespace
}  // namespace maxis::giveaways
