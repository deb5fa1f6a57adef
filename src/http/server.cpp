#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/strings.hpp"

namespace maxis::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// One live connection. The session coroutine and anything that touches its stream run on its strand.
struct Connection {
    asio::strand<asio::io_context::executor_type> strand;
    beast::tcp_stream* stream = nullptr;  // null once the session has ended
    bool idle = true;                     // waiting for a request, not handling one
    explicit Connection(asio::strand<asio::io_context::executor_type> s) : strand(std::move(s)) {}
};

void AddSecurityHeaders(bhttp::response<bhttp::string_body>& res) {
    auto set_default = [&](const char* name, const char* value) {
        if (res.find(name) == res.end()) res.set(name, value);
    };
    set_default("Content-Security-Policy", kDefaultCsp);
    set_default("X-Frame-Options", "DENY");
    set_default("X-Content-Type-Options", "nosniff");
    set_default("Referrer-Policy", "no-referrer");
    set_default("Permissions-Policy", kPermissionsPolicy);
    set_default("Cross-Origin-Opener-Policy", "same-origin");
    set_default("Cross-Origin-Resource-Policy", "same-origin");
    set_default("Cache-Control", "no-store");
}

}  // namespace

struct Server::Impl {
    ServerOptions options;
    const Router& router;
    core::Metrics* metrics;
    asio::io_context io;
    asio::thread_pool workers;
    tcp::acceptor acceptor{io};
    std::vector<std::thread> threads;
    std::atomic<bool> draining{false};
    std::atomic<bool> stopped{false};

    std::mutex mutex;
    std::condition_variable all_closed;
    std::set<std::shared_ptr<Connection>> connections;

    Impl(ServerOptions o, const Router& r, core::Metrics* m)
        : options(std::move(o)), router(r), metrics(m), io(o.io_threads), workers(std::max(1, o.worker_threads)) {
        if (metrics != nullptr) {
            metrics->DefineCounter("maxis_http_requests_total", "HTTP requests by route, method and status.");
            metrics->DefineHistogram("maxis_http_request_duration_seconds", "HTTP request latency by route.",
                                     {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
            metrics->DefineGauge("maxis_http_open_connections", "Open HTTP connections.", [this] {
                std::lock_guard lock(mutex);
                return std::vector<std::pair<core::Labels, double>>{{{}, static_cast<double>(connections.size())}};
            });
        }
    }

    Response Dispatch(Request& req, const Router::Match& match) {
        if (match.handler == nullptr) {
            if (match.status == 405) {
                return Response::Error(405, "method_not_allowed", "method " + req.method + " is not allowed here")
                    .With("Allow", match.allow);
            }
            return Response::Error(404, "not_found", "no such resource");
        }
        try {
            return (*match.handler)(req);
        } catch (const core::Error& e) {
            if (e.code() != core::ErrorCode::kInternal) return Response::FromError(e);
            auto ref = core::NewErrorReference();
            spdlog::error("{} {} failed (ref {}): {}", req.method, match.route, ref, e.what());
            return Response::Error(500, "internal", "something went wrong (ref " + ref + ")");
        } catch (const std::exception& e) {
            auto ref = core::NewErrorReference();
            spdlog::error("{} {} failed (ref {}): {}", req.method, match.route, ref, e.what());
            return Response::Error(500, "internal", "something went wrong (ref " + ref + ")");
        }
    }

    static bhttp::response<bhttp::string_body> ToBeast(const Response& res, unsigned version, bool keep_alive,
                                                       bool head) {
        bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
        out.set(bhttp::field::server, "maxis");
        out.set(bhttp::field::content_type, res.content_type);
        for (const auto& [k, v] : res.headers) out.insert(k, v);
        AddSecurityHeaders(out);
        out.keep_alive(keep_alive);
        if (head) {
            out.content_length(res.body.size());
        } else {
            out.body() = res.body;
            out.prepare_payload();
        }
        return out;
    }

    asio::awaitable<bool> WriteResponse(beast::tcp_stream& stream, const Response& res, unsigned version, bool keep,
                                        bool head) {
        auto msg = ToBeast(res, version, keep, head);
        stream.expires_after(options.write_timeout);
        auto [ec, n] = co_await bhttp::async_write(stream, msg, kNoThrow);
        co_return !ec;
    }

    void Record(const Request& req, const Router::Match& match, int status, std::size_t bytes,
                std::chrono::steady_clock::time_point started) {
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (metrics != nullptr) {
            metrics->Inc("maxis_http_requests_total",
                         {{"route", match.route}, {"method", req.method}, {"status", std::to_string(status)}});
            metrics->Observe("maxis_http_request_duration_seconds", {{"route", match.route}}, seconds);
        }
        if (options.access_log) {
            // The path only: query strings can carry tokens.
            spdlog::info("access {} {} {} {}B {:.1f}ms {}", req.method, req.path, status, bytes, seconds * 1000,
                         req.remote_address);
        }
    }

    asio::awaitable<void> Session(tcp::socket socket, std::shared_ptr<Connection> conn) {
        beast::tcp_stream stream(std::move(socket));
        conn->stream = &stream;
        beast::flat_buffer buffer;
        std::string remote;
        {
            beast::error_code ec;
            auto ep = stream.socket().remote_endpoint(ec);
            if (!ec) remote = ep.address().to_string();
        }
        for (bool first = true; !draining; first = false) {
            // Wait for the first byte of the next request (idle timeout), then read it whole (read timeout).
            conn->idle = true;
            if (buffer.size() == 0) {
                stream.expires_after(first ? options.read_timeout : options.idle_timeout);
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
                if (ec) break;
                buffer.commit(n);
            }
            conn->idle = false;
            bhttp::request_parser<bhttp::string_body> parser;
            parser.body_limit(options.body_limit);
            parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
            stream.expires_after(options.read_timeout);
            auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
            if (ec == bhttp::error::body_limit) {
                co_await WriteResponse(stream, Response::Error(413, "payload_too_large", "request body too large"), 11,
                                       false, false);
                break;
            }
            if (ec == bhttp::error::header_limit) {
                co_await WriteResponse(stream, Response::Error(431, "headers_too_large", "request headers too large"),
                                       11, false, false);
                break;
            }
            if (ec == beast::error::timeout || ec == asio::error::operation_aborted || ec == bhttp::error::end_of_stream ||
                ec == asio::error::eof || ec == asio::error::connection_reset) {
                break;
            }
            if (ec) {
                co_await WriteResponse(stream, Response::Error(400, "bad_request", "malformed HTTP request"), 11, false,
                                       false);
                break;
            }
            auto started = std::chrono::steady_clock::now();
            auto breq = parser.release();
            Request req;
            req.method = std::string(breq.method_string());
            req.target = std::string(breq.target());
            auto q = req.target.find('?');
            req.path = req.target.substr(0, q);
            if (q != std::string::npos) req.query = req.target.substr(q + 1);
            for (const auto& field : breq) req.headers[core::AsciiLower(field.name_string())] = std::string(field.value());
            req.body = std::move(breq.body());
            req.remote_address = remote;

            auto match = router.Find(req);
            Response res;
            if (match.handler != nullptr && match.blocking) {
                res = co_await asio::co_spawn(
                    workers.get_executor(), [&]() -> asio::awaitable<Response> { co_return Dispatch(req, match); },
                    asio::use_awaitable);
            } else {
                res = Dispatch(req, match);
            }
            bool keep = breq.keep_alive() && !draining;
            Record(req, match, res.status, res.body.size(), started);
            if (!co_await WriteResponse(stream, res, breq.version(), keep, req.method == "HEAD") || !keep) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        conn->stream = nullptr;
        {
            std::lock_guard lock(mutex);
            connections.erase(conn);
        }
        all_closed.notify_all();
    }

    asio::awaitable<void> Accept() {
        for (;;) {
            auto strand = asio::make_strand(io);
            auto [ec, socket] = co_await acceptor.async_accept(strand, kNoThrow);
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
                spdlog::warn("accept failed: {}", ec.message());
                continue;
            }
            auto conn = std::make_shared<Connection>(strand);
            {
                std::lock_guard lock(mutex);
                connections.insert(conn);
            }
            asio::co_spawn(strand, Session(std::move(socket), conn), [](std::exception_ptr e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    spdlog::error("HTTP session ended by an exception: {}", ex.what());
                }
            });
        }
    }

    // Closes connections: the idle ones only, or all of them.
    void CloseConnections(bool idle_only) {
        std::lock_guard lock(mutex);
        for (const auto& conn : connections) {
            asio::post(conn->strand, [conn, idle_only] {
                if (conn->stream != nullptr && (!idle_only || conn->idle)) conn->stream->cancel();
            });
        }
    }
};

Server::Server(ServerOptions options, const Router& router, core::Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

Server::~Server() { Shutdown(); }

void Server::Start() {
    auto& o = impl_->options;
    try {
        tcp::endpoint endpoint(asio::ip::make_address(o.host), o.port);
        impl_->acceptor.open(endpoint.protocol());
        impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
        impl_->acceptor.bind(endpoint);
        impl_->acceptor.listen(asio::socket_base::max_listen_connections);
    } catch (const std::exception& e) {
        throw core::Error(core::ErrorCode::kUnavailable,
                          "cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + e.what());
    }
    asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
    for (int i = 0; i < std::max(1, o.io_threads); ++i) {
        impl_->threads.emplace_back([this] { impl_->io.run(); });
    }
}

std::uint16_t Server::port() const {
    beast::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

void Server::Shutdown() {
    if (impl_->stopped.exchange(true)) return;
    impl_->draining = true;
    asio::post(impl_->io, [this] {
        beast::error_code ec;
        impl_->acceptor.close(ec);
    });
    impl_->CloseConnections(true);
    {
        std::unique_lock lock(impl_->mutex);
        auto deadline = std::chrono::steady_clock::now() + impl_->options.shutdown_grace;
        // Connections that were mid-request when the drain began close after their response; re-poke idle ones
        // in case a request ended between the first sweep and now.
        while (!impl_->connections.empty() && std::chrono::steady_clock::now() < deadline) {
            impl_->all_closed.wait_for(lock, std::chrono::milliseconds(50));
            lock.unlock();
            impl_->CloseConnections(true);
            lock.lock();
        }
        if (!impl_->connections.empty()) {
            spdlog::warn("shutdown grace period over: closing {} connection(s)", impl_->connections.size());
        }
    }
    impl_->CloseConnections(false);
    impl_->workers.join();
    impl_->io.stop();
    for (auto& t : impl_->threads) {
        if (t.joinable()) t.join();
    }
}

}  // namespace maxis::http
