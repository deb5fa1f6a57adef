#include "http/ops_routes.hpp"

#include <boost/json.hpp>

#include "core/metrics.hpp"

namespace maxis::http {

void AddOperationalRoutes(Router& router, std::string name_and_version, std::function<bool()> ready,
                          core::Metrics& metrics) {
    router.Add("GET", "/", [name_and_version](const Request&) {
        return Response::Json(200, {{"service", name_and_version},
                                    {"health", "/healthz"},
                                    {"ready", "/readyz"},
                                    {"metrics", "/metrics"}});
    }, {.blocking = false});
    router.Add("GET", "/healthz", [](const Request&) { return Response::Text(200, "ok"); }, {.blocking = false});
    router.Add("GET", "/readyz", [ready = std::move(ready)](const Request&) {
        if (ready()) return Response::Json(200, {{"status", "ready"}});
        return Response::Error(503, "unavailable", "the database does not answer");
    });
    router.Add("GET", "/metrics", [&metrics](const Request&) {
        return Response::Text(200, metrics.RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
    });
}

}  // namespace maxis::http
