#include "scheduler/queue_support.hpp"

#include <memory>
#include <mutex>
#include <random>

#include "core/metrics.hpp"

namespace maxis::scheduler {

std::function<double()> DefaultJitter() {
    struct Source {
        std::mutex mutex;
        std::mt19937_64 rng{std::random_device{}()};
    };
    return [source = std::make_shared<Source>()] {
        std::lock_guard lock(source->mutex);
        return std::uniform_real_distribution<double>(0.8, 1.2)(source->rng);
    };
}

void DefineQueueGauge(core::Metrics& metrics, const std::string& name, const std::string& help,
                      std::function<scheduling::QueueCounts()> counts) {
    metrics.DefineGauge(name, help, [counts = std::move(counts)] {
        auto c = counts();
        return std::vector<std::pair<core::Labels, double>>{{{{"status", "pending"}}, double(c.pending)},
                                                            {{{"status", "running"}}, double(c.running)},
                                                            {{{"status", "failed"}}, double(c.failed)}};
    });
}

}  // namespace maxis::scheduler
