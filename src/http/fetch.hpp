#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace maxis::http {

/// One outgoing HTTP request over libcurl (the panel's OAuth2 calls, Stripe). Discord's REST client keeps
/// its own pooled handles and rate-limit headers.
struct FetchRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;   // "Name: value"
    const std::string* body = nullptr;  // sent as a POST body when set
    std::chrono::milliseconds timeout{10'000};
};

struct FetchResult {
    bool reached = false;  // false: no HTTP answer at all (see error)
    std::string error;     // libcurl's reason when not reached
    long status = 0;
    std::string body;
};

FetchResult Fetch(const FetchRequest& request);

/// Percent-encodes everything but RFC 3986's unreserved characters (query strings, form bodies).
std::string UrlEscape(std::string_view text);

}  // namespace maxis::http
