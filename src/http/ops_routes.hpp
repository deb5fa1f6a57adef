#pragma once
#include <functional>
#include <string>

#include "http/router.hpp"

namespace maxis::core {
class Metrics;
}

namespace maxis::http {

/// GET / (what this is), /healthz (the process answers: "ok"), /readyz (ready() is true, e.g. the
/// database answers; 503 otherwise) and /metrics (Prometheus text format).
void AddOperationalRoutes(Router& router, std::string name_and_version, std::function<bool()> ready,
                          core::Metrics& metrics);

}  // namespace maxis::http
