// The shop under load, through the real code paths:
//  1. verified webhooks: N pending orders, their checkout.session.completed events signed like Stripe's and
//     each sent twice, from 8 connections to the real HTTP server and webhook route; events/s, latency,
//     and a check that every order was paid exactly once;
//  2. a flash sale: 500 members with a full cart race for 20 units (16 threads); attempts/s, p99, units sold;
//  3. checkout creation (reservation + Checkout Session on the Stripe simulator at --stripe-url): median, p99.
//   maxis_shop_bench --database sqlite:/tmp/s.db [--events 4000] [--stripe-url http://127.0.0.1:PORT]
//   maxis_shop_bench --database postgresql://postgres@.../db --login-url postgresql://maxis_login@.../db
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "app/payment_wiring.hpp"
#include "bench_support.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "http/server.hpp"
#include "report.hpp"
#include "storage/shop_store.hpp"
#include "stripe/gateway.hpp"
#include "stripe/webhook.hpp"
#include "stripe/webhook_routes.hpp"
#include "support/http_client.hpp"

using namespace maxis;
using bench::Count;
using bench::Hammer;
using bench::Report;
using Clock = std::chrono::steady_clock;

namespace {

/// Members 1..n each get `quantity` of product in their cart (bulk SQL).
void FillCarts(storage::Database& owner, long long first_member, long long members, long long product, int quantity) {
    owner.WithRawSession([&](soci::session& sql) {
        long long now = core::ToEpochMillis(core::SystemClock().Now());
        std::string select =
            "SELECT n, " + std::to_string(product) + ", " + std::to_string(quantity) + ", " + std::to_string(now);
        std::string range = std::to_string(first_member) + ", " + std::to_string(first_member + members - 1);
        if (owner.dialect() == storage::Dialect::kPostgres) {
            sql << "INSERT INTO carts (user_id, product_id, quantity, added_at) " + select + " FROM generate_series(" +
                       range + ") AS n";
        } else {
            sql << "INSERT INTO carts (user_id, product_id, quantity, added_at) WITH RECURSIVE seq(n) AS (SELECT " +
                       std::to_string(first_member) + " UNION ALL SELECT n + 1 FROM seq WHERE n < " +
                       std::to_string(first_member + members - 1) + ") " + select + " FROM seq";
        }
    });
}

const core::Viewer kStaff{core::UserId{1}, core::Role::kStaff};

/// Payment pages made at once, without a network (the webhook and flash-sale runs measure Maxis, not the
/// provider; CheckoutLatency asks the Stripe simulator).
class InstantPayments final : public shop::PaymentGateway {
public:
    [[nodiscard]] bool configured() const override { return true; }
    Session CreateCheckout(const shop::Order& order, core::TimePoint, const std::string&) override {
        std::string id = "cs_bench_" + order.number;
        return Session{id, "https://checkout.stripe.com/c/pay/" + id};
    }
    std::string Refund(const shop::Order&, std::optional<long long>, const std::string&) override {
        throw core::Error(core::ErrorCode::kUnavailable, "no refunds in this benchmark");
    }
};

shop::ProductId MakeProduct(shop::ShopService& service, const std::string& name, long long price,
                            std::optional<int> stock) {
    shop::Product p;
    p.name = name;
    p.price_minor = price;
    p.stock = stock;
    return service.CreateProduct(kStaff, p);
}

int Webhooks(storage::Database& owner, storage::Database& db, shop::ShopService& service, int events) {
    auto product = MakeProduct(service, "Webhook bench", 1000, std::nullopt);
    const long long first = 1'000'000;
    FillCarts(owner, first, events, product.value, 1);
    auto seeding = Clock::now();
    std::vector<std::string> sessions;
    for (long long i = 0; i < events; ++i) {
        auto link = service.Checkout(core::Viewer{core::UserId{first + i}, core::Role::kMember}, "fr");
        sessions.push_back(link.order.checkout_session_id);
    }
    std::printf("seeded %d pending orders in %.1f s\n", events,
                std::chrono::duration<double>(Clock::now() - seeding).count());

    core::SystemClock clock;
    stripe::Client no_api(stripe::ClientOptions{});
    http::Router router;
    stripe::AddWebhookRoute(router, stripe::WebhookOptions{.secrets = {"whsec_bench"}}, clock,
                            app::WirePayments(service, nullptr, no_api, clock), nullptr);
    http::ServerOptions options;
    options.port = 0;
    options.access_log = false;
    options.worker_threads = 8;
    http::Server server(options, router);
    server.Start();

    // Each event is sent twice, the copy right after the original, as Stripe's retries would.
    std::atomic<long long> next{0};
    std::atomic<int> failures{0};
    const int connections = 8;
    std::vector<std::vector<double>> latencies(connections);
    auto started = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            testing::HttpConnection conn(server.port());
            for (long long i; (i = next++) < events;) {
                std::string body =
                    R"({"id":"evt_bench_)" + std::to_string(i) +
                    R"(","object":"event","type":"checkout.session.completed","data":{"object":{"id":")" +
                    sessions[static_cast<std::size_t>(i)] +
                    R"(","object":"checkout.session","mode":"payment","payment_status":"paid","payment_intent":"pi_bench_)" +
                    std::to_string(i) +
                    R"(","amount_total":1000,"currency":"eur","invoice":null,"metadata":{"order_id":"x"}}}})";
                for (int copy = 0; copy < 2; ++copy) {
                    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
                    auto t0 = Clock::now();
                    auto r = conn.Send("POST", "/stripe/webhook", body,
                                       {{"Content-Type", "application/json"},
                                        {"Stripe-Signature", stripe::SignatureHeader(body, "whsec_bench", now)}});
                    latencies[static_cast<std::size_t>(c)].push_back(
                        std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
                    if (r.status != 200) ++failures;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    server.Shutdown();
    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::printf(
        "webhooks: %d events sent twice (%d deliveries) over %d connections in %.2f s: %.0f deliveries/s, %.0f "
        "events applied/s\n",
        events, 2 * events, connections, seconds, 2 * events / seconds, events / seconds);
    Report("webhook delivery (verify + apply or dedupe)", all);
    long long paid = Count(db, "SELECT COUNT(*) FROM orders WHERE status = 'paid'");
    long long payments = Count(db, "SELECT COUNT(*) FROM payments");
    long long recorded = Count(db, "SELECT COUNT(*) FROM stripe_events");
    std::printf(
        "exactly once: %lld orders paid, %lld payments, %lld events recorded, %d non-200 answers (expected %d, %d, %d, "
        "0)\n",
        paid, payments, recorded, failures.load(), events, events, events);
    return paid == events && payments == events && recorded == events && failures == 0 ? 0 : 1;
}

int FlashSale(storage::Database& owner, shop::ShopService& service) {
    auto product = MakeProduct(service, "Flash sale", 4900, 20);
    const long long first = 5'000'000, members = 500;
    FillCarts(owner, first, members, product.value, 1);
    std::atomic<int> sold{0}, refused{0}, other{0};
    std::vector<double> all;
    double seconds = Hammer(
        16, members,
        [&](long long i) {
            try {
                service.Checkout(core::Viewer{core::UserId{first + i}, core::Role::kMember}, "fr");
                ++sold;
            } catch (const core::Error& e) {
                (e.key() == "shop.out_of_stock" ? refused : other)++;
            }
        },
        all);
    auto left = service.FindProduct(product)->stock.value_or(-1);
    std::printf(
        "flash sale: %lld checkouts for 20 units from 16 threads in %.2f s: %.0f attempts/s; %d sold, %d refused "
        "(out of stock), %d other errors, stock left %d\n",
        members, seconds, members / seconds, sold.load(), refused.load(), other.load(), left);
    Report("checkout attempt (reserve or refuse)", all);
    return sold == 20 && left == 0 && other == 0 ? 0 : 1;
}

int CheckoutLatency(storage::Database& owner, storage::Database& db, const std::string& stripe_url, int samples) {
    core::SystemClock clock;
    storage::SqlShopRepository repo(db, clock);
    const long long first = 7'000'000;
    stripe::Client client(
        stripe::ClientOptions{.api_base = stripe_url, .secret_key = "sk_test_maxis", .max_attempts = 1});
    stripe::StripeGateway gateway(client, stripe::CheckoutUrls{"https://example.org/ok", "https://example.org/cancel"});
    shop::ShopService service(repo, gateway, clock, shop::ShopOptions{});
    auto product = MakeProduct(service, "Checkout bench", 1500, std::nullopt);
    FillCarts(owner, first, samples, product.value, 2);
    std::vector<double> micros;
    for (int i = 0; i < samples; ++i) {
        auto t0 = Clock::now();
        auto link = service.Checkout(core::Viewer{core::UserId{first + i}, core::Role::kMember}, "fr");
        micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        if (link.url.empty()) return 1;
    }
    Report("/checkout (reserve + Stripe Checkout Session)", micros);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Shop benchmarks: verified webhooks, a flash sale, checkout creation"};
    bench::DatabaseUrls urls;
    std::string stripe_url;
    int events = 4000, samples = 200;
    urls.AddTo(cli);
    cli.add_option("--events", events, "webhook events (each sent twice)");
    cli.add_option("--stripe-url", stripe_url, "the Stripe simulator, for checkout creation");
    cli.add_option("--samples", samples, "checkouts timed against the simulator");
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn);
    core::SystemClock clock;
    bench::Databases databases(urls, 8, clock);
    auto& owner = databases.owner;
    auto& db = databases.service;
    storage::SqlShopRepository repo(db, clock);
    InstantPayments payments;
    shop::ShopService service(repo, payments, clock, shop::ShopOptions{});
    int rc = Webhooks(owner, db, service, events);
    rc |= FlashSale(owner, service);
    if (!stripe_url.empty()) rc |= CheckoutLatency(owner, db, stripe_url, samples);
    return rc;
}
