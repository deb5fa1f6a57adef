#pragma once
// Helpers shared by the benchmark programs: counting rows, and running calls from many threads.
#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/viewer.hpp"
#include "storage/database.hpp"

namespace maxis::bench {

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
inline double Hammer(int threads, long long total, const std::function<void(long long)>& work, std::vector<double>& micros) {
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
                per[static_cast<std::size_t>(t)].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            }
        });
    }
    for (auto& th : pool) th.join();
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    for (auto& p : per) micros.insert(micros.end(), p.begin(), p.end());
    return seconds;
}

}  // namespace maxis::bench
