#pragma once
#include <atomic>
#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace maxis::discord {

/// Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
namespace intents {
constexpr int kGuilds = 1 << 0;
constexpr int kGuildMembers = 1 << 1;  // privileged
constexpr int kGuildInvites = 1 << 6;  // INVITE_CREATE, INVITE_DELETE (invite tracking)
constexpr int kGuildMessages = 1 << 9;
constexpr int kDirectMessages = 1 << 12;
constexpr int kMessageContent = 1 << 15;  // privileged
constexpr int kMaxis = kGuilds | kGuildMembers | kGuildInvites | kGuildMessages | kDirectMessages | kMessageContent;
}  // namespace intents

/// What a close code from Discord means for the connection.
struct CloseCodeAdvice {
    bool fatal = false;       // do not reconnect: an operator must fix something
    bool resumable = true;    // when not fatal: RESUME (true) or IDENTIFY anew (false)
    std::string explanation;  // for fatal codes: what to fix
    std::string reason;       // for fatal codes: a short name from a closed set, for /readyz and /metrics
};
CloseCodeAdvice AdviseOnClose(int code);

struct GatewayOptions {
    std::string url;  // from GET /gateway/bot, e.g. wss://gateway.discord.gg (ws:// accepted)
    std::string token;
    int intents = intents::kMaxis;
    core::Millis backoff_base{std::chrono::seconds(1)};
    core::Millis backoff_max{std::chrono::seconds(60)};
    core::Millis connect_timeout{std::chrono::seconds(10)};
};

struct GatewayStats {
    long long connections = 0;
    long long resumes = 0;
    long long identifies = 0;
    long long zombies = 0;
    long long events = 0;
};

/// A Discord gateway (v10, JSON) connection that stays up: HELLO, IDENTIFY or RESUME, heartbeats (the
/// first one jittered), zombie detection when an ACK does not come (close with 4000, reconnect,
/// RESUME on resume_gateway_url), op 7, op 9 with its resumable flag, fatal close codes reported once
/// with what to fix, reconnects with exponential backoff and jitter. Runs on a thread of its own;
/// events are handed to the handler on that thread, in order, so the handler must not block.
class GatewayClient {
public:
    using EventHandler = std::function<void(const std::string& type, const boost::json::object& data)>;
    using FatalHandler = std::function<void(int code, const std::string& explanation)>;

    GatewayClient(GatewayOptions options, EventHandler on_event, FatalHandler on_fatal);
    ~GatewayClient();
    void Start();
    /// Closes with 1000 and joins the thread.
    void Stop();
    /// Sends a command (op 8, Request Guild Members, for one) on the live connection: dropped when there is
    /// none. Thread-safe; returns at once.
    void Send(const boost::json::object& command);
    [[nodiscard]] bool ready() const { return ready_; }
    [[nodiscard]] GatewayStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::atomic<bool> ready_{false};
};

/// scheme://host[:port][/path][?query], for ws, wss, http and https.
struct Url {
    std::string scheme;
    std::string host;
    std::string port;
    std::string target;  // path and query, at least "/"
};
std::optional<Url> ParseUrl(const std::string& text);

}  // namespace maxis::discord
