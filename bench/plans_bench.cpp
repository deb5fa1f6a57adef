// The assistant's metering under load, through the real code paths (SqlPlanRepository and PlanService on the given
// database, the Assistant, and the OpenAI-compatible client against the simulator at --llm-url):
//  1. one member, 16 threads, 2000 messages against a quota of 500: attempts/s, latency, and a check that
//     exactly 500 were counted;
//  2. 500 members, 16 threads, 12 messages each against a quota of 10: attempts/s, exactly 5000 counted;
//  3. the member's standing (read on every message and every ticket's SLA): median, p99;
//  4. the dashboard's plan figures over 20,000 grants (60 days of history): subscribers now, members per plan
//     at the end of each of 30 days, usage per day: median, p99;
//  5. Assistant::Ask end to end (standing, quota, rate window, memory, the model over HTTP, remembering the
//     turn) from 8 threads: asks/s, median, p99; every answer counted once.
//   maxis_plans_bench --database sqlite:/tmp/p.db [--llm-url http://127.0.0.1:PORT/v1]
//   maxis_plans_bench --database postgresql://postgres@.../db --login-url postgresql://maxis_login@.../db
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/time_zone.hpp"
#include "domain/plans/assistant.hpp"
#include "llm/openai_client.hpp"
#include "report.hpp"
#include "storage/plan_store.hpp"
#include "support/no_billing.hpp"

using namespace maxis;
using bench::Count;
using bench::Hammer;
using bench::Report;
using Clock = std::chrono::steady_clock;

namespace {

/// One use counted or refused: the assistant's quota check, one transaction.
bool TryUse(plans::PlanRepository& repo, core::UserId member, const std::string& day, int limit) {
    bool counted = false;
    repo.Write(core::Viewer::System(),
               [&](plans::PlanStore& store) { counted = store.TryUse(member, day, plans::kUsageMessages, limit); });
    return counted;
}

int OneMember(storage::Database& db, plans::PlanRepository& repo, const std::string& day) {
    const core::UserId member{10};
    std::atomic<int> counted{0};
    std::vector<double> micros;
    double s = Hammer(
        16, 2000, [&](long long) { counted += TryUse(repo, member, day, 500) ? 1 : 0; }, micros);
    long long stored = Count(db, "SELECT used FROM assistant_usage WHERE user_id = 10 AND kind = 'message'");
    std::printf(
        "one member: 2000 messages against a quota of 500 from 16 threads in %.2f s: %.0f attempts/s; %d counted, "
        "stored %lld (expected 500, 500)\n",
        s, 2000 / s, counted.load(), stored);
    Report("quota check, one member (count or refuse)", micros);
    return counted == 500 && stored == 500 ? 0 : 1;
}

int ManyMembers(storage::Database& db, plans::PlanRepository& repo, const std::string& day) {
    const long long first = 100'000, members = 500, each = 12;
    std::atomic<int> counted{0};
    std::vector<double> micros;
    double s = Hammer(
        16, members * each,
        [&](long long i) { counted += TryUse(repo, core::UserId{first + i % members}, day, 10) ? 1 : 0; }, micros);
    long long stored =
        Count(db,
              "SELECT COALESCE(SUM(used), 0) FROM assistant_usage WHERE user_id >= 100000 AND user_id < 100500 "
              "AND kind = 'message'");
    std::printf(
        "500 members: %lld messages against a quota of 10 each from 16 threads in %.2f s: %.0f attempts/s; %d "
        "counted, stored %lld (expected 5000, 5000)\n",
        members * each, s, members * each / s, counted.load(), stored);
    Report("quota check, 500 members", micros);
    return counted == 5000 && stored == 5000 ? 0 : 1;
}

void Standing(plans::PlanService& service) {
    std::vector<double> micros;
    for (int i = 0; i < 2000; ++i) {
        auto t0 = Clock::now();
        auto s = service.StandingOf(core::UserId{200'000 + i % 50});
        micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        if (s.plan == nullptr) std::abort();
    }
    Report("member's standing (plan, entitlements, roles)", micros);
}

/// 20,000 subscription grants over the last 60 days (bulk SQL): members 400,000..419,999, Pro or Ultra,
/// one in four ended 10 days after it started.
void SeedGrants(storage::Database& owner, core::TimePoint now) {
    owner.WithRawSession([&](soci::session& sql) {
        long long t = core::ToEpochMillis(now), day = 86'400'000;
        std::string select =
            "SELECT 400000 + n, CASE WHEN n % 3 = 0 THEN 'ultra' ELSE 'pro' END, 'subscription', 'sub_dash_' || n, "
            "CASE WHEN n % 4 = 0 THEN 'ended' ELSE 'active' END, " +
            std::to_string(t + 30 * day) + ", " + std::to_string(t) + ", " + std::to_string(t - 60 * day) +
            " + (n % 60) * " + std::to_string(day) + ", CASE WHEN n % 4 = 0 THEN " + std::to_string(t - 50 * day) +
            " + (n % 60) * " + std::to_string(day) + " ELSE " + std::to_string(t) + " END";
        std::string insert =
            "INSERT INTO user_subscriptions (user_id, plan, kind, ref, status, period_end, observed_at, created_at, "
            "updated_at) ";
        if (owner.dialect() == storage::Dialect::kPostgres) {
            sql << insert + select + " FROM generate_series(0::bigint, 19999) AS n";
        } else {
            sql << insert + "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < 19999) " +
                       select + " FROM seq";
        }
    });
}

void Dashboard(plans::PlanService& service, const core::TimeZone& zone, core::TimePoint now) {
    std::vector<core::TimePoint> moments;
    for (int i = 29; i >= 0; --i) moments.push_back(now - std::chrono::days(i));
    std::vector<double> subscribers, history, usage;
    auto time = [](std::vector<double>& into, auto&& call) {
        auto t0 = Clock::now();
        call();
        into.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    };
    int members = 0;
    for (int i = 0; i < 20; ++i) {
        time(subscribers, [&] { members = service.CountSubscribers(now).members; });
        time(history, [&] { (void)service.MembersAt(moments); });
        time(usage, [&] { (void)service.UsagePerDay(zone.LocalDate(moments.front())); });
    }
    std::printf("dashboard over 20,000 grants: %d members hold a plan now\n", members);
    Report("subscribers per plan now (MRR, states)", subscribers);
    Report("members per plan at the end of 30 days", history);
    Report("assistant usage per day (30 days)", usage);
}

int Asks(storage::Database& db, plans::Assistant& assistant, int asks) {
    const long long first = 300'000;
    std::atomic<int> answered{0}, other{0};
    std::vector<double> micros;
    double s = Hammer(
        8, asks,
        [&](long long i) {
            auto a = assistant.Ask(core::UserId{first + i}, "Comment activer la double authentification ?", {});
            (a.kind == plans::AnswerKind::kAnswered ? answered : other)++;
        },
        micros);
    long long stored =
        Count(db, "SELECT COALESCE(SUM(used), 0) FROM assistant_usage WHERE user_id >= 300000 AND kind = 'message'");
    long long turns = Count(db, "SELECT COUNT(*) FROM assistant_turns WHERE user_id >= 300000");
    std::printf(
        "assistant: %d asks from 8 threads in %.2f s: %.0f asks/s; %d answered, %d other, %lld counted, %lld turns "
        "remembered (expected %d, 0, %d, %d)\n",
        asks, s, asks / s, answered.load(), other.load(), stored, turns, asks, asks, 2 * asks);
    Report("Assistant::Ask with the model over HTTP", micros);
    return answered == asks && stored == asks && turns == 2 * asks ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Plans benchmarks: the assistant's quota under contention, the standing read, Ask end to end"};
    bench::DatabaseUrls urls;
    std::string llm_url;
    int asks = 400;
    urls.AddTo(cli);
    cli.add_option("--llm-url", llm_url, "the OpenAI-compatible simulator's API base, for Ask end to end");
    cli.add_option("--asks", asks, "questions asked end to end");
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn);
    core::SystemClock clock;
    bench::Databases databases(urls, 16, clock);
    auto& db = databases.service;
    plans::PlanCatalog catalog({
        {.id = "free", .rank = 0, .entitlements = {.messages_per_day = 10}},
        {.id = "pro",
         .rank = 2,
         .billing = plans::Billing::kMonthly,
         .price_id = "price_pro",
         .price_minor = 999,
         .role_id = "r-pro",
         .entitlements = {.messages_per_day = 500, .image_input = true, .priority_support = true}},
        {.id = "ultra",
         .rank = 3,
         .billing = plans::Billing::kMonthly,
         .price_id = "price_ultra",
         .price_minor = 1999,
         .role_id = "r-ultra",
         .entitlements = {.messages_per_day = plans::kUnlimited, .image_input = true}},
    });
    auto zone = core::TimeZone::Load("Europe/Paris");
    storage::SqlPlanRepository repo(db, clock);
    testing::NoBilling billing;
    plans::PlanService service(catalog, repo, billing, clock, zone, plans::PlanOptions{});
    // Members with a plan and some history, for the standing read.
    for (int i = 0; i < 50; ++i) {
        service.GrantTemporary(core::Viewer{core::UserId{1}, core::Role::kStaff}, core::UserId{200'000 + i}, "pro",
                               std::chrono::hours(24), "bench");
    }
    auto day = zone.LocalDate(clock.Now());
    int rc = OneMember(db, repo, day);
    rc |= ManyMembers(db, repo, day);
    Standing(service);
    SeedGrants(databases.owner, clock.Now());
    Dashboard(service, zone, clock.Now());
    if (!llm_url.empty()) {
        llm::OpenAiClient model(
            llm::OpenAiOptions{.api_base = llm_url, .api_key = "sk-llm-bench", .model = "sim-model"});
        plans::Assistant assistant(service, repo, model, zone, plans::AssistantOptions{});
        rc |= Asks(db, assistant, asks);
    }
    return rc;
}
