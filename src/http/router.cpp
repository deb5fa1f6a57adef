#include "http/router.hpp"

#include <array>
#include <set>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::http {

namespace {

constexpr std::size_t kMaxSegments = 32;

// Splits a path on '/', skipping empty segments, into views of the path itself. False when there are more
// segments than any route has.
bool SplitPath(std::string_view path, std::array<std::string_view, kMaxSegments>& out, std::size_t& count) {
    count = 0;
    std::size_t i = 0;
    while (i < path.size()) {
        auto next = path.find('/', i);
        if (next == std::string_view::npos) next = path.size();
        if (next > i) {
            if (count == kMaxSegments) return false;
            out[count++] = path.substr(i, next - i);
        }
        i = next + 1;
    }
    return true;
}

bool IsParam(std::string_view s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }

}  // namespace

void Router::Add(std::string method, std::string pattern, RouteHandler handler, RouteOptions options) {
    if (pattern.empty() || pattern[0] != '/') {
        throw core::Error(core::ErrorCode::kInternal, "route pattern must start with '/': " + pattern);
    }
    RouteHandler filtered = [handler = std::move(handler), filter = filter_](const Request& req) {
        auto response = handler(req);
        if (*filter) (*filter)(req, response);
        return response;
    };
    Route route{std::move(method), std::move(pattern), {}, {}, std::move(filtered), options};
    std::array<std::string_view, kMaxSegments> parts;
    std::size_t count = 0;
    if (!SplitPath(route.pattern, parts, count)) {
        throw core::Error(core::ErrorCode::kInternal, "route pattern has too many segments: " + route.pattern);
    }
    for (std::size_t i = 0; i < count; ++i) {
        route.segments.emplace_back(parts[i]);
        route.params.push_back(IsParam(parts[i]));
    }
    routes_.push_back(std::move(route));
}

void Router::SetResponseFilter(std::function<void(const Request&, Response&)> filter) { *filter_ = std::move(filter); }

Router::Match Router::Find(Request& request) const {
    std::array<std::string_view, kMaxSegments> raw;
    std::size_t count = 0;
    Match miss;
    miss.status = 404;
    if (!SplitPath(request.path, raw, count)) return miss;
    std::set<std::string> allowed;
    std::string_view method = request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        const auto& route = routes_[r];
        if (route.segments.size() != count) continue;
        bool ok = true;
        for (std::size_t i = 0; i < count && ok; ++i) {
            ok = route.params[i] ? PercentDecode(raw[i], false).has_value() : route.segments[i] == raw[i];
        }
        if (!ok) continue;
        if (route.method != method) {
            allowed.insert(route.method);
            if (route.method == "GET") allowed.insert("HEAD");
            continue;
        }
        request.path_params.clear();
        for (std::size_t i = 0; i < count; ++i) {
            if (!route.params[i]) continue;
            const auto& name = route.segments[i];
            request.path_params[name.substr(1, name.size() - 2)] = *PercentDecode(raw[i], false);
        }
        return Match{&route.handler, route.pattern, static_cast<int>(r), route.options.blocking, 200, {}};
    }
    if (allowed.empty()) return miss;
    miss.status = 405;
    for (const auto& m : allowed) miss.allow += (miss.allow.empty() ? "" : ", ") + m;
    return miss;
}

}  // namespace maxis::http
