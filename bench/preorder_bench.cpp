// The pre-orders' launch-day burst, through the real code paths: a fresh item with the default tiers (Early Bird 20,
// Founder 50, Supporter 100, Regular without limit), then N members buying at once from many threads, each Buy holding
// a seat in one transaction and creating its Checkout Session on the Stripe simulator at --stripe-url (over HTTP on
// loopback), then every session paid (the payment event applied as the webhook applies it). Reports checkout creation
// p50/p99, seats held per second, and fails unless the tiers hold exactly 20/50/100/rest, each purchase paid its
// tier's price, and no tier is past its seats.
//   maxis_preorder_bench --database sqlite:/tmp/p.db --stripe-url http://127.0.0.1:PORT [--buyers 1000] [--threads 32]
//   maxis_preorder_bench --database postgresql://postgres@.../db --login-url postgresql://maxis_login@.../db ...
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/time_zone.hpp"
#include "domain/preorders/preorder_service.hpp"
#include "report.hpp"
#include "storage/preorder_store.hpp"
#include "stripe/preorder_checkout.hpp"

using namespace maxis;
using bench::Count;
using bench::Hammer;
using bench::Report;

namespace {

const core::Viewer kStaff{core::UserId{1}, core::Role::kStaff};

int Burst(storage::Database& db, const std::string& stripe_url, int buyers, int threads) {
    core::SystemClock clock;
    auto zone = core::TimeZone::Load("Europe/Paris");
    storage::SqlPreorderRepository repo(db, clock);
    stripe::Client client(
        stripe::ClientOptions{.api_base = stripe_url, .secret_key = "sk_test_maxis", .max_attempts = 1});
    stripe::StripePreorderCheckout checkout(client,
                                            stripe::CheckoutUrls{"https://example.org/ok", "https://example.org/no"});
    preorders::PreorderService service(repo, checkout, clock, zone, preorders::PreorderOptions{});
    preorders::NewItem spec{.name = "Artbook (burst)",
                            .price = core::Money{4000, "EUR"},
                            .release_at = clock.Now() + std::chrono::hours(24 * 30)};
    auto item = service.Create(kStaff, spec).item.id;
    service.Open(kStaff, item);

    const long long first = 9'000'000;
    std::mutex mu;
    std::vector<preorders::Purchase> held;
    std::atomic<int> refused{0};
    std::vector<double> micros;
    double seconds = Hammer(
        threads, buyers,
        [&](long long i) {
            try {
                auto r = service.Buy(core::Viewer{core::UserId{first + i}, core::Role::kMember}, item, std::nullopt,
                                     false, "fr");
                if (!r.purchase || r.url.empty()) {
                    ++refused;
                    return;
                }
                std::lock_guard lock(mu);
                held.push_back(*r.purchase);
            } catch (const std::exception& e) {
                spdlog::warn("buyer {}: {}", first + i, e.what());
                ++refused;
            }
        },
        micros);
    std::printf("burst: %d buyers from %d threads in %.2f s: %.0f seats held/s, %zu held, %d refused\n", buyers,
                threads, seconds, static_cast<double>(held.size()) / seconds, held.size(), refused.load());
    Report("Buy (seat held + Stripe Checkout Session)", micros);

    // Every session paid, as the webhook applies checkout.session.completed.
    auto paid_from = std::chrono::steady_clock::now();
    for (const auto& p : held) {
        service.OnCheckoutCompleted("evt_burst_" + p.id.ToString(), p.session_id, true, "pi_burst_" + p.id.ToString(),
                                    p.price.minor);
    }
    double pay_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - paid_from).count();
    std::printf("payments applied: %zu in %.2f s (%.0f/s)\n", held.size(), pay_seconds,
                static_cast<double>(held.size()) / pay_seconds);

    auto view = service.Get(kStaff, item);
    std::string counts;
    int rc = 0;
    const std::vector<int> expected{20, 50, 100, buyers - 170};
    for (std::size_t t = 0; t < view.tiers.size(); ++t) {
        const auto& tier = view.tiers[t];
        counts += (t ? ", " : "") + tier.name + " " + std::to_string(tier.sold);
        if (t < expected.size() && tier.sold != expected[t]) rc = 1;
        if (tier.held != 0) rc = 1;
    }
    auto id = item.ToString();
    long long oversold = Count(
        db, "SELECT COUNT(*) FROM preorder_tiers WHERE item_id = " + id + " AND seats IS NOT NULL AND sold > seats");
    long long wrong_price = Count(db,
                                  "SELECT COUNT(*) FROM preorder_purchases p JOIN preorder_tiers t ON t.id = p.tier_id "
                                  "WHERE p.item_id = " +
                                      id + " AND (p.status <> 'paid' OR p.price_minor <> t.price_minor)");
    long long sessions = Count(db, "SELECT COUNT(DISTINCT session_id) FROM preorder_purchases WHERE item_id = " + id +
                                       " AND session_id <> ''");
    std::printf(
        "sold per tier: %s; oversold tiers: %lld; purchases not paid at their tier's price: %lld; "
        "distinct sessions: %lld\n",
        counts.c_str(), oversold, wrong_price, sessions);
    if (oversold != 0 || wrong_price != 0 || sessions != buyers || refused != 0) rc = 1;
    if (rc != 0) std::printf("FAILED: the burst did not end exactly as the tiers say\n");
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Pre-orders: the launch-day burst against the Stripe simulator"};
    bench::DatabaseUrls urls;
    std::string stripe_url;
    int buyers = 1000, threads = 32;
    urls.AddTo(cli);
    cli.add_option("--stripe-url", stripe_url, "the Stripe simulator")->required();
    cli.add_option("--buyers", buyers, "members buying at once (at least 170, to reach Regular)");
    cli.add_option("--threads", threads, "threads buying");
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn);
    core::SystemClock clock;
    bench::Databases databases(urls, 8, clock);
    return Burst(databases.service, stripe_url, std::max(buyers, 170), threads);
}
