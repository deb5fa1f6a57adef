#include <atomic>
#include <future>
#include <iostream>
#include <thread>

#include "storage/giveaway_milestone_suite.hpp"
#include "storage/giveaway_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::giveaway_suite {

namespace {
std::unique_ptr<testing::PostgresDatabase> current;  // the database MakeGiveawayDatabase made last
}  // namespace

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakeGiveawayDatabase(testing::FakeClock&) {
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), 8});  // 8: the race below
}

std::unique_ptr<Database> OpenSameGiveawayDatabase() {
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), 2});
}

// The member count's state: staff read it, only Maxis (the system viewer) writes it, members have no access.
TEST_F(MilestoneSuite, OnPostgresOnlyMaxisWritesTheMemberCountAndStaffReadIt) {
    service.ObserveMemberCount(98);
    repo.Read(kStaff, [](giveaways::GiveawayStore& s) {
        auto state = s.FindMilestoneState();
        ASSERT_TRUE(state.has_value());
        EXPECT_EQ(state->baseline, 98);
    });
    EXPECT_ANY_THROW(repo.Read(Member(1), [](giveaways::GiveawayStore& s) { (void)s.FindMilestoneState(); }));
    // Staff's update reaches no row, and their insert is refused: the row is as Maxis wrote it.
    repo.Write(kStaff, [](giveaways::GiveawayStore& s) {
        s.UpdateMilestoneState(giveaways::MilestoneState{.baseline = 5000, .highest = 5000});
    });
    EXPECT_ANY_THROW(repo.Write(kStaff, [](giveaways::GiveawayStore& s) {
        (void)s.InsertMilestoneState(giveaways::MilestoneState{.baseline = 5000, .highest = 5000});
    }));
    EXPECT_EQ(Count("SELECT baseline FROM giveaway_milestone_state"), 98);
    EXPECT_EQ(Count("SELECT highest FROM giveaway_milestone_state"), 98);
    EXPECT_EQ(service.ObserveMemberCount(100).size(), 1u);
}

// Two writers of one giveaway take turns: a post's delivery that reads the giveaway while a draw holds it waits
// for the draw, then reads what it committed (it used to write back a stale copy: running again, or the post lost).
TEST_F(GiveawaySuite, OnPostgresAWriterWaitsForTheDrawHoldingTheGiveaway) {
    auto g = StartOne();
    service.Enter(Member(1), g.id);
    std::promise<void> held;
    std::thread draw([&] {
        repo.Write(core::Viewer::System(), [&](giveaways::GiveawayStore& s) {
            auto found = s.Find(g.id);
            held.set_value();
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            found->status = giveaways::Status::kEnded;
            found->ended_at = clock.Now();
            s.Update(*found);
        });
    });
    held.get_future().wait();
    service.RecordPost(g.id, core::ChannelId{555}, 778, 1);
    draw.join();
    auto got = service.Get(kStaff, g.id).giveaway;
    EXPECT_EQ(got.status, giveaways::Status::kEnded);
    EXPECT_EQ(got.message_id, 778);
    EXPECT_EQ(got.posted_count, 1);
}

// Members entering and leaving while the giveaway is drawn (READ COMMITTED): afterwards the proof, read from the
// entries as committed, still recomputes the winners, so the entries are those the draw drew from. A write either
// committed before the draw read the entries, or waited for the draw and was refused as over. Without that
// ordering (no check after writing, no FOR SHARE) an entry committed just after the draw's read, or a leave of an
// entrant it had read, broke this in the first giveaway of each of 3 runs.
TEST_F(GiveawaySuite, OnPostgresEntriesAndLeavesRacingTheDrawAreInTheProofOrUndone) {
    constexpr int kGiveaways = 30, kThreads = 5, kWritesAfterTheDraw = 15;
    int refused_total = 0, entries_total = 0;
    for (int n = 0; n < kGiveaways && !HasFailure(); ++n) {
        auto g = StartOne(2);
        const std::string rows = "SELECT COUNT(*) FROM giveaway_entries WHERE giveaway_id = " + g.id.ToString();
        std::atomic<bool> drawn{false};
        std::atomic<int> refused{0};
        std::vector<std::thread> members;
        for (int t = 0; t < kThreads; ++t) {
            members.emplace_back([&, t] {
                // Each thread enters members of its own until a little after the draw; every other one leaves again.
                int after = 0;
                for (long long k = 1; after < kWritesAfterTheDraw; ++k) {
                    if (drawn) ++after;
                    auto who = Member(1'000'000LL * (t + 1) + k);
                    try {
                        service.Enter(who, g.id);
                        if (k % 2 == 0) service.Leave(who, g.id);
                    } catch (const std::exception&) {
                        ++refused;  // over (or, once the draw has begun, refused by the database's policy)
                    }
                }
            });
        }
        while (Count(rows) < 10) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        service.EndEarly(kStaff, g.id);
        drawn = true;
        for (auto& m : members) m.join();

        auto proof = service.ProofOf(Member(1), g.id);
        auto problems = giveaways::VerifyProof(proof);
        EXPECT_TRUE(problems.empty()) << "giveaway " << n << ": " << (problems.empty() ? "" : problems.front());
        refused_total += refused;
        entries_total += static_cast<int>(proof.entries.size());
    }
    std::cout << "giveaways: " << kGiveaways << ", entries drawn: " << entries_total
              << ", writes refused: " << refused_total << "\n";
}

// Underneath the store's own filters: what a member's transaction may do in raw SQL.
TEST_F(GiveawaySuite, OnPostgresAMemberReachesOnlyTheirOwnEntryAndNeverTheSeedEarly) {
    auto g = StartOne();
    service.Enter(Member(1), g.id);
    service.Enter(Member(2), g.id);
    long long gid = g.id.value;
    auto member_count = [&](long long who, const std::string& sql) {
        return db->Read(Member(who), [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << sql, soci::use(gid), soci::into(n);
            return n;
        });
    };
    EXPECT_EQ(member_count(1, "SELECT COUNT(*) FROM giveaway_entries WHERE giveaway_id = :g"), 1);
    EXPECT_EQ(member_count(1, "SELECT COUNT(*) FROM giveaway_seeds WHERE giveaway_id = :g"), 0);
    EXPECT_EQ(db->Read(kStaff,
                       [&](Transaction& tx) {
                           long long n = 0;
                           tx.sql() << "SELECT COUNT(*) FROM giveaway_seeds WHERE giveaway_id = :g", soci::use(gid),
                               soci::into(n);
                           return n;
                       }),
              0);
    // Someone else's entry: neither added nor taken back.
    EXPECT_THROW(db->Write(Member(1),
                           [&](Transaction& tx) {
                               tx.sql() << "INSERT INTO giveaway_entries (giveaway_id, user_id, entered_at) VALUES "
                                           "(:g, 3, 0)",
                                   soci::use(gid);
                           }),
                 std::exception);
    db->Write(Member(1), [&](Transaction& tx) {
        tx.sql() << "DELETE FROM giveaway_entries WHERE giveaway_id = :g AND user_id = 2", soci::use(gid);
    });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaway_entries"), 2);
    // Nor the draw's columns, nor the giveaway itself.
    EXPECT_THROW(db->Write(Member(1),
                           [&](Transaction& tx) {
                               tx.sql() << "UPDATE giveaway_entries SET excluded = '' WHERE giveaway_id = :g",
                                   soci::use(gid);
                           }),
                 std::exception);
    EXPECT_THROW(db->Write(Member(1),
                           [&](Transaction& tx) {
                               tx.sql() << "UPDATE giveaways SET status = 'ended' WHERE id = :g", soci::use(gid);
                           }),
                 std::exception);
    service.EndEarly(kStaff, g.id);
    EXPECT_EQ(member_count(1, "SELECT COUNT(*) FROM giveaway_entries WHERE giveaway_id = :g"), 2);
    EXPECT_EQ(member_count(1, "SELECT COUNT(*) FROM giveaway_seeds WHERE giveaway_id = :g"), 1);
    // Once ended, a member no longer enters or leaves, even in raw SQL.
    EXPECT_THROW(db->Write(Member(5),
                           [&](Transaction& tx) {
                               tx.sql() << "INSERT INTO giveaway_entries (giveaway_id, user_id, entered_at) VALUES "
                                           "(:g, 5, 0)",
                                   soci::use(gid);
                           }),
                 std::exception);
    db->Write(Member(1), [&](Transaction& tx) {
        tx.sql() << "DELETE FROM giveaway_entries WHERE giveaway_id = :g AND user_id = 1", soci::use(gid);
    });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM giveaway_entries"), 2);
}

}  // namespace maxis::storage::giveaway_suite
