#pragma once
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace maxis::discord {

/// The rate-limit headers of one response, as Discord sends them.
struct RateLimitHeaders {
    std::optional<std::string> bucket;        // X-RateLimit-Bucket
    std::optional<int> remaining;             // X-RateLimit-Remaining
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

/// Discord's buckets, learned from the headers: requests to routes that share a bucket share its
/// remaining count; when it is exhausted, callers wait for its reset instead of drawing a 429. A
/// global 429 (or the 50 requests per second every bot has) holds back every route but interaction
/// responses and follow-ups, which Discord exempts from the global limit. Thread-safe.
class RateLimiter {
public:
    explicit RateLimiter(const core::Clock& clock, int global_per_second = 50);

    /// How long the caller must wait before sending on this route; zero means go now, and then one
    /// request is counted against the bucket and the global budget.
    core::Millis Acquire(const std::string& route);
    /// Learns from a response's headers (any status).
    void Update(const std::string& route, const RateLimitHeaders& headers);
    /// A 429: the route (or everything, when global) waits retry_after.
    void OnTooManyRequests(const std::string& route, const RateLimitHeaders& headers, core::Millis retry_after);

private:
    struct Bucket {
        int remaining = 1;
        core::TimePoint reset_at{};
        bool known = false;
    };
    Bucket& BucketFor(const std::string& route);

    const core::Clock& clock_;
    int global_per_second_;
    std::mutex mu_;
    std::map<std::string, std::string> route_bucket_;  // route -> bucket hash + major parameter
    std::map<std::string, Bucket> buckets_;
    core::TimePoint global_until_{};
    core::TimePoint window_start_{};
    int window_count_ = 0;
};

}  // namespace maxis::discord
