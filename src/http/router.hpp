#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace maxis::http {

using RouteHandler = std::function<Response(const Request&)>;

struct RouteOptions {
    /// False for handlers that never block (no database, no network): they run on the I/O thread instead
    /// of hopping to the worker pool.
    bool blocking = true;
};

/// Maps method + path pattern to a handler. Patterns are literal segments and {name} parameters
/// ("/api/v1/tickets/{id}"). A path that matches no pattern gives 404; one that matches with another
/// method gives 405 with Allow. HEAD is served by GET routes. Register everything before serving;
/// matching is then thread-safe.
class Router {
public:
    void Add(std::string method, std::string pattern, RouteHandler handler, RouteOptions options = {});

    struct Match {
        const RouteHandler* handler = nullptr;
        std::string_view route = "unmatched";  // the pattern (owned by the router), for metrics and logs
        int index = -1;                        // the route's position, -1 when none matched
        bool blocking = true;
        int status = 200;   // 404 or 405 when handler is null
        std::string allow;  // for 405
    };
    /// Fills request.path_params on success. Allocates nothing for a literal route.
    [[nodiscard]] Match Find(Request& request) const;
    /// Runs on every answer of this router's handlers (those registered before it is set too), after the
    /// handler returned: the one place for a concern that spans routes (the people named in JSON answers).
    /// Set it before serving.
    void SetResponseFilter(std::function<void(const Request&, Response&)> filter);
    /// How many routes are registered (indexes run from 0 to size() - 1).
    [[nodiscard]] std::size_t size() const { return routes_.size(); }

private:
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        std::vector<bool> params;  // segment i is a {name} parameter
        RouteHandler handler;
        RouteOptions options;
    };
    std::vector<Route> routes_;
    std::shared_ptr<std::function<void(const Request&, Response&)>> filter_ =
        std::make_shared<std::function<void(const Request&, Response&)>>();
};

}  // namespace maxis::http
