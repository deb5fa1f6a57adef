#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/router.hpp"

namespace maxis::core {
class Metrics;
}

namespace maxis::http {

/// The headers every response carries unless a handler set its own value. One policy for everything the
/// server answers, the admin panel included: scripts, styles and fonts only from Maxis itself, never inline.
/// Images come from Maxis and Discord's CDN (avatars) only: an image from anywhere else would tell its host who
/// opened the page and when.
inline constexpr const char* kDefaultCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https://cdn.discordapp.com; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'";
/// The same for the one page that shows pictures hosted anywhere: the panel's products page, where staff preview
/// a product's image from wherever they host it.
inline constexpr const char* kProductImagesCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'";
inline constexpr const char* kPermissionsPolicy =
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), "
    "usb=(), browsing-topics=()";

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: any free port (tests)
    int io_threads = 2;
    int worker_threads = 4;                          // for blocking handlers
    std::size_t body_limit = 1 << 20;                // bytes; larger bodies get 413
    std::size_t header_limit = 16 * 1024;            // bytes; larger headers get 431
    std::chrono::milliseconds read_timeout{15'000};  // to receive a whole request once it starts
    std::chrono::milliseconds idle_timeout{60'000};  // between requests on a kept-alive connection
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds shutdown_grace{10'000};  // in-flight requests get this long to finish
    bool access_log = true;
};

/// An HTTP/1.1 server on Boost.Beast and C++20 coroutines: keep-alive, limits, timeouts, security headers
/// on every response (errors included), access log, request metrics, and a graceful shutdown that stops
/// accepting, closes idle connections and lets in-flight requests finish.
class Server {
public:
    Server(ServerOptions options, const Router& router, core::Metrics* metrics = nullptr);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and starts serving on background threads. Throws core::Error(kUnavailable) when the
    /// address cannot be bound (with the address and the reason).
    void Start();
    /// The bound port (useful with port 0).
    [[nodiscard]] std::uint16_t port() const;
    /// Graceful stop; returns once every connection is closed or the grace period ran out. Idempotent.
    void Shutdown();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace maxis::http
