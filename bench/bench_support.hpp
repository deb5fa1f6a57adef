#pragma once
// Helpers shared by the benchmark programs: counting rows, and running calls from many threads.
#include <soci/soci.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "storage/database.hpp"
#include "storage/migrator.hpp"

namespace maxis::bench {

/// The database a benchmark runs on: --database (an owner connection, which applies the migrations) and,
/// on PostgreSQL, --login-url (the login role with row-level security, what the service uses).
struct DatabaseUrls {
    std::string owner;
    std::string login;
    void AddTo(CLI::App& cli) {
        cli.add_option("--database", owner, "sqlite:PATH or postgresql://... (an owner connection)")->required();
        cli.add_option("--login-url", login, "PostgreSQL: what the service uses (the login role)");
    }
};

/// Both connections, the migrations applied before the service's pool opens (the login role comes from them).
struct Databases {
    Databases(const DatabaseUrls& urls, int pool, const core::Clock& clock)
        : owner(storage::DatabaseOptions{urls.owner, 1}),
          migrated((storage::Migrator(owner, clock).Apply(), true)),
          service(storage::DatabaseOptions{urls.login.empty() ? urls.owner : urls.login, pool}) {}
    storage::Database owner;
    bool migrated;
    storage::Database service;
};

/// The single number a query returns (read as the system).
inline long long Count(storage::Database& db, const std::string& sql) {
    return db.Read(core::Viewer::System(), [&](storage::Transaction& tx) {
        long long n = 0;
        tx.sql() << sql, soci::into(n);
        return n;
    });
}

/// Runs work(i) for i in [0, total) from `threads` threads; returns the seconds taken and appends every
/// call's latency in microseconds to micros.
inline double Hammer(int threads, long long total, const std::function<void(long long)>& work,
                     std::vector<double>& micros) {
    using Clock = std::chrono::steady_clock;
    std::atomic<long long> next{0};
    std::vector<std::vector<double>> per(static_cast<std::size_t>(threads));
    auto started = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (long long i; (i = next++) < total;) {
                auto t0 = Clock::now();
                work(i);
                per[static_cast<std::size_t>(t)].push_back(
                    std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            }
        });
    }
    for (auto& th : pool) th.join();
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    for (auto& p : per) micros.insert(micros.end(), p.begin(), p.end());
    return seconds;
}

}  // namespace maxis::bench
