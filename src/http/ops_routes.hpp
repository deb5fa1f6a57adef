#pragma once
#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "http/router.hpp"

namespace maxis::core {
class Metrics;
}

namespace maxis::http {

/// The parts of Maxis that can fail on their own while the rest serves (the Discord gateway): each
/// name with an object whose "state" is "failed" when it did, and why.
using ReadinessParts = std::function<boost::json::object()>;

/// GET / (what this is), /healthz (the process answers: "ok"), /readyz (ready() is true, e.g. the
/// database answers; 503 otherwise) and /metrics (Prometheus text format). /readyz's body lists the
/// parts; one that failed makes the status "degraded", still with 200: the HTTP side (panel, API,
/// webhooks) serves, and taking the instance out of a load balancer would only stop that too.
void AddOperationalRoutes(Router& router, std::string name_and_version, std::function<bool()> ready,
                          core::Metrics& metrics, ReadinessParts parts = {});

}  // namespace maxis::http
