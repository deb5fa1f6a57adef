#include "discord/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

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
                     previous == "interactions" ||
                     (i >= 2 && parts[i - 2] == "interactions");  // each interaction apart
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

namespace {

constexpr core::Millis kDiscoveryPoll{20};  // waiting for an answer to tell more: how often to look again
constexpr core::Millis kGlobalSpan{1000};

/// The major parameter of a route ("/channels/1", "/guilds/5", "/webhooks/7/token"), empty when none:
/// routes that share a bucket hash share the count only under the same one.
std::string MajorParameter(const std::string& route) {
    auto space = route.find(' ');
    for (std::string_view kind : {"/channels/", "/guilds/", "/webhooks/", "/interactions/"}) {
        auto at = route.find(kind, space);
        if (at != std::string::npos) {
            auto end = route.find('/', at + kind.size());
            if (kind == "/webhooks/" || kind == "/interactions/") {  // the id and its token
                if (end != std::string::npos) end = route.find('/', end + 1);
            }
            return route.substr(at, end == std::string::npos ? std::string::npos : end - at);
        }
    }
    return {};
}

bool ExemptFromGlobal(const std::string& route) {
    // Interaction responses and follow-ups are not bound by the global limit (Discord's rule).
    return route.find(" /interactions/") != std::string::npos || route.find(" /webhooks/") != std::string::npos;
}

}  // namespace

RateLimiter::RateLimiter(const core::Clock& clock, int global_per_second)
    : clock_(clock), global_per_second_(global_per_second) {}

std::string RateLimiter::KeyFor(const std::string& route) const {
    auto it = route_bucket_.find(route);
    return it == route_bucket_.end() ? "route:" + route : it->second;
}

Permit RateLimiter::Acquire(const std::string& route) {
    std::lock_guard lock(mu_);
    auto now = clock_.Now();
    if (now < global_until_) return {global_until_ - now, {}};
    const bool exempt = ExemptFromGlobal(route);
    if (!exempt) {
        while (!global_answered_.empty() && now - global_answered_.front() >= kGlobalSpan) global_answered_.pop_front();
        if (global_in_flight_ + static_cast<int>(global_answered_.size()) >= global_per_second_) {
            if (global_answered_.empty()) return {kDiscoveryPoll, {}};
            return {std::chrono::duration_cast<core::Millis>(global_answered_.front() + kGlobalSpan - now), {}};
        }
    }
    auto key = KeyFor(route);
    auto& b = buckets_[key];
    if (!b.known) {
        // Not answered yet: one request finds out the bucket while the others wait for its answer.
        if (b.in_flight > 0) return {kDiscoveryPoll, key};
    } else if (!b.unlimited) {
        if (b.window_known && now >= b.reset_at) {
            // A new window: `limit` may go, less what is still in flight (it may land in this window).
            b.window_known = false;
            b.remaining = b.limit - b.in_flight;
        }
        if (b.remaining <= 0) {
            if (b.window_known) return {std::chrono::duration_cast<core::Millis>(b.reset_at - now), key};
            if (b.in_flight > 0) return {kDiscoveryPoll, key};  // the next answer tells when this window ends
            // Every request of this window went unanswered (network errors, 5xx): assume a second.
            b.window_known = true;
            b.reset_at = now + kGlobalSpan;
            return {kGlobalSpan, key};
        }
        --b.remaining;
    }
    ++b.in_flight;
    if (!exempt) ++global_in_flight_;
    return {core::Millis(0), key, !exempt};
}

void RateLimiter::Complete(const Permit& permit, const std::string& route, const RateLimitHeaders& headers,
                           int status) {
    std::lock_guard lock(mu_);
    if (auto it = buckets_.find(permit.bucket); it != buckets_.end())
        it->second.in_flight = std::max(0, it->second.in_flight - 1);
    auto now = clock_.Now();
    if (permit.global) {
        global_in_flight_ = std::max(0, global_in_flight_ - 1);
        global_answered_.push_back(now);
    }
    if (!headers.bucket) {
        // A success without any rate-limit header: the route has no per-route limit.
        if (status >= 200 && status < 300 && !headers.remaining && !route_bucket_.contains(route)) {
            auto& b = buckets_["route:" + route];
            b.known = b.unlimited = true;
        }
        return;
    }
    auto key = *headers.bucket + MajorParameter(route);
    route_bucket_[route] = key;
    auto& b = buckets_[key];
    if (!headers.remaining || !headers.reset_after) return;
    b.known = true;
    b.unlimited = false;
    b.limit = headers.limit.value_or(std::max(b.limit, *headers.remaining + 1));
    // The window is recognised by its end: Discord's X-RateLimit-Reset, or else the end as seen from here
    // (which the round trip blurs, hence the wider tolerance).
    double window =
        headers.reset.value_or(static_cast<double>(core::ToEpochMillis(now + *headers.reset_after)) / 1000.0);
    double tolerance = headers.reset ? 0.002 : 0.1;
    if (b.window == 0 || window > b.window + tolerance) {
        // A later window than the one counted here. Requests still in flight may land in it too.
        int remaining = *headers.remaining;
        if (b.window != 0 && b.window_known) {
            remaining = std::max(0, remaining - b.in_flight);
        } else if (b.window != 0) {
            remaining = std::min(remaining, b.remaining);  // counted here since the window began
        }
        b.remaining = remaining;
        b.window = window;
        b.reset_at = now + *headers.reset_after;
        b.window_known = true;
    } else if (b.window_known && std::abs(window - b.window) <= tolerance) {
        // The same window: an answer to a request sent earlier never gives back what was counted since.
        b.remaining = std::min(b.remaining, *headers.remaining);
    }
    // Otherwise an answer from a window that is over: nothing to learn.
}

void RateLimiter::OnTooManyRequests(const Permit& permit, const std::string& route, const RateLimitHeaders& headers,
                                    core::Millis retry_after) {
    Complete(permit, route, headers, 429);
    std::lock_guard lock(mu_);
    auto until = clock_.Now() + retry_after;
    if (headers.global || headers.scope == "global") {
        global_until_ = std::max(global_until_, until);
        return;
    }
    auto& b = buckets_[KeyFor(route)];
    b.known = true;
    b.unlimited = false;
    b.remaining = 0;
    b.window_known = true;
    b.reset_at = std::max(b.reset_at, until);
}

}  // namespace maxis::discord
