#pragma once
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "http/router.hpp"
#include "panel/assets.hpp"
#include "panel/auth.hpp"
#include "storage/panel_store.hpp"

namespace maxis::panel {

/// Words in the panel's two languages.
struct Words {
    std::string fr, en;
};

/// A configuration key staff may change while Maxis runs. Changes are validated, applied at once,
/// stored (they win over the file at the next start) and audited. The declaration also says how the
/// panel's settings form shows it: its section, a label, a help text and the unit of its value.
struct RuntimeSetting {
    std::string key;
    enum class Kind { kInteger, kBoolean } kind = Kind::kInteger;
    long long min = 0, max = 0;  // for integers
    std::function<std::string()> get;
    std::function<void(const std::string&)> apply;  // given a validated value
    Words label;
    Words help;
    /// kCount: a plain number; kPerHour: a number per hour; kCents: an amount stored in cents, shown and
    /// typed in euros; kMinutes: a duration in minutes.
    enum class Unit { kNone, kCount, kPerHour, kCents, kMinutes } unit = Unit::kNone;
    /// The stored value that means "no limit" (shown as "unlimited", never as the number), if any.
    std::optional<long long> unlimited;
};

/// Checks value against the setting; the normalized value, or throws core::Error(kInvalidArgument).
std::string ValidateSetting(const RuntimeSetting& setting, const std::string& value);

struct PanelServices {
    PanelAuth& auth;
    storage::PanelStore& store;
    const core::Clock& clock;
    const core::TimeZone& zone;
    const Assets& assets;
    std::function<std::string()> describe_config;  // "key = value" lines, secrets shown as set/unset
    std::vector<RuntimeSetting> settings;
    std::function<long long()> guild_members;  // negative when unknown (no Discord)
    /// The Discord gateway's state ({"gateway": off|connecting|ready|failed, "reason", "explanation"}), null
    /// without Discord: the dashboard shows a failure and what to fix.
    std::function<boost::json::value()> discord_gateway;
    /// What the setup checklist needs to know, as booleans only (never a secret's value).
    struct Setup {
        bool discord_token = false;   // MAXIS_DISCORD_TOKEN is set
        bool stripe_key = false;      // MAXIS_STRIPE_SECRET_KEY is set
        bool stripe_webhook = false;  // MAXIS_STRIPE_WEBHOOK_SECRET is set
        bool llm = false;             // an assistant model and MAXIS_LLM_API_KEY
    };
    Setup setup;
};

/// /admin-panel/...: the pages, their assets, the login flows and the panel's JSON API. Tickets are
/// handled by /api/v1/tickets, which accepts the panel's session cookie.
void AddPanelRoutes(http::Router& router, PanelServices& services);

}  // namespace maxis::panel
