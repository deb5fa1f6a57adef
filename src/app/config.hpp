#pragma once
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/marketing/marketing.hpp"

namespace maxis::app {

/// A secret from the environment. It has no stream operator and formats as "***", so it cannot reach a log
/// line by accident; Reveal() is the one explicit way to read it.
class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    [[nodiscard]] const std::string& Reveal() const { return value_; }
    [[nodiscard]] bool empty() const { return value_.empty(); }

private:
    std::string value_;
};

struct ServerConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    int io_threads = 2;
    int worker_threads = 8;
    std::size_t body_limit_bytes = 1 << 20;
    std::chrono::milliseconds read_timeout{15'000};
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds shutdown_grace{10'000};
    bool access_log = true;
};

struct DatabaseConfig {
    std::string url = "sqlite:./data/maxis.db";  // MAXIS_DATABASE_URL wins (it may carry a password)
    int pool_size = 8;
    std::chrono::milliseconds busy_timeout{5'000};
    bool migrate_on_start = true;
};

struct CommunityConfig {
    std::string name = "Maxis";
    std::string locale = "fr";
    std::string time_zone = "Europe/Paris";
    std::string command_prefix = "!";
};

struct LogConfig {
    std::string level = "info";
    std::string format = "text";  // text | json
};

struct SchedulerConfig {
    std::chrono::milliseconds tick{1'000};
    std::chrono::milliseconds job_lease{300'000};
    int batch = 16;
    std::chrono::milliseconds backoff_base{10'000};
    std::chrono::milliseconds backoff_max{3'600'000};
    std::string purge_schedule = "daily 04:00";
    std::chrono::milliseconds keep_finished{7LL * 24 * 3'600'000};
};

struct OutboxConfig {
    std::chrono::milliseconds tick{1'000};
    std::chrono::milliseconds lease{120'000};
    int batch = 32;
    int max_attempts = 12;
    std::chrono::milliseconds backoff_base{5'000};
    std::chrono::milliseconds backoff_max{1'800'000};
};

struct TicketsConfig {
    int max_open_per_member = 3;
    int max_created_per_hour = 5;
    int max_subject_length = 100;
    int max_message_length = 4000;
    std::chrono::milliseconds reopen_window{7LL * 24 * 3'600'000};
    std::chrono::milliseconds auto_close_warning{48LL * 3'600'000};
    std::chrono::milliseconds auto_close_after{72LL * 3'600'000};
    // SLA targets by priority: critical, high, medium, low.
    std::chrono::milliseconds first_response[4] = {std::chrono::hours(1), std::chrono::hours(4), std::chrono::hours(24),
                                                   std::chrono::hours(72)};
    std::chrono::milliseconds resolution[4] = {std::chrono::hours(4), std::chrono::hours(24), std::chrono::hours(72),
                                               std::chrono::hours(7 * 24)};
    std::string sweep_schedule = "every 1m";
};

/// Discord. Maxis connects when MAXIS_DISCORD_TOKEN is set; ids are Discord snowflakes as strings.
struct DiscordConfig {
    std::string api_base_url = "https://discord.com/api/v10";
    std::string application_id;  // empty: read from GET /applications/@me at start
    std::string public_key;      // hex; set it to serve the signed HTTP endpoint /discord/interactions
    std::string guild_id;        // the community's server (required with a token)
    std::string staff_channel_id;
    std::string fallback_channel_id;  // members with closed DMs are mentioned here
    std::vector<std::string> staff_role_ids;
    std::vector<std::string> admin_role_ids;
    std::vector<std::string> operator_user_ids;
    bool gateway = true;            // false: interactions only through the HTTP endpoint
    bool register_commands = true;  // bulk-overwrite the slash commands at start
    std::chrono::milliseconds defer_after{1'500};
    int handler_threads = 4;
    int global_rate_limit = 50;  // requests per second to Discord's REST API (interaction answers exempt)
    // After a new gateway session (not a resume): the channels served recently are read back this far, at
    // most this many messages each and this many channels, to answer what was typed while Maxis had no
    // session. "0s" turns it off.
    std::chrono::milliseconds backfill_window{15 * 60'000};
    int backfill_max_messages = 100;
    int backfill_max_channels = 50;
};

struct PanelConfig {
    bool enabled = true;
    std::string public_url;      // e.g. "https://admin.example.org"; empty: from the request's Host
    bool insecure_http = false;  // plain-http loopback for local use (cookie without Secure / __Host-)
    bool require_2fa = true;     // staff must enrol a TOTP second factor
    std::chrono::milliseconds idle_timeout{30 * 60'000};
    std::chrono::milliseconds absolute_timeout{12 * 3'600'000};
    int api_requests_per_minute = 600;        // per session; twice that per IP address
    std::vector<std::string> staff_user_ids;  // besides discord.staff_role_ids
    std::vector<std::string> admin_user_ids;  // besides discord.admin_role_ids
    std::string oauth_client_id;              // empty: discord.application_id
    std::string oauth_authorize_url = "https://discord.com/oauth2/authorize";
    std::string oauth_token_url = "https://discord.com/api/oauth2/token";
    std::string oauth_api_base_url = "https://discord.com/api/v10";
};

struct StripeConfig {
    std::string api_base = "https://api.stripe.com";
    std::string api_version = "2024-06-20";
    std::string
        success_url;  // empty: <panel.public_url or the listen origin>/shop/success?session_id={CHECKOUT_SESSION_ID}
    std::string cancel_url;  // empty: the same origin's /shop/cancel
    int webhook_tolerance_seconds = 300;
    int max_attempts = 4;
};

struct ShopConfig {
    std::chrono::milliseconds reservation{30 * 60'000};    // stock held while paying; the Checkout Session's expiry
    std::chrono::milliseconds release_grace{10 * 60'000};  // the sweep waits this long after a reservation ends
    int max_pending_orders = 3;
    bool restock_on_refund = true;
    int page_size = 5;
    std::string sweep_schedule = "every 5m";
};

/// One plan's settings. Free has only its quotas; Pro and Ultra are monthly; Founder is paid once.
struct PlanConfig {
    std::string price_id;  // the Stripe price (recurring for Pro and Ultra, one-time for Founder); empty: not for sale
    std::string role_id;   // the Discord role kept in sync; empty: none
    long long price_minor = 0;
    int messages_per_day = 10;  // -1: unlimited
    bool image_input = false;
    bool image_generation = false;
    int images_per_day = 0;
    bool private_channel = false;
    bool priority_support = false;
};

struct PlansConfig {
    std::string currency = "EUR";
    std::chrono::milliseconds grace_period{72 * 3'600'000};  // a failed renewal keeps the plan this long
    std::string reconcile_schedule = "every 10m";
    std::string sweep_schedule = "every 5m";
    std::string private_channel_category_id;
    std::string archive_category_id;
    std::string announce_channel_id;           // promotions; empty: the staff channel
    std::string success_url;                   // empty: <origin>/plans/success
    std::string cancel_url;                    // empty: <origin>/plans/cancel
    std::string portal_return_url;             // empty: <origin>/plans/success
    std::string founder_entitlements = "pro";  // Founder gives this plan's entitlements for life
    PlanConfig free{.messages_per_day = 10};
    PlanConfig pro{.price_minor = 999, .messages_per_day = 500, .image_input = true, .priority_support = true};
    PlanConfig ultra{.price_minor = 1999,
                     .messages_per_day = -1,
                     .image_input = true,
                     .image_generation = true,
                     .images_per_day = 20,
                     .private_channel = true,
                     .priority_support = true};
    PlanConfig founder{.price_minor = 14900};
};

/// The AI assistant: any OpenAI-compatible endpoint (OpenAI, Mistral, Ollama, a llama.cpp server).
struct AssistantConfig {
    std::string api_base;  // e.g. "https://api.openai.com/v1" or "http://127.0.0.1:11434/v1"; empty: no assistant
    std::string model = "gpt-4o-mini";
    std::string image_model = "dall-e-3";
    std::string image_size = "1024x1024";
    std::chrono::milliseconds timeout{60'000};
    int max_prompt_chars = 2000;
    int max_answer_tokens = 800;
    int memory_turns = 6;
    std::chrono::milliseconds memory_ttl{30 * 60'000};
    int per_minute = 6;
    std::string system_prompt =
        "Tu es Maxis, l'assistant de la communauté. Réponds dans la langue du membre, avec clarté et concision ; en "
        "français, vouvoie toujours le membre.";
};

struct DemoConfig {
    bool seed_catalog = false;
};

/// The coin economy: earned by chatting, the daily claim, giveaway entries and validated invites, spent in the
/// shop; never bought nor withdrawn for money.
struct CoinsConfig {
    long long daily_amount = 10;                    // /daily, once per local day; 0: no daily claim
    long long per_message = 1;                      // chat activity; 0: chatting earns nothing
    std::chrono::milliseconds cooldown{60'000};     // at most one earning message per member per cooldown
    long long daily_cap = 100;                      // activity earnings per member per local day
    int min_length = 5;                             // characters a message needs to earn
    std::vector<std::string> excluded_channel_ids;  // channels where messages never earn
    int leaderboard_size = 10;
    long long entry_amount = 5;  // entering a giveaway, once per giveaway; 0: nothing (odds never depend on coins)
};

/// Giveaways: their limits, where they are posted, the default eligibility and how often the sweep runs.
struct GiveawaysConfig {
    std::chrono::milliseconds max_duration{30LL * 24 * 3600'000};  // the longest a giveaway may run
    int max_winners = 20;
    std::string channel_id;                    // posts and winners; empty: the staff channel
    int min_account_age_days = 0;              // default minimum age of an entrant's Discord account; 0: none
    int min_member_age_days = 0;               // default minimum time in the server; 0: none
    std::string sweep_schedule = "every 15s";  // ends giveaways whose time has come, refreshes post counts
    // Milestones: a giveaway starts on its own when the member count first reaches one of these (above the count
    // Maxis first saw), then every milestone_every after the last (0: none beyond the list).
    bool milestones_enabled = true;
    std::vector<long long> milestones{50, 100, 250, 500, 1000};
    long long milestone_every = 1000;
    std::string milestone_prize = "Nitro ({milestone} membres)";  // {milestone}: the count reached
    std::chrono::milliseconds milestone_duration{24LL * 3600'000};
    int milestone_winners = 1;
    long long milestone_prize_cost_cents = 0;  // what the prize costs the community, for ROI
    std::string winner_role_id;                // the "Winner 🏆" role winners hold for winner_days; empty: none
    std::string winner_plan = "pro";           // the plan winners get for winner_days; empty: none
    int winner_days = 3;                       // how long the Winner grade (role and plan) lasts
};

/// Pre-orders: the limit per member, how long a seat is held while the member pays, the announcements' channel and
/// thresholds, the social proof's pace, the reminders before the release, and the sweep's pace.
struct PreordersConfig {
    bool enabled = true;
    std::string channel;             // announcements and social proof; empty: the staff channel
    int per_member_limit = 1;        // seats per member and item, unless the item says otherwise
    int hold_minutes = 30;           // a seat held while the member pays: the Checkout Session's life
    int release_grace_minutes = 10;  // the sweep waits this long after a hold ends before giving the seat back
    int proof_every_minutes = 10;    // at most one social-proof post per item this often
    std::vector<long long> announce_percent{50};    // a tier's share sold that is announced
    std::vector<long long> announce_seats_left{5};  // a tier's seats left that are announced
    std::vector<long long> reminder_hours{24, 1};   // reminders before the release
    std::string sweep_schedule = "every 1m";        // holds ended, refunds owed, release day, reminders, social proof
};

/// Marketing: the seven roles, invite tracking, referral codes and the commissions ledger.
struct MarketingConfig {
    bool enabled = true;           // false: no commands nor routes; the ledger still follows refunds of its commissions
    int validate_after_days = 7;   // a counted invite is validated after this long in the server
    int min_account_age_days = 7;  // younger Discord accounts never count (from the snowflake)
    int attribution_window_days = 30;        // a member attributed to a referrer buys within this
    int refund_window_days = 14;             // a commission stays pending this long, then is due
    std::vector<std::string> help_channels;  // where Helper's help messages count (Discord channel ids)
    int help_min_length = 40;                // characters a help message needs
    int help_cooldown_seconds = 120;         // at most one counted help message per member this often
    int referral_discount_percent = 5;       // the referral promotion codes' coupon; 0: codes attribute, no discount
    std::string invite_channel;              // where referral invite links point; empty: [discord] fallback_channel_id
    long long invite_coins = 10;             // coins for each validated invite (once per invited member); 0: none
    std::string sweep_schedule = "every 10m";  // invites validated, commissions due, Beta Tester's plan renewed
    int leaderboard_size = 10;
    std::vector<marketing::RoleConfig> roles = marketing::DefaultRoles();  // [marketing.roles.<key>]
};

/// Secrets come only from the environment (MAXIS_...), never from the file.
struct Secrets {
    Secret database_url;            // MAXIS_DATABASE_URL
    Secret migration_database_url;  // MAXIS_MIGRATION_DATABASE_URL: an owner connection for migrations
    Secret secret_key;              // MAXIS_SECRET_KEY: 64 hex characters, master key for encrypted data
    Secret control_api_key;         // MAXIS_CONTROL_API_KEY: Shellia's key to the control API
    Secret discord_token;           // MAXIS_DISCORD_TOKEN: the bot token
    Secret discord_client_secret;   // MAXIS_DISCORD_CLIENT_SECRET: OAuth2 client secret for the panel login
    Secret previous_secret_keys;    // MAXIS_SECRET_KEY_PREVIOUS: comma-separated older master keys (rotation)
    Secret stripe_secret_key;       // MAXIS_STRIPE_SECRET_KEY: sk_live_... or sk_test_... (or a restricted rk_ key)
    Secret stripe_webhook_secret;   // MAXIS_STRIPE_WEBHOOK_SECRET: whsec_..., comma-separated during a rotation
    Secret llm_api_key;             // MAXIS_LLM_API_KEY: the assistant's provider key (none for a local server)
};

struct Config {
    std::string source = "(built-in defaults)";
    ServerConfig server;
    DatabaseConfig database;
    CommunityConfig community;
    LogConfig log;
    SchedulerConfig scheduler;
    OutboxConfig outbox;
    TicketsConfig tickets;
    DiscordConfig discord;
    PanelConfig panel;
    StripeConfig stripe;
    ShopConfig shop;
    PlansConfig plans;
    AssistantConfig assistant;
    DemoConfig demo;
    CoinsConfig coins;
    GiveawaysConfig giveaways;
    PreordersConfig preorders;
    MarketingConfig marketing;
    Secrets secrets;

    /// The database URL in force: the environment's, else the file's.
    [[nodiscard]] std::string DatabaseUrl() const;
};

/// Whether payment pages offer the promotion-code field: referral promotion codes exist ([marketing] enabled with a
/// referral discount).
inline bool ReferralCodesAtCheckout(const Config& c) {
    return c.marketing.enabled && c.marketing.referral_discount_percent > 0;
}

using Environment = std::function<std::optional<std::string>(const std::string&)>;
/// The process environment.
Environment ProcessEnvironment();

/// Reads and validates a configuration: built-in defaults, then the TOML file (if a path is given),
/// then secrets from the environment. An unknown key, a wrong type or a bad value throws
/// core::Error(kInvalidArgument) whose message names the file, line, key and reason.
Config LoadConfig(const std::optional<std::string>& path, const Environment& env);
/// The same from TOML text (tests, and the example file check).
Config ParseConfig(const std::string& toml_text, const std::string& source_name, const Environment& env);

/// Every key the loader reads, as it reads them: "section.key" (or "plans.pro.price_id") for the file, then
/// the MAXIS_* environment variables that carry secrets.
std::vector<std::string> ConfigKeys();

/// Parses "HOST:PORT" (IPv6 as "[::1]:8080"); nullopt when malformed.
std::optional<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& text);

/// Effective settings as "key = value" lines, secrets shown as set/unset only.
std::string DescribeConfig(const Config& config);

}  // namespace maxis::app

template <>
struct fmt::formatter<maxis::app::Secret> : fmt::formatter<std::string_view> {
    auto format(const maxis::app::Secret&, fmt::format_context& ctx) const {
        return fmt::formatter<std::string_view>::format("***", ctx);
    }
};
