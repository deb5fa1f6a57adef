#pragma once
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace maxis::discord {

/// The rate-limit headers of one response, as Discord sends them.
struct RateLimitHeaders {
    std::optional<std::string> bucket;  // X-RateLimit-Bucket
    std::optional<int> limit;           // X-RateLimit-Limit
    std::optional<int> remaining;       // X-RateLimit-Remaining
    std::optional<double> reset;        // X-RateLimit-Reset: when the window ends, epoch seconds (Discord's clock)
    std::optional<core::Millis> reset_after;  // X-RateLimit-Reset-After (seconds, fractional)
    bool global = false;                      // X-RateLimit-Global
    std::optional<std::string> scope;         // X-RateLimit-Scope: user | global | shared
};

/// Route key of a request: the method and the path with every id replaced, except the "major
/// parameters" (channel, guild, webhook id and token) that Discord keeps apart in buckets.
/// "POST /channels/1/messages/2/reactions" -> "POST /channels/1/messages/:id/reactions".
std::string RouteKey(std::string_view method, std::string_view path);

/// The route with webhook and interaction tokens masked, for logs.
std::string LoggableRoute(const std::string& route);

/// Leave to send one request, or how long to wait before asking again.
struct Permit {
    core::Millis wait{0};  // zero: send now, then report the outcome with Complete or OnTooManyRequests
    std::string bucket;    // the bucket the request was counted against
    bool global = false;   // counted against the global budget too
};

/// Discord's buckets, learned from the headers, so that Maxis never draws a 429 it could have seen
/// coming (Discord counts 429s toward the invalid-request limit that bans an IP address):
/// - a route never answered yet has one request in flight at a time, until a response teaches its bucket;
/// - routes whose responses name the same bucket hash share one count, kept apart per major parameter
///   (channel, guild, webhook id and token);
/// - within a window, the count is what Maxis sent: a response to a request that was already in flight can
///   lower it, never raise it (the window is recognised by its X-RateLimit-Reset);
/// - when a window ends, `limit` requests (less those still in flight) may go, and the rest wait for the
///   next window, whose end the first response tells;
/// - at most global_per_second requests in any second, interaction responses and follow-ups excepted as
///   Discord exempts them. Discord counts a request when it arrives, somewhere between its sending and
///   its answer, so a request weighs on the budget from when it is sent until a second after its answer;
///   a global 429 holds every other route back.
/// Thread-safe.
class RateLimiter {
public:
    explicit RateLimiter(const core::Clock& clock, int global_per_second = 50);

    /// Whether a request on this route may go now; when it may, it is counted against its bucket and the
    /// global budget, and the caller must report the outcome.
    Permit Acquire(const std::string& route);
    /// The outcome of a request that had leave to go: its response's headers (none for a network error)
    /// and status (0 without a response).
    void Complete(const Permit& permit, const std::string& route, const RateLimitHeaders& headers, int status);
    /// The outcome was a 429: the route (or everything, when global) waits retry_after.
    void OnTooManyRequests(const Permit& permit, const std::string& route, const RateLimitHeaders& headers,
                           core::Millis retry_after);

private:
    struct Bucket {
        bool known = false;      // a response has told its limits
        bool unlimited = false;  // the route answers without rate-limit headers
        int limit = 1;
        int remaining = 1;          // what may still be sent in the current window
        int in_flight = 0;          // sent, not answered yet
        bool window_known = false;  // the current window's end is known (reset_at)
        core::TimePoint reset_at{};
        double window = 0;  // X-RateLimit-Reset of the current window; 0 before the first response
    };
    std::string KeyFor(const std::string& route) const;

    const core::Clock& clock_;
    int global_per_second_;
    std::mutex mu_;
    std::map<std::string, std::string> route_bucket_;  // route -> bucket hash + major parameter
    std::map<std::string, Bucket> buckets_;
    core::TimePoint global_until_{};
    int global_in_flight_ = 0;
    std::deque<core::TimePoint> global_answered_;  // answers received in the last second, oldest first
};

}  // namespace maxis::discord
