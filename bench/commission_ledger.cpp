// The commission ledger under a webhook burst, through the real code paths (SqlMarketingRepository and
// CommissionService on the given database): --sales attributed sales (2,000 by default) spread over --marketers
// ambassadors, told to CommissionService::OnSale from 8 threads, each delivered twice (Stripe redelivers); then the
// refunds and disputes of part of them from 8 threads (every 4th sale refunded by half, every 10th fully, every 25th
// disputed, each also delivered twice). Prints the ledger writes per second (a commission inserted, reduced, reversed,
// or a clawback row) and each call's median and p99, then checks the ledger: one commission per sale, the reduced
// ones at their proportional amount, the reversed ones reversed; any difference fails the program.
//   maxis_commission_ledger --database sqlite:/tmp/c.db [--sales 2000] [--marketers 50]
//   maxis_commission_ledger --database postgresql://postgres@.../db --login-url postgresql://maxis_login@.../db
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "domain/marketing/commission_service.hpp"
#include "report.hpp"
#include "storage/marketing_store.hpp"

using namespace maxis;
using namespace maxis::marketing;

namespace {

/// No Stripe nor Discord: the burst needs neither (codes are not asked for).
class NoProvider final : public ReferralProvider {
public:
    [[nodiscard]] bool promotions_configured() const override { return false; }
    std::string CreatePromotionCode(core::UserId, const std::string&) override { return {}; }
    void DeactivatePromotionCode(const std::string&) override {}
    std::string CreateInviteLink(core::UserId) override { return {}; }
};

constexpr long long kSaleMinor = 4999;
constexpr long long kFirstMarketer = 1'000'000;
constexpr long long kFirstBuyer = 2'000'000;

enum class After { kNothing, kHalfRefund, kFullRefund, kDispute };
After AfterSale(long long i) {
    if (i % 25 == 0) return After::kDispute;
    if (i % 10 == 0) return After::kFullRefund;
    if (i % 4 == 0) return After::kHalfRefund;
    return After::kNothing;
}
std::string Ref(long long i) { return "pi_bench_" + std::to_string(i); }

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Marketing: the commission ledger under a webhook burst"};
    bench::DatabaseUrls urls;
    long long sales = 2000, marketers = 50;
    urls.AddTo(cli);
    cli.add_option("--sales", sales, "attributed sales in the burst");
    cli.add_option("--marketers", marketers, "ambassadors the buyers are attributed to");
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn);
    core::SystemClock clock;
    bench::Databases databases(urls, 16, clock);
    storage::SqlMarketingRepository repo(databases.service, clock);
    NoProvider provider;
    auto zone = core::TimeZone::Load("Europe/Paris");
    auto roles = DefaultRoles();
    CommissionService service(repo, provider, clock, zone, roles, CommissionOptions{});

    // Not measured: the roles, the ambassadors, and each buyer attributed to one of them by a code.
    const core::Viewer staff{core::UserId{1}, core::Role::kStaff};
    auto now = clock.Now();
    repo.Write(staff, [&](MarketingStore& s) {
        for (const auto& role : roles) s.SaveRoleConfig(role);
        for (long long m = 0; m < marketers; ++m) {
            s.SaveMemberRole({.user = core::UserId{kFirstMarketer + m},
                              .role = RoleKind::kAmbassador,
                              .granted_at = now,
                              .granted_by = staff.user_id});
        }
    });
    repo.Write(core::Viewer::System(), [&](MarketingStore& s) {
        for (long long i = 0; i < sales; ++i) {
            s.InsertAttribution({.member = core::UserId{kFirstBuyer + i},
                                 .referrer = core::UserId{kFirstMarketer + i % marketers},
                                 .source = AttributionSource::kCode,
                                 .code = "BENCH" + std::to_string(i % marketers),
                                 .starts_at = now - std::chrono::hours(1),
                                 .ends_at = now + std::chrono::hours(24 * 30)});
        }
    });

    std::atomic<long long> errors{0};
    auto guarded = [&](const char* what, const std::function<void()>& f) {
        try {
            f();
        } catch (const std::exception& e) {
            if (errors++ == 0) std::fprintf(stderr, "%s failed: %s\n", what, e.what());
        }
    };
    // The sales, each delivered twice (the second one changes nothing).
    std::vector<double> sale_micros;
    double sale_seconds = bench::Hammer(
        8, 2 * sales,
        [&](long long n) {
            long long i = n / 2;
            guarded("a sale", [&] {
                service.OnSale(SaleFacts{.source = kSourceOrder,
                                         .payment_ref = Ref(i),
                                         .buyer = core::UserId{kFirstBuyer + i},
                                         .amount = core::Money{kSaleMinor, "EUR"},
                                         .customer = "cus_bench_" + std::to_string(i),
                                         .paid_at = clock.Now()});
            });
        },
        sale_micros);
    // The refunds and disputes, each delivered twice.
    std::vector<long long> changed;
    for (long long i = 0; i < sales; ++i) {
        if (AfterSale(i) != After::kNothing) changed.push_back(i);
    }
    std::vector<double> refund_micros;
    double refund_seconds = bench::Hammer(
        8, 2 * static_cast<long long>(changed.size()),
        [&](long long n) {
            long long i = changed[static_cast<std::size_t>(n / 2)];
            guarded("a refund", [&] {
                switch (AfterSale(i)) {
                    case After::kHalfRefund:
                        service.OnRefunded(Ref(i), kSaleMinor / 2, false);
                        break;
                    case After::kFullRefund:
                        service.OnRefunded(Ref(i), kSaleMinor, true);
                        break;
                    case After::kDispute:
                        service.OnDisputed(Ref(i));
                        break;
                    case After::kNothing:
                        break;
                }
            });
        },
        refund_micros);

    // The ledger as stored: one commission per sale at 20 %, reduced or reversed as told.
    auto& db = databases.owner;
    long long rows = bench::Count(db, "SELECT COUNT(*) FROM commissions WHERE kind = 'sale'");
    long long wrong = 0;
    const long long full = CommissionOf(kSaleMinor, 20), half = ReducedCommission(full, kSaleMinor, kSaleMinor / 2);
    long long reduced = 0, reversed = 0;
    for (long long i = 0; i < sales; ++i) {
        switch (AfterSale(i)) {
            case After::kHalfRefund:
                ++reduced;
                break;
            case After::kFullRefund:
            case After::kDispute:
                ++reversed;
                break;
            case After::kNothing:
                break;
        }
    }
    wrong += std::abs(rows - sales);
    wrong += std::abs(bench::Count(db, "SELECT COUNT(*) FROM commissions WHERE status = 'reversed'") - reversed);
    wrong += std::abs(bench::Count(db, "SELECT COUNT(*) FROM commissions WHERE status = 'pending' AND amount_minor = " +
                                           std::to_string(half)) -
                      reduced);
    wrong += std::abs(bench::Count(db, "SELECT COUNT(*) FROM commissions WHERE status = 'pending' AND amount_minor = " +
                                           std::to_string(full)) -
                      (sales - reduced - reversed));
    // Ledger writes: each commission inserted, and each reduced or reversed once (the redeliveries write nothing).
    long long sale_writes = sales, refund_writes = reduced + reversed;
    std::printf(
        "%lld sales (x2 deliveries) over %lld ambassadors from 8 threads: %.2f s, %.0f ledger writes/s "
        "(%.0f events/s)\n",
        sales, marketers, sale_seconds, sale_writes / sale_seconds, 2 * sales / sale_seconds);
    std::printf(
        "%zu refunds and disputes (x2 deliveries) from 8 threads: %.2f s, %.0f ledger writes/s (%.0f events/s)\n",
        changed.size(), refund_seconds, refund_writes / refund_seconds, 2 * changed.size() / refund_seconds);
    std::printf(
        "overall: %.0f ledger writes/s; ledger rows %lld (expected %lld), reduced %lld, reversed %lld; "
        "wrong %lld, failed %lld\n",
        (sale_writes + refund_writes) / (sale_seconds + refund_seconds), rows, sales, reduced, reversed, wrong,
        errors.load());
    bench::Report("OnSale (attributed, first or redelivered)", sale_micros);
    bench::Report("OnRefunded / OnDisputed (first or redelivered)", refund_micros);
    return errors == 0 && wrong == 0 ? 0 : 1;
}
