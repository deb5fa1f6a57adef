#pragma once
// Latency reporting shared by the benchmark programs.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace maxis::bench {

/// Prints the median and p99 of samples in microseconds, labelled what (the samples get sorted).
inline void Report(const std::string& what, std::vector<double>& micros) {
    std::sort(micros.begin(), micros.end());
    auto at = [&](double q) {
        return micros[std::min(micros.size() - 1, static_cast<std::size_t>(q * micros.size()))];
    };
    std::printf("%-44s median %9.1f us   p99 %9.1f us   (%zu samples)\n", what.c_str(), at(0.5), at(0.99),
                micros.size());
}

}  // namespace maxis::bench
