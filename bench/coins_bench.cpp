// Coin spends under contention, through the real code paths (SqlCoinRepository and CoinService on the given
// database; on PostgreSQL through the login role with row-level security):
//  1. one member, 16 threads, 20,000 spends of 1 coin against a balance of 20,000, then 5,000 more against an
//     empty balance: spends/s and refusals/s, latency, and a check that the balance ends at 0 with exactly
//     20,000 purchase rows;
//  2. 1,000 members with 20 coins each, 16 threads, 20,000 spends spread over them: spends/s, all applied;
//  3. chat activity: 200 members, 16 threads, 20,000 messages against a daily cap of 10 each: messages/s,
//     exactly 2,000 earned.
//   maxis_coins_bench --database sqlite:/tmp/c.db
//   maxis_coins_bench --database postgresql://postgres@.../db --login-url postgresql://maxis_login@.../db
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>

#include "bench_support.hpp"
#include "core/errors.hpp"
#include "core/time_zone.hpp"
#include "domain/coins/coin_service.hpp"
#include "report.hpp"
#include "storage/coin_store.hpp"
#include "storage/users.hpp"

using namespace maxis;
using bench::Count;
using bench::Hammer;
using bench::Report;

namespace {

const core::Viewer kStaff{core::UserId{1}, core::Role::kStaff};

/// One spend: applied (true) or refused for a short balance (false).
bool Spend(coins::CoinService& service, core::UserId member, const std::string& ref) {
    try {
        return service.Spend(member, 1, coins::CoinReason::kPurchase, ref).applied;
    } catch (const core::Error& e) {
        if (e.key() != "coins.insufficient") throw;
        return false;
    }
}

int OneMember(storage::Database& db, coins::CoinService& service) {
    const core::UserId member{10};
    service.Give(kStaff, member, 20'000, "bench");
    std::atomic<int> applied{0};
    std::vector<double> micros;
    double s = Hammer(
        16, 20'000, [&](long long i) { applied += Spend(service, member, "one-" + std::to_string(i)) ? 1 : 0; },
        micros);
    std::printf("one member: 20000 spends of 1 coin from 16 threads in %.2f s: %.0f spends/s; %d applied\n", s,
                20'000 / s, applied.load());
    Report("spend, one member (contended row)", micros);
    std::atomic<int> refused{0};
    std::vector<double> refusals;
    double r = Hammer(
        16, 5'000, [&](long long i) { refused += Spend(service, member, "empty-" + std::to_string(i)) ? 0 : 1; },
        refusals);
    std::printf("one member, empty balance: 5000 spends from 16 threads in %.2f s: %.0f refusals/s; %d refused\n", r,
                5'000 / r, refused.load());
    Report("spend refused, one member", refusals);
    long long balance = Count(db, "SELECT balance FROM coin_balances WHERE user_id = 10");
    long long rows = Count(db, "SELECT COUNT(*) FROM coin_ledger WHERE user_id = 10 AND reason = 'purchase'");
    std::printf("balance %lld, purchase rows %lld (expected 0, 20000)\n", balance, rows);
    return applied == 20'000 && refused == 5'000 && balance == 0 && rows == 20'000 ? 0 : 1;
}

int ManyMembers(storage::Database& db, coins::CoinService& service) {
    const long long first = 100'000, members = 1'000;
    for (long long m = 0; m < members; ++m) service.Give(kStaff, core::UserId{first + m}, 20, "bench");
    std::atomic<int> applied{0};
    std::vector<double> micros;
    double s = Hammer(
        16, 20'000,
        [&](long long i) {
            applied += Spend(service, core::UserId{first + i % members}, "many-" + std::to_string(i)) ? 1 : 0;
        },
        micros);
    long long left = Count(db, "SELECT COALESCE(SUM(balance), 0) FROM coin_balances WHERE user_id >= 100000");
    std::printf(
        "1000 members: 20000 spends of 1 coin from 16 threads in %.2f s: %.0f spends/s; %d applied, %lld coins left "
        "(expected 20000, 0)\n",
        s, 20'000 / s, applied.load(), left);
    Report("spend, 1000 members", micros);
    return applied == 20'000 && left == 0 ? 0 : 1;
}

int Activity(storage::Database& db, coins::CoinService& service) {
    const long long first = 300'000, members = 200;
    std::atomic<long long> earned{0};
    std::vector<double> micros;
    double s = Hammer(
        16, 20'000,
        [&](long long i) {
            earned += service.OnMessage(core::UserId{first + i % members}, false, "c-general", 40,
                                        "msg-" + std::to_string(i));
        },
        micros);
    long long stored = Count(db, "SELECT COALESCE(SUM(amount), 0) FROM coin_ledger WHERE reason = 'activity'");
    std::printf(
        "activity: 20000 messages of 200 members from 16 threads in %.2f s: %.0f messages/s; %lld earned, stored "
        "%lld (expected 2000, 2000)\n",
        s, 20'000 / s, earned.load(), stored);
    Report("activity message (counted or capped)", micros);
    return earned == 2'000 && stored == 2'000 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Coins benchmarks: spends under contention and the activity cap"};
    bench::DatabaseUrls urls;
    urls.AddTo(cli);
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn);
    core::SystemClock clock;
    bench::Databases databases(urls, 16, clock);
    auto& db = databases.service;
    for (long long id : {1LL, 10LL}) storage::EnsureUser(db, core::UserId{id}, "bench", "fr", clock.Now());
    for (long long m = 0; m < 1'000; ++m)
        storage::EnsureUser(db, core::UserId{100'000 + m}, "bench", "fr", clock.Now());
    auto zone = core::TimeZone::Load("Europe/Paris");
    storage::SqlCoinRepository repo(db);
    coins::CoinService service(
        repo, clock, zone,
        coins::CoinOptions{.activity = {.per_message = 1, .cooldown = std::chrono::milliseconds(0), .daily_cap = 10}});
    int rc = OneMember(db, service);
    rc |= ManyMembers(db, service);
    rc |= Activity(db, service);
    return rc;
}
