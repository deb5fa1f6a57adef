#pragma once
// The coins' store, run on SQLite (coin_store_test.cpp) and on PostgreSQL through the login role with
// row-level security (coin_store_pgtest.cpp). Each file defines MakeCoinDatabase(). The concurrency tests run
// real threads against the real database: balances never go below zero and the activity cap holds.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/errors.hpp"
#include "domain/coins/coin_service.hpp"
#include "storage/coin_store.hpp"
#include "storage/users.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage::coin_suite {

using namespace std::chrono_literals;
using coins::CoinReason;
using core::Role;
using core::UserId;
using core::Viewer;

std::unique_ptr<Database> MakeCoinDatabase(testing::FakeClock& clock, int pool);

inline const Viewer kAlice{UserId{3001}, Role::kMember};
inline const Viewer kBob{UserId{3002}, Role::kMember};
inline const Viewer kStaff{UserId{9001}, Role::kStaff};

/// Starts n threads at once (each waits for all to be ready) and joins them.
template <typename F>
void RunTogether(int n, F&& f) {
    std::mutex mu;
    std::condition_variable cv;
    int ready = 0;
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            {
                std::unique_lock lock(mu);
                if (++ready == n) cv.notify_all();
                cv.wait(lock, [&] { return ready == n; });
            }
            f(i);
        });
    }
    for (auto& t : threads) t.join();
}

class CoinSuite : public ::testing::Test {
protected:
    explicit CoinSuite(int pool = 8)
        : db(MakeCoinDatabase(clock, pool)),
          repo(*db),
          service(
              repo, clock, zone,
              coins::CoinOptions{.daily_amount = 10,
                                 .activity = {.per_message = 1, .cooldown = 0ms, .daily_cap = 10, .min_length = 1}}) {
        for (const auto& [who, name] : {std::pair{kAlice, "alice"}, {kBob, "bob"}, {kStaff, "sam"}})
            EnsureUser(*db, who.user_id, name, "fr", clock.Now());
    }
    long long Count(const std::string& sql) {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << sql, soci::into(n);
            return n;
        });
    }

    testing::FakeClock clock;
    core::TimeZone zone = core::TimeZone::Load("Europe/Paris");
    std::unique_ptr<Database> db;
    SqlCoinRepository repo;
    coins::CoinService service;
};

TEST_F(CoinSuite, EachMovementIsALedgerRowWithTheBalanceAfterIt) {
    service.Credit(kAlice.user_id, 30, CoinReason::kGiveaway, "giveaway-1");
    service.Spend(kAlice.user_id, 12, CoinReason::kPurchase, "order-1");
    auto given = service.Give(kStaff, kAlice.user_id, 5, "gagnant du quiz");
    EXPECT_EQ(given.balance_after, 23);
    EXPECT_EQ(service.Balance(kAlice, kAlice.user_id), 23);
    auto page = service.History(kAlice, kAlice.user_id, 0, 10);
    ASSERT_EQ(page.entries.size(), 3u);
    EXPECT_EQ(page.entries[0].reason, CoinReason::kStaffGive);
    EXPECT_EQ(page.entries[0].actor, kStaff.user_id);
    EXPECT_EQ(page.entries[0].note, "gagnant du quiz");
    EXPECT_EQ(page.entries[1].amount, -12);
    EXPECT_EQ(page.entries[1].ref, "order-1");
    EXPECT_EQ(page.entries[1].balance_after, 18);
    EXPECT_EQ(page.entries[2].amount, 30);
    EXPECT_EQ(page.entries[2].at, clock.Now());
    // The balance is the ledger's sum.
    EXPECT_EQ(Count("SELECT SUM(amount) FROM coin_ledger WHERE user_id = 3001"), 23);
    // History pages by id.
    auto first = service.History(kAlice, kAlice.user_id, 0, 2);
    EXPECT_NE(first.next_before, 0);
    auto rest = service.History(kAlice, kAlice.user_id, first.next_before, 2);
    ASSERT_EQ(rest.entries.size(), 1u);
    EXPECT_EQ(rest.entries[0].amount, 30);
    // A member's own transaction reads no one else's balance or ledger.
    repo.Read(kBob, [&](coins::CoinStore& s) {
        EXPECT_EQ(s.Balance(kAlice.user_id), 0);
        EXPECT_TRUE(s.History(kAlice.user_id, 0, 10).empty());
    });
}

TEST_F(CoinSuite, RefusalsAndDuplicatesWriteNothing) {
    service.Credit(kAlice.user_id, 10, CoinReason::kDaily, "2026-11-18");
    EXPECT_FALSE(service.Credit(kAlice.user_id, 10, CoinReason::kDaily, "2026-11-18").applied);
    EXPECT_THROW(service.Spend(kAlice.user_id, 11, CoinReason::kPurchase, "order-9"), core::Error);
    EXPECT_THROW(service.Take(kStaff, kAlice.user_id, 11, "trop"), core::Error);
    EXPECT_THROW(service.Credit(UserId{777}, 5, CoinReason::kGiveaway, "g"), core::Error);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM coin_ledger"), 1);
    EXPECT_EQ(service.Balance(kStaff, kAlice.user_id), 10);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM coin_balances WHERE user_id = 777"), 0);
}

TEST_F(CoinSuite, AThousandConcurrentSpendsOfOneCoinAgainstABalanceOfTenSpendExactlyTen) {
    service.Give(kStaff, kAlice.user_id, 10, "mise de départ");
    std::atomic<int> spent{0}, refused{0}, other{0};
    constexpr int kThreads = 50, kEach = 20;  // 1,000 spends
    RunTogether(kThreads, [&](int t) {
        for (int i = 0; i < kEach; ++i) {
            try {
                if (service.Spend(kAlice.user_id, 1, CoinReason::kPurchase, "order-" + std::to_string(t * kEach + i))
                        .applied) {
                    ++spent;
                }
            } catch (const core::Error& e) {
                if (e.key() == "coins.insufficient") {
                    ++refused;
                } else {
                    ++other;
                    ADD_FAILURE() << e.what();
                }
            }
        }
    });
    EXPECT_EQ(spent.load(), 10);
    EXPECT_EQ(refused.load(), 990);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(service.Balance(kStaff, kAlice.user_id), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM coin_ledger WHERE reason = 'purchase'"), 10);
    EXPECT_EQ(Count("SELECT -SUM(amount) FROM coin_ledger WHERE reason = 'purchase'"), 10);
    EXPECT_EQ(Count("SELECT MIN(balance_after) FROM coin_ledger"), 0);
}

TEST_F(CoinSuite, TheSameCreditSentConcurrentlyAppliesOnce) {
    std::atomic<int> applied{0};
    RunTogether(20, [&](int) {
        if (service.Credit(kAlice.user_id, 7, CoinReason::kGiveaway, "giveaway-42").applied) ++applied;
    });
    EXPECT_EQ(applied.load(), 1);
    EXPECT_EQ(service.Balance(kStaff, kAlice.user_id), 7);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM coin_ledger"), 1);
}

TEST_F(CoinSuite, TheActivityCapHoldsUnderAMessageBurst) {
    std::atomic<long long> earned{0};
    RunTogether(40, [&](int t) {
        for (int i = 0; i < 5; ++i) {
            earned += service.OnMessage(kAlice.user_id, false, "c-general", 20,
                                        "msg-" + std::to_string(t) + "-" + std::to_string(i));
        }
    });
    EXPECT_EQ(earned.load(), 10);
    EXPECT_EQ(service.Balance(kStaff, kAlice.user_id), 10);
    EXPECT_EQ(service.EarnedToday(kAlice.user_id), 10);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM coin_ledger WHERE reason = 'activity'"), 10);
}

TEST_F(CoinSuite, TheActivityCooldownAndTheLocalDayHoldInSql) {
    service.SetActivity({.per_message = 2, .cooldown = 60s, .daily_cap = 4, .min_length = 1});
    EXPECT_EQ(service.OnMessage(kAlice.user_id, false, "c", 10, "a1"), 2);
    EXPECT_EQ(service.OnMessage(kAlice.user_id, false, "c", 10, "a2"), 0);
    clock.Advance(60s);
    EXPECT_EQ(service.OnMessage(kAlice.user_id, false, "c", 10, "a1"), 0);  // the same message
    EXPECT_EQ(service.OnMessage(kAlice.user_id, false, "c", 10, "a3"), 2);
    clock.Advance(60s);
    EXPECT_EQ(service.OnMessage(kAlice.user_id, false, "c", 10, "a4"), 0);  // cap
    clock.Advance(24h);
    EXPECT_EQ(service.OnMessage(kAlice.user_id, false, "c", 10, "a5"), 2);
    EXPECT_EQ(service.Balance(kAlice, kAlice.user_id), 6);
}

TEST_F(CoinSuite, LeaderboardsSumEarningsInTheirWindow) {
    service.Credit(kBob.user_id, 50, CoinReason::kGiveaway, "g-old");
    clock.Advance(24h * 40);
    service.Credit(kAlice.user_id, 20, CoinReason::kGiveaway, "g1");
    service.Credit(kAlice.user_id, 5, CoinReason::kDaily, "d1");
    service.Spend(kAlice.user_id, 25, CoinReason::kPurchase, "o1");
    auto month = service.Leaderboard(coins::Period::kMonth);
    ASSERT_EQ(month.size(), 1u);
    EXPECT_EQ(month[0].user, kAlice.user_id);
    EXPECT_EQ(month[0].earned, 25);
    auto all = service.Leaderboard(coins::Period::kAll);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].user, kBob.user_id);
    EXPECT_EQ(all[1].earned, 25);
}

}  // namespace maxis::storage::coin_suite
