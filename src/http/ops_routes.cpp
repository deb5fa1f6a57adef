#include "http/ops_routes.hpp"

#include <boost/json.hpp>

#include "core/metrics.hpp"

namespace maxis::http {

void AddOperationalRoutes(Router& router, std::string name_and_version, std::function<bool()> ready,
                          core::Metrics& metrics, ReadinessParts parts) {
    router.Add(
        "GET", "/",
        [name_and_version](const Request&) {
            return Response::Json(
                200,
                {{"service", name_and_version}, {"health", "/healthz"}, {"ready", "/readyz"}, {"metrics", "/metrics"}});
        },
        {.blocking = false});
    router.Add("GET", "/healthz", [](const Request&) { return Response::Text(200, "ok"); }, {.blocking = false});
    router.Add("GET", "/readyz", [ready = std::move(ready), parts = std::move(parts)](const Request&) {
        if (!ready()) return Response::Error(503, "unavailable", "the database does not answer");
        boost::json::object body{{"status", "ready"}};
        if (parts) {
            for (auto& [name, state] : parts()) {
                if (const auto* o = state.if_object(); o && o->contains("state") && o->at("state") == "failed") {
                    body["status"] = "degraded";
                }
                body[name] = std::move(state);
            }
        }
        return Response::Json(200, std::move(body));
    });
    router.Add("GET", "/metrics", [&metrics](const Request&) {
        return Response::Text(200, metrics.RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
    });
}

}  // namespace maxis::http
