// Any byte stream a client can send on one connection, cut into reads of any sizes: the request parser and the
// router either serve each request or refuse it with an outcome, never throw, never read past what they were
// given, and every response head they lead to is well formed (no response splitting, whatever a path held).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/metrics.hpp"
#include "http/ops_routes.hpp"
#include "http/router.hpp"
#include "http/wire.hpp"

namespace {

using maxis::http::Request;
using maxis::http::RequestParser;
using maxis::http::Response;

const maxis::http::Router& Routes() {
    static maxis::core::Metrics metrics;
    static const maxis::http::Router router = [] {
        maxis::http::Router r;
        maxis::http::AddOperationalRoutes(
            r, "maxis fuzz", [] { return true; }, metrics);
        auto echo = [](const Request& req) {
            Response res = Response::Text(200, req.body);
            for (const auto& [name, value] : req.path_params) res.With("X-" + name, value);
            res.With("Location", req.target);
            return res;
        };
        for (const char* pattern :
             {"/api/v1/tickets", "/api/v1/tickets/{id}", "/api/v1/tickets/{id}/messages", "/api/v1/members/{id}/plan",
              "/admin-panel/{file}", "/discord/interactions", "/{a}/{b}/{c}"}) {
            r.Add("GET", pattern, echo, {.blocking = false});
            r.Add("POST", pattern, echo, {.blocking = false});
        }
        return r;
    }();
    return router;
}

void Check(bool ok) {
    if (!ok) __builtin_trap();
}

void Serve(Request& req, unsigned version, bool keep_alive) {
    auto match = Routes().Find(req);
    Response res = match.handler != nullptr ? (*match.handler)(req) : Response::Error(match.status, "x", "y");
    Check(match.handler != nullptr || match.status == 404 || match.status == 405);
    std::string head;
    maxis::http::SerializeHead(res, version, keep_alive, head);
    // One blank line, at the very end; every line ends in CRLF and holds no other CR or LF.
    Check(head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0);
    for (std::size_t i = 0; i + 4 < head.size(); ++i) {
        if (head[i] == '\r') Check(head[i + 1] == '\n' && head[i + 2] != '\r');
        if (head[i] == '\n') Check(i > 0 && head[i - 1] == '\r');
        Check(head[i] != '\0');
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks how the stream is cut into reads, as a network would.
    const std::size_t step = 1 + data[0] % 64;
    const char* stream = reinterpret_cast<const char*>(data + 1);
    const std::size_t total = size - 1;
    const maxis::http::WireLimits limits{1024, 4096};
    const std::size_t capacity = limits.header_limit + 512;  // as the server: unparsed bytes are bounded
    std::string buffer;
    std::size_t offered = 0;
    Request req;
    for (int requests = 0; requests < 64; ++requests) {
        RequestParser parser(req, limits);
        RequestParser::Outcome outcome = RequestParser::Outcome::kNeedMore;
        for (;;) {
            if (!buffer.empty()) {
                auto used = parser.Feed(buffer, outcome);
                Check(used <= buffer.size());
                buffer.erase(0, used);
                if (outcome != RequestParser::Outcome::kNeedMore) break;
            }
            if (buffer.size() >= capacity || offered == total) break;
            auto n = std::min({step, total - offered, capacity - buffer.size()});
            buffer.append(stream + offered, n);
            offered += n;
        }
        if (outcome != RequestParser::Outcome::kComplete) {
            Check(outcome != RequestParser::Outcome::kBadRequest || !parser.reason().empty());
            return 0;
        }
        Check(req.body.size() <= limits.body_limit);
        Check(req.path.find('?') == std::string::npos);
        Serve(req, parser.version(), parser.keep_alive());
        if (!parser.keep_alive()) return 0;
    }
    return 0;
}
