#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/viewer.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// Where a panel session stands: before login, waiting for the second factor, enrolling it, or in.
enum class SessionStage { kAnonymous, kSecondFactor, kEnrol, kActive };
std::string_view ToString(SessionStage stage);
std::optional<SessionStage> ParseSessionStage(std::string_view text);

struct SessionRecord {
    std::string id_hash;  // SHA-256 (hex) of the session id
    std::optional<core::UserId> user;
    core::Role role = core::Role::kStaff;  // meaningful once user is set
    SessionStage stage = SessionStage::kAnonymous;
    std::string display_name;
    std::string avatar_url;
    std::string csrf_token;
    std::string locale = "fr";
    std::string ip;
    std::string user_agent;
    core::TimePoint created_at;
    core::TimePoint last_seen_at;
    core::TimePoint expires_at;
    std::optional<core::TimePoint> ended_at;
    std::string end_reason;
};

struct LoginGrant {
    core::UserId user;
    core::Role role = core::Role::kStaff;
    std::string name;
};

struct TotpRecord {
    std::string sealed_secret;
    std::string key_id;
    bool enabled = false;
    long long last_step = 0;
};

struct RateDecision {
    bool allowed = true;
    int hits = 0;
    core::Millis retry_after{0};  // until the window ends, when refused
};

struct AuditRow {
    long long id = 0;
    core::TimePoint at;
    std::string kind;  // "security" or "audit"
    std::optional<core::UserId> actor;
    std::string action;
    std::string target;
    std::string detail;
    std::string ip;
};

struct AuditFilter {
    std::string kind;  // empty: both
    std::optional<core::UserId> actor;
    std::string text;  // in action, target or detail
    std::optional<long long> before_id;
    int limit = 50;
};

struct UserRow {
    core::UserId id;
    std::string display_name;
    std::string locale;
    bool blocked = false;
    core::TimePoint created_at;
};

struct UserTicketRow {
    long long id = 0;
    std::string subject;
    std::string status;
    std::string priority;
    core::TimePoint created_at;
};

/// Raw rows for the dashboard; the panel aggregates them per day in the community's time zone.
struct DashboardRows {
    std::map<std::string, long long> tickets_by_status;
    struct TicketTimes {
        core::TimePoint created_at;
        std::optional<core::TimePoint> first_response_at;
        bool first_response_breached = false;
        bool resolution_breached = false;
    };
    std::vector<TicketTimes> tickets;  // created in the period
    struct MemberEvent {
        core::TimePoint at;
        bool joined = false;
    };
    std::vector<MemberEvent> member_events;  // in the period
    long long known_members = 0;             // rows in users
};

/// The admin panel's persistence: sessions, login states and links, second factors, rate-limit counters,
/// the audit log and runtime settings. Every call is one transaction run as Maxis itself; the panel checks
/// who may ask before calling.
class PanelStore {
public:
    explicit PanelStore(Database& db) : db_(db) {}

    // Sessions.
    void InsertSession(const SessionRecord& session);
    /// Ends the old session (reason "rotated") and inserts the new one in one transaction.
    void RotateSession(const std::string& old_hash, const SessionRecord& fresh, core::TimePoint now);
    [[nodiscard]] std::optional<SessionRecord> FindSession(const std::string& id_hash);
    void TouchSession(const std::string& id_hash, core::TimePoint now);
    void SetSessionLocale(const std::string& id_hash, const std::string& locale);
    /// False when it was already ended or does not exist.
    bool EndSession(const std::string& id_hash, const std::string& reason, core::TimePoint now);
    [[nodiscard]] std::vector<SessionRecord> LiveSessions(core::TimePoint now);

    // Single-use OAuth2 state (with its PKCE verifier) bound to a pre-login session.
    void SaveLoginState(const std::string& state, const std::string& session_hash, const std::string& verifier,
                        core::TimePoint now, core::TimePoint expires);
    /// The verifier when the state exists, belongs to that session, has not expired and was not used; it
    /// is marked used in the same transaction.
    [[nodiscard]] std::optional<std::string> TakeLoginState(const std::string& state, const std::string& session_hash,
                                                            core::TimePoint now);

    // One-time login links.
    void SaveLoginLink(const std::string& token_hash, const LoginGrant& grant, core::TimePoint now,
                       core::TimePoint expires);
    [[nodiscard]] std::optional<LoginGrant> TakeLoginLink(const std::string& token_hash, core::TimePoint now);

    // Second factor.
    [[nodiscard]] std::optional<TotpRecord> FindTotp(core::UserId user);
    /// Starts (or restarts) enrolment; refused with kConflict when a second factor is already enabled.
    void SavePendingTotp(core::UserId user, const std::string& sealed_secret, const std::string& key_id,
                         core::TimePoint now);
    /// Enables the pending secret with the step just used, and stores the recovery code hashes.
    bool EnableTotp(core::UserId user, long long step, const std::vector<std::string>& recovery_hashes,
                    core::TimePoint now);
    /// Records step as used; false when that step or a later one was already used (a replay).
    bool ClaimTotpStep(core::UserId user, long long step);
    bool UseRecoveryCode(core::UserId user, const std::string& code_hash, core::TimePoint now);
    [[nodiscard]] int RemainingRecoveryCodes(core::UserId user);
    /// Removes the second factor and the recovery codes (an admin's reset).
    bool ResetTotp(core::UserId user);

    // Rate limits: fixed windows counted atomically in the database.
    RateDecision Hit(const std::string& bucket, int limit, core::Millis window, core::TimePoint now);
    struct Bucket {
        std::string name;
        int limit = 0;
        core::Millis window{60'000};
    };
    /// Several buckets counted in one transaction (one request counts against its session and its IP).
    std::vector<RateDecision> HitAll(const std::vector<Bucket>& buckets, core::TimePoint now);
    /// Purges windows that ended before the given time.
    int PurgeRateLimits(core::TimePoint before);

    // Audit and security log.
    void Audit(const std::string& kind, std::optional<core::UserId> actor, const std::string& action,
               const std::string& target, const std::string& detail, const std::string& ip, core::TimePoint now);
    [[nodiscard]] std::vector<AuditRow> AuditLog(const AuditFilter& filter);

    // Runtime settings (the audit entry is written in the same transaction as the change).
    [[nodiscard]] std::map<std::string, std::string> Settings();
    void SaveSetting(const std::string& key, const std::string& value, const std::string& previous, core::UserId by,
                     const std::string& ip, core::TimePoint now);

    // Members.
    [[nodiscard]] std::vector<UserRow> SearchUsers(const std::string& text, int limit);
    [[nodiscard]] std::optional<UserRow> FindUser(core::UserId id);
    [[nodiscard]] std::vector<UserTicketRow> TicketsOf(core::UserId id, int limit);
    bool SetBlocked(core::UserId id, bool blocked);
    [[nodiscard]] bool IsBlocked(core::UserId id);

    [[nodiscard]] DashboardRows Dashboard(core::TimePoint since);

private:
    Database& db_;
};

}  // namespace maxis::storage
