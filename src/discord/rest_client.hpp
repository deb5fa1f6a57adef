#pragma once
#include <atomic>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "discord/rate_limiter.hpp"

namespace maxis::discord {

struct RestOptions {
    std::string base_url = "https://discord.com/api/v10";
    std::string token;  // the bot token; sent as "Authorization: Bot <token>", never logged
    std::string user_agent;
    int max_attempts = 5;                                    // per request, for 429s, 5xx and network errors
    core::Millis max_inline_wait{std::chrono::seconds(10)};  // a longer rate-limit wait goes back to the caller
    core::Millis timeout{std::chrono::seconds(15)};
    core::Millis backoff_base{std::chrono::milliseconds(250)};
    int global_per_second = 50;  // Discord's global limit; large bots may be granted more
};

struct RestResponse {
    int status = 0;           // 0: no response (network error)
    boost::json::value json;  // the parsed body, null when empty or not JSON
    int code = 0;             // Discord's JSON error code, 0 when none
    std::string message;      // Discord's error message, or the network error
    /// Set when the request was not sent because of a rate limit longer than max_inline_wait.
    std::optional<core::Millis> retry_after;

    [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }
    /// A log line that says what went wrong and what to do about it.
    [[nodiscard]] std::string Describe() const;
};

/// A file sent with a message (Discord's "Uploading Files"): its name, media type and bytes.
struct UploadFile {
    std::string filename;
    std::string content_type = "application/octet-stream";
    std::string data;
};

/// The multipart/form-data body of a request with files: `payload_json` (the JSON body), then one `files[n]` part
/// per file. Returns the body; `content_type` receives the header value with its boundary (absent from every part).
std::string MultipartBody(const boost::json::value& payload, const std::vector<UploadFile>& files,
                          std::string& content_type);

/// What a Discord error code means for an operator ("50013 missing permissions: ...").
std::string ExplainDiscordCode(int code);

/// Discord's REST API over libcurl: the bot token, a User-Agent, JSON bodies, per-bucket and global rate
/// limits learned from the X-RateLimit-* headers, 429s retried after retry_after, 5xx and network
/// errors retried with backoff. Thread-safe; one keep-alive connection per calling thread.
class RestClient {
public:
    RestClient(RestOptions options, const core::Clock& clock);
    ~RestClient();

    RestResponse Request(std::string_view method, const std::string& path, const boost::json::value* body = nullptr,
                         std::string_view audit_reason = {});
    RestResponse Get(const std::string& path) { return Request("GET", path); }
    RestResponse Post(const std::string& path, const boost::json::value& body) { return Request("POST", path, &body); }
    RestResponse Patch(const std::string& path, const boost::json::value& body) {
        return Request("PATCH", path, &body);
    }
    RestResponse Put(const std::string& path, const boost::json::value& body) { return Request("PUT", path, &body); }
    RestResponse Delete(const std::string& path) { return Request("DELETE", path); }
    /// POST with files (Create Message with attachments): payload is the JSON body, sent as `payload_json` beside
    /// the files, in multipart/form-data; its `attachments` should name each file by index.
    RestResponse PostFiles(const std::string& path, const boost::json::value& payload,
                           const std::vector<UploadFile>& files);

    /// Counts for the metrics: requests sent, 429s received.
    [[nodiscard]] long long requests() const { return requests_; }
    [[nodiscard]] long long rate_limited() const { return rate_limited_; }
    /// After a 401 on a bot route, requests fail here without being sent (Discord counts every 401 toward
    /// the invalid-request limit) until the token is trusted again, after a reload.
    [[nodiscard]] bool token_refused() const { return token_refused_; }
    void TrustTokenAgain() { token_refused_ = false; }
    /// Replaces how the client waits (tests use a fake clock).
    void SetSleeper(std::function<void(core::Millis)> sleeper) { sleep_ = std::move(sleeper); }

private:
    struct Raw;
    Raw Send(std::string_view method, const std::string& path, const std::string* body, std::string_view content_type,
             std::string_view audit_reason);
    /// Request with a body already encoded (nullptr: none), sent with that Content-Type.
    RestResponse Perform(std::string_view method, const std::string& path, const std::string* body,
                         std::string_view content_type, std::string_view audit_reason);

    RestOptions options_;
    const core::Clock& clock_;
    RateLimiter limiter_;
    std::function<void(core::Millis)> sleep_;
    std::atomic<long long> requests_{0};
    std::atomic<long long> rate_limited_{0};
    std::atomic<bool> token_refused_{false};
};

}  // namespace maxis::discord
