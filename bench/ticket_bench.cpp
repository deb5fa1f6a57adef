// Tickets at scale: seeds N tickets over M members (bulk SQL), then measures, for one member at a time,
// '!ticket_list' through the command engine and GET /api/v1/tickets through the HTTP server (median and
// p99 over many members), and that endpoint's requests/s with wrk -t2 -c64 -d10s; then 64 members each
// posting POST /api/v1/tickets at the same moment, round after round (median, p99 and errors).
//   maxis_ticket_bench --database sqlite:/tmp/t.db [--tickets 1000000] [--members 100000] [--samples 2000]
//   maxis_ticket_bench --database postgresql://postgres@127.0.0.1:5432/bench --login-url postgresql://maxis_login@...
#include <soci/soci.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

#include "commands/builtin_commands.hpp"
#include "commands/ticket_commands.hpp"
#include "core/clock.hpp"
#include "http/api/tickets_api.hpp"
#include "http/server.hpp"
#include "report.hpp"
#include "storage/api_tokens.hpp"
#include "storage/migrator.hpp"
#include "storage/sql_ticket_repository.hpp"
#include "support/http_client.hpp"

using namespace maxis;
using bench::Report;
using Clock = std::chrono::steady_clock;

namespace {

void Seed(storage::Database& owner, long long tickets, long long members) {
    auto started = Clock::now();
    owner.WithRawSession([&](soci::session& sql) {
        long long now = core::ToEpochMillis(core::SystemClock().Now());
        std::string values =
            "SELECT (n % " + std::to_string(members) +
            ") + 1, 'Ticket ' || n, "
            "CASE n % 6 WHEN 0 THEN 'general' WHEN 1 THEN 'billing' WHEN 2 THEN 'technical' WHEN 3 THEN 'bug' "
            "WHEN 4 THEN 'account' ELSE 'suggestion' END, "
            "CASE n % 4 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END, "
            "CASE n % 5 WHEN 0 THEN 'open' WHEN 1 THEN 'waiting_staff' WHEN 2 THEN 'waiting_member' WHEN 3 THEN "
            "'resolved' "
            "ELSE 'closed' END, " +
            std::to_string(now) + " - n * 1000, " + std::to_string(now) + " - n * 1000, " + std::to_string(now) + ", " +
            std::to_string(now) + " ";
        std::string columns =
            "INSERT INTO tickets (owner_id, subject, category, priority, status, created_at, updated_at, "
            "first_response_due, resolution_due) ";
        if (owner.dialect() == storage::Dialect::kPostgres) {
            sql << columns + values + "FROM generate_series(1, " + std::to_string(tickets) + ") AS n";
            sql << "ANALYZE tickets";
        } else {
            sql << "BEGIN";
            sql << columns + "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < " +
                       std::to_string(tickets) + ") " + values + "FROM seq";
            sql << "COMMIT";
            sql << "ANALYZE";
        }
    });
    std::printf("seeded %lld tickets over %lld members in %.1f s\n", tickets, members,
                std::chrono::duration<double>(Clock::now() - started).count());
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Ticket benchmarks at scale"};
    std::string url, login_url;
    long long tickets = 1'000'000, members = 100'000;
    int samples = 2000, burst_rounds = 20;
    std::string wrk_duration = "10s";
    cli.add_option("--database", url, "where to seed (an owner connection on PostgreSQL)")->required();
    cli.add_option("--login-url", login_url, "PostgreSQL: what the service uses (the login role)");
    cli.add_option("--tickets", tickets);
    cli.add_option("--members", members);
    cli.add_option("--samples", samples);
    cli.add_option("--wrk-duration", wrk_duration);
    cli.add_option("--burst-rounds", burst_rounds, "rounds of 64 concurrent POST /api/v1/tickets by 64 new members");
    CLI11_PARSE(cli, argc, argv);

    core::SystemClock clock;
    {
        storage::Database owner(storage::DatabaseOptions{url, 1});
        storage::Migrator(owner, clock).Apply();
        Seed(owner, tickets, members);
    }
    storage::Database db(storage::DatabaseOptions{login_url.empty() ? url : login_url, 8});
    storage::SqlTicketRepository repo(db, clock);
    tickets::TicketService service(repo, clock);
    auto zone = core::TimeZone::Load("Europe/Paris");
    commands::Engine engine(commands::Catalog::Builtin(), "!");
    commands::RegisterTicketCommands(engine, service, zone, {});
    std::mt19937_64 rng(7);

    std::vector<double> list_us;
    for (int i = 0; i < samples; ++i) {
        core::Viewer member{core::UserId{static_cast<long long>(rng() % members) + 1}, core::Role::kMember};
        auto t0 = Clock::now();
        auto reply = engine.HandleLine(member, "fr", "!ticket_list");
        list_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        if (!reply || reply->is_error || reply->embeds.empty()) {
            std::cerr << "unexpected reply for member " << member.user_id.value << "\n";
            return 1;
        }
    }
    Report("!ticket_list (one member)", list_us);

    storage::ApiTokens tokens(db, clock);
    std::vector<std::string> member_tokens;
    for (int i = 0; i < 200; ++i) {
        member_tokens.push_back(tokens.Create(
            core::Viewer{core::UserId{static_cast<long long>(rng() % members) + 1}, core::Role::kMember}, "bench"));
    }
    http::Router router;
    http::AddTicketRoutes(
        router, service,
        [&tokens](const http::Request& r) {
            return http::BearerViewer(r, [&tokens](const std::string& t) { return tokens.Authenticate(t); });
        },
        http::TicketDocuments{});
    http::ServerOptions options;
    options.port = 0;
    options.access_log = false;
    options.worker_threads = 8;
    http::Server server(options, router);
    server.Start();
    std::vector<double> api_us;
    testing::HttpConnection connection(server.port());
    for (int i = 0; i < samples; ++i) {
        const auto& token = member_tokens[static_cast<std::size_t>(i) % member_tokens.size()];
        auto t0 = Clock::now();
        auto r = connection.Send("GET", "/api/v1/tickets", "", {{"Authorization", "Bearer " + token}});
        api_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        if (r.status != 200) {
            std::cerr << "GET /api/v1/tickets answered " << r.status << ": " << r.body << "\n";
            return 1;
        }
    }
    Report("GET /api/v1/tickets (one member)", api_us);

    std::string command = "wrk -t2 -c64 -d" + wrk_duration + " -H 'Authorization: Bearer " + member_tokens[0] +
                          "' http://127.0.0.1:" + std::to_string(server.port()) + "/api/v1/tickets 2>&1";
    std::fflush(stdout);
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char line[512];
        while (std::fgets(line, sizeof line, pipe) != nullptr) {
            std::string l(line);
            if (l.find("Requests/sec") != std::string::npos || l.find("Latency") != std::string::npos ||
                l.find("Non-2xx") != std::string::npos) {
                std::printf("wrk GET /api/v1/tickets: %s", line);
            }
        }
        ::pclose(pipe);
    }

    // 64 members open a ticket at the same moment (new members each round, so the per-member limits never
    // refuse): every answer must be 201.
    constexpr int kBurst = 64;
    std::vector<double> burst_us;
    int errors = 0;
    for (int round = 0; round < burst_rounds; ++round) {
        std::vector<std::string> burst_tokens;
        std::vector<std::unique_ptr<testing::HttpConnection>> connections;
        for (int i = 0; i < kBurst; ++i) {
            burst_tokens.push_back(tokens.Create(
                core::Viewer{core::UserId{members + 1 + round * kBurst + i}, core::Role::kMember}, "burst"));
            connections.push_back(std::make_unique<testing::HttpConnection>(server.port()));
        }
        std::vector<double> took(kBurst);
        std::vector<int> status(kBurst);
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < kBurst; ++i) {
            threads.emplace_back([&, i] {
                ready.fetch_add(1);
                while (ready.load() < kBurst) std::this_thread::yield();
                auto t0 = Clock::now();
                auto r = connections[static_cast<std::size_t>(i)]->Send(
                    "POST", "/api/v1/tickets",
                    R"({"subject":"Paiement refusé","category":"billing","priority":"high","description":"La carte est refusée"})",
                    {{"Authorization", "Bearer " + burst_tokens[static_cast<std::size_t>(i)]},
                     {"Content-Type", "application/json"}});
                took[static_cast<std::size_t>(i)] =
                    std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
                status[static_cast<std::size_t>(i)] = r.status;
            });
        }
        for (auto& t : threads) t.join();
        for (int i = 0; i < kBurst; ++i) {
            burst_us.push_back(took[static_cast<std::size_t>(i)]);
            if (status[static_cast<std::size_t>(i)] != 201) ++errors;
        }
    }
    if (!burst_us.empty()) {
        Report("POST /api/v1/tickets, 64 members at once", burst_us);
        std::printf("POST /api/v1/tickets, 64 members at once: %d error(s) in %zu requests\n", errors, burst_us.size());
    }
    server.Shutdown();
    return errors == 0 ? 0 : 1;
}
