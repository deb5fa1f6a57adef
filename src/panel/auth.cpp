#include "panel/auth.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "core/time_zone.hpp"
#include "crypto/crypto.hpp"
#include "panel/qr.hpp"

namespace maxis::panel {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;
using storage::SessionStage;

namespace {

std::string HashId(std::string_view id) { return crypto::HexEncode(crypto::Sha256(id)); }

std::optional<std::string> CookieValue(const http::Request& req, std::string_view name) {
    for (const auto& part : core::Split(req.Header("cookie"), ';')) {
        auto p = core::Trim(part);
        auto eq = p.find('=');
        if (eq != std::string_view::npos && p.substr(0, eq) == name) return std::string(p.substr(eq + 1));
    }
    return std::nullopt;
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

bool IsDigits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

std::string RecoveryHash(core::UserId user, std::string_view code) {
    std::string normalized;
    for (char c : code) {
        if (c != '-' && c != ' ') normalized += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return crypto::HexEncode(crypto::Sha256("maxis.recovery." + user.ToString() + "." + normalized));
}

std::string NewRecoveryCode() {
    auto text = crypto::Base32Encode(crypto::RandomBytes(7)).substr(0, 10);
    return text.substr(0, 5) + "-" + text.substr(5);
}

}  // namespace

std::string LandingFor(SessionStage stage) {
    switch (stage) {
        case SessionStage::kActive:
            return "/admin-panel/dashboard";
        case SessionStage::kEnrol:
            return "/admin-panel/enrol";
        case SessionStage::kSecondFactor:
            return "/admin-panel/second-factor";
        case SessionStage::kAnonymous:
            break;
    }
    return "/admin-panel/login";
}

namespace {

[[noreturn]] void Unauthenticated(const std::string& message, const std::string& key = {}) {
    throw Error(ErrorCode::kUnauthenticated, message, key);
}

}  // namespace

std::string ClientIp(const http::Request& req) { return req.remote_address; }

http::Response Redirect(const std::string& location) {
    http::Response r;
    r.status = 303;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", location);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

PanelAuth::PanelAuth(PanelOptions options, storage::PanelStore& store, const core::Clock& clock, const Keyring& keys)
    : options_(std::move(options)),
      store_(store),
      clock_(clock),
      keys_(keys),
      oauth_(options_.oauth),
      require_second_factor_(options_.require_second_factor) {}

std::string PanelAuth::CookieName() const { return options_.insecure_http ? "maxis_session" : "__Host-maxis_session"; }

std::string PanelAuth::SetCookie(const std::string& id, core::Millis max_age) const {
    return CookieName() + "=" + keys_.SealCookie(id) + "; Path=/; Max-Age=" + std::to_string(max_age.count() / 1000) +
           "; HttpOnly; SameSite=Lax" + (options_.insecure_http ? "" : "; Secure");
}

std::string PanelAuth::ClearCookie() const {
    return CookieName() + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (options_.insecure_http ? "" : "; Secure");
}

std::string PanelAuth::ExpectedOrigin(const http::Request& req) const {
    if (!options_.public_url.empty()) return options_.public_url;
    return std::string(options_.insecure_http ? "http://" : "https://") + req.Header("host");
}

std::string PanelAuth::RedirectUri(const http::Request& req) const {
    return ExpectedOrigin(req) + "/admin-panel/auth/callback";
}

void PanelAuth::Audit(const std::string& kind, std::optional<core::UserId> actor, const std::string& action,
                      const std::string& target, const std::string& detail, const http::Request& req) {
    store_.Audit(kind, actor, action, target, detail, ClientIp(req), clock_.Now());
}

storage::SessionRecord PanelAuth::NewRecord(const http::Request& req, std::string* id) const {
    *id = crypto::RandomBytes(32);
    storage::SessionRecord s;
    s.id_hash = HashId(*id);
    s.csrf_token = crypto::Base64UrlEncode(crypto::RandomBytes(24));
    s.locale = options_.default_locale;
    s.ip = ClientIp(req);
    s.user_agent = req.Header("user-agent").substr(0, 200);
    s.created_at = s.last_seen_at = clock_.Now();
    s.expires_at = s.created_at + options_.login_ttl;
    return s;
}

std::optional<PanelSession> PanelAuth::Current(const http::Request& req) {
    auto raw = CookieValue(req, CookieName());
    if (!raw) return std::nullopt;
    auto id = keys_.OpenCookie(*raw);
    if (!id || id->size() != 32) return std::nullopt;
    auto record = store_.FindSession(HashId(*id));
    if (!record || record->ended_at) return std::nullopt;
    auto now = clock_.Now();
    if (now >= record->expires_at) {
        store_.EndSession(record->id_hash, "expired", now);
        return std::nullopt;
    }
    if (now - record->last_seen_at > options_.idle_timeout) {
        store_.EndSession(record->id_hash, "idle", now);
        return std::nullopt;
    }
    if (now - record->last_seen_at > std::chrono::seconds(30)) {
        store_.TouchSession(record->id_hash, now);
        record->last_seen_at = now;
    }
    return PanelSession{*id, *record};
}

void PanelAuth::Limit(const std::string& bucket, const RateLimit& limit, const http::Request& req) {
    Limit({{bucket, limit}}, req);
}

void PanelAuth::Limit(const std::vector<std::pair<std::string, RateLimit>>& buckets, const http::Request& req) {
    std::vector<storage::PanelStore::Bucket> list;
    for (const auto& [name, limit] : buckets) list.push_back({name, limit.count, limit.window});
    auto decisions = store_.HitAll(list, clock_.Now());
    core::Millis wait{0};
    for (std::size_t i = 0; i < decisions.size(); ++i) {
        if (decisions[i].allowed) continue;
        if (decisions[i].hits == list[i].limit + 1)
            Audit("security", std::nullopt, "rate_limited", list[i].name, "", req);
        wait = std::max(wait, decisions[i].retry_after);
    }
    if (wait.count() == 0) return;
    auto seconds = static_cast<int>((wait.count() + 999) / 1000);
    throw Error(ErrorCode::kLimitReached, "too many requests; try again in " + std::to_string(seconds) + " s")
        .RetryAfter(std::max(1, seconds));
}

void PanelAuth::CheckCsrf(const http::Request& req, const storage::SessionRecord& record) const {
    auto token = req.Header("x-csrf-token");
    if (token.empty() || !crypto::ConstantTimeEquals(token, record.csrf_token)) {
        throw Error(ErrorCode::kForbidden, "missing or wrong CSRF token (send the X-CSRF-Token header)");
    }
    auto origin = req.Header("origin");
    auto site = req.Header("sec-fetch-site");
    if (!origin.empty()) {
        if (origin != ExpectedOrigin(req))
            throw Error(ErrorCode::kForbidden, "cross-origin request refused (Origin " + origin + ")");
    } else if (!site.empty()) {
        if (site != "same-origin")
            throw Error(ErrorCode::kForbidden, "cross-site request refused (Sec-Fetch-Site " + site + ")");
    } else {
        throw Error(ErrorCode::kForbidden, "state-changing requests need an Origin or Sec-Fetch-Site header");
    }
}

PanelSession PanelAuth::Require(const http::Request& req, bool state_changing, bool need_active) {
    auto session = Current(req);
    if (!session || !session->record.user) Unauthenticated("sign in to the admin panel first");
    if (need_active && session->record.stage != SessionStage::kActive) {
        Unauthenticated("finish signing in (second factor) first");
    }
    if (state_changing) CheckCsrf(req, session->record);
    Limit({{"api:session:" + session->record.id_hash.substr(0, 32), options_.api_per_session},
           {"api:ip:" + ClientIp(req), options_.api_per_ip}},
          req);
    return *session;
}

std::optional<core::Viewer> PanelAuth::ApiViewer(const http::Request& req) {
    if (!CookieValue(req, CookieName())) return std::nullopt;
    bool state_changing = req.method != "GET" && req.method != "HEAD";
    return Require(req, state_changing).viewer();
}

std::optional<core::Role> PanelAuth::RoleFor(const OAuthIdentity& identity) const {
    auto id = identity.id.ToString();
    if (Contains(options_.operator_user_ids, id)) return core::Role::kOperator;
    bool admin = Contains(options_.admin_user_ids, id), staff = Contains(options_.staff_user_ids, id);
    for (const auto& r : identity.role_ids) {
        admin |= Contains(options_.admin_role_ids, r);
        staff |= Contains(options_.staff_role_ids, r);
    }
    if (admin) return core::Role::kAdmin;
    if (staff) return core::Role::kStaff;
    return std::nullopt;
}

http::Response PanelAuth::StartDiscordLogin(const http::Request& req) {
    Limit("login:ip:" + ClientIp(req), options_.login_per_ip, req);
    if (!oauth_.options().configured()) return Redirect("/admin-panel/login?error=oauth_unconfigured");
    auto session = Current(req);
    if (session && session->record.stage == SessionStage::kActive) return Redirect("/admin-panel/dashboard");
    std::optional<std::string> set_cookie;
    std::string hash;
    if (session && !session->record.user) {
        hash = session->record.id_hash;
    } else {
        std::string id;
        auto record = NewRecord(req, &id);
        store_.InsertSession(record);
        hash = record.id_hash;
        set_cookie = SetCookie(id, options_.login_ttl);
    }
    auto state = crypto::Base64UrlEncode(crypto::RandomBytes(24));
    auto verifier = crypto::Base64UrlEncode(crypto::RandomBytes(48));
    auto now = clock_.Now();
    store_.SaveLoginState(state, hash, verifier, now, now + options_.login_ttl);
    auto response = Redirect(oauth_.AuthorizeUrl(state, crypto::PkceChallenge(verifier), RedirectUri(req)));
    if (set_cookie) response.headers.emplace_back("Set-Cookie", *set_cookie);
    return response;
}

http::Response PanelAuth::FinishDiscordLogin(const http::Request& req) {
    Limit("login:ip:" + ClientIp(req), options_.login_per_ip, req);
    if (auto error = req.QueryParam("error")) {
        return Redirect("/admin-panel/login?error=" + std::string(*error == "access_denied" ? "cancelled" : "discord"));
    }
    auto state = req.QueryParam("state").value_or("");
    auto code = req.QueryParam("code").value_or("");
    auto session = Current(req);
    if (state.empty() || code.empty() || !session || session->record.user) {
        Audit("security", std::nullopt, "login.refused", "", "callback without a pending login", req);
        return Redirect("/admin-panel/login?error=expired");
    }
    auto verifier = store_.TakeLoginState(state, session->record.id_hash, clock_.Now());
    if (!verifier) {
        Audit("security", std::nullopt, "login.refused", "", "unknown, reused or expired state", req);
        return Redirect("/admin-panel/login?error=expired");
    }
    OAuthIdentity identity;
    try {
        identity = oauth_.Exchange(code, *verifier, RedirectUri(req));
    } catch (const Error& e) {
        spdlog::warn("panel: Discord login failed: {}", e.what());
        Audit("security", std::nullopt, "login.failed", "", e.what(), req);
        return Redirect("/admin-panel/login?error=discord");
    }
    auto role = RoleFor(identity);
    if (!role) {
        Audit("security", identity.id, "login.refused", identity.id.ToString(), "not staff: " + identity.name, req);
        store_.EndSession(session->record.id_hash, "refused", clock_.Now());
        auto r = Redirect("/admin-panel/refused");
        r.headers.emplace_back("Set-Cookie", ClearCookie());
        return r;
    }
    if (on_sign_in_) {
        try {
            on_sign_in_(identity, *role);
        } catch (const std::exception& e) {
            spdlog::warn("panel: could not record {} in the member directory: {}", identity.id.ToString(), e.what());
        }
    }
    auto [cookie, stage] =
        StartLoggedIn(session, identity.id, *role, identity.name, identity.avatar_url, req, "discord");
    auto r = Redirect(LandingFor(stage));
    r.headers.emplace_back("Set-Cookie", cookie);
    return r;
}

http::Response PanelAuth::UseLoginLink(const http::Request& req) {
    Limit("login:ip:" + ClientIp(req), options_.login_per_ip, req);
    auto token = req.QueryParam("token").value_or("");
    std::optional<storage::LoginGrant> grant;
    if (!token.empty() && token.size() < 100) grant = store_.TakeLoginLink(HashId(token), clock_.Now());
    if (!grant) {
        Audit("security", std::nullopt, "login.refused", "", "unknown, used or expired login link", req);
        return Redirect("/admin-panel/login?error=link");
    }
    auto session = Current(req);
    auto [cookie, stage] = StartLoggedIn(session, grant->user, grant->role, grant->name, "", req, "login link");
    auto r = Redirect(LandingFor(stage));
    r.headers.emplace_back("Set-Cookie", cookie);
    return r;
}

std::string PanelAuth::CreateLoginLink(const storage::LoginGrant& grant) {
    if (!core::Viewer{grant.user, grant.role}.IsStaff() || grant.role == core::Role::kSystem || grant.user.value <= 0) {
        throw Error(ErrorCode::kInvalidArgument, "a login link is for staff, admin or operator");
    }
    auto token = crypto::Base64UrlEncode(crypto::RandomBytes(32));
    auto now = clock_.Now();
    store_.SaveLoginLink(HashId(token), grant, now, now + options_.login_ttl);
    store_.Audit("security", grant.user, "login_link.created", grant.user.ToString(),
                 std::string(core::ToString(grant.role)), "cli", now);
    return token;
}

std::pair<std::string, SessionStage> PanelAuth::StartLoggedIn(const std::optional<PanelSession>& previous,
                                                              core::UserId user, core::Role role,
                                                              const std::string& name, const std::string& avatar,
                                                              const http::Request& req, const std::string& via) {
    auto totp = store_.FindTotp(user);
    SessionStage stage = totp && totp->enabled    ? SessionStage::kSecondFactor
                         : require_second_factor_ ? SessionStage::kEnrol
                                                  : SessionStage::kActive;
    std::string id;
    auto fresh = NewRecord(req, &id);
    fresh.user = user;
    fresh.role = role;
    fresh.stage = stage;
    fresh.display_name = name.substr(0, 100);
    fresh.avatar_url = avatar;
    if (previous) fresh.locale = previous->record.locale;
    // Half-logged-in sessions (waiting for the second factor) live only as long as a login may take.
    fresh.expires_at =
        fresh.created_at + (stage == SessionStage::kActive ? options_.absolute_timeout : options_.login_ttl);
    if (previous) {
        store_.RotateSession(previous->record.id_hash, fresh, clock_.Now());
    } else {
        store_.InsertSession(fresh);
    }
    Audit("security", user, stage == SessionStage::kActive ? "login.succeeded" : "login.first_factor", user.ToString(),
          via + " (" + std::string(core::ToString(role)) + ")", req);
    return {SetCookie(id, fresh.expires_at - fresh.created_at), stage};
}

std::string PanelAuth::Promote(const PanelSession& session, const http::Request& req) {
    std::string id;
    auto fresh = NewRecord(req, &id);
    fresh.user = session.record.user;
    fresh.role = session.record.role;
    fresh.stage = SessionStage::kActive;
    fresh.display_name = session.record.display_name;
    fresh.avatar_url = session.record.avatar_url;
    fresh.locale = session.record.locale;
    fresh.expires_at = fresh.created_at + options_.absolute_timeout;
    store_.RotateSession(session.record.id_hash, fresh, clock_.Now());
    Audit("security", session.record.user, "login.succeeded", session.record.user->ToString(), "second factor", req);
    return SetCookie(id, options_.absolute_timeout);
}

http::Response PanelAuth::Logout(const http::Request& req) {
    auto session = Require(req, true, false);
    store_.EndSession(session.record.id_hash, "logout", clock_.Now());
    Audit("security", session.record.user, "logout", "", "", req);
    auto r = http::Response::Json(200, json::object{{"ok", true}});
    r.headers.emplace_back("Set-Cookie", ClearCookie());
    return r;
}

std::optional<std::string> PanelAuth::PendingSecret(core::UserId user) {
    auto totp = store_.FindTotp(user);
    if (!totp || totp->enabled) return std::nullopt;
    return keys_.OpenSecret(totp->sealed_secret, totp->key_id, "totp." + user.ToString());
}

json::object PanelAuth::BeginEnrolment(const PanelSession& session) {
    auto user = *session.record.user;
    auto secret = crypto::RandomBytes(20);  // SavePendingTotp refuses (kConflict) when one is already enabled
    store_.SavePendingTotp(user, keys_.SealSecret(secret, "totp." + user.ToString()), keys_.current_key_id(),
                           clock_.Now());
    auto b32 = crypto::Base32Encode(secret);
    return json::object{
        {"secret", b32}, {"uri", OtpauthUri(session, b32)}, {"qr", "/admin-panel/api/second-factor/qr.svg"}};
}

std::string PanelAuth::OtpauthUri(const PanelSession& session, const std::string& b32) const {
    auto user = *session.record.user;
    std::string label = options_.community_name + ":" +
                        (session.record.display_name.empty() ? user.ToString() : session.record.display_name);
    std::string escaped;
    for (unsigned char c : label) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == ':') {
            escaped += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            escaped += buf;
        }
    }
    std::string issuer;
    for (unsigned char c : options_.community_name) {
        if (std::isalnum(c)) issuer += static_cast<char>(c);
    }
    return "otpauth://totp/" + escaped + "?secret=" + b32 + "&issuer=" + (issuer.empty() ? "Maxis" : issuer) +
           "&algorithm=SHA1&digits=6&period=30";
}

std::string PanelAuth::EnrolmentQrSvg(const PanelSession& session) {
    auto user = *session.record.user;
    auto secret = PendingSecret(user);
    if (!secret) throw Error(ErrorCode::kNotFound, "no enrolment in progress", "panel.no_enrolment");
    return QrSvg(OtpauthUri(session, crypto::Base32Encode(*secret)));
}

namespace {
/// The step (of 30 s) within ±1 of now whose code matches, if any.
std::optional<long long> MatchingStep(const std::string& secret, const std::string& code, core::TimePoint now) {
    if (code.size() != 6 || !IsDigits(code)) return std::nullopt;
    long long unix = core::ToEpochMillis(now) / 1000, step = unix / 30;
    for (long long s : {step - 1, step, step + 1}) {
        if (crypto::ConstantTimeEquals(crypto::Totp(secret, s * 30), code)) return s;
    }
    return std::nullopt;
}
}  // namespace

std::pair<std::vector<std::string>, std::string> PanelAuth::ConfirmEnrolment(const PanelSession& session,
                                                                             const std::string& code,
                                                                             const http::Request& req) {
    auto user = *session.record.user;
    Limit({{"2fa:user:" + user.ToString(), options_.second_factor_per_user},
           {"2fa:ip:" + ClientIp(req), options_.second_factor_per_ip}},
          req);
    auto secret = PendingSecret(user);
    if (!secret) throw Error(ErrorCode::kNotFound, "no enrolment in progress: start again", "panel.no_enrolment");
    auto step = MatchingStep(*secret, std::string(core::Trim(code)), clock_.Now());
    if (!step) {
        Audit("security", user, "2fa.failed", user.ToString(), "enrolment", req);
        Unauthenticated("wrong code: check the time on your phone and try the next one", "panel.wrong_code");
    }
    std::vector<std::string> codes, hashes;
    for (int i = 0; i < 10; ++i) {
        codes.push_back(NewRecoveryCode());
        hashes.push_back(RecoveryHash(user, codes.back()));
    }
    if (!store_.EnableTotp(user, *step, hashes, clock_.Now()))
        throw Error(ErrorCode::kConflict, "already enabled", "panel.already_enabled");
    Audit("security", user, "2fa.enabled", user.ToString(), "", req);
    return {codes, Promote(session, req)};
}

std::string PanelAuth::VerifySecondFactor(const PanelSession& session, const std::string& raw_code,
                                          const http::Request& req) {
    auto user = *session.record.user;
    Limit({{"2fa:user:" + user.ToString(), options_.second_factor_per_user},
           {"2fa:ip:" + ClientIp(req), options_.second_factor_per_ip}},
          req);
    auto totp = store_.FindTotp(user);
    if (!totp || !totp->enabled)
        throw Error(ErrorCode::kNotFound, "no second factor is set up for this account", "panel.no_second_factor");
    std::string code(core::Trim(raw_code));
    if (code.size() > 6) {
        if (store_.UseRecoveryCode(user, RecoveryHash(user, code), clock_.Now())) {
            Audit("security", user, "2fa.recovery_code_used", user.ToString(),
                  std::to_string(store_.RemainingRecoveryCodes(user)) + " left", req);
            return Promote(session, req);
        }
        Audit("security", user, "2fa.failed", user.ToString(), "recovery code", req);
        Unauthenticated("unknown or already used recovery code", "panel.unknown_recovery_code");
    }
    auto secret = keys_.OpenSecret(totp->sealed_secret, totp->key_id, "totp." + user.ToString());
    if (!secret)
        throw Error(ErrorCode::kInternal, "the stored second factor cannot be opened with the configured keys");
    auto step = MatchingStep(*secret, code, clock_.Now());
    if (!step) {
        Audit("security", user, "2fa.failed", user.ToString(), "", req);
        Unauthenticated("wrong code", "panel.wrong_code");
    }
    if (!store_.ClaimTotpStep(user, *step)) {
        Audit("security", user, "2fa.replayed", user.ToString(), "", req);
        Unauthenticated("this code was already used: wait for the next one", "panel.code_replayed");
    }
    return Promote(session, req);
}

json::array PanelAuth::ListSessions(const PanelSession& current) {
    json::array out;
    for (const auto& s : store_.LiveSessions(clock_.Now())) {
        if (clock_.Now() - s.last_seen_at > options_.idle_timeout) continue;
        out.push_back(json::object{{"ref", s.id_hash.substr(0, 16)},
                                   {"user", s.user ? s.user->ToString() : ""},
                                   {"name", s.display_name},
                                   {"role", core::ToString(s.role)},
                                   {"stage", storage::ToString(s.stage)},
                                   {"ip", s.ip},
                                   {"user_agent", s.user_agent},
                                   {"created_at", core::FormatIso8601(s.created_at)},
                                   {"last_seen_at", core::FormatIso8601(s.last_seen_at)},
                                   {"current", s.id_hash == current.record.id_hash}});
    }
    return out;
}

bool PanelAuth::EndSessionByRef(const PanelSession& by, const std::string& ref, const http::Request& req) {
    if (ref.size() != 16) return false;
    for (const auto& s : store_.LiveSessions(clock_.Now())) {
        if (s.id_hash.starts_with(ref)) {
            bool ended = store_.EndSession(s.id_hash, "ended by " + by.record.user->ToString(), clock_.Now());
            if (ended) Audit("security", by.record.user, "session.ended", s.user ? s.user->ToString() : "", ref, req);
            return ended;
        }
    }
    return false;
}

}  // namespace maxis::panel
