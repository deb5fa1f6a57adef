#pragma once
#include <functional>
#include <string>

#include "domain/scheduling/jobs.hpp"

namespace maxis::core {
class Metrics;
}

namespace maxis::scheduler {

/// A thread-safe source of jitter factors, uniform in [0.8, 1.2].
std::function<double()> DefaultJitter();

/// A gauge "name{status=pending|running|failed}" sampled from counts() at scrape time.
void DefineQueueGauge(core::Metrics& metrics, const std::string& name, const std::string& help,
                      std::function<scheduling::QueueCounts()> counts);

}  // namespace maxis::scheduler
