#include "app/config.hpp"

#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "core/duration.hpp"
#include "core/errors.hpp"
#include "core/money.hpp"
#include "core/strings.hpp"
#include "core/time_zone.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "storage/database.hpp"

namespace maxis::app {

using core::Error;
using core::ErrorCode;

namespace {

[[noreturn]] void Fail(const std::string& where, const std::string& key, const std::string& reason) {
    throw Error(ErrorCode::kInvalidArgument, "configuration error: " + where + ": " + key + ": " + reason);
}

std::string Where(const std::string& source, const toml::node* node) {
    if (node == nullptr || !node->source().begin) return source;
    return source + ":" + std::to_string(node->source().begin.line);
}

/// Reads one table of the file, remembering which keys it read so that Finish() can reject the rest, and
/// naming each value key it reads in *known when given (ConfigKeys()).
class Section {
public:
    Section(const toml::table* table, std::string prefix, std::string source, std::vector<std::string>* known = nullptr)
        : table_(table), prefix_(std::move(prefix)), source_(std::move(source)), known_(known) {}

    Section Sub(const std::string& key) {
        read_.insert(key);
        const toml::node* node = table_ != nullptr ? table_->get(key) : nullptr;
        if (node != nullptr && !node->is_table()) Fail(Where(source_, node), Name(key), "must be a table");
        return Section(node != nullptr ? node->as_table() : nullptr, Name(key), source_, known_);
    }

    void String(const std::string& key, std::string& out) {
        if (auto* node = Get(key)) {
            if (!node->is_string()) Fail(Where(source_, node), Name(key), "must be a string");
            out = node->as_string()->get();
        }
    }
    void Bool(const std::string& key, bool& out) {
        if (auto* node = Get(key)) {
            if (!node->is_boolean()) Fail(Where(source_, node), Name(key), "must be true or false");
            out = node->as_boolean()->get();
        }
    }
    template <class Int>
    void Integer(const std::string& key, Int& out, long long min, long long max) {
        if (auto* node = Get(key)) {
            if (!node->is_integer()) Fail(Where(source_, node), Name(key), "must be a whole number");
            long long v = node->as_integer()->get();
            if (v < min || v > max) {
                Fail(Where(source_, node), Name(key),
                     "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " +
                         std::to_string(v) + ")");
            }
            out = static_cast<Int>(v);
        }
    }
    void Duration(const std::string& key, std::chrono::milliseconds& out) {
        if (auto* node = Get(key)) {
            if (!node->is_string()) Fail(Where(source_, node), Name(key), "must be a duration string such as \"30s\"");
            auto d = core::ParseDuration(node->as_string()->get());
            if (!d) {
                Fail(Where(source_, node), Name(key),
                     "'" + node->as_string()->get() + "' is not a duration (use forms like 30s, 5m, 2h, 7d)");
            }
            out = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
        }
    }
    void StringList(const std::string& key, std::vector<std::string>& out) {
        if (auto* node = Get(key)) {
            const auto* array = node->as_array();
            if (array == nullptr) Fail(Where(source_, node), Name(key), "must be a list of strings, e.g. [\"123\"]");
            out.clear();
            for (const auto& e : *array) {
                if (!e.is_string()) Fail(Where(source_, &e), Name(key), "must be a list of strings, e.g. [\"123\"]");
                out.push_back(e.as_string()->get());
            }
        }
    }
    void IntegerList(const std::string& key, std::vector<long long>& out, long long min, long long max) {
        if (auto* node = Get(key)) {
            const auto* array = node->as_array();
            const std::string form = "must be a list of whole numbers from " + std::to_string(min) + " to " +
                                     std::to_string(max) + ", e.g. [50, 100]";
            if (array == nullptr) Fail(Where(source_, node), Name(key), form);
            out.clear();
            for (const auto& e : *array) {
                if (!e.is_integer() || e.as_integer()->get() < min || e.as_integer()->get() > max) {
                    Fail(Where(source_, &e), Name(key), form);
                }
                out.push_back(e.as_integer()->get());
            }
        }
    }
    /// Rejects keys this section did not read.
    void Finish() {
        if (table_ == nullptr) return;
        for (const auto& [key, node] : *table_) {
            if (!read_.contains(std::string(key.str()))) {
                Fail(Where(source_, &node), Name(std::string(key.str())), "unknown key");
            }
        }
    }
    [[nodiscard]] std::string Name(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }
    [[nodiscard]] const toml::node* Node(const std::string& key) const {
        return table_ != nullptr ? table_->get(key) : nullptr;
    }
    [[nodiscard]] const std::string& source() const { return source_; }

private:
    const toml::node* Get(const std::string& key) {
        if (read_.insert(key).second && known_ != nullptr) known_->push_back(Name(key));
        return table_ != nullptr ? table_->get(key) : nullptr;
    }
    const toml::table* table_;
    std::string prefix_;
    std::string source_;
    std::set<std::string> read_;
    std::vector<std::string>* known_;
};

void Check(bool ok, Section& s, const std::string& key, const std::string& reason) {
    if (!ok) Fail(Where(s.source(), s.Node(key)), s.Name(key), reason);
}

/// Empty (not set) or a Discord id: up to 20 digits.
bool DiscordIdOrEmpty(const std::string& v) {
    return v.size() <= 20 && v.find_first_not_of("0123456789") == std::string::npos;
}

/// A job's schedule ("every 5m", "daily 04:00"); reason names the forms that fit this job.
void Schedule(Section& s, const std::string& key, std::string& out, const std::string& reason) {
    s.String(key, out);
    Check(scheduling::Recurrence::Parse(out).has_value(), s, key, reason);
}

/// An amount of money in the community's currency as text ("50", "50,00"), into minor units.
void MoneyText(Section& s, const std::string& key, long long& out) {
    std::string text;
    s.String(key, text);
    if (text.empty() && s.Node(key) == nullptr) return;
    auto minor = core::ParseMinorUnits(text);
    Check(minor.has_value(), s, key, "must be an amount such as \"50\" or \"49,99\"");
    out = *minor;
}

void ReadMarketing(Section s, MarketingConfig& m) {
    s.Bool("enabled", m.enabled);
    s.Integer("validate_after_days", m.validate_after_days, 0, 365);
    s.Integer("min_account_age_days", m.min_account_age_days, 0, 3650);
    s.Integer("attribution_window_days", m.attribution_window_days, 1, 3650);
    s.Integer("refund_window_days", m.refund_window_days, 0, 365);
    s.StringList("help_channels", m.help_channels);
    for (const auto& v : m.help_channels) {
        Check(!v.empty() && DiscordIdOrEmpty(v), s, "help_channels", "must be Discord channel ids (digits only)");
    }
    s.Integer("help_min_length", m.help_min_length, 0, 4000);
    s.Integer("help_cooldown_seconds", m.help_cooldown_seconds, 0, 24 * 3600);
    s.Integer("referral_discount_percent", m.referral_discount_percent, 0, 100);
    s.String("invite_channel", m.invite_channel);
    Check(DiscordIdOrEmpty(m.invite_channel), s, "invite_channel", "must be empty or a Discord id (digits only)");
    s.Integer("invite_coins", m.invite_coins, 0, 1'000'000);
    Schedule(s, "sweep_schedule", m.sweep_schedule, "must be a schedule such as \"every 10m\"");
    s.Integer("leaderboard_size", m.leaderboard_size, 1, 25);
    auto roles = s.Sub("roles");
    for (auto& role : m.roles) {
        auto r = roles.Sub(std::string(marketing::ToString(role.kind)));
        r.Bool("enabled", role.enabled);
        r.String("discord_role", role.discord_role);
        Check(DiscordIdOrEmpty(role.discord_role), r, "discord_role",
              "must be empty or a Discord role id (digits only)");
        // Each role reads what its reward and its measured condition use.
        switch (role.reward) {
            case marketing::RewardKind::kCommission:
                r.Integer("commission_percent", role.commission_percent, 1, 100);
                break;
            case marketing::RewardKind::kMonthly:
            case marketing::RewardKind::kPerPiece:
            case marketing::RewardKind::kPerEvent:
                MoneyText(r, "min", role.min_minor);
                MoneyText(r, "max", role.max_minor);
                Check(role.min_minor > 0 && role.min_minor <= role.max_minor, r, "max",
                      "must be at least min, and min more than 0");
                break;
            case marketing::RewardKind::kFreePlan:
                r.String("plan", role.plan);
                Check(role.plan == "pro" || role.plan == "ultra", r, "plan", "must be \"pro\" or \"ultra\"");
                break;
        }
        if (role.required_invites > 0) r.Integer("required_invites", role.required_invites, 1, 100'000);
        if (role.required_followers > 0) r.Integer("required_followers", role.required_followers, 1, 100'000'000);
        if (role.required_help_messages > 0) {
            r.Integer("required_help_messages", role.required_help_messages, 1, 100'000);
        }
        if (role.required_events > 0) r.Integer("required_events", role.required_events, 1, 1000);
        r.Finish();
    }
    roles.Finish();
    s.Finish();
}

Config FromTable(const toml::table* root, const std::string& source, const Environment& env,
                 std::vector<std::string>* known = nullptr) {
    Config c;
    c.source = source;
    Section top(root, "", source, known);

    {
        auto s = top.Sub("server");
        std::string listen = c.server.host + ":" + std::to_string(c.server.port);
        s.String("listen", listen);
        auto parsed = ParseListen(listen);
        Check(parsed.has_value(), s, "listen", "must be HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:8080");
        std::tie(c.server.host, c.server.port) = *parsed;
        s.Integer("io_threads", c.server.io_threads, 1, 64);
        s.Integer("worker_threads", c.server.worker_threads, 1, 256);
        s.Integer("body_limit_bytes", c.server.body_limit_bytes, 1024, 64LL << 20);
        s.Duration("read_timeout", c.server.read_timeout);
        s.Duration("idle_timeout", c.server.idle_timeout);
        s.Duration("write_timeout", c.server.write_timeout);
        s.Duration("shutdown_grace", c.server.shutdown_grace);
        s.Bool("access_log", c.server.access_log);
        s.Finish();
    }
    {
        auto s = top.Sub("database");
        s.String("url", c.database.url);
        try {
            storage::DialectOf(c.database.url);
        } catch (const Error& e) {
            Check(false, s, "url", e.what());
        }
        Check(c.database.url.find('@') == std::string::npos ||
                  c.database.url.find(':', c.database.url.find("://") + 3) > c.database.url.find('@'),
              s, "url", "must not contain a password: put the whole URL in MAXIS_DATABASE_URL instead");
        s.Integer("pool_size", c.database.pool_size, 1, 100);
        s.Duration("busy_timeout", c.database.busy_timeout);
        s.Bool("migrate_on_start", c.database.migrate_on_start);
        s.Finish();
    }
    {
        auto s = top.Sub("community");
        s.String("name", c.community.name);
        Check(!core::Trim(c.community.name).empty() && c.community.name.size() <= 100, s, "name",
              "must be 1 to 100 characters");
        s.String("locale", c.community.locale);
        Check(c.community.locale == "fr" || c.community.locale == "en", s, "locale", "must be \"fr\" or \"en\"");
        s.String("time_zone", c.community.time_zone);
        try {
            core::TimeZone::Load(c.community.time_zone);
        } catch (const Error& e) {
            Check(false, s, "time_zone", std::string(e.what()) + " (use an IANA name such as Europe/Paris)");
        }
        s.String("command_prefix", c.community.command_prefix);
        Check(!c.community.command_prefix.empty() && c.community.command_prefix.size() <= 3 &&
                  c.community.command_prefix.find_first_of(" \t\r\n") == std::string::npos,
              s, "command_prefix", "must be 1 to 3 characters without spaces");
        s.Finish();
    }
    {
        auto s = top.Sub("log");
        s.String("level", c.log.level);
        static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
        Check(kLevels.contains(c.log.level), s, "level",
              "must be one of trace, debug, info, warn, error, critical, off");
        s.String("format", c.log.format);
        Check(c.log.format == "text" || c.log.format == "json", s, "format", "must be \"text\" or \"json\"");
        s.Finish();
    }
    {
        auto s = top.Sub("scheduler");
        s.Duration("tick", c.scheduler.tick);
        s.Duration("job_lease", c.scheduler.job_lease);
        s.Integer("batch", c.scheduler.batch, 1, 1000);
        s.Duration("backoff_base", c.scheduler.backoff_base);
        s.Duration("backoff_max", c.scheduler.backoff_max);
        Schedule(s, "purge_schedule", c.scheduler.purge_schedule,
                 "must look like \"daily 04:00\", \"weekly mon 09:00\" or \"every 6h\"");
        s.Duration("keep_finished", c.scheduler.keep_finished);
        s.Finish();
    }
    {
        auto s = top.Sub("outbox");
        s.Duration("tick", c.outbox.tick);
        s.Duration("lease", c.outbox.lease);
        s.Integer("batch", c.outbox.batch, 1, 1000);
        s.Integer("max_attempts", c.outbox.max_attempts, 1, 100);
        s.Duration("backoff_base", c.outbox.backoff_base);
        s.Duration("backoff_max", c.outbox.backoff_max);
        s.Finish();
    }
    {
        auto s = top.Sub("tickets");
        auto& t = c.tickets;
        s.Integer("max_open_per_member", t.max_open_per_member, 1, 100);
        s.Integer("max_created_per_hour", t.max_created_per_hour, 1, 1000);
        s.Integer("max_subject_length", t.max_subject_length, 10, 200);
        s.Integer("max_message_length", t.max_message_length, 100, 4000);
        s.Duration("reopen_window", t.reopen_window);
        s.Duration("auto_close_warning", t.auto_close_warning);
        s.Duration("auto_close_after", t.auto_close_after);
        static const char* kPriorities[] = {"critical", "high", "medium", "low"};
        for (int i = 0; i < 4; ++i) {
            s.Duration(std::string("first_response_") + kPriorities[i], t.first_response[i]);
            s.Duration(std::string("resolution_") + kPriorities[i], t.resolution[i]);
        }
        Schedule(s, "sweep_schedule", t.sweep_schedule, "must look like \"every 1m\"");
        s.Finish();
    }
    {
        auto s = top.Sub("discord");
        auto& d = c.discord;
        auto snowflake = [&s](const std::string& key, const std::string& v) {
            Check(DiscordIdOrEmpty(v), s, key,
                  "must be a Discord id (digits only; enable Developer Mode in Discord, then right-click > Copy ID)");
        };
        s.String("api_base_url", d.api_base_url);
        Check(d.api_base_url.starts_with("https://") || d.api_base_url.starts_with("http://"), s, "api_base_url",
              "must be an http(s) URL");
        while (!d.api_base_url.empty() && d.api_base_url.back() == '/') d.api_base_url.pop_back();
        for (auto [key, field] : {std::pair<const char*, std::string*>{"application_id", &d.application_id},
                                  {"guild_id", &d.guild_id},
                                  {"staff_channel_id", &d.staff_channel_id},
                                  {"fallback_channel_id", &d.fallback_channel_id}}) {
            s.String(key, *field);
            snowflake(key, *field);
        }
        s.String("public_key", d.public_key);
        Check(d.public_key.empty() || (d.public_key.size() == 64 &&
                                       d.public_key.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos),
              s, "public_key",
              "must be the 64 hex characters of the application's public key (Developer Portal > General Information)");
        for (auto [key, list] : {std::pair<const char*, std::vector<std::string>*>{"staff_role_ids", &d.staff_role_ids},
                                 {"admin_role_ids", &d.admin_role_ids},
                                 {"operator_user_ids", &d.operator_user_ids}}) {
            s.StringList(key, *list);
            for (const auto& v : *list) snowflake(key, v);
        }
        s.Bool("gateway", d.gateway);
        s.Bool("register_commands", d.register_commands);
        long long defer_ms = d.defer_after.count();
        s.Integer("defer_after_ms", defer_ms, 100, 2'500);  // Discord allows 3 seconds for the first answer
        d.defer_after = std::chrono::milliseconds(defer_ms);
        s.Integer("handler_threads", d.handler_threads, 1, 64);
        s.Integer("global_rate_limit", d.global_rate_limit, 1, 100'000);
        s.Duration("backfill_window", d.backfill_window);
        Check(d.backfill_window <= std::chrono::hours(24), s, "backfill_window", "must be at most 24h");
        s.Integer("backfill_max_messages", d.backfill_max_messages, 1, 1'000);
        s.Integer("backfill_max_channels", d.backfill_max_channels, 1, 500);
        s.Finish();
    }
    {
        auto s = top.Sub("panel");
        auto& p = c.panel;
        s.Bool("enabled", p.enabled);
        s.String("public_url", p.public_url);
        while (!p.public_url.empty() && p.public_url.back() == '/') p.public_url.pop_back();
        Check(p.public_url.empty() || ((p.public_url.starts_with("https://") || p.public_url.starts_with("http://")) &&
                                       p.public_url.find('/', 8) == std::string::npos),
              s, "public_url", "must be an origin such as \"https://admin.example.org\" (scheme and host, no path)");
        s.Bool("insecure_http", p.insecure_http);
        bool loopback = c.server.host == "127.0.0.1" || c.server.host == "::1" || c.server.host == "localhost";
        Check(!p.insecure_http || loopback, s, "insecure_http",
              "is only allowed when server.listen is a loopback address; serve the panel over HTTPS (a TLS reverse "
              "proxy)");
        s.Bool("require_2fa", p.require_2fa);
        s.Duration("idle_timeout", p.idle_timeout);
        s.Duration("absolute_timeout", p.absolute_timeout);
        Check(p.idle_timeout >= std::chrono::minutes(1) && p.idle_timeout <= p.absolute_timeout, s, "idle_timeout",
              "must be at least 1m and at most absolute_timeout");
        Check(p.absolute_timeout <= std::chrono::hours(24 * 7), s, "absolute_timeout", "must be 7d at most");
        s.Integer("api_requests_per_minute", p.api_requests_per_minute, 10, 1'000'000);
        for (auto [key, list] : {std::pair<const char*, std::vector<std::string>*>{"staff_user_ids", &p.staff_user_ids},
                                 {"admin_user_ids", &p.admin_user_ids}}) {
            s.StringList(key, *list);
            for (const auto& v : *list) {
                Check(!v.empty() && DiscordIdOrEmpty(v), s, key, "must be Discord user ids (digits only)");
            }
        }
        s.String("oauth_client_id", p.oauth_client_id);
        for (auto [key, field] : {std::pair<const char*, std::string*>{"oauth_authorize_url", &p.oauth_authorize_url},
                                  {"oauth_token_url", &p.oauth_token_url},
                                  {"oauth_api_base_url", &p.oauth_api_base_url}}) {
            s.String(key, *field);
            Check(field->starts_with("https://") || field->starts_with("http://"), s, key, "must be an http(s) URL");
            while (!field->empty() && field->back() == '/') field->pop_back();
        }
        s.Finish();
    }
    {
        auto s = top.Sub("stripe");
        auto& st = c.stripe;
        s.String("api_base", st.api_base);
        Check(st.api_base.starts_with("https://") || st.api_base.starts_with("http://"), s, "api_base",
              "must be an http(s) URL");
        while (!st.api_base.empty() && st.api_base.back() == '/') st.api_base.pop_back();
        s.String("api_version", st.api_version);
        Check(st.api_version.size() >= 10 && st.api_version.size() <= 40, s, "api_version",
              "must be a Stripe API version such as 2024-06-20");
        for (auto [key, field] :
             {std::pair<const char*, std::string*>{"success_url", &st.success_url}, {"cancel_url", &st.cancel_url}}) {
            s.String(key, *field);
            Check(field->empty() || field->starts_with("https://") || field->starts_with("http://"), s, key,
                  "must be empty or an http(s) URL");
        }
        s.Integer("webhook_tolerance_seconds", st.webhook_tolerance_seconds, 30, 900);
        s.Integer("max_attempts", st.max_attempts, 1, 8);
        s.Finish();
    }
    {
        auto s = top.Sub("shop");
        auto& sh = c.shop;
        s.Duration("reservation", sh.reservation);
        Check(sh.reservation >= std::chrono::minutes(30) && sh.reservation <= std::chrono::hours(24), s, "reservation",
              "must be from 30m to 24h (Stripe Checkout's own limits for a session's expiry)");
        s.Duration("release_grace", sh.release_grace);
        Check(sh.release_grace <= std::chrono::hours(24), s, "release_grace", "must be 24h at most");
        s.Integer("max_pending_orders", sh.max_pending_orders, 1, 20);
        s.Bool("restock_on_refund", sh.restock_on_refund);
        s.Integer("page_size", sh.page_size, 1, 10);
        Schedule(s, "sweep_schedule", sh.sweep_schedule, "must be a schedule such as \"every 5m\"");
        s.Finish();
    }
    {
        auto s = top.Sub("plans");
        auto& pl = c.plans;
        s.String("currency", pl.currency);
        Check(pl.currency.size() == 3, s, "currency", "must be an ISO code such as EUR");
        s.Duration("grace_period", pl.grace_period);
        Check(pl.grace_period <= std::chrono::hours(24 * 30), s, "grace_period", "must be 30d at most");
        Schedule(s, "reconcile_schedule", pl.reconcile_schedule, "must be a schedule such as \"every 10m\"");
        Schedule(s, "sweep_schedule", pl.sweep_schedule, "must be a schedule such as \"every 10m\"");
        for (auto [key, field] :
             {std::pair<const char*, std::string*>{"private_channel_category_id", &pl.private_channel_category_id},
              {"archive_category_id", &pl.archive_category_id},
              {"announce_channel_id", &pl.announce_channel_id}}) {
            s.String(key, *field);
            Check(DiscordIdOrEmpty(*field), s, key, "must be empty or a Discord id (digits only)");
        }
        for (auto [key, field] : {std::pair<const char*, std::string*>{"success_url", &pl.success_url},
                                  {"cancel_url", &pl.cancel_url},
                                  {"portal_return_url", &pl.portal_return_url}}) {
            s.String(key, *field);
            Check(field->empty() || field->starts_with("https://") || field->starts_with("http://"), s, key,
                  "must be empty or an http(s) URL");
        }
        s.String("founder_entitlements", pl.founder_entitlements);
        Check(pl.founder_entitlements.empty() || pl.founder_entitlements == "free" ||
                  pl.founder_entitlements == "pro" || pl.founder_entitlements == "ultra",
              s, "founder_entitlements", "must be \"free\", \"pro\" or \"ultra\"");
        for (auto [name, plan] : {std::pair<const char*, PlanConfig*>{"free", &pl.free},
                                  {"pro", &pl.pro},
                                  {"ultra", &pl.ultra},
                                  {"founder", &pl.founder}}) {
            auto p = s.Sub(name);
            bool is_free = std::string_view(name) == "free", is_founder = std::string_view(name) == "founder";
            if (!is_free) {
                p.String("price_id", plan->price_id);
                Check(plan->price_id.empty() || plan->price_id.starts_with("price_"), p, "price_id",
                      "must be a Stripe price id (price_...) or empty");
                p.String("role_id", plan->role_id);
                Check(DiscordIdOrEmpty(plan->role_id), p, "role_id",
                      "must be empty or a Discord role id (digits only)");
                p.Integer("price_minor", plan->price_minor, 0, 100'000'000);
            }
            if (!is_founder) {
                p.Integer("messages_per_day", plan->messages_per_day, -1, 1'000'000);
                p.Bool("image_input", plan->image_input);
                p.Bool("image_generation", plan->image_generation);
                p.Integer("images_per_day", plan->images_per_day, -1, 10'000);
                p.Bool("private_channel", plan->private_channel);
                p.Bool("priority_support", plan->priority_support);
            }
            p.Finish();
        }
        s.Finish();
    }
    {
        auto s = top.Sub("assistant");
        auto& a = c.assistant;
        s.String("api_base", a.api_base);
        Check(a.api_base.empty() || a.api_base.starts_with("https://") || a.api_base.starts_with("http://"), s,
              "api_base", "must be empty or an http(s) URL such as https://api.openai.com/v1");
        while (!a.api_base.empty() && a.api_base.back() == '/') a.api_base.pop_back();
        s.String("model", a.model);
        Check(!a.model.empty() && a.model.size() <= 200, s, "model", "must name a model");
        s.String("image_model", a.image_model);
        s.String("image_size", a.image_size);
        s.Duration("timeout", a.timeout);
        Check(a.timeout >= std::chrono::seconds(1) && a.timeout <= std::chrono::minutes(10), s, "timeout",
              "must be from 1s to 10m");
        s.Integer("max_prompt_chars", a.max_prompt_chars, 1, 100'000);
        s.Integer("max_answer_tokens", a.max_answer_tokens, 16, 100'000);
        s.Integer("memory_turns", a.memory_turns, 0, 50);
        s.Duration("memory_ttl", a.memory_ttl);
        s.Integer("per_minute", a.per_minute, 1, 10'000);
        s.String("system_prompt", a.system_prompt);
        Check(a.system_prompt.size() <= 8000, s, "system_prompt", "must be 8000 characters at most");
        s.Finish();
    }
    {
        auto s = top.Sub("demo");
        s.Bool("seed_catalog", c.demo.seed_catalog);
        s.Finish();
    }
    {
        auto s = top.Sub("coins");
        auto& co = c.coins;
        s.Integer("daily_amount", co.daily_amount, 0, 1'000'000);
        s.Integer("per_message", co.per_message, 0, 1'000'000);
        s.Duration("cooldown", co.cooldown);
        Check(co.cooldown <= std::chrono::hours(24), s, "cooldown", "must be 24h at most");
        s.Integer("daily_cap", co.daily_cap, 1, 1'000'000'000);
        Check(co.per_message <= co.daily_cap, s, "per_message", "must be at most daily_cap");
        s.Integer("min_length", co.min_length, 0, 4000);
        s.StringList("excluded_channel_ids", co.excluded_channel_ids);
        for (const auto& v : co.excluded_channel_ids) {
            Check(!v.empty() && DiscordIdOrEmpty(v), s, "excluded_channel_ids",
                  "must be Discord channel ids (digits only)");
        }
        s.Integer("leaderboard_size", co.leaderboard_size, 1, 25);
        s.Integer("entry_amount", co.entry_amount, 0, 1'000'000);
        s.Finish();
    }
    {
        auto s = top.Sub("giveaways");
        auto& g = c.giveaways;
        s.Duration("max_duration", g.max_duration);
        Check(g.max_duration >= std::chrono::minutes(1) && g.max_duration <= std::chrono::hours(24 * 365), s,
              "max_duration", "must be from 1m to 365d");
        s.Integer("max_winners", g.max_winners, 1, 100);
        s.String("channel_id", g.channel_id);
        Check(DiscordIdOrEmpty(g.channel_id), s, "channel_id", "must be empty or a Discord id (digits only)");
        s.Integer("min_account_age_days", g.min_account_age_days, 0, 3650);
        s.Integer("min_member_age_days", g.min_member_age_days, 0, 3650);
        Schedule(s, "sweep_schedule", g.sweep_schedule, "must be a schedule such as \"every 15s\"");
        s.Bool("milestones_enabled", g.milestones_enabled);
        s.IntegerList("milestones", g.milestones, 1, 10'000'000);
        Check(std::is_sorted(g.milestones.begin(), g.milestones.end()) &&
                  std::adjacent_find(g.milestones.begin(), g.milestones.end()) == g.milestones.end(),
              s, "milestones", "must be in increasing order, each once");
        s.Integer("milestone_every", g.milestone_every, 0, 10'000'000);
        s.String("milestone_prize", g.milestone_prize);
        Check(g.milestone_prize.find_first_not_of(' ') != std::string::npos && g.milestone_prize.size() <= 180, s,
              "milestone_prize", "must be a prize of 1 to 180 characters");
        s.Duration("milestone_duration", g.milestone_duration);
        Check(g.milestone_duration >= std::chrono::minutes(1) && g.milestone_duration <= g.max_duration, s,
              "milestone_duration", "must be from 1m to max_duration");
        s.Integer("milestone_winners", g.milestone_winners, 1, g.max_winners);
        s.Integer("milestone_prize_cost_cents", g.milestone_prize_cost_cents, 0, 100'000'000);
        s.String("winner_role_id", g.winner_role_id);
        Check(DiscordIdOrEmpty(g.winner_role_id), s, "winner_role_id", "must be empty or a Discord id (digits only)");
        s.String("winner_plan", g.winner_plan);
        Check(g.winner_plan.empty() || g.winner_plan == "pro" || g.winner_plan == "ultra" || g.winner_plan == "founder",
              s, "winner_plan", "must be empty, \"pro\", \"ultra\" or \"founder\"");
        s.Integer("winner_days", g.winner_days, 1, 366);
        s.Finish();
    }
    {
        auto s = top.Sub("preorders");
        auto& p = c.preorders;
        s.Bool("enabled", p.enabled);
        s.String("channel", p.channel);
        Check(DiscordIdOrEmpty(p.channel), s, "channel", "must be empty or a Discord id (digits only)");
        s.Integer("per_member_limit", p.per_member_limit, 1, 1000);
        // Stripe's Checkout Session lives from 30 minutes to 24 hours.
        s.Integer("hold_minutes", p.hold_minutes, 30, 24 * 60);
        s.Integer("release_grace_minutes", p.release_grace_minutes, 0, 24 * 60);
        s.Integer("proof_every_minutes", p.proof_every_minutes, 1, 7 * 24 * 60);
        s.IntegerList("announce_percent", p.announce_percent, 1, 99);
        s.IntegerList("announce_seats_left", p.announce_seats_left, 1, 100'000);
        s.IntegerList("reminder_hours", p.reminder_hours, 1, 365 * 24);
        Schedule(s, "sweep_schedule", p.sweep_schedule, "must be a schedule such as \"every 1m\"");
        s.Finish();
    }
    ReadMarketing(top.Sub("marketing"), c.marketing);
    top.Finish();

    auto secret = [&](const char* name) {
        if (known != nullptr) known->emplace_back(name);
        return Secret(env(name).value_or(""));
    };
    c.secrets.database_url = secret("MAXIS_DATABASE_URL");
    c.secrets.migration_database_url = secret("MAXIS_MIGRATION_DATABASE_URL");
    c.secrets.secret_key = secret("MAXIS_SECRET_KEY");
    c.secrets.control_api_key = secret("MAXIS_CONTROL_API_KEY");
    c.secrets.discord_token = secret("MAXIS_DISCORD_TOKEN");
    c.secrets.discord_client_secret = secret("MAXIS_DISCORD_CLIENT_SECRET");
    c.secrets.previous_secret_keys = secret("MAXIS_SECRET_KEY_PREVIOUS");
    c.secrets.stripe_secret_key = secret("MAXIS_STRIPE_SECRET_KEY");
    c.secrets.stripe_webhook_secret = secret("MAXIS_STRIPE_WEBHOOK_SECRET");
    c.secrets.llm_api_key = secret("MAXIS_LLM_API_KEY");
    if (const auto& k = c.secrets.stripe_secret_key.Reveal();
        !k.empty() && !k.starts_with("sk_") && !k.starts_with("rk_")) {
        Fail("environment", "MAXIS_STRIPE_SECRET_KEY",
             "must be a Stripe secret key (sk_live_..., sk_test_... or rk_...)");
    }
    for (const auto& k : core::Split(c.secrets.stripe_webhook_secret.Reveal(), ',')) {
        if (auto t = core::Trim(k); !t.empty() && !t.starts_with("whsec_")) {
            Fail("environment", "MAXIS_STRIPE_WEBHOOK_SECRET",
                 "must be endpoint signing secrets (whsec_...), comma-separated");
        }
    }
    for (const auto& k : core::Split(c.secrets.previous_secret_keys.Reveal(), ',')) {
        auto t = core::Trim(k);
        if (!t.empty() && (t.size() != 64 || t.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)) {
            Fail("environment", "MAXIS_SECRET_KEY_PREVIOUS",
                 "must be comma-separated keys of 64 hexadecimal characters");
        }
    }
    if (!c.secrets.database_url.empty()) {
        try {
            storage::DialectOf(c.secrets.database_url.Reveal());
        } catch (const Error&) {
            Fail("environment", "MAXIS_DATABASE_URL", "must start with 'sqlite:' or 'postgresql://'");
        }
    }
    const auto& key = c.secrets.secret_key.Reveal();
    if (!key.empty() && (key.size() != 64 || key.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)) {
        Fail("environment", "MAXIS_SECRET_KEY", "must be 64 hexadecimal characters (run 'maxis init' to make one)");
    }
    if (!c.secrets.control_api_key.empty() && c.secrets.control_api_key.Reveal().size() < 32) {
        Fail("environment", "MAXIS_CONTROL_API_KEY", "must be at least 32 characters");
    }
    return c;
}

}  // namespace

std::optional<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    std::string port = text.substr(colon + 1);
    auto p = core::ParseInteger(port, 0, 65535);
    if (!p || host.empty()) return std::nullopt;
    return std::make_pair(host, static_cast<std::uint16_t>(*p));
}

std::string Config::DatabaseUrl() const {
    return secrets.database_url.empty() ? database.url : secrets.database_url.Reveal();
}

Environment ProcessEnvironment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

Config ParseConfig(const std::string& toml_text, const std::string& source_name, const Environment& env) {
    toml::table table;
    try {
        table = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
        throw Error(ErrorCode::kInvalidArgument, "configuration error: " + source_name + ":" +
                                                     std::to_string(e.source().begin.line) + ": " +
                                                     std::string(e.description()));
    }
    return FromTable(&table, source_name, env);
}

std::vector<std::string> ConfigKeys() {
    std::vector<std::string> keys;
    FromTable(
        nullptr, "(built-in defaults)", [](const std::string&) -> std::optional<std::string> { return std::nullopt; },
        &keys);
    return keys;
}

Config LoadConfig(const std::optional<std::string>& path, const Environment& env) {
    if (!path) return FromTable(nullptr, "(built-in defaults)", env);
    toml::table table;
    try {
        table = toml::parse_file(*path);
    } catch (const toml::parse_error& e) {
        std::string reason(e.description());
        if (!e.source().begin)
            throw Error(ErrorCode::kInvalidArgument, "configuration error: " + *path + ": " + reason);
        throw Error(ErrorCode::kInvalidArgument,
                    "configuration error: " + *path + ":" + std::to_string(e.source().begin.line) + ": " + reason);
    }
    return FromTable(&table, *path, env);
}

std::string DescribeConfig(const Config& c) {
    auto ms = [](std::chrono::milliseconds d) {
        return core::FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(d));
    };
    auto set = [](const Secret& s) { return s.empty() ? "(unset)" : "(set)"; };
    std::string out;
    out += fmt::format("source = {}\n", c.source);
    out += fmt::format("server.listen = {}:{}\nserver.io_threads = {}\nserver.worker_threads = {}\n", c.server.host,
                       c.server.port, c.server.io_threads, c.server.worker_threads);
    out += fmt::format("server.body_limit_bytes = {}\nserver.read_timeout = {}\nserver.idle_timeout = {}\n",
                       c.server.body_limit_bytes, ms(c.server.read_timeout), ms(c.server.idle_timeout));
    out += fmt::format("database.url = {}\ndatabase.pool_size = {}\n", storage::RedactUrl(c.DatabaseUrl()),
                       c.database.pool_size);
    out += fmt::format(
        "community.name = {}\ncommunity.locale = {}\ncommunity.time_zone = {}\ncommunity.command_prefix = {}\n",
        c.community.name, c.community.locale, c.community.time_zone, c.community.command_prefix);
    out += fmt::format("log.level = {}\nlog.format = {}\n", c.log.level, c.log.format);
    out += fmt::format("scheduler.purge_schedule = {}\ndemo.seed_catalog = {}\n", c.scheduler.purge_schedule,
                       c.demo.seed_catalog);
    const auto& t = c.tickets;
    out += fmt::format(
        "tickets.max_open_per_member = {}\ntickets.max_created_per_hour = {}\n"
        "tickets.max_subject_length = {}\ntickets.max_message_length = {}\n",
        t.max_open_per_member, t.max_created_per_hour, t.max_subject_length, t.max_message_length);
    out += fmt::format("tickets.reopen_window = {}\ntickets.auto_close_warning = {}\ntickets.auto_close_after = {}\n",
                       ms(t.reopen_window), ms(t.auto_close_warning), ms(t.auto_close_after));
    out +=
        fmt::format("tickets.first_response = {} / {} / {} / {}\ntickets.resolution = {} / {} / {} / {}\n",
                    ms(t.first_response[0]), ms(t.first_response[1]), ms(t.first_response[2]), ms(t.first_response[3]),
                    ms(t.resolution[0]), ms(t.resolution[1]), ms(t.resolution[2]), ms(t.resolution[3]));
    out += fmt::format("tickets.sweep_schedule = {}\n", t.sweep_schedule);
    const auto& d = c.discord;
    auto list = [](const std::vector<std::string>& v) { return "[" + fmt::format("{}", fmt::join(v, ", ")) + "]"; };
    out += fmt::format(
        "discord.api_base_url = {}\ndiscord.application_id = {}\ndiscord.public_key = {}\ndiscord.guild_id = {}\n",
        d.api_base_url, d.application_id, d.public_key, d.guild_id);
    out += fmt::format(
        "discord.staff_channel_id = {}\ndiscord.fallback_channel_id = {}\ndiscord.staff_role_ids = {}\n"
        "discord.admin_role_ids = {}\ndiscord.operator_user_ids = {}\n",
        d.staff_channel_id, d.fallback_channel_id, list(d.staff_role_ids), list(d.admin_role_ids),
        list(d.operator_user_ids));
    out += fmt::format(
        "discord.gateway = {}\ndiscord.register_commands = {}\ndiscord.defer_after_ms = {}\n"
        "discord.handler_threads = {}\ndiscord.global_rate_limit = {}\ndiscord.backfill_window = {}\n"
        "discord.backfill_max_messages = {}\ndiscord.backfill_max_channels = {}\n",
        d.gateway, d.register_commands, d.defer_after.count(), d.handler_threads, d.global_rate_limit,
        ms(d.backfill_window), d.backfill_max_messages, d.backfill_max_channels);
    const auto& p = c.panel;
    out += fmt::format(
        "panel.enabled = {}\npanel.public_url = {}\npanel.insecure_http = {}\npanel.require_2fa = {}\n"
        "panel.idle_timeout = {}\npanel.absolute_timeout = {}\npanel.api_requests_per_minute = {}\n"
        "panel.staff_user_ids = {}\npanel.admin_user_ids = {}\n",
        p.enabled, p.public_url, p.insecure_http, p.require_2fa, ms(p.idle_timeout), ms(p.absolute_timeout),
        p.api_requests_per_minute, list(p.staff_user_ids), list(p.admin_user_ids));
    out += fmt::format(
        "panel.oauth_client_id = {}\npanel.oauth_authorize_url = {}\npanel.oauth_token_url = {}\n"
        "panel.oauth_api_base_url = {}\n",
        p.oauth_client_id, p.oauth_authorize_url, p.oauth_token_url, p.oauth_api_base_url);
    out += fmt::format(
        "stripe.api_base = {}\nstripe.api_version = {}\nstripe.success_url = {}\nstripe.cancel_url = {}\n"
        "stripe.webhook_tolerance_seconds = {}\nstripe.max_attempts = {}\n",
        c.stripe.api_base, c.stripe.api_version, c.stripe.success_url, c.stripe.cancel_url,
        c.stripe.webhook_tolerance_seconds, c.stripe.max_attempts);
    out += fmt::format(
        "shop.reservation = {}\nshop.release_grace = {}\nshop.max_pending_orders = {}\n"
        "shop.restock_on_refund = {}\nshop.page_size = {}\nshop.sweep_schedule = {}\n",
        ms(c.shop.reservation), ms(c.shop.release_grace), c.shop.max_pending_orders, c.shop.restock_on_refund,
        c.shop.page_size, c.shop.sweep_schedule);
    const auto& pl = c.plans;
    out += fmt::format(
        "plans.currency = {}\nplans.grace_period = {}\nplans.reconcile_schedule = {}\nplans.sweep_schedule = {}\n"
        "plans.private_channel_category_id = {}\nplans.archive_category_id = {}\nplans.announce_channel_id = {}\n"
        "plans.success_url = {}\nplans.cancel_url = {}\nplans.portal_return_url = {}\nplans.founder_entitlements = "
        "{}\n",
        pl.currency, ms(pl.grace_period), pl.reconcile_schedule, pl.sweep_schedule, pl.private_channel_category_id,
        pl.archive_category_id, pl.announce_channel_id, pl.success_url, pl.cancel_url, pl.portal_return_url,
        pl.founder_entitlements);
    for (auto [name, plan] : {std::pair<const char*, const PlanConfig*>{"free", &pl.free},
                              {"pro", &pl.pro},
                              {"ultra", &pl.ultra},
                              {"founder", &pl.founder}}) {
        out += fmt::format(
            "plans.{0}.price_id = {1}\nplans.{0}.role_id = {2}\nplans.{0}.price_minor = {3}\n"
            "plans.{0}.messages_per_day = {4}\nplans.{0}.image_input = {5}\nplans.{0}.image_generation = {6}\n"
            "plans.{0}.images_per_day = {7}\nplans.{0}.private_channel = {8}\nplans.{0}.priority_support = {9}\n",
            name, plan->price_id, plan->role_id, plan->price_minor, plan->messages_per_day, plan->image_input,
            plan->image_generation, plan->images_per_day, plan->private_channel, plan->priority_support);
    }
    const auto& a = c.assistant;
    out += fmt::format(
        "assistant.api_base = {}\nassistant.model = {}\nassistant.image_model = {}\nassistant.image_size = {}\n"
        "assistant.timeout = {}\nassistant.max_prompt_chars = {}\nassistant.max_answer_tokens = {}\n"
        "assistant.memory_turns = {}\nassistant.memory_ttl = {}\nassistant.per_minute = {}\n"
        "assistant.system_prompt = {}\n",
        a.api_base, a.model, a.image_model, a.image_size, ms(a.timeout), a.max_prompt_chars, a.max_answer_tokens,
        a.memory_turns, ms(a.memory_ttl), a.per_minute, a.system_prompt);
    out += fmt::format("MAXIS_LLM_API_KEY = {}\n", set(c.secrets.llm_api_key));
    const auto& co = c.coins;
    out += fmt::format(
        "coins.daily_amount = {}\ncoins.per_message = {}\ncoins.cooldown = {}\ncoins.daily_cap = {}\n"
        "coins.min_length = {}\ncoins.excluded_channel_ids = {}\ncoins.leaderboard_size = {}\ncoins.entry_amount = "
        "{}\n",
        co.daily_amount, co.per_message, ms(co.cooldown), co.daily_cap, co.min_length, list(co.excluded_channel_ids),
        co.leaderboard_size, co.entry_amount);
    const auto& gw = c.giveaways;
    out += fmt::format(
        "giveaways.max_duration = {}\ngiveaways.max_winners = {}\ngiveaways.channel_id = {}\n"
        "giveaways.min_account_age_days = {}\ngiveaways.min_member_age_days = {}\ngiveaways.sweep_schedule = {}\n",
        ms(gw.max_duration), gw.max_winners, gw.channel_id, gw.min_account_age_days, gw.min_member_age_days,
        gw.sweep_schedule);
    out += fmt::format("giveaways.winner_role_id = {}\ngiveaways.winner_plan = {}\ngiveaways.winner_days = {}\n",
                       gw.winner_role_id, gw.winner_plan, gw.winner_days);
    out += fmt::format(
        "giveaways.milestones_enabled = {}\ngiveaways.milestones = [{}]\ngiveaways.milestone_every = {}\n"
        "giveaways.milestone_prize = {}\ngiveaways.milestone_duration = {}\ngiveaways.milestone_winners = {}\n"
        "giveaways.milestone_prize_cost_cents = {}\n",
        gw.milestones_enabled, fmt::join(gw.milestones, ", "), gw.milestone_every, gw.milestone_prize,
        ms(gw.milestone_duration), gw.milestone_winners, gw.milestone_prize_cost_cents);
    const auto& po = c.preorders;
    out += fmt::format(
        "preorders.enabled = {}\npreorders.channel = {}\npreorders.per_member_limit = {}\npreorders.hold_minutes = "
        "{}\npreorders.release_grace_minutes = {}\npreorders.proof_every_minutes = {}\n",
        po.enabled, po.channel, po.per_member_limit, po.hold_minutes, po.release_grace_minutes, po.proof_every_minutes);
    out += fmt::format(
        "preorders.announce_percent = [{}]\npreorders.announce_seats_left = [{}]\npreorders.reminder_hours = [{}]\n"
        "preorders.sweep_schedule = {}\n",
        fmt::join(po.announce_percent, ", "), fmt::join(po.announce_seats_left, ", "),
        fmt::join(po.reminder_hours, ", "), po.sweep_schedule);
    const auto& mk = c.marketing;
    out += fmt::format(
        "marketing.enabled = {}\nmarketing.validate_after_days = {}\nmarketing.min_account_age_days = {}\n"
        "marketing.attribution_window_days = {}\nmarketing.refund_window_days = {}\nmarketing.help_channels = {}\n"
        "marketing.help_min_length = {}\nmarketing.help_cooldown_seconds = {}\n"
        "marketing.referral_discount_percent = {}\nmarketing.invite_channel = {}\nmarketing.invite_coins = {}\n"
        "marketing.sweep_schedule = {}\nmarketing.leaderboard_size = {}\n",
        mk.enabled, mk.validate_after_days, mk.min_account_age_days, mk.attribution_window_days, mk.refund_window_days,
        list(mk.help_channels), mk.help_min_length, mk.help_cooldown_seconds, mk.referral_discount_percent,
        mk.invite_channel, mk.invite_coins, mk.sweep_schedule, mk.leaderboard_size);
    for (const auto& role : mk.roles) {
        out += fmt::format(
            "marketing.roles.{0}.enabled = {1}\nmarketing.roles.{0}.discord_role = {2}\n"
            "marketing.roles.{0}.commission_percent = {3}\nmarketing.roles.{0}.min = {4}\nmarketing.roles.{0}.max = "
            "{5}\nmarketing.roles.{0}.plan = {6}\nmarketing.roles.{0}.requirements = {7}/{8}/{9}/{10}\n",
            marketing::ToString(role.kind), role.enabled, role.discord_role, role.commission_percent, role.min_minor,
            role.max_minor, role.plan, role.required_invites, role.required_followers, role.required_help_messages,
            role.required_events);
    }
    out += fmt::format(
        "MAXIS_DATABASE_URL = {}\nMAXIS_MIGRATION_DATABASE_URL = {}\nMAXIS_SECRET_KEY = {}\n"
        "MAXIS_CONTROL_API_KEY = {}\nMAXIS_DISCORD_TOKEN = {}\nMAXIS_DISCORD_CLIENT_SECRET = {}\n"
        "MAXIS_SECRET_KEY_PREVIOUS = {}\nMAXIS_STRIPE_SECRET_KEY = {}\nMAXIS_STRIPE_WEBHOOK_SECRET = {}\n",
        set(c.secrets.database_url), set(c.secrets.migration_database_url), set(c.secrets.secret_key),
        set(c.secrets.control_api_key), set(c.secrets.discord_token), set(c.secrets.discord_client_secret),
        set(c.secrets.previous_secret_keys), set(c.secrets.stripe_secret_key), set(c.secrets.stripe_webhook_secret));
    return out;
}

}  // namespace maxis::app
