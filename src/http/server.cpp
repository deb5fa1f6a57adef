#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/strings.hpp"
#include "http/wire.hpp"

namespace maxis::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

}  // namespace

struct Server::Impl {
    // One I/O thread with an io_context of its own. A connection lives on one loop for its whole life, so
    // nothing about it is ever touched by two threads at once and it needs no strand. Deadlines are checked
    // by one sweep per loop instead of a timer armed and cancelled around every read and write.
    struct Connection;
    struct Loop {
        // Declared before the context: sessions still pending when it is destroyed unregister themselves here.
        std::unordered_set<Connection*> connections;
        // Request metrics by (route, method, status), looked up once per combination on this thread.
        std::unordered_map<std::uint64_t, std::pair<core::Metrics::Series*, core::Metrics::Series*>> series;
        asio::io_context io{1};
        asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
        asio::steady_timer sweeper{io};
        std::thread thread;
    };
    struct Connection {
        Connection(tcp::socket s, Loop& l) : socket(std::move(s)), loop(l) {}
        tcp::socket socket;
        Loop& loop;
        Clock::time_point deadline = Clock::time_point::max();
        bool idle = true;  // waiting for a request, not handling one
    };

    // Declared first, destroyed last: sessions destroyed with their loop still count themselves out.
    std::shared_ptr<std::atomic<long>> open = std::make_shared<std::atomic<long>>(0);
    std::mutex mutex;
    std::condition_variable all_closed;

    ServerOptions options;
    const Router& router;
    core::Metrics* metrics;
    asio::thread_pool workers;
    std::vector<std::unique_ptr<Loop>> loops;
    tcp::acceptor acceptor;
    std::size_t next_loop = 0;
    Clock::time_point last_accept_warning{};
    std::chrono::milliseconds sweep_period;
    std::atomic<bool> draining{false};
    std::atomic<bool> stopped{false};
    std::atomic<bool> started{false};

    Impl(ServerOptions o, const Router& r, core::Metrics* m)
        : options(std::move(o)),
          router(r),
          metrics(m),
          workers(std::max(1, options.worker_threads)),
          loops(MakeLoops(std::max(1, options.io_threads))),
          acceptor(loops.front()->io),
          sweep_period(std::clamp(std::min({options.read_timeout, options.idle_timeout, options.write_timeout}) / 4,
                                  std::chrono::milliseconds(5), std::chrono::milliseconds(250))) {
        if (metrics != nullptr) {
            metrics->DefineCounter("maxis_http_requests_total", "HTTP requests by route, method and status.");
            metrics->DefineHistogram("maxis_http_request_duration_seconds", "HTTP request latency by route.",
                                     {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
            metrics->DefineGauge("maxis_http_open_connections", "Open HTTP connections.", [open = open] {
                return std::vector<std::pair<core::Labels, double>>{{{}, static_cast<double>(open->load())}};
            });
        }
    }

    static std::vector<std::unique_ptr<Loop>> MakeLoops(int n) {
        std::vector<std::unique_ptr<Loop>> out;
        for (int i = 0; i < n; ++i) out.push_back(std::make_unique<Loop>());
        return out;
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
            return Internal(req, match, e.what());
        } catch (const std::exception& e) {
            return Internal(req, match, e.what());
        } catch (...) {
            return Internal(req, match, "an exception that is not a std::exception");
        }
    }

    static Response Internal(const Request& req, const Router::Match& match, std::string_view what) {
        auto ref = core::NewErrorReference();
        spdlog::error("{} {} failed (ref {}): {}", req.method, match.route, ref, what);
        return Response::Error(500, "internal", "something went wrong (ref " + ref + ")");
    }

    void Record(Loop& loop, const Request& req, const Router::Match& match, int status, std::size_t bytes,
                Clock::time_point started) {
        double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        if (metrics != nullptr) {
            // Every label comes from a closed set: the registered patterns, seven methods and "other", and the
            // statuses the server itself produces. Nothing a client invents becomes a new series.
            auto method = MethodLabel(req.method);
            auto key = (static_cast<std::uint64_t>(match.index + 1) << 32) |
                       (static_cast<std::uint64_t>(MethodIndex(req.method)) << 16) | static_cast<std::uint64_t>(status);
            auto it = loop.series.find(key);
            if (it == loop.series.end()) {
                std::string route(match.route);
                auto& count = metrics->Counter(
                    "maxis_http_requests_total",
                    {{"route", route}, {"method", std::string(method)}, {"status", std::to_string(status)}});
                auto& latency = metrics->Histogram("maxis_http_request_duration_seconds", {{"route", route}});
                it = loop.series.emplace(key, std::make_pair(&count, &latency)).first;
            }
            it->second.first->Add();
            it->second.second->Observe(seconds);
        }
        if (options.access_log) {
            // The path only: query strings can carry tokens.
            spdlog::info("access {} {} {} {}B {:.1f}ms {}", req.method, req.path, status, bytes, seconds * 1000,
                         req.remote_address);
        }
    }

    // Writes one response: the head serialised into the connection's buffer and the body, in one gather write.
    asio::awaitable<bool> Write(Connection& conn, std::string& head, const Response& res, unsigned version, bool keep,
                                bool head_only) {
        head.clear();
        SerializeHead(res, version, keep, head);
        bool body = !head_only && ResponseHasBody(res.status);
        std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                  body ? asio::buffer(res.body) : asio::const_buffer()};
        conn.deadline = Clock::now() + options.write_timeout;
        auto [ec, n] = co_await asio::async_write(conn.socket, buffers, kNoThrow);
        conn.deadline = Clock::time_point::max();
        co_return !ec;
    }

    // Reads what has arrived into buf, growing it up to `capacity`; false when the peer is gone, the deadline
    // passed, or the server closed the connection.
    asio::awaitable<bool> ReadMore(Connection& conn, std::vector<char>& buf, std::size_t& end, std::size_t capacity) {
        if (Clock::now() >= conn.deadline) co_return false;
        if (end == buf.size()) buf.resize(std::min(capacity, std::max<std::size_t>(4096, buf.size() * 2)));
        auto [ec, n] = co_await conn.socket.async_read_some(asio::buffer(buf.data() + end, buf.size() - end), kNoThrow);
        if (ec) co_return false;
        end += n;
        co_return true;
    }

    asio::awaitable<void> Session(tcp::socket socket, Loop& loop) {
        Connection conn(std::move(socket), loop);
        loop.connections.insert(&conn);
        struct Closer {
            Impl& impl;
            Connection& conn;
            ~Closer() {
                beast::error_code ignored;
                conn.socket.shutdown(tcp::socket::shutdown_send, ignored);
                conn.socket.close(ignored);
                conn.loop.connections.erase(&conn);
                if (impl.open->fetch_sub(1) == 1) {
                    std::lock_guard lock(impl.mutex);
                    impl.all_closed.notify_all();
                }
            }
        } closer{*this, conn};
        std::string remote;
        {
            beast::error_code ec;
            auto ep = conn.socket.remote_endpoint(ec);
            if (!ec) remote = ep.address().to_string();
            conn.socket.set_option(tcp::no_delay(true), ec);
        }
        try {
            co_await Serve(conn, remote);
        } catch (const std::exception& e) {
            // Whatever went wrong belongs to this connection alone: it is closed, the server serves on.
            spdlog::error("HTTP connection from {} closed after an unexpected error (ref {}): {}", remote,
                          core::NewErrorReference(), e.what());
        } catch (...) {
            spdlog::error("HTTP connection from {} closed after an unexpected error (ref {})", remote,
                          core::NewErrorReference());
        }
    }

    asio::awaitable<void> Serve(Connection& conn, const std::string& remote) {
        // Unparsed bytes: a request's head must fit, with room to spare for the start of its body. Bodies go
        // to the request as they arrive, so the buffer never holds more than this.
        const std::size_t capacity = options.header_limit + 8 * 1024;
        std::vector<char> buf;  // grows from 4 KiB as a request's head needs it
        std::size_t begin = 0, end = 0;
        Request req;
        req.remote_address = remote;
        std::string head;
        const WireLimits limits{options.header_limit, options.body_limit};
        for (bool first = true; !draining; first = false) {
            // Wait for the first byte of the next request (idle timeout), then read it whole (read timeout).
            conn.idle = true;
            if (begin == end) {
                begin = end = 0;
                conn.deadline = Clock::now() + (first ? options.read_timeout : options.idle_timeout);
                if (!co_await ReadMore(conn, buf, end, capacity)) co_return;
            }
            conn.idle = false;
            conn.deadline = Clock::now() + options.read_timeout;
            RequestParser parser(req, limits);
            RequestParser::Outcome outcome;
            bool continued = false;
            for (;;) {
                begin += parser.Feed(std::string_view(buf.data() + begin, end - begin), outcome);
                if (outcome != RequestParser::Outcome::kNeedMore) break;
                if (begin == end) {
                    begin = end = 0;
                } else if (begin > 0) {
                    std::memmove(buf.data(), buf.data() + begin, end - begin);
                    end -= begin;
                    begin = 0;
                }
                if (end == capacity) {  // what is waiting to be parsed is not body: it is head or chunk framing
                    outcome = RequestParser::Outcome::kHeadersTooLarge;
                    break;
                }
                if (!continued && parser.header_done() && parser.version() >= 11 &&
                    core::AsciiLower(req.Header("expect")) == "100-continue") {
                    continued = true;
                    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
                    if (Clock::now() >= conn.deadline) co_return;
                    auto [ec, n] = co_await asio::async_write(conn.socket, asio::buffer(kContinue), kNoThrow);
                    if (ec) co_return;
                }
                if (!co_await ReadMore(conn, buf, end, capacity)) co_return;
            }
            auto started = Clock::now();
            conn.deadline = Clock::time_point::max();
            if (outcome != RequestParser::Outcome::kComplete) {
                Response refusal = outcome == RequestParser::Outcome::kBodyTooLarge
                                       ? Response::Error(413, "payload_too_large", "request body too large")
                                   : outcome == RequestParser::Outcome::kHeadersTooLarge
                                       ? Response::Error(431, "headers_too_large", "request headers too large")
                                       : Response::Error(400, "bad_request", parser.reason());
                if (co_await Write(conn, head, refusal, 11, false, false)) co_await Linger(conn, buf);
                co_return;
            }

            auto match = router.Find(req);
            Response res;
            if (match.handler != nullptr && match.blocking) {
                res = co_await asio::co_spawn(
                    workers.get_executor(), [&]() -> asio::awaitable<Response> { co_return Dispatch(req, match); },
                    asio::use_awaitable);
            } else {
                res = Dispatch(req, match);
            }
            bool keep = parser.keep_alive() && !draining;
            Record(conn.loop, req, match, res.status, res.body.size(), started);
            if (!co_await Write(conn, head, res, parser.version(), keep, req.method == "HEAD")) co_return;
            if (!keep) {
                co_await Linger(conn, buf);
                co_return;
            }
            // A kept-alive connection does not hold on to a large upload's memory until its next request.
            if (req.body.capacity() > 64 * 1024) std::string().swap(req.body);
        }
    }

    // Before closing a connection the server chose to close (a refusal, Connection: close, a drain), reads and
    // drops what the client is still sending for a short while, so that the close does not reset the
    // connection before the client has read the last response. An idle connection to the drain.
    asio::awaitable<void> Linger(Connection& conn, std::vector<char>& buf) {
        beast::error_code ec;
        conn.socket.shutdown(tcp::socket::shutdown_send, ec);
        conn.idle = true;
        conn.deadline =
            Clock::now() + std::min<std::chrono::milliseconds>(options.read_timeout, std::chrono::seconds(2));
        if (buf.empty()) buf.resize(4096);
        for (std::size_t drained = 0; drained < 4 * 1024 * 1024 && Clock::now() < conn.deadline;) {
            auto [e, n] = co_await conn.socket.async_read_some(asio::buffer(buf), kNoThrow);
            if (e) break;
            drained += n;
        }
    }

    void Sweep(Loop& loop) {
        loop.sweeper.expires_after(sweep_period);
        loop.sweeper.async_wait([this, &loop](beast::error_code ec) {
            if (ec) return;
            auto now = Clock::now();
            // Overdue connections are cancelled on every pass: an operation that completed just before a pass
            // but started again after it is still caught, and every read and write checks the deadline first.
            for (auto* conn : loop.connections) {
                if (conn->deadline <= now) conn->socket.cancel(ec);
            }
            Sweep(loop);
        });
    }

    asio::awaitable<void> Accept() {
        for (;;) {
            auto& loop = *loops[next_loop++ % loops.size()];
            auto [ec, socket] = co_await acceptor.async_accept(loop.io, kNoThrow);
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
                // Out of descriptors or memory: say so at most once a second, and give the system a moment
                // instead of spinning on the error.
                if (auto now = Clock::now(); now - last_accept_warning > std::chrono::seconds(1)) {
                    last_accept_warning = now;
                    spdlog::warn("accept failed: {}", ec.message());
                }
                asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
                co_await pause.async_wait(kNoThrow);
                continue;
            }
            open->fetch_add(1);
            try {
                asio::co_spawn(loop.io, Session(std::move(socket), loop), asio::detached);
            } catch (const std::exception& e) {  // no memory for the session: refuse this one, keep accepting
                open->fetch_sub(1);
                spdlog::error("HTTP connection refused (ref {}): {}", core::NewErrorReference(), e.what());
            }
        }
    }

    // Runs one loop until the server stops. An exception that escapes a handler of the loop is logged with a
    // reference and the loop goes on: one bad request never ends the thread, let alone the process.
    static void Run(Loop& loop) {
        for (;;) {
            try {
                loop.io.run();
                return;
            } catch (const std::exception& e) {
                spdlog::error("HTTP I/O thread caught an unexpected error (ref {}): {}", core::NewErrorReference(),
                              e.what());
            } catch (...) {
                spdlog::error("HTTP I/O thread caught an unexpected error (ref {})", core::NewErrorReference());
            }
        }
    }

    // Closes connections: the idle ones only, or all of them.
    void CloseConnections(bool idle_only) {
        for (auto& loop : loops) {
            asio::post(loop->io, [l = loop.get(), idle_only] {
                beast::error_code ec;
                for (auto* conn : l->connections) {
                    if (!idle_only || conn->idle) conn->socket.cancel(ec);
                }
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
    asio::co_spawn(impl_->loops.front()->io, impl_->Accept(), asio::detached);
    for (auto& loop : impl_->loops) {
        impl_->Sweep(*loop);
        loop->thread = std::thread([l = loop.get()] { Impl::Run(*l); });
    }
    impl_->started = true;
}

std::uint16_t Server::port() const {
    beast::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

void Server::Shutdown() {
    if (impl_->stopped.exchange(true)) return;
    impl_->draining = true;
    if (impl_->started) {
        asio::post(impl_->loops.front()->io, [this] {
            beast::error_code ec;
            impl_->acceptor.close(ec);
        });
        impl_->CloseConnections(true);
        std::unique_lock lock(impl_->mutex);
        auto deadline = std::chrono::steady_clock::now() + impl_->options.shutdown_grace;
        // Connections that were mid-request when the drain began close after their response; re-poke idle ones
        // in case a request ended between the first sweep and now.
        while (impl_->open->load() > 0 && std::chrono::steady_clock::now() < deadline) {
            impl_->all_closed.wait_for(lock, std::chrono::milliseconds(50));
            lock.unlock();
            impl_->CloseConnections(true);
            lock.lock();
        }
        if (impl_->open->load() > 0) {
            spdlog::warn("shutdown grace period over: closing {} connection(s)", impl_->open->load());
        }
        lock.unlock();
        impl_->CloseConnections(false);
        // Cancelled sessions end at once unless a handler still holds them; give those a moment.
        lock.lock();
        impl_->all_closed.wait_for(lock, std::chrono::seconds(1), [this] { return impl_->open->load() == 0; });
    }
    impl_->workers.join();
    for (auto& loop : impl_->loops) {
        loop->work.reset();
        loop->io.stop();
    }
    for (auto& loop : impl_->loops) {
        if (loop->thread.joinable()) loop->thread.join();
    }
}

}  // namespace maxis::http
