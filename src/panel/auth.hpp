#pragma once
#include <atomic>
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "http/message.hpp"
#include "panel/keyring.hpp"
#include "panel/oauth_client.hpp"
#include "storage/panel_store.hpp"

namespace maxis::panel {

struct RateLimit {
    int count = 0;
    core::Millis window{60'000};
};

struct PanelOptions {
    /// "https://admin.example.org": the origin state-changing requests must come from, and the base of
    /// the OAuth2 redirect URI. Empty: taken from the request's Host header.
    std::string public_url;
    /// Plain-http loopback for local use: the cookie is then "maxis_session" without Secure (browsers
    /// refuse __Host- cookies without it). Refused by the configuration unless Maxis listens on loopback.
    bool insecure_http = false;
    core::Millis idle_timeout{30 * 60'000};
    core::Millis absolute_timeout{12 * 3'600'000};
    core::Millis login_ttl{10 * 60'000};  // OAuth2 state, login links, pre-login sessions
    bool require_second_factor = true;
    std::string default_locale = "fr";
    std::string community_name = "Maxis";
    // Who may log in, besides the Discord roles in oauth (staff_role_ids / admin_role_ids).
    std::vector<std::string> staff_user_ids, admin_user_ids, operator_user_ids;
    std::vector<std::string> staff_role_ids, admin_role_ids;
    OAuthOptions oauth;
    RateLimit login_per_ip{30, core::Millis(10 * 60'000)};
    RateLimit second_factor_per_user{5, core::Millis(5 * 60'000)};
    RateLimit second_factor_per_ip{20, core::Millis(5 * 60'000)};
    RateLimit api_per_session{600, core::Millis(60'000)};
    RateLimit api_per_ip{1200, core::Millis(60'000)};
};

/// A request's live panel session.
struct PanelSession {
    std::string id;  // the raw id (only ever in memory and, sealed, in the cookie)
    storage::SessionRecord record;
    [[nodiscard]] core::Viewer viewer() const {
        return core::Viewer{record.user.value_or(core::UserId{0}), record.role};
    }
};

/// The panel's login, second factor, sessions, CSRF and rate limits. Stateless itself: everything lives in
/// the database, so it survives restarts and is shared by instances.
class PanelAuth {
public:
    PanelAuth(PanelOptions options, storage::PanelStore& store, const core::Clock& clock, const Keyring& keys);

    [[nodiscard]] const PanelOptions& options() const { return options_; }
    [[nodiscard]] std::string CookieName() const;
    void SetRequireSecondFactor(bool required) { require_second_factor_ = required; }
    [[nodiscard]] bool RequireSecondFactor() const { return require_second_factor_; }
    /// Called with who signed in through Discord, and the role it earned (the member directory listens).
    /// Set before the server starts; what it throws is logged and does not stop the sign-in.
    void OnDiscordSignIn(std::function<void(const OAuthIdentity&, core::Role)> listener) {
        on_sign_in_ = std::move(listener);
    }

    /// The live session the request's cookie names, if any (ending it on the way when it timed out).
    [[nodiscard]] std::optional<PanelSession> Current(const http::Request& req);
    /// A logged-in session (fully, unless need_active is false), with the CSRF check for state changes and
    /// the API rate limits. Throws core::Error: kUnauthenticated, kForbidden, or kLimitReached.
    PanelSession Require(const http::Request& req, bool state_changing, bool need_active = true);
    /// For the REST API: the viewer of a panel session cookie (with the same checks), nullopt without one.
    std::optional<core::Viewer> ApiViewer(const http::Request& req);
    /// Counts a hit on bucket; throws core::Error(kLimitReached) with Retry-After once over the limit.
    void Limit(const std::string& bucket, const RateLimit& limit, const http::Request& req);
    /// The same for several buckets counted in one transaction.
    void Limit(const std::vector<std::pair<std::string, RateLimit>>& buckets, const http::Request& req);

    // The login flows; each answers with a redirect (and cookies) or a page.
    http::Response StartDiscordLogin(const http::Request& req);
    http::Response FinishDiscordLogin(const http::Request& req);
    http::Response UseLoginLink(const http::Request& req);
    http::Response Logout(const http::Request& req);
    /// A one-time login link token for 'maxis admin login-link' (valid login_ttl).
    std::string CreateLoginLink(const storage::LoginGrant& grant);

    // The second factor.
    boost::json::object BeginEnrolment(const PanelSession& session);
    std::string EnrolmentQrSvg(const PanelSession& session);
    /// Confirms enrolment with a first code: returns the recovery codes (shown once) and the new cookie.
    std::pair<std::vector<std::string>, std::string> ConfirmEnrolment(const PanelSession& session,
                                                                      const std::string& code,
                                                                      const http::Request& req);
    /// Checks a code (or a recovery code) at login; returns the new session's Set-Cookie value.
    std::string VerifySecondFactor(const PanelSession& session, const std::string& code, const http::Request& req);

    // Sessions, for admins.
    boost::json::array ListSessions(const PanelSession& current);
    bool EndSessionByRef(const PanelSession& by, const std::string& ref, const http::Request& req);

    void Audit(const std::string& kind, std::optional<core::UserId> actor, const std::string& action,
               const std::string& target, const std::string& detail, const http::Request& req);
    /// Which panel role Discord's answer earns, if any.
    [[nodiscard]] std::optional<core::Role> RoleFor(const OAuthIdentity& identity) const;
    /// The origin state-changing requests must come from (public_url, or the request's Host).
    [[nodiscard]] std::string ExpectedOrigin(const http::Request& req) const;

private:
    storage::SessionRecord NewRecord(const http::Request& req, std::string* id) const;
    std::string SetCookie(const std::string& id, core::Millis max_age) const;
    std::string ClearCookie() const;
    /// Rotates (or starts) the session into a logged-in one; returns the Set-Cookie value.
    std::pair<std::string, storage::SessionStage> StartLoggedIn(const std::optional<PanelSession>& previous,
                                                                core::UserId user, core::Role role,
                                                                const std::string& name, const std::string& avatar,
                                                                const http::Request& req, const std::string& via);
    [[nodiscard]] std::string OtpauthUri(const PanelSession& session, const std::string& base32_secret) const;
    std::string Promote(const PanelSession& session, const http::Request& req);
    void CheckCsrf(const http::Request& req, const storage::SessionRecord& record) const;
    std::optional<std::string> PendingSecret(core::UserId user);
    std::string RedirectUri(const http::Request& req) const;

    PanelOptions options_;
    storage::PanelStore& store_;
    const core::Clock& clock_;
    const Keyring& keys_;
    OAuthClient oauth_;
    std::atomic<bool> require_second_factor_;
    std::function<void(const OAuthIdentity&, core::Role)> on_sign_in_;
};

/// The client address a request came from, as rate limits and logs see it.
std::string ClientIp(const http::Request& req);
/// Where a session at that stage goes next.
std::string LandingFor(storage::SessionStage stage);
/// A redirect (303 See Other) with no body.
http::Response Redirect(const std::string& location);

}  // namespace maxis::panel
