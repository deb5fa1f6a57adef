#include "http/router.hpp"

#include <set>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::http {

namespace {

std::vector<std::string> Segments(std::string_view path) {
    auto parts = core::Split(path, '/');
    std::vector<std::string> out;
    for (auto& p : parts) {
        if (!p.empty()) out.push_back(std::move(p));
    }
    return out;
}

bool IsParam(const std::string& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }

}  // namespace

void Router::Add(std::string method, std::string pattern, RouteHandler handler, RouteOptions options) {
    if (pattern.empty() || pattern[0] != '/') {
        throw core::Error(core::ErrorCode::kInternal, "route pattern must start with '/': " + pattern);
    }
    auto segments = Segments(pattern);
    routes_.push_back(Route{std::move(method), std::move(pattern), std::move(segments), std::move(handler), options});
}

Router::Match Router::Find(Request& request) const {
    auto raw = Segments(request.path);
    std::set<std::string> allowed;
    std::string method = request.method == "HEAD" ? "GET" : request.method;
    for (const auto& route : routes_) {
        if (route.segments.size() != raw.size()) continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (std::size_t i = 0; i < raw.size() && ok; ++i) {
            if (IsParam(route.segments[i])) {
                auto decoded = PercentDecode(raw[i], false);
                ok = decoded.has_value();
                if (ok) params[route.segments[i].substr(1, route.segments[i].size() - 2)] = std::move(*decoded);
            } else {
                ok = route.segments[i] == raw[i];
            }
        }
        if (!ok) continue;
        if (route.method != method) {
            allowed.insert(route.method);
            if (route.method == "GET") allowed.insert("HEAD");
            continue;
        }
        request.path_params = std::move(params);
        return Match{&route.handler, route.pattern, route.options.blocking, 200, {}};
    }
    Match miss;
    miss.route = "unmatched";
    if (allowed.empty()) {
        miss.status = 404;
        return miss;
    }
    miss.status = 405;
    for (const auto& m : allowed) miss.allow += (miss.allow.empty() ? "" : ", ") + m;
    return miss;
}

}  // namespace maxis::http
