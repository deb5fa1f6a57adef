#include "discord/rest_client.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "core/strings.hpp"

namespace maxis::discord {

namespace json = boost::json;

std::string ExplainDiscordCode(int code) {
    switch (code) {
        case 0:
            return "";
        case 10003:
            return "unknown channel: check the channel ids in the [discord] configuration";
        case 10004:
            return "unknown guild: check discord.guild_id and that the bot was invited to the server";
        case 10007:
            return "unknown member: the member left the server";
        case 10008:
            return "unknown message";
        case 10011:
            return "unknown role: check the role ids in the configuration";
        case 10013:
            return "unknown user";
        case 10062:
            return "unknown interaction: it was answered too late (over 3 seconds) or already answered elsewhere";
        case 40001:
            return "unauthorized: the bot token is wrong";
        case 40060:
            return "interaction already acknowledged";
        case 50001:
            return "missing access: the bot cannot see this channel; give its role View Channel there";
        case 50007:
            return "cannot send messages to this user: their DMs are closed to the server";
        case 50013:
            return "missing permissions: give the bot's role the permission (Manage Roles, Manage Channels, Send "
                   "Messages...) "
                   "and, for roles, move the bot's role above the roles it manages";
        case 50035:
            return "invalid form body: Discord refused the request's shape";
        default:
            return "Discord error " + std::to_string(code);
    }
}

std::string RestResponse::Describe() const {
    if (status == 0) return "no response from Discord: " + message;
    std::string out = "HTTP " + std::to_string(status);
    if (code != 0) out += ", " + std::to_string(code) + " " + ExplainDiscordCode(code);
    if (!message.empty()) out += " (" + message + ")";
    return out;
}

namespace {

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

CURL* ThreadHandle() {
    static CurlGlobal global;
    thread_local std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
    return handle.get();
}

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
    std::string_view line(data, size * n);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        auto name = core::AsciiLower(core::Trim(line.substr(0, colon)));
        (*static_cast<std::map<std::string, std::string>*>(user))[name] =
            std::string(core::Trim(line.substr(colon + 1)));
    }
    return size * n;
}

std::optional<double> ParseSeconds(const std::string& text) {
    try {
        std::size_t used = 0;
        double v = std::stod(text, &used);
        // A number of seconds Discord could mean: not negative, not NaN or infinite, not absurdly large.
        if (used != text.size() || !std::isfinite(v) || v < 0 || v > 24 * 3600) return std::nullopt;
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

core::Millis SecondsToMillis(double s) { return core::Millis(static_cast<long long>(s * 1000.0 + 0.999)); }

}  // namespace

struct RestClient::Raw {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
    std::string error;
};

RestClient::RestClient(RestOptions options, const core::Clock& clock)
    : options_(std::move(options)), clock_(clock), limiter_(clock, options_.global_per_second) {
    sleep_ = [](core::Millis d) { std::this_thread::sleep_for(d); };
}

RestClient::~RestClient() = default;

std::string MultipartBody(const json::value& payload, const std::vector<UploadFile>& files, std::string& content_type) {
    const std::string payload_json = json::serialize(payload);
    // A boundary that occurs in no part (RFC 2046): random, drawn again in the unlikely case it does.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string boundary;
    auto occurs = [&](const std::string& b) {
        if (payload_json.find(b) != std::string::npos) return true;
        for (const auto& f : files) {
            if (f.data.find(b) != std::string::npos) return true;
        }
        return false;
    };
    do {
        char buf[40];
        std::snprintf(buf, sizeof buf, "maxis-%016llx%08llx", static_cast<unsigned long long>(rng()),
                      static_cast<unsigned long long>(rng() & 0xffffffffULL));
        boundary = buf;
    } while (occurs(boundary));
    // A filename goes inside a quoted header value: no quote, backslash or line break.
    auto quoted = [](std::string_view name) {
        std::string out;
        for (char c : name) out += (c == '"' || c == '\\' || c == '\r' || c == '\n') ? '_' : c;
        return out;
    };
    std::string body;
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n";
    body += "Content-Type: application/json\r\n\r\n" + payload_json + "\r\n";
    for (std::size_t i = 0; i < files.size(); ++i) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"files[" + std::to_string(i) +
                "]\"; filename=\"" + quoted(files[i].filename) + "\"\r\n";
        body += "Content-Type: " + files[i].content_type + "\r\n\r\n";
        body += files[i].data;
        body += "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    content_type = "multipart/form-data; boundary=" + boundary;
    return body;
}

RestClient::Raw RestClient::Send(std::string_view method, const std::string& path, const std::string* body,
                                 std::string_view content_type, std::string_view audit_reason) {
    Raw raw;
    CURL* c = ThreadHandle();
    curl_easy_reset(c);
    std::string url = options_.base_url + path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &raw.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &raw.headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_slist* headers = nullptr;
    std::string auth = "Authorization: Bot " + options_.token;
    headers = curl_slist_append(headers, auth.c_str());
    if (body) {
        std::string type_header = "Content-Type: " + std::string(content_type);
        headers = curl_slist_append(headers, type_header.c_str());
        headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip before a large body
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    } else if (method == "POST" || method == "PUT" || method == "PATCH") {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    } else if (method == "GET") {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    std::string reason;
    if (!audit_reason.empty()) {
        // Discord wants the audit-log reason URL-encoded.
        char* escaped = curl_easy_escape(c, audit_reason.data(), static_cast<int>(audit_reason.size()));
        reason = std::string("X-Audit-Log-Reason: ") + (escaped ? escaped : "");
        curl_free(escaped);
        headers = curl_slist_append(headers, reason.c_str());
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    ++requests_;
    if (rc != CURLE_OK) {
        raw.error = curl_easy_strerror(rc);
        return raw;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    raw.status = static_cast<int>(status);
    return raw;
}

RestResponse RestClient::Request(std::string_view method, const std::string& path, const json::value* body,
                                 std::string_view audit_reason) {
    std::string serialized;
    if (body) serialized = json::serialize(*body);
    return Perform(method, path, body ? &serialized : nullptr, "application/json", audit_reason);
}

RestResponse RestClient::PostFiles(const std::string& path, const json::value& payload,
                                   const std::vector<UploadFile>& files) {
    std::string content_type;
    auto body = MultipartBody(payload, files, content_type);
    return Perform("POST", path, &body, content_type, {});
}

RestResponse RestClient::Perform(std::string_view method, const std::string& path, const std::string* body,
                                 std::string_view content_type, std::string_view audit_reason) {
    const std::string route = RouteKey(method, path);
    const std::string shown = LoggableRoute(route);  // interaction tokens are credentials: never logged
    thread_local std::mt19937 rng{std::random_device{}()};
    RestResponse out;
    // Webhook and interaction tokens are the interaction's own; every other route carries the bot token.
    const bool bot_token =
        route.find(" /webhooks/") == std::string::npos && route.find(" /interactions/") == std::string::npos;
    if (bot_token && token_refused_) {
        // Discord counts every 401 toward the limit that bans the address: nothing more until it is fixed.
        out.status = 401;
        out.code = 40001;
        out.message = "not sent: Discord refused the bot token earlier; fix MAXIS_DISCORD_TOKEN and reload Maxis";
        return out;
    }
    for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
        // Wait for the bucket; a wait longer than allowed goes back to the caller (e.g. to the outbox).
        Permit permit;
        for (;;) {
            permit = limiter_.Acquire(route);
            if (permit.wait.count() <= 0) break;
            if (permit.wait > options_.max_inline_wait) {
                out = RestResponse{};
                out.status = 429;
                out.retry_after = permit.wait;
                out.message = "rate limited for " + std::to_string(permit.wait.count()) + " ms";
                return out;
            }
            sleep_(permit.wait);
        }
        auto raw = Send(method, path, body, content_type, audit_reason);
        out = RestResponse{};
        out.status = raw.status;
        if (raw.status == 0) {
            limiter_.Complete(permit, route, RateLimitHeaders{}, 0);
            out.message = raw.error;
            spdlog::warn("discord: {} failed (attempt {}/{}): {}", shown, attempt, options_.max_attempts, raw.error);
            sleep_(options_.backoff_base * (1 << std::min(attempt - 1, 6)));
            continue;
        }
        boost::system::error_code ec;
        if (!raw.body.empty()) out.json = json::parse(raw.body, ec);
        if (ec) out.json = nullptr;
        if (out.json.is_object()) {
            const auto& o = out.json.as_object();
            if (auto* code = o.if_contains("code"); code && code->is_int64())
                out.code = static_cast<int>(code->as_int64());
            if (auto* m = o.if_contains("message"); m && m->is_string() && !out.ok())
                out.message = std::string(m->as_string());
        }
        RateLimitHeaders h;
        auto header = [&raw](const char* name) -> const std::string* {
            auto it = raw.headers.find(name);
            return it == raw.headers.end() ? nullptr : &it->second;
        };
        if (auto* v = header("x-ratelimit-bucket")) h.bucket = *v;
        if (auto* v = header("x-ratelimit-limit")) {
            if (auto n = ParseSeconds(*v)) h.limit = static_cast<int>(*n);
        }
        if (auto* v = header("x-ratelimit-remaining")) {
            if (auto n = ParseSeconds(*v)) h.remaining = static_cast<int>(*n);
        }
        if (auto* v = header("x-ratelimit-reset")) h.reset = ParseSeconds(*v);
        if (auto* v = header("x-ratelimit-reset-after")) {
            if (auto s = ParseSeconds(*v)) h.reset_after = SecondsToMillis(*s);
        }
        if (auto* v = header("x-ratelimit-global")) h.global = *v == "true";
        if (auto* v = header("x-ratelimit-scope")) h.scope = *v;
        if (raw.status == 429) {
            ++rate_limited_;
            double seconds = 1.0;
            if (out.json.is_object()) {
                const auto& o = out.json.as_object();
                if (auto* r = o.if_contains("retry_after"); r && (r->is_double() || r->is_int64()))
                    seconds = r->to_number<double>();
                if (auto* g = o.if_contains("global"); g && g->is_bool()) h.global = h.global || g->as_bool();
            } else if (auto* v = header("retry-after")) {
                seconds = ParseSeconds(*v).value_or(1.0);
            }
            auto retry = SecondsToMillis(seconds);
            out.retry_after = retry;
            limiter_.OnTooManyRequests(permit, route, h, retry);
            spdlog::warn("discord: 429 on {} ({}), retrying after {} ms", shown,
                         h.global ? "global" : h.scope.value_or("route"), retry.count());
            continue;  // the next Acquire waits (or hands the wait back to the caller)
        }
        limiter_.Complete(permit, route, h, raw.status);
        if (raw.status == 401 && bot_token && !token_refused_.exchange(true)) {
            spdlog::error(
                "discord: Discord refused the bot token (401 on {}): no request is sent until the token is fixed "
                "and Maxis reloaded",
                shown);
        }
        if (raw.status >= 500) {
            spdlog::warn("discord: {} answered {} (attempt {}/{})", shown, raw.status, attempt, options_.max_attempts);
            std::uniform_int_distribution<long long> jitter(0, options_.backoff_base.count());
            sleep_(options_.backoff_base * (1 << std::min(attempt - 1, 6)) + core::Millis(jitter(rng)));
            continue;
        }
        if (!out.ok()) {
            spdlog::warn("discord: {}: {}", shown, out.Describe());
        }
        return out;
    }
    if (out.message.empty()) out.message = "gave up after " + std::to_string(options_.max_attempts) + " attempts";
    return out;
}

}  // namespace maxis::discord
