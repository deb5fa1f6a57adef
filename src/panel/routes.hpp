#pragma once
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "http/router.hpp"
#include "panel/assets.hpp"
#include "panel/auth.hpp"
#include "storage/panel_store.hpp"

namespace maxis::panel {

/// A configuration key staff may change while Maxis runs. Changes are validated, applied at once,
/// stored (they win over the file at the next start) and audited.
struct RuntimeSetting {
    std::string key;
    enum class Kind { kInteger, kBoolean } kind = Kind::kInteger;
    long long min = 0, max = 0;  // for integers
    std::function<std::string()> get;
    std::function<void(const std::string&)> apply;  // given a validated value
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
};

/// /admin-panel/...: the pages, their assets, the login flows and the panel's JSON API. Tickets are
/// handled by /api/v1/tickets, which accepts the panel's session cookie.
void AddPanelRoutes(http::Router& router, PanelServices& services);

}  // namespace maxis::panel
