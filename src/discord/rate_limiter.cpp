#include "discord/rate_limiter.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace maxis::discord {

std::string RouteKey(std::string_view method, std::string_view path) {
    auto q = path.find('?');
    if (q != std::string_view::npos) path = path.substr(0, q);
    auto parts = core::Split(path, '/');
    std::string out(method);
    out += ' ';
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& p = parts[i];
        if (p.empty()) continue;
        const std::string previous = i >= 1 ? parts[i - 1] : "";
        bool major = previous == "channels" || previous == "guilds" || previous == "webhooks" ||
                     (i >= 2 && parts[i - 2] == "webhooks") ||  // a webhook's token
                     previous == "interactions" || (i >= 2 && parts[i - 2] == "interactions");  // each interaction apart
        bool numeric = p.find_first_not_of("0123456789") == std::string::npos;
        out += '/';
        if (previous == "reactions") {
            out += ":emoji";
            break;
        }
        out += numeric && !major ? std::string(":id") : p;
    }
    return out;
}

std::string LoggableRoute(const std::string& route) {
    auto parts = core::Split(route, '/');
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += '/';
        bool token = i >= 2 && (parts[i - 2] == "webhooks" || parts[i - 2] == "interactions");
        out += token ? std::string("***") : parts[i];
    }
    return out;
}

RateLimiter::RateLimiter(const core::Clock& clock, int global_per_second)
    : clock_(clock), global_per_second_(global_per_second) {}

RateLimiter::Bucket& RateLimiter::BucketFor(const std::string& route) {
    auto it = route_bucket_.find(route);
    return buckets_[it == route_bucket_.end() ? "route:" + route : it->second];
}

core::Millis RateLimiter::Acquire(const std::string& route) {
    std::lock_guard lock(mu_);
    auto now = clock_.Now();
    if (now < global_until_) return global_until_ - now;
    if (now - window_start_ >= std::chrono::seconds(1)) {
        window_start_ = now;
        window_count_ = 0;
    }
    // Interaction responses and follow-ups are not bound by the global limit (Discord's rule).
    bool interaction = route.find(" /interactions/") != std::string::npos || route.find(" /webhooks/") != std::string::npos;
    if (!interaction && window_count_ >= global_per_second_) return window_start_ + std::chrono::seconds(1) - now;
    auto& bucket = BucketFor(route);
    if (bucket.known && now >= bucket.reset_at) {
        // The window has passed: until the next response says otherwise, one request may go.
        bucket.remaining = std::max(bucket.remaining, 1);
    }
    if (bucket.known && bucket.remaining <= 0 && now < bucket.reset_at) return bucket.reset_at - now;
    --bucket.remaining;
    if (!interaction) ++window_count_;
    return core::Millis(0);
}

void RateLimiter::Update(const std::string& route, const RateLimitHeaders& headers) {
    if (!headers.bucket) return;
    std::lock_guard lock(mu_);
    // Routes sharing a bucket hash share the limit only under the same major parameter.
    auto space = route.find(' ');
    std::string major;
    for (const char* kind : {"/channels/", "/guilds/", "/webhooks/"}) {
        auto at = route.find(kind, space);
        if (at != std::string::npos) {
            auto end = route.find('/', at + std::char_traits<char>::length(kind));
            major = route.substr(at, end == std::string::npos ? std::string::npos : end - at);
            break;
        }
    }
    auto key = *headers.bucket + major;
    auto& slot = route_bucket_[route];
    if (slot != key) {
        // First time this route reports its bucket: carry over what was counted under the route's name.
        slot = key;
    }
    auto& bucket = buckets_[key];
    auto now = clock_.Now();
    if (headers.remaining) bucket.remaining = *headers.remaining;
    if (headers.reset_after) bucket.reset_at = now + *headers.reset_after;
    bucket.known = headers.remaining.has_value() && headers.reset_after.has_value();
}

void RateLimiter::OnTooManyRequests(const std::string& route, const RateLimitHeaders& headers, core::Millis retry_after) {
    Update(route, headers);
    std::lock_guard lock(mu_);
    auto until = clock_.Now() + retry_after;
    if (headers.global || headers.scope == "global") {
        global_until_ = std::max(global_until_, until);
        return;
    }
    auto& bucket = BucketFor(route);
    bucket.known = true;
    bucket.remaining = 0;
    bucket.reset_at = std::max(bucket.reset_at, until);
}

}  // namespace maxis::discord
