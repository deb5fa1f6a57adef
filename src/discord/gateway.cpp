#include "discord/gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <variant>

namespace maxis::discord {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

CloseCodeAdvice AdviseOnClose(int code) {
    switch (code) {
        case 4004:
            return {true, false,
                    "authentication failed (4004): the bot token is wrong or was reset. Copy it from the Developer "
                    "Portal (Applications > your app > Bot > Reset Token) into MAXIS_DISCORD_TOKEN, then restart Maxis",
                    "authentication_failed"};
        case 4010:
            return {true, false, "invalid shard (4010): Maxis connects without sharding; check the application",
                    "invalid_shard"};
        case 4011:
            return {true, false, "sharding required (4011): the bot is in too many servers for one connection",
                    "sharding_required"};
        case 4012:
            return {true, false, "invalid API version (4012): Maxis speaks gateway v10", "invalid_api_version"};
        case 4013:
            return {true, false, "invalid intents (4013): the intents value was refused", "invalid_intents"};
        case 4014:
            return {true, false,
                    "disallowed intents (4014): enable the privileged intents Maxis needs in the Developer Portal "
                    "(Applications > your app > Bot > Privileged Gateway Intents): Server Members Intent and "
                    "Message Content Intent, then reload Maxis (systemctl reload maxis, or SIGHUP)",
                    "disallowed_intents"};
        case 4007:  // invalid seq
        case 4009:  // session timed out
            return {false, false, "", ""};
        default:
            return {false, true, "", ""};
    }
}

std::optional<Url> ParseUrl(const std::string& text) {
    auto sep = text.find("://");
    if (sep == std::string::npos) return std::nullopt;
    Url u;
    u.scheme = text.substr(0, sep);
    if (u.scheme != "ws" && u.scheme != "wss" && u.scheme != "http" && u.scheme != "https") return std::nullopt;
    auto rest = text.substr(sep + 3);
    auto slash = rest.find_first_of("/?");
    auto authority = rest.substr(0, slash);
    u.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (!u.target.empty() && u.target.front() == '?') u.target = "/" + u.target;
    if (authority.empty()) return std::nullopt;
    if (authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string::npos) return std::nullopt;
        u.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') return std::nullopt;
            u.port = authority.substr(close + 2);
        }
    } else {
        auto colon = authority.rfind(':');
        u.host = authority.substr(0, colon);
        if (colon != std::string::npos) u.port = authority.substr(colon + 1);
    }
    bool secure = u.scheme == "wss" || u.scheme == "https";
    if (u.port.empty()) u.port = secure ? "443" : "80";
    if (u.host.empty() || u.port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return u;
}

namespace {

/// How a session ended, and what to do next.
struct SessionEnd {
    int close_code = 0;                 // from the server, 0 when none
    bool resume = true;                 // keep the session for RESUME
    bool healthy = false;               // it got as far as READY or RESUMED
    bool invalid_session_wait = false;  // op 9: wait 1-5 s before identifying again
    std::string why;
};

std::string WithQuery(std::string target) {
    if (target.find('?') == std::string::npos) target += "?v=10&encoding=json";
    return target;
}

}  // namespace

struct GatewayClient::Impl {
    GatewayOptions options;
    EventHandler on_event;
    FatalHandler on_fatal;
    std::atomic<bool>& ready;

    asio::io_context io;
    asio::ssl::context tls{asio::ssl::context::tls_client};
    std::thread thread;
    std::atomic<bool> stopping{false};
    std::mt19937_64 rng{std::random_device{}()};

    // Session state (io thread only).
    std::string session_id;
    std::string resume_url;
    std::optional<long long> seq;

    mutable std::mutex stats_mu;
    GatewayStats stats;

    // The live connection's controls (io thread only).
    std::function<void(std::string)> send;
    std::function<void(int)> close;

    Impl(GatewayOptions o, EventHandler e, FatalHandler f, std::atomic<bool>& r)
        : options(std::move(o)), on_event(std::move(e)), on_fatal(std::move(f)), ready(r) {
        tls.set_default_verify_paths();
        tls.set_verify_mode(asio::ssl::verify_peer);
    }

    double Jitter() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

    void Count(long long GatewayStats::*field) {
        std::lock_guard lock(stats_mu);
        ++(stats.*field);
    }

    asio::steady_timer backoff_timer{io};
    awaitable<void> Sleep(core::Millis d) {
        backoff_timer.expires_after(d);
        co_await backoff_timer.async_wait(kNoThrow);
    }

    awaitable<void> Run() {
        int failures = 0;
        while (!stopping) {
            bool resuming = !session_id.empty();
            auto url_text = resuming && !resume_url.empty() ? resume_url : options.url;
            SessionEnd end;
            auto url = ParseUrl(url_text);
            if (!url) {
                on_fatal(0, "the gateway URL '" + url_text + "' is not a ws:// or wss:// URL");
                co_return;
            }
            if (url->scheme == "wss") {
                websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(io, tls);
                end = co_await Session(ws, *url);
            } else {
                websocket::stream<beast::tcp_stream> ws(io);
                end = co_await Session(ws, *url);
            }
            ready = false;
            send = nullptr;
            close = nullptr;
            if (stopping) break;
            if (end.close_code != 0) {
                auto advice = AdviseOnClose(end.close_code);
                if (advice.fatal) {
                    spdlog::critical("discord gateway: {}", advice.explanation);
                    on_fatal(end.close_code, advice.explanation);
                    co_return;
                }
                if (!advice.resumable) end.resume = false;
            }
            if (!end.resume) {
                session_id.clear();
                resume_url.clear();
                seq.reset();
            }
            failures = end.healthy ? 0 : failures + 1;
            core::Millis delay{0};
            if (end.invalid_session_wait) {
                delay = core::Millis(1000 + static_cast<long long>(Jitter() * 4000));
            } else if (failures > 0) {
                core::Millis base = std::min<core::Millis>(options.backoff_max,
                                                           options.backoff_base * (1LL << std::min(failures - 1, 10)));
                delay = core::Millis(static_cast<long long>(base.count() * (0.5 + Jitter() / 2)));
            }
            spdlog::info("discord gateway: disconnected ({}); {} in {} ms", end.why,
                         end.resume && !session_id.empty() ? "resuming" : "identifying", delay.count());
            if (delay.count() > 0) co_await Sleep(delay);
        }
    }

    template <class Ws>
    awaitable<SessionEnd> Session(Ws& ws, const Url& url) {
        SessionEnd end;
        auto& tcp = beast::get_lowest_layer(ws);
        asio::ip::tcp::resolver resolver(io);
        auto [rerr, results] = co_await resolver.async_resolve(url.host, url.port, kNoThrow);
        if (rerr) {
            end.why = "cannot resolve " + url.host + ": " + rerr.message();
            co_return end;
        }
        tcp.expires_after(options.connect_timeout);
        auto [cerr, ep] = co_await tcp.async_connect(results, kNoThrow);
        if (cerr) {
            end.why = "cannot connect to " + url.host + ":" + url.port + ": " + cerr.message();
            co_return end;
        }
        if constexpr (!std::is_same_v<Ws, websocket::stream<beast::tcp_stream>>) {
            if (!SSL_set_tlsext_host_name(ws.next_layer().native_handle(), url.host.c_str())) {
                end.why = "TLS SNI failed";
                co_return end;
            }
            ws.next_layer().set_verify_callback(asio::ssl::host_name_verification(url.host));
            auto [terr] = co_await ws.next_layer().async_handshake(asio::ssl::stream_base::client, kNoThrow);
            if (terr) {
                end.why = "TLS handshake with " + url.host + " failed: " + terr.message();
                co_return end;
            }
        }
        tcp.expires_never();
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = options.connect_timeout;
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
        ws.set_option(timeouts);
        ws.set_option(websocket::stream_base::decorator(
            [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "Maxis gateway client"); }));
        ws.read_message_max(64ULL << 20);
        // Named values, not temporaries, in co_await expressions (GCC 12 destroys such temporaries twice).
        const std::string host_header = url.host + (url.port == "443" || url.port == "80" ? "" : ":" + url.port);
        const std::string target = WithQuery(url.target);
        auto [herr] = co_await ws.async_handshake(host_header, target, kNoThrow);
        if (herr) {
            end.why = "WebSocket handshake failed: " + herr.message();
            co_return end;
        }
        Count(&GatewayStats::connections);

        // One writer at a time: outgoing frames queue up; a close request is the queue's last word.
        std::deque<std::variant<std::string, int>> queue;
        bool writing = false;
        bool closed_by_us = false;
        auto flush = [&]() -> awaitable<void> {
            writing = true;
            while (!queue.empty()) {
                auto item = std::move(queue.front());
                queue.pop_front();
                if (auto* text = std::get_if<std::string>(&item)) {
                    auto [werr, n] = co_await ws.async_write(asio::buffer(*text), kNoThrow);
                    if (werr) break;
                } else {
                    closed_by_us = true;
                    int code = std::get<int>(item);
                    // A peer that stopped answering would make the closing handshake wait: give it a moment, then cut.
                    asio::steady_timer guard(io, std::chrono::seconds(2));
                    guard.async_wait([&tcp](boost::system::error_code ec) {
                        if (!ec) tcp.close();
                    });
                    const websocket::close_reason reason(static_cast<std::uint16_t>(code));
                    co_await ws.async_close(reason, kNoThrow);
                    guard.cancel();
                    tcp.close();
                    queue.clear();
                    break;
                }
            }
            writing = false;
        };
        auto enqueue = [&](std::variant<std::string, int> item) {
            if (closed_by_us) return;
            queue.push_back(std::move(item));
            if (!writing) {
                writing = true;
                asio::co_spawn(io, flush(), asio::detached);
            }
        };
        send = [&](std::string text) { enqueue(std::move(text)); };
        close = [&](int code) { enqueue(code); };

        beast::flat_buffer buffer;
        auto read = [&]() -> awaitable<std::optional<json::object>> {
            buffer.clear();
            auto [err, n] = co_await ws.async_read(buffer, kNoThrow);
            if (err) {
                if (err == websocket::error::closed) {
                    end.close_code = ws.reason().code;
                    end.why = "closed by Discord with " + std::to_string(end.close_code) +
                              (ws.reason().reason.empty() ? "" : " " + std::string(ws.reason().reason.c_str()));
                } else if (end.why.empty()) {
                    end.why = err.message();
                }
                co_return std::nullopt;
            }
            boost::system::error_code perr;
            auto value = json::parse(beast::buffers_to_string(buffer.data()), perr);
            if (perr || !value.is_object() || !value.as_object().contains("op") || !value.at("op").is_int64()) {
                spdlog::warn("discord gateway: ignored a frame that is not a JSON object");
                co_return json::object{};
            }
            co_return std::move(value.as_object());
        };

        // HELLO
        auto hello = co_await read();
        if (!hello || hello->empty() || hello->at("op").as_int64() != 10) {
            if (end.why.empty()) end.why = "no HELLO";
            co_return end;
        }
        auto interval = core::Millis(hello->at("d").at("heartbeat_interval").template to_number<long long>());
        bool acked = true;
        asio::steady_timer timer(io);
        auto heartbeat = [&]() -> awaitable<void> {
            timer.expires_after(core::Millis(static_cast<long long>(interval.count() * Jitter())));
            while (true) {
                auto [terr] = co_await timer.async_wait(kNoThrow);
                if (terr || closed_by_us || !send) co_return;
                if (!acked) {
                    Count(&GatewayStats::zombies);
                    spdlog::warn("discord gateway: no heartbeat ACK within {} ms, reconnecting (zombie connection)",
                                 interval.count());
                    end.why = "zombie connection";
                    close(4000);
                    co_return;
                }
                acked = false;
                send(json::serialize(json::object{{"op", 1}, {"d", seq ? json::value(*seq) : json::value(nullptr)}}));
                timer.expires_after(interval);
            }
        };
        auto heartbeat_done = std::make_shared<bool>(false);
        asio::co_spawn(io, heartbeat(), [heartbeat_done](std::exception_ptr) { *heartbeat_done = true; });

        if (!session_id.empty()) {
            Count(&GatewayStats::resumes);
            send(json::serialize(json::object{
                {"op", 6},
                {"d", json::object{{"token", options.token}, {"session_id", session_id}, {"seq", seq.value_or(0)}}}}));
        } else {
            Count(&GatewayStats::identifies);
            send(json::serialize(json::object{
                {"op", 2},
                {"d", json::object{
                          {"token", options.token},
                          {"intents", options.intents},
                          {"properties", json::object{{"os", "linux"}, {"browser", "maxis"}, {"device", "maxis"}}}}}}));
        }

        while (!stopping) {
            auto frame = co_await read();
            if (!frame) break;
            if (frame->empty()) continue;
            auto op = frame->at("op").as_int64();
            if (op == 0) {
                if (auto* s = frame->if_contains("s"); s && s->is_int64()) seq = s->as_int64();
                std::string type(frame->at("t").as_string());
                const auto& d = frame->at("d");
                if (type == "READY") {
                    const auto& o = d.as_object();
                    session_id = std::string(o.at("session_id").as_string());
                    if (auto* r = o.if_contains("resume_gateway_url"); r && r->is_string())
                        resume_url = std::string(r->as_string());
                    ready = true;
                    end.healthy = true;
                    spdlog::info("discord gateway: READY as {}", std::string(o.at("user").at("username").as_string()));
                } else if (type == "RESUMED") {
                    ready = true;
                    end.healthy = true;
                    spdlog::info("discord gateway: RESUMED at sequence {}", seq.value_or(0));
                }
                Count(&GatewayStats::events);
                try {
                    on_event(type, d.is_object() ? d.as_object() : json::object{});
                } catch (const std::exception& e) {
                    spdlog::error("discord gateway: handler for {} failed: {}", type, e.what());
                }
            } else if (op == 1) {
                send(json::serialize(json::object{{"op", 1}, {"d", seq ? json::value(*seq) : json::value(nullptr)}}));
            } else if (op == 11) {
                acked = true;
            } else if (op == 7) {
                end.why = "Discord asked for a reconnect (op 7)";
                close(4000);
            } else if (op == 9) {
                bool resumable = frame->at("d").is_bool() && frame->at("d").as_bool();
                end.why = std::string("invalid session (op 9, ") + (resumable ? "resumable" : "not resumable") + ")";
                end.resume = resumable;
                end.invalid_session_wait = !resumable;
                close(4000);
            }
        }
        if (stopping && !closed_by_us) close(1000);
        // Let the writer finish (a close in flight), then make sure the heartbeat loop is gone.
        while (writing) co_await Sleep(core::Millis(5));
        send = nullptr;
        close = nullptr;
        if (!closed_by_us) tcp.close();
        timer.cancel();
        while (!*heartbeat_done) co_await Sleep(core::Millis(5));
        co_return end;
    }
};

GatewayClient::GatewayClient(GatewayOptions options, EventHandler on_event, FatalHandler on_fatal)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(on_event), std::move(on_fatal), ready_)) {}

GatewayClient::~GatewayClient() { Stop(); }

void GatewayClient::Start() {
    asio::co_spawn(impl_->io, impl_->Run(), [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::critical("discord gateway: stopped: {}", ex.what());
        }
    });
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

void GatewayClient::Stop() {
    if (!impl_->thread.joinable()) return;
    impl_->stopping = true;
    asio::post(impl_->io, [this] {
        if (impl_->close) impl_->close(1000);
        impl_->backoff_timer.cancel();
    });
    // Give the closing handshake a moment, then stop whatever is left.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!impl_->io.stopped() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    impl_->io.stop();
    impl_->thread.join();
}

void GatewayClient::Send(const json::object& command) {
    asio::post(impl_->io, [this, text = json::serialize(command)] {
        if (impl_->send) impl_->send(text);
    });
}

GatewayStats GatewayClient::stats() const {
    std::lock_guard lock(impl_->stats_mu);
    return impl_->stats;
}

}  // namespace maxis::discord
