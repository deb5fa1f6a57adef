#include "storage/panel_store.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "storage/sql_util.hpp"

namespace maxis::storage {

using core::FromEpochMillis;
using core::ToEpochMillis;
using core::Viewer;

std::string_view ToString(SessionStage stage) {
    switch (stage) {
        case SessionStage::kAnonymous:
            return "anonymous";
        case SessionStage::kSecondFactor:
            return "second_factor";
        case SessionStage::kEnrol:
            return "enrol";
        case SessionStage::kActive:
            return "active";
    }
    return "anonymous";
}

std::optional<SessionStage> ParseSessionStage(std::string_view text) {
    for (auto s :
         {SessionStage::kAnonymous, SessionStage::kSecondFactor, SessionStage::kEnrol, SessionStage::kActive}) {
        if (ToString(s) == text) return s;
    }
    return std::nullopt;
}

namespace {

constexpr const char* kSessionColumns =
    "id_hash, user_id, role, stage, display_name, avatar_url, csrf_token, locale, ip, user_agent, created_at, "
    "last_seen_at, expires_at, ended_at, end_reason";

SessionRecord SessionFrom(const soci::row& row) {
    SessionRecord s;
    s.id_hash = RowText(row, 0);
    if (row.get_indicator(1) != soci::i_null) s.user = core::UserId{RowInt(row, 1)};
    if (auto role = RowOptionalText(row, 2)) s.role = core::ParseRole(*role).value_or(core::Role::kStaff);
    s.stage = ParseSessionStage(RowText(row, 3)).value_or(SessionStage::kAnonymous);
    s.display_name = RowText(row, 4);
    s.avatar_url = RowText(row, 5);
    s.csrf_token = RowText(row, 6);
    s.locale = RowText(row, 7);
    s.ip = RowText(row, 8);
    s.user_agent = RowText(row, 9);
    s.created_at = FromEpochMillis(RowInt(row, 10));
    s.last_seen_at = FromEpochMillis(RowInt(row, 11));
    s.expires_at = FromEpochMillis(RowInt(row, 12));
    s.ended_at = RowOptionalTime(row, 13);
    s.end_reason = RowOptionalText(row, 14).value_or("");
    return s;
}

void Insert(soci::session& sql, const SessionRecord& s) {
    long long uid = s.user ? s.user->value : 0;
    soci::indicator uid_ind = s.user ? soci::i_ok : soci::i_null;
    std::string role(core::ToString(s.role));
    soci::indicator role_ind = s.user ? soci::i_ok : soci::i_null;
    std::string stage(ToString(s.stage));
    long long created = ToEpochMillis(s.created_at), seen = ToEpochMillis(s.last_seen_at),
              expires = ToEpochMillis(s.expires_at);
    sql << "INSERT INTO sessions (id_hash, user_id, role, stage, display_name, avatar_url, csrf_token, locale, ip, "
           "user_agent, created_at, last_seen_at, expires_at) VALUES (:h, :u, :r, :s, :n, :a, :c, :l, :ip, :ua, :cr, "
           ":se, :ex)",
        soci::use(s.id_hash), soci::use(uid, uid_ind), soci::use(role, role_ind), soci::use(stage),
        soci::use(s.display_name), soci::use(s.avatar_url), soci::use(s.csrf_token), soci::use(s.locale),
        soci::use(s.ip), soci::use(s.user_agent), soci::use(created), soci::use(seen), soci::use(expires);
}

}  // namespace

void PanelStore::InsertSession(const SessionRecord& session) {
    db_.Write(Viewer::System(), [&](Transaction& tx) { Insert(tx.sql(), session); });
}

void PanelStore::RotateSession(const std::string& old_hash, const SessionRecord& fresh, core::TimePoint now) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long t = ToEpochMillis(now);
        tx.sql() << "UPDATE sessions SET ended_at = :t, end_reason = 'rotated' WHERE id_hash = :h AND ended_at IS NULL",
            soci::use(t), soci::use(old_hash);
        Insert(tx.sql(), fresh);
    });
}

std::optional<SessionRecord> PanelStore::FindSession(const std::string& id_hash) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) -> std::optional<SessionRecord> {
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE id_hash = :h",
             soci::use(id_hash));
        for (const auto& row : rows) return SessionFrom(row);
        return std::nullopt;
    });
}

void PanelStore::TouchSession(const std::string& id_hash, core::TimePoint now) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long t = ToEpochMillis(now);
        tx.sql() << "UPDATE sessions SET last_seen_at = :t WHERE id_hash = :h AND ended_at IS NULL", soci::use(t),
            soci::use(id_hash);
    });
}

void PanelStore::SetSessionLocale(const std::string& id_hash, const std::string& locale) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        tx.sql() << "UPDATE sessions SET locale = :l WHERE id_hash = :h", soci::use(locale), soci::use(id_hash);
    });
}

bool PanelStore::EndSession(const std::string& id_hash, const std::string& reason, core::TimePoint now) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long t = ToEpochMillis(now);
        soci::statement st =
            (tx.sql().prepare << "UPDATE sessions SET ended_at = :t, end_reason = :r WHERE id_hash = :h "
                                 "AND ended_at IS NULL",
             soci::use(t), soci::use(reason), soci::use(id_hash));
        return AffectedRows(st) == 1;
    });
}

std::vector<SessionRecord> PanelStore::LiveSessions(core::TimePoint now) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        std::vector<SessionRecord> out;
        long long t = ToEpochMillis(now);
        soci::rowset<soci::row> rows =
            (tx.sql().prepare
                 << std::string("SELECT ") + kSessionColumns +
                        " FROM sessions WHERE ended_at IS NULL AND user_id IS NOT NULL AND expires_at > :t "
                        "ORDER BY last_seen_at DESC LIMIT 500",
             soci::use(t));
        for (const auto& row : rows) out.push_back(SessionFrom(row));
        return out;
    });
}

void PanelStore::SaveLoginState(const std::string& state, const std::string& session_hash, const std::string& verifier,
                                core::TimePoint now, core::TimePoint expires) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long n = ToEpochMillis(now), e = ToEpochMillis(expires);
        // Old states are cleared as new ones come; none lives past its expiry anyway.
        tx.sql() << "DELETE FROM login_states WHERE expires_at < :n", soci::use(n);
        tx.sql()
            << "INSERT INTO login_states (state, session_hash, verifier, created_at, expires_at) VALUES (:s, :h, :v, "
               ":n, :e)",
            soci::use(state), soci::use(session_hash), soci::use(verifier), soci::use(n), soci::use(e);
    });
}

std::optional<std::string> PanelStore::TakeLoginState(const std::string& state, const std::string& session_hash,
                                                      core::TimePoint now) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) -> std::optional<std::string> {
        long long n = ToEpochMillis(now);
        soci::statement st =
            (tx.sql().prepare << "UPDATE login_states SET used_at = :n WHERE state = :s AND session_hash = "
                                 ":h AND used_at IS NULL AND expires_at > :n2",
             soci::use(n), soci::use(state), soci::use(session_hash), soci::use(n));
        if (AffectedRows(st) != 1) return std::nullopt;
        std::string verifier;
        tx.sql() << "SELECT verifier FROM login_states WHERE state = :s", soci::use(state), soci::into(verifier);
        return verifier;
    });
}

void PanelStore::SaveLoginLink(const std::string& token_hash, const LoginGrant& grant, core::TimePoint now,
                               core::TimePoint expires) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = grant.user.value, n = ToEpochMillis(now), e = ToEpochMillis(expires);
        std::string role(core::ToString(grant.role));
        tx.sql()
            << "INSERT INTO login_links (token_hash, user_id, role, name, created_at, expires_at) VALUES (:h, :u, :r, "
               ":n, :c, :e)",
            soci::use(token_hash), soci::use(uid), soci::use(role), soci::use(grant.name), soci::use(n), soci::use(e);
    });
}

std::optional<LoginGrant> PanelStore::TakeLoginLink(const std::string& token_hash, core::TimePoint now) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) -> std::optional<LoginGrant> {
        long long n = ToEpochMillis(now);
        soci::statement st =
            (tx.sql().prepare << "UPDATE login_links SET used_at = :n WHERE token_hash = :h AND used_at IS "
                                 "NULL AND expires_at > :n2",
             soci::use(n), soci::use(token_hash), soci::use(n));
        if (AffectedRows(st) != 1) return std::nullopt;
        long long uid = 0;
        std::string role, name;
        tx.sql() << "SELECT user_id, role, name FROM login_links WHERE token_hash = :h", soci::use(token_hash),
            soci::into(uid), soci::into(role), soci::into(name);
        return LoginGrant{core::UserId{uid}, core::ParseRole(role).value_or(core::Role::kStaff), name};
    });
}

std::optional<TotpRecord> PanelStore::FindTotp(core::UserId user) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) -> std::optional<TotpRecord> {
        long long uid = user.value;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << "SELECT secret, key_id, enabled_at, last_step FROM staff_totp WHERE user_id = :u",
             soci::use(uid));
        for (const auto& row : rows) {
            return TotpRecord{RowText(row, 0), RowText(row, 1), row.get_indicator(2) != soci::i_null, RowInt(row, 3)};
        }
        return std::nullopt;
    });
}

void PanelStore::SavePendingTotp(core::UserId user, const std::string& sealed_secret, const std::string& key_id,
                                 core::TimePoint now) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value, n = ToEpochMillis(now);
        int enabled = 0;
        tx.sql() << "SELECT COUNT(*) FROM staff_totp WHERE user_id = :u AND enabled_at IS NOT NULL", soci::use(uid),
            soci::into(enabled);
        if (enabled > 0) throw core::Error(core::ErrorCode::kConflict, "two-factor authentication is already enabled");
        tx.sql() << "DELETE FROM staff_totp WHERE user_id = :u", soci::use(uid);
        tx.sql() << "INSERT INTO staff_totp (user_id, secret, key_id, created_at) VALUES (:u, :s, :k, :n)",
            soci::use(uid), soci::use(sealed_secret), soci::use(key_id), soci::use(n);
    });
}

bool PanelStore::EnableTotp(core::UserId user, long long step, const std::vector<std::string>& recovery_hashes,
                            core::TimePoint now) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value, n = ToEpochMillis(now);
        soci::statement st =
            (tx.sql().prepare << "UPDATE staff_totp SET enabled_at = :n, last_step = :s WHERE user_id = :u "
                                 "AND enabled_at IS NULL",
             soci::use(n), soci::use(step), soci::use(uid));
        if (AffectedRows(st) != 1) return false;
        tx.sql() << "DELETE FROM recovery_codes WHERE user_id = :u", soci::use(uid);
        for (const auto& h : recovery_hashes) {
            tx.sql() << "INSERT INTO recovery_codes (user_id, code_hash) VALUES (:u, :h)", soci::use(uid), soci::use(h);
        }
        return true;
    });
}

bool PanelStore::ClaimTotpStep(core::UserId user, long long step) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value;
        soci::statement st =
            (tx.sql().prepare << "UPDATE staff_totp SET last_step = :s WHERE user_id = :u AND enabled_at IS "
                                 "NOT NULL AND last_step < :s2",
             soci::use(step), soci::use(uid), soci::use(step));
        return AffectedRows(st) == 1;
    });
}

bool PanelStore::UseRecoveryCode(core::UserId user, const std::string& code_hash, core::TimePoint now) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value, n = ToEpochMillis(now);
        soci::statement st =
            (tx.sql().prepare << "UPDATE recovery_codes SET used_at = :n WHERE user_id = :u AND code_hash = "
                                 ":h AND used_at IS NULL",
             soci::use(n), soci::use(uid), soci::use(code_hash));
        return AffectedRows(st) == 1;
    });
}

int PanelStore::RemainingRecoveryCodes(core::UserId user) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value;
        int n = 0;
        tx.sql() << "SELECT COUNT(*) FROM recovery_codes WHERE user_id = :u AND used_at IS NULL", soci::use(uid),
            soci::into(n);
        return n;
    });
}

bool PanelStore::ResetTotp(core::UserId user) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value;
        tx.sql() << "DELETE FROM recovery_codes WHERE user_id = :u", soci::use(uid);
        soci::statement st = (tx.sql().prepare << "DELETE FROM staff_totp WHERE user_id = :u", soci::use(uid));
        return AffectedRows(st) == 1;
    });
}

RateDecision PanelStore::Hit(const std::string& bucket, int limit, core::Millis window, core::TimePoint now) {
    return HitAll({Bucket{bucket, limit, window}}, now).front();
}

std::vector<RateDecision> PanelStore::HitAll(const std::vector<Bucket>& buckets, core::TimePoint now) {
    long long n = ToEpochMillis(now);
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        std::vector<RateDecision> out;
        for (const auto& b : buckets) {
            long long w = b.window.count(), start = n - n % w;
            int hits = 0;
            // One statement per bucket: concurrent hits (threads or instances) are serialized by the row.
            tx.sql()
                << "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (:b, :s, 1) ON CONFLICT (bucket) DO "
                   "UPDATE SET hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN "
                   "rate_limits.hits + 1 ELSE 1 END, window_start = excluded.window_start RETURNING hits",
                soci::use(b.name), soci::use(start), soci::into(hits);
            RateDecision d;
            d.hits = hits;
            d.allowed = hits <= b.limit;
            if (!d.allowed) d.retry_after = core::Millis(start + w - n);
            out.push_back(d);
        }
        return out;
    });
}

int PanelStore::PurgeRateLimits(core::TimePoint before) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long t = ToEpochMillis(before);
        soci::statement st = (tx.sql().prepare << "DELETE FROM rate_limits WHERE window_start < :t", soci::use(t));
        return static_cast<int>(AffectedRows(st));
    });
}

void PanelStore::Audit(const std::string& kind, std::optional<core::UserId> actor, const std::string& action,
                       const std::string& target, const std::string& detail, const std::string& ip,
                       core::TimePoint now) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long n = ToEpochMillis(now), a = actor ? actor->value : 0;
        soci::indicator a_ind = actor ? soci::i_ok : soci::i_null;
        tx.sql() << "INSERT INTO audit_log (at, kind, actor, action, target, detail, ip) VALUES (:n, :k, :a, :ac, :t, "
                    ":d, :ip)",
            soci::use(n), soci::use(kind), soci::use(a, a_ind), soci::use(action), soci::use(target), soci::use(detail),
            soci::use(ip);
    });
}

std::vector<AuditRow> PanelStore::AuditLog(const AuditFilter& filter) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        DynamicQuery q;
        std::string sql = "SELECT id, at, kind, actor, action, target, detail, ip FROM audit_log WHERE 1 = 1";
        if (!filter.kind.empty()) sql += " AND kind = " + q.Bind(filter.kind);
        if (filter.actor) sql += " AND actor = " + q.Bind(filter.actor->value);
        if (filter.before_id) sql += " AND id < " + q.Bind(*filter.before_id);
        if (!filter.text.empty()) {
            std::string like = "%" + filter.text + "%";
            sql += " AND (action LIKE " + q.Bind(like) + " OR target LIKE " + q.Bind(like) + " OR detail LIKE " +
                   q.Bind(like) + ")";
        }
        sql += " ORDER BY id DESC LIMIT " + std::to_string(std::clamp(filter.limit, 1, 200));
        std::vector<AuditRow> out;
        q.ForEachRow(tx.sql(), sql, [&](const soci::row& row) {
            AuditRow r;
            r.id = RowInt(row, 0);
            r.at = FromEpochMillis(RowInt(row, 1));
            r.kind = RowText(row, 2);
            if (row.get_indicator(3) != soci::i_null) r.actor = core::UserId{RowInt(row, 3)};
            r.action = RowText(row, 4);
            r.target = RowText(row, 5);
            r.detail = RowText(row, 6);
            r.ip = RowText(row, 7);
            out.push_back(std::move(r));
        });
        return out;
    });
}

std::map<std::string, std::string> PanelStore::Settings() {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        std::map<std::string, std::string> out;
        soci::rowset<soci::row> rows = (tx.sql().prepare << "SELECT key, value FROM settings");
        for (const auto& row : rows) out[RowText(row, 0)] = RowText(row, 1);
        return out;
    });
}

void PanelStore::SaveSetting(const std::string& key, const std::string& value, const std::string& previous,
                             core::UserId by, const std::string& ip, core::TimePoint now) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long n = ToEpochMillis(now), b = by.value;
        tx.sql()
            << "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (:k, :v, :n, :b) ON CONFLICT (key) DO "
               "UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            soci::use(key), soci::use(value), soci::use(n), soci::use(b);
        std::string detail = previous + " -> " + value, kind = "audit", action = "setting.changed";
        tx.sql() << "INSERT INTO audit_log (at, kind, actor, action, target, detail, ip) VALUES (:n, :k, :a, :ac, :t, "
                    ":d, :ip)",
            soci::use(n), soci::use(kind), soci::use(b), soci::use(action), soci::use(key), soci::use(detail),
            soci::use(ip);
    });
}

namespace {
UserRow UserFrom(const soci::row& row) {
    return UserRow{core::UserId{RowInt(row, 0)}, RowText(row, 1), RowText(row, 2), RowInt(row, 3) != 0,
                   FromEpochMillis(RowInt(row, 4))};
}
}  // namespace

std::vector<UserRow> PanelStore::SearchUsers(const std::string& text, int limit) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        DynamicQuery q;
        std::string sql = "SELECT id, display_name, locale, CASE WHEN blocked THEN 1 ELSE 0 END, created_at FROM users";
        if (!text.empty()) {
            std::string like = "%" + text + "%";
            sql += " WHERE LOWER(display_name) LIKE LOWER(" + q.Bind(like) + ")";
            if (auto id = core::ParseId(text)) sql += " OR id = " + q.Bind(*id);
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT " + std::to_string(std::clamp(limit, 1, 200));
        std::vector<UserRow> out;
        q.ForEachRow(tx.sql(), sql, [&](const soci::row& row) { out.push_back(UserFrom(row)); });
        return out;
    });
}

std::optional<UserRow> PanelStore::FindUser(core::UserId id) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) -> std::optional<UserRow> {
        long long uid = id.value;
        soci::rowset<soci::row> rows = (tx.sql().prepare << "SELECT id, display_name, locale, CASE WHEN blocked THEN 1 "
                                                            "ELSE 0 END, created_at FROM users WHERE id = :u",
                                        soci::use(uid));
        for (const auto& row : rows) return UserFrom(row);
        return std::nullopt;
    });
}

std::vector<UserTicketRow> PanelStore::TicketsOf(core::UserId id, int limit) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        long long uid = id.value;
        std::vector<UserTicketRow> out;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare
                 << "SELECT id, subject, status, priority, created_at FROM tickets WHERE owner_id = :u ORDER BY "
                    "id DESC LIMIT " +
                        std::to_string(std::clamp(limit, 1, 200)),
             soci::use(uid));
        for (const auto& row : rows) {
            out.push_back(UserTicketRow{RowInt(row, 0), RowText(row, 1), RowText(row, 2), RowText(row, 3),
                                        FromEpochMillis(RowInt(row, 4))});
        }
        return out;
    });
}

bool PanelStore::SetBlocked(core::UserId id, bool blocked) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = id.value;
        int b = blocked ? 1 : 0;
        soci::statement st = (tx.sql().prepare << "UPDATE users SET blocked = CAST(:b AS BOOLEAN) WHERE id = :u",
                              soci::use(b), soci::use(uid));
        return AffectedRows(st) == 1;
    });
}

bool PanelStore::IsBlocked(core::UserId id) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        long long uid = id.value;
        int b = 0;
        tx.sql() << "SELECT COUNT(*) FROM users WHERE id = :u AND blocked", soci::use(uid), soci::into(b);
        return b > 0;
    });
}

DashboardRows PanelStore::Dashboard(core::TimePoint since) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        DashboardRows out;
        long long s = ToEpochMillis(since);
        {
            soci::rowset<soci::row> rows = (tx.sql().prepare << "SELECT status, COUNT(*) FROM tickets GROUP BY status");
            for (const auto& row : rows) out.tickets_by_status[RowText(row, 0)] = RowInt(row, 1);
        }
        {
            soci::rowset<soci::row> rows =
                (tx.sql().prepare
                     << "SELECT created_at, first_response_at, first_response_breached, resolution_breached "
                        "FROM tickets WHERE created_at >= :s ORDER BY created_at",
                 soci::use(s));
            for (const auto& row : rows) {
                DashboardRows::TicketTimes t;
                t.created_at = FromEpochMillis(RowInt(row, 0));
                t.first_response_at = RowOptionalTime(row, 1);
                t.first_response_breached = RowInt(row, 2) != 0;
                t.resolution_breached = RowInt(row, 3) != 0;
                out.tickets.push_back(t);
            }
        }
        {
            soci::rowset<soci::row> rows =
                (tx.sql().prepare << "SELECT at, kind FROM member_events WHERE at >= :s ORDER BY at", soci::use(s));
            for (const auto& row : rows) {
                out.member_events.push_back({FromEpochMillis(RowInt(row, 0)), RowText(row, 1) == "join"});
            }
        }
        tx.sql() << "SELECT COUNT(*) FROM users", soci::into(out.known_members);
        return out;
    });
}

}  // namespace maxis::storage
