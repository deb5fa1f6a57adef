// Giveaways under load, through the real code paths (SqlGiveawayRepository and GiveawayService on the given
// database):
//  1. --entrants members (100,000 by default) enter one giveaway from 8 threads through GiveawayService::Enter,
//     the use case the Enter button runs: entries/s, median and p99 latency, and a check that every entry was
//     counted once;
//  2. the draw over those entries (EndEarly: the entrants' facts, the frozen entries, the draw, the winners and
//     their notices in one transaction), then the proof (ProofOf), its JSON, and its verification: seconds each.
//   maxis_giveaway_bench --database sqlite:/tmp/g.db [--entrants 100000]
//   maxis_giveaway_bench --database postgresql://postgres@.../db --login-url postgresql://maxis_login@.../db
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "domain/giveaways/giveaway_service.hpp"
#include "report.hpp"
#include "storage/giveaway_store.hpp"

using namespace maxis;
using Clock = std::chrono::steady_clock;

namespace {

/// Every entrant a member of the server, no bot, join time unknown (no minimum is set).
class Members final : public giveaways::EntrantFactsSource {
public:
    giveaways::MemberFacts Facts(core::UserId) override { return {}; }
};

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Giveaway benchmarks: entries through the service, the draw and its proof"};
    bench::DatabaseUrls urls;
    long long entrants = 100'000;
    urls.AddTo(cli);
    cli.add_option("--entrants", entrants, "members who enter");
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn);
    core::SystemClock clock;
    bench::Databases databases(urls, 16, clock);
    auto& db = databases.service;
    storage::SqlGiveawayRepository repo(db, clock);
    Members members;
    giveaways::GiveawayService service(repo, members, clock, giveaways::GiveawayOptions{.max_winners = 20});
    const core::Viewer staff{core::UserId{1}, core::Role::kStaff};
    auto g = service.Start(
        staff, giveaways::StartRequest{.duration = std::chrono::hours(24), .winners = 10, .prize = "Nitro"});

    const long long first = 1'200'000'000'000'000'000;
    std::vector<double> micros;
    double s = bench::Hammer(
        8, entrants,
        [&](long long i) {
            service.Enter(core::Viewer{core::UserId{first + i * 4'194'304}, core::Role::kMember}, g.id);
        },
        micros);
    long long stored = bench::Count(db, "SELECT COUNT(*) FROM giveaway_entries WHERE giveaway_id = " + g.id.ToString());
    std::printf("%lld entries from 8 threads through GiveawayService::Enter in %.2f s: %.0f entries/s; stored %lld\n",
                entrants, s, entrants / s, stored);
    bench::Report("enter (the button's use case)", micros);

    auto t0 = Clock::now();
    auto winners = service.EndEarly(staff, g.id);
    double draw = Seconds(t0);
    t0 = Clock::now();
    auto proof = service.ProofOf(staff, g.id);
    double read = Seconds(t0);
    t0 = Clock::now();
    auto json = giveaways::ProofToJson(proof);
    double serialize = Seconds(t0);
    t0 = Clock::now();
    std::string error;
    auto parsed = giveaways::ProofFromJson(json, error);
    auto problems = parsed ? giveaways::VerifyProof(*parsed) : std::vector<std::string>{error};
    double verify = Seconds(t0);
    std::printf(
        "draw over %zu entries (EndEarly, %zu winners): %.3f s; proof read %.3f s; proof JSON (%zu bytes) %.3f s; "
        "parse and verify %.3f s (%s)\n",
        proof.entries.size(), winners.size(), draw, read, json.size(), serialize, verify,
        problems.empty() ? "matches" : problems.front().c_str());
    return stored == entrants && problems.empty() && winners.size() == 10 ? 0 : 1;
}
