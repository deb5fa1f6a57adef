// The pre-orders' launch-day burst, through the real code paths (SqlPreorderRepository and PreorderService on the
// given database): --buyers members (1,000 by default) buy one seat each of a fresh item with the default tiers from
// 8 threads through PreorderService::Buy (the seat held, the payment page asked of a provider that answers at once,
// the session stored), then each pays (OnCheckoutCompleted, the provider's event: the seat sold, its notice, the
// announcements). Repeated on --items fresh items. Prints seats/s, Buy and payment median and p99, and the seats per
// tier with the oversold count (seats past a tier's limit, and purchases not at their tier's price): 0, or the
// program fails.
//   maxis_preorder_burst --database sqlite:/tmp/p.db [--buyers 1000] [--items 5]
//   maxis_preorder_burst --database postgresql://postgres@.../db --login-url postgresql://maxis_login@.../db
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "domain/preorders/preorder_service.hpp"
#include "report.hpp"
#include "storage/preorder_store.hpp"

using namespace maxis;

namespace {

/// The provider, answering at once: what is measured is Maxis's own path (the storage and the rules).
class InstantCheckout final : public preorders::PreorderCheckout {
public:
    [[nodiscard]] bool configured() const override { return true; }
    Session CreateCheckout(const preorders::Purchase& purchase, const preorders::Item&, const preorders::Tier&,
                           core::TimePoint, const std::string&) override {
        return {"cs_" + purchase.id.ToString(), "https://pay.example/cs_" + purchase.id.ToString()};
    }
    std::string Refund(const preorders::Purchase& purchase, const std::string&) override {
        return "re_" + purchase.id.ToString();
    }
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Pre-orders: the launch-day burst through the service"};
    bench::DatabaseUrls urls;
    long long buyers = 1000;
    int items = 5;
    urls.AddTo(cli);
    cli.add_option("--buyers", buyers, "members who buy, per item");
    cli.add_option("--items", items, "fresh items, one burst each");
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn);
    core::SystemClock clock;
    bench::Databases databases(urls, 16, clock);
    storage::SqlPreorderRepository repo(databases.service, clock);
    InstantCheckout checkout;
    auto zone = core::TimeZone::Load("Europe/Paris");
    preorders::PreorderService service(repo, checkout, clock, zone, preorders::PreorderOptions{});
    const core::Viewer staff{core::UserId{1}, core::Role::kStaff};

    std::vector<double> seat_micros, buy_micros, pay_micros;
    double seconds = 0;
    long long oversold = 0, failed = 0, member = 1'000'000;
    std::map<int, long long> per_position;
    using Steady = std::chrono::steady_clock;
    auto since = [](Steady::time_point t0) {
        return std::chrono::duration<double, std::micro>(Steady::now() - t0).count();
    };
    for (int n = 0; n < items; ++n) {
        auto view = service.Create(staff, preorders::NewItem{.name = "Artbook " + std::to_string(n),
                                                             .price = core::Money{4000, "EUR"},
                                                             .release_at = clock.Now() + std::chrono::hours(24 * 30)});
        auto id = service.Open(staff, view.item.id).item.id;
        std::atomic<long long> errors{0};
        std::mutex m;
        seconds += bench::Hammer(
            8, buyers,
            [&](long long i) {
                try {
                    auto t0 = Steady::now();
                    auto r = service.Buy(core::Viewer{core::UserId{member + i}, core::Role::kMember}, id, std::nullopt,
                                         false, "fr");
                    double buy = since(t0);
                    t0 = Steady::now();
                    service.OnCheckoutCompleted("evt_" + r.purchase->id.ToString(), r.purchase->session_id, true,
                                                "pi_" + r.purchase->id.ToString(), r.purchase->price.minor);
                    double pay = since(t0);
                    std::lock_guard lock(m);
                    buy_micros.push_back(buy);
                    pay_micros.push_back(pay);
                } catch (const std::exception& e) {
                    if (errors++ == 0) std::fprintf(stderr, "a buyer failed: %s\n", e.what());
                }
            },
            seat_micros);
        member += buyers;
        failed += errors;
        // The counts as stored: per tier, and every purchase at its tier's price.
        auto final = service.Get(staff, id);
        std::map<long long, long long> price_of;
        for (const auto& t : final.tiers) {
            per_position[t.position] += t.sold;
            if (t.seats && t.sold + t.held > *t.seats) oversold += t.sold + t.held - *t.seats;
            price_of[t.id.value] = t.price_minor;
        }
        for (const auto& p : service.Buyers(staff, id)) {
            if (p.price.minor != price_of.at(p.tier.value)) ++oversold;
        }
    }
    long long total = buyers * items;
    std::printf("%lld buyers (%d items x %lld) from 8 threads: %.2f s, %.0f seats/s (held, paid, sold); failed %lld\n",
                total, items, buyers, seconds, total / seconds, failed);
    std::printf(
        "seats sold per tier (all items): Early Bird %lld, Founder %lld, Supporter %lld, Regular %lld; "
        "oversold %lld\n",
        per_position[0], per_position[1], per_position[2], per_position[3], oversold);
    bench::Report("Buy (hold + checkout creation)", buy_micros);
    bench::Report("payment event (OnCheckoutCompleted)", pay_micros);
    bench::Report("one seat (Buy + payment)", seat_micros);
    bool exact = per_position[0] == 20LL * items && per_position[1] == 50LL * items &&
                 per_position[2] == 100LL * items && per_position[3] == (buyers - 170) * items;
    return failed == 0 && oversold == 0 && exact ? 0 : 1;
}
