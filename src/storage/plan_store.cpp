#include "storage/plan_store.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"
#include "storage/stripe_events.hpp"

namespace maxis::storage {

using core::FromEpochMillis;
using core::ToEpochMillis;
using plans::Grant;
using plans::GrantKind;
using plans::GrantStatus;

namespace {

constexpr const char* kGrantColumns =
    "id, user_id, plan, kind, ref, status, period_end, grace_until, expires_at, "
    "cancel_at_period_end, customer_id, note, created_at, updated_at, observed_at, granted_by, ended_by, end_cause, "
    "end_note";
constexpr const char* kPromotionColumns =
    "id, code, percent_off, plan, expires_at, coupon_id, promotion_code_id, created_by, created_at, uses";

long long Millis(const std::optional<core::TimePoint>& t) { return t ? ToEpochMillis(*t) : 0; }

plans::StoredGrant GrantFrom(const soci::row& r) {
    plans::StoredGrant out;
    auto& g = out.grant;
    g.id = RowInt(r, 0);
    g.user = core::UserId{RowInt(r, 1)};
    g.plan = RowText(r, 2);
    g.kind = plans::ParseGrantKind(RowText(r, 3)).value_or(GrantKind::kSubscription);
    g.ref = RowText(r, 4);
    g.status = plans::ParseGrantStatus(RowText(r, 5)).value_or(GrantStatus::kEnded);
    g.period_end = RowOptionalTime(r, 6);
    g.grace_until = RowOptionalTime(r, 7);
    g.expires_at = RowOptionalTime(r, 8);
    g.cancel_at_period_end = RowInt(r, 9) != 0;
    g.customer_id = RowText(r, 10);
    g.note = RowText(r, 11);
    g.created_at = FromEpochMillis(RowInt(r, 12));
    g.updated_at = FromEpochMillis(RowInt(r, 13));
    out.observed_at = FromEpochMillis(RowInt(r, 14));
    auto person = [&](std::size_t i) {
        return r.get_indicator(i) == soci::i_null ? std::nullopt : std::optional(core::UserId{RowInt(r, i)});
    };
    g.granted_by = person(15);
    g.ended_by = person(16);
    g.end = plans::ParseGrantEnd(RowText(r, 17)).value_or(plans::GrantEnd::kNone);
    g.end_note = RowText(r, 18);
    return out;
}

plans::Promotion PromotionFrom(const soci::row& r) {
    return plans::Promotion{.id = RowInt(r, 0),
                            .code = RowText(r, 1),
                            .percent_off = static_cast<int>(RowInt(r, 2)),
                            .plan = RowText(r, 3),
                            .expires_at = FromEpochMillis(RowInt(r, 4)),
                            .coupon_id = RowText(r, 5),
                            .promotion_code_id = RowText(r, 6),
                            .created_by = core::UserId{RowInt(r, 7)},
                            .created_at = FromEpochMillis(RowInt(r, 8)),
                            .uses = static_cast<int>(RowInt(r, 9))};
}

class SqlPlanStore final : public plans::PlanStore {
public:
    SqlPlanStore(Transaction& tx, const core::Clock& clock) : tx_(tx), clock_(clock) {}

    std::vector<Grant> GrantsOf(core::UserId user) override {
        if (!Sees(user)) return {};
        long long uid = user.value;
        return Grants(
            std::string("SELECT ") + kGrantColumns + " FROM user_subscriptions WHERE user_id = :u ORDER BY id DESC",
            uid);
    }

    std::optional<plans::StoredGrant> FindGrant(GrantKind kind, const std::string& ref) override {
        std::string k(plans::ToString(kind));
        std::optional<plans::StoredGrant> out;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare << std::string("SELECT ") + kGrantColumns +
                                      " FROM user_subscriptions WHERE kind = :k AND ref = :r",
             soci::use(k), soci::use(ref));
        for (const auto& r : rows) out = GrantFrom(r);
        if (out && !Sees(out->grant.user)) return std::nullopt;
        return out;
    }

    void SaveGrant(const Grant& g, core::TimePoint observed_at, core::TimePoint now) override {
        std::string kind(plans::ToString(g.kind)), status(plans::ToString(g.status));
        long long user = g.user.value, period = Millis(g.period_end), grace = Millis(g.grace_until),
                  expires = Millis(g.expires_at), observed = ToEpochMillis(observed_at), at = ToEpochMillis(now);
        int cancel = g.cancel_at_period_end ? 1 : 0;
        long long granted_by = g.granted_by ? g.granted_by->value : 0, ended_by = g.ended_by ? g.ended_by->value : 0;
        std::string end(plans::ToString(g.end));
        tx_.sql()
            << "INSERT INTO user_subscriptions (user_id, plan, kind, ref, status, period_end, grace_until, "
               "expires_at, cancel_at_period_end, customer_id, note, observed_at, created_at, updated_at, granted_by, "
               "ended_by, end_cause, end_note) VALUES "
               "(:u, :p, :k, :r, :s, NULLIF(CAST(:pe AS BIGINT), 0), NULLIF(CAST(:gu AS BIGINT), 0), "
               "NULLIF(CAST(:ex AS BIGINT), 0), :c, :cu, :n, :o, :t, :t2, NULLIF(CAST(:gb AS BIGINT), 0), "
               "NULLIF(CAST(:eb AS BIGINT), 0), :ec, :en) ON CONFLICT (kind, ref) DO UPDATE SET "
               "plan = excluded.plan, status = excluded.status, period_end = excluded.period_end, "
               "grace_until = excluded.grace_until, expires_at = excluded.expires_at, "
               "cancel_at_period_end = excluded.cancel_at_period_end, note = excluded.note, customer_id = CASE WHEN "
               "excluded.customer_id = '' THEN user_subscriptions.customer_id ELSE excluded.customer_id END, "
               "observed_at = excluded.observed_at, updated_at = excluded.updated_at, "
               "granted_by = excluded.granted_by, ended_by = excluded.ended_by, end_cause = excluded.end_cause, "
               "end_note = excluded.end_note",
            soci::use(user), soci::use(g.plan), soci::use(kind), soci::use(g.ref), soci::use(status), soci::use(period),
            soci::use(grace), soci::use(expires), soci::use(cancel), soci::use(g.customer_id), soci::use(g.note),
            soci::use(observed), soci::use(at), soci::use(at), soci::use(granted_by), soci::use(ended_by),
            soci::use(end), soci::use(g.end_note);
    }

    std::optional<std::string> CustomerOf(core::UserId user) override {
        if (!Sees(user)) return std::nullopt;
        long long uid = user.value;
        std::string customer;
        soci::indicator ind = soci::i_null;
        tx_.sql() << "SELECT customer_id FROM user_subscriptions WHERE user_id = :u AND customer_id <> '' ORDER BY id "
                     "DESC LIMIT 1",
            soci::use(uid), soci::into(customer, ind);
        if (ind != soci::i_ok || customer.empty()) return std::nullopt;
        return customer;
    }

    plans::GrantsByMember LiveGrants() override {
        return GrantsByMember(std::string("SELECT ") + kGrantColumns +
                              " FROM user_subscriptions WHERE status IN ('active', 'past_due') ORDER BY user_id, id "
                              "DESC");
    }

    plans::GrantsByMember GrantsBetween(core::TimePoint from, core::TimePoint to) override {
        long long f = ToEpochMillis(from), t = ToEpochMillis(to);
        return GrantsByMember(std::string("SELECT ") + kGrantColumns +
                                  " FROM user_subscriptions WHERE created_at <= :t AND (status IN ('active', "
                                  "'past_due') OR updated_at >= :f) ORDER BY user_id",
                              t, f);
    }

    std::vector<Grant> GrantsDue(core::TimePoint now, int limit) override {
        long long at = ToEpochMillis(now), l = limit;
        return Grants(std::string("SELECT ") + kGrantColumns +
                          " FROM user_subscriptions WHERE (status = 'past_due' AND grace_until <= :n) OR "
                          "(status = 'active' AND expires_at IS NOT NULL AND expires_at <= :n2) ORDER BY id LIMIT :l",
                      at, at, l);
    }

    std::optional<std::string> DisplayName(core::UserId user) override {
        long long uid = user.value;
        std::string name;
        soci::indicator ind = soci::i_null;
        tx_.sql() << "SELECT display_name FROM users WHERE id = :u", soci::use(uid), soci::into(name, ind);
        if (ind != soci::i_ok) return std::nullopt;
        return name;
    }

    std::optional<std::string> OpenChannel(core::UserId user) override {
        if (!Sees(user)) return std::nullopt;
        long long uid = user.value;
        std::string resource;
        soci::indicator ind = soci::i_null;
        tx_.sql() << "SELECT resource_key FROM member_channels WHERE user_id = :u AND state = 'open'", soci::use(uid),
            soci::into(resource, ind);
        if (ind != soci::i_ok) return std::nullopt;
        return resource;
    }

    void SaveChannel(core::UserId user, const std::string& resource, bool open, core::TimePoint now) override {
        long long uid = user.value, at = ToEpochMillis(now);
        std::string state = open ? "open" : "archived";
        tx_.sql()
            << "INSERT INTO member_channels (user_id, resource_key, state, updated_at) VALUES (:u, :k, :s, :t) "
               "ON CONFLICT (user_id) DO UPDATE SET resource_key = excluded.resource_key, state = excluded.state, "
               "updated_at = excluded.updated_at",
            soci::use(uid), soci::use(resource), soci::use(state), soci::use(at);
    }

    plans::Promotion InsertPromotion(const plans::Promotion& p) override {
        long long expires = ToEpochMillis(p.expires_at), by = p.created_by.value, at = ToEpochMillis(p.created_at);
        int percent = p.percent_off;
        tx_.sql()
            << "INSERT INTO promotions (code, percent_off, plan, expires_at, coupon_id, promotion_code_id, created_by, "
               "created_at) VALUES (:c, :p, :pl, :e, :co, :pc, :b, :t)",
            soci::use(p.code), soci::use(percent), soci::use(p.plan), soci::use(expires), soci::use(p.coupon_id),
            soci::use(p.promotion_code_id), soci::use(by), soci::use(at);
        plans::Promotion saved;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare << std::string("SELECT ") + kPromotionColumns + " FROM promotions WHERE code = :c",
             soci::use(p.code));
        for (const auto& r : rows) saved = PromotionFrom(r);
        return saved;
    }

    std::optional<plans::Promotion> BestPromotion(const std::string& plan, core::TimePoint now) override {
        long long at = ToEpochMillis(now);
        std::optional<plans::Promotion> out;
        soci::rowset<soci::row> rows = (tx_.sql().prepare << std::string("SELECT ") + kPromotionColumns +
                                                                 " FROM promotions WHERE plan = :p AND expires_at > :n "
                                                                 "ORDER BY percent_off DESC, id DESC LIMIT 1",
                                        soci::use(plan), soci::use(at));
        for (const auto& r : rows) out = PromotionFrom(r);
        return out;
    }

    std::vector<plans::Promotion> Promotions(int limit) override {
        long long l = limit;
        std::vector<plans::Promotion> out;
        soci::rowset<soci::row> rows = (tx_.sql().prepare << std::string("SELECT ") + kPromotionColumns +
                                                                 " FROM promotions ORDER BY id DESC LIMIT :l",
                                        soci::use(l));
        for (const auto& r : rows) out.push_back(PromotionFrom(r));
        return out;
    }

    std::optional<plans::Promotion> FindPromotion(long long id) override {
        std::optional<plans::Promotion> out;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare << std::string("SELECT ") + kPromotionColumns + " FROM promotions WHERE id = :i",
             soci::use(id));
        for (const auto& r : rows) out = PromotionFrom(r);
        return out;
    }

    void SetPromotionEnd(long long id, core::TimePoint at) override {
        long long end = ToEpochMillis(at);
        tx_.sql() << "UPDATE promotions SET expires_at = :e WHERE id = :i AND expires_at > :e2", soci::use(end),
            soci::use(id), soci::use(end);
    }

    void CountPromotionUse(long long id) override {
        tx_.sql() << "UPDATE promotions SET uses = uses + 1 WHERE id = :i", soci::use(id);
    }

    bool TryUse(core::UserId user, const std::string& day, const std::string& kind, int limit) override {
        long long uid = user.value;
        tx_.sql() << "INSERT INTO assistant_usage (user_id, day, kind, used) VALUES (:u, :d, :k, 0) ON CONFLICT "
                     "(user_id, day, kind) DO NOTHING",
            soci::use(uid), soci::use(day), soci::use(kind);
        // One conditional increment: concurrent callers serialise on the row and never pass the limit.
        soci::statement st =
            (tx_.sql().prepare << "UPDATE assistant_usage SET used = used + 1 WHERE user_id = :u AND day = :d AND "
                                  "kind = :k AND used < :l",
             soci::use(uid), soci::use(day), soci::use(kind), soci::use(limit));
        return AffectedRows(st) == 1;
    }

    void GiveBack(core::UserId user, const std::string& day, const std::string& kind) override {
        long long uid = user.value;
        tx_.sql()
            << "UPDATE assistant_usage SET used = used - 1 WHERE user_id = :u AND day = :d AND kind = :k AND used > 0",
            soci::use(uid), soci::use(day), soci::use(kind);
    }

    int Used(core::UserId user, const std::string& day, const std::string& kind) override {
        if (!Sees(user)) return 0;
        long long uid = user.value;
        int used = 0;
        soci::indicator ind = soci::i_null;
        tx_.sql() << "SELECT used FROM assistant_usage WHERE user_id = :u AND day = :d AND kind = :k", soci::use(uid),
            soci::use(day), soci::use(kind), soci::into(used, ind);
        return ind == soci::i_ok ? used : 0;
    }

    std::vector<plans::DailyUsage> UsagePerDay(const std::string& since_day) override {
        std::vector<plans::DailyUsage> out;
        if (!tx_.viewer().IsStaff()) return out;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare
                 << "SELECT day, SUM(CASE WHEN kind = 'message' THEN used ELSE 0 END), "
                    "SUM(CASE WHEN kind = 'image' THEN used ELSE 0 END), COUNT(DISTINCT user_id) FROM assistant_usage "
                    "WHERE kind IN ('message', 'image') AND used > 0 AND day >= :d GROUP BY day ORDER BY day",
             soci::use(since_day));
        for (const auto& r : rows) {
            out.push_back(plans::DailyUsage{.day = RowText(r, 0),
                                            .messages = RowInt(r, 1),
                                            .images = RowInt(r, 2),
                                            .members = static_cast<int>(RowInt(r, 3))});
        }
        return out;
    }

    int DeleteUsage(const std::string& kind, const std::string& before) override {
        soci::statement st = (tx_.sql().prepare << "DELETE FROM assistant_usage WHERE kind = :k AND day < :b",
                              soci::use(kind), soci::use(before));
        return static_cast<int>(AffectedRows(st));
    }

    void AddTurns(core::UserId user, const std::vector<plans::Turn>& turns, int keep) override {
        long long uid = user.value;
        for (const auto& turn : turns) {
            long long at = ToEpochMillis(turn.at);
            tx_.sql() << "INSERT INTO assistant_turns (user_id, role, content, at) VALUES (:u, :r, :c, :a)",
                soci::use(uid), soci::use(turn.role), soci::use(turn.content), soci::use(at);
        }
        long long k = std::max(keep, 0);
        tx_.sql() << "DELETE FROM assistant_turns WHERE user_id = :u AND id NOT IN (SELECT id FROM assistant_turns "
                     "WHERE user_id = :u2 ORDER BY id DESC LIMIT :k)",
            soci::use(uid), soci::use(uid), soci::use(k);
    }

    std::vector<plans::Turn> Turns(core::UserId user, core::TimePoint since, int limit) override {
        std::vector<plans::Turn> out;
        if (!Sees(user)) return out;
        long long uid = user.value, from = ToEpochMillis(since), l = std::max(limit, 0);
        soci::rowset<soci::row> rows = (tx_.sql().prepare << "SELECT role, content, at FROM assistant_turns WHERE "
                                                             "user_id = :u AND at >= :s ORDER BY id DESC LIMIT :l",
                                        soci::use(uid), soci::use(from), soci::use(l));
        for (const auto& r : rows)
            out.push_back(plans::Turn{RowText(r, 0), RowText(r, 1), FromEpochMillis(RowInt(r, 2))});
        std::reverse(out.begin(), out.end());
        return out;
    }

    void DeleteTurns(core::UserId user) override {
        long long uid = user.value;
        tx_.sql() << "DELETE FROM assistant_turns WHERE user_id = :u", soci::use(uid);
    }

    int DeleteTurnsBefore(core::TimePoint before) override {
        long long at = ToEpochMillis(before);
        soci::statement st = (tx_.sql().prepare << "DELETE FROM assistant_turns WHERE at < :a", soci::use(at));
        return static_cast<int>(AffectedRows(st));
    }

    bool RecordEvent(const std::string& id, const std::string& type) override {
        return storage::RecordEvent(tx_, clock_.Now(), id, type);
    }
    void SetEventOutcome(const std::string& id, core::EventOutcome outcome) override {
        storage::SetEventOutcome(tx_, id, outcome);
    }
    void Enqueue(const scheduling::NewOutboxItem& item) override { SqlOutboxStore::AddIn(tx_, item, clock_.Now()); }
    void Notify(const scheduling::Notice& notice) override { Enqueue(scheduling::ToOutboxItem(notice)); }

private:
    /// Staff and Maxis see every member's rows; a member only their own.
    [[nodiscard]] bool Sees(core::UserId user) const { return tx_.viewer().IsStaff() || tx_.viewer().user_id == user; }

    template <typename... Binds>
    plans::GrantsByMember GrantsByMember(const std::string& query, Binds&... binds) {
        plans::GrantsByMember out;
        soci::rowset<soci::row> rows = ((tx_.sql().prepare << query), ..., soci::use(binds));
        for (const auto& r : rows) {
            auto g = GrantFrom(r).grant;
            if (Sees(g.user)) out[g.user].push_back(std::move(g));
        }
        return out;
    }

    template <typename... Binds>
    std::vector<Grant> Grants(const std::string& query, Binds&... binds) {
        std::vector<Grant> out;
        soci::rowset<soci::row> rows = ((tx_.sql().prepare << query), ..., soci::use(binds));
        for (const auto& r : rows) {
            auto g = GrantFrom(r).grant;
            if (Sees(g.user)) out.push_back(std::move(g));
        }
        return out;
    }

    Transaction& tx_;
    const core::Clock& clock_;
};

}  // namespace

void SqlPlanRepository::Write(const core::Viewer& viewer, const std::function<void(plans::PlanStore&)>& work) {
    db_.Write(viewer, [&](Transaction& tx) {
        SqlPlanStore store(tx, clock_);
        work(store);
    });
}

void SqlPlanRepository::Read(const core::Viewer& viewer, const std::function<void(plans::PlanStore&)>& work) {
    db_.Read(viewer, [&](Transaction& tx) {
        SqlPlanStore store(tx, clock_);
        work(store);
    });
}

std::vector<OldGrantNoteRow> FixOldGrantNotes(Database& db, bool apply) {
    auto work = [&](Transaction& tx) {
        std::vector<OldGrantNoteRow> out;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << "SELECT id, user_id, note FROM user_subscriptions WHERE kind = 'temporary' AND "
                                 "granted_by IS NULL AND ended_by IS NULL AND end_cause = '' AND end_note = '' AND "
                                 "note <> '' ORDER BY id");
        for (const auto& r : rows) {
            auto note = RowText(r, 2);
            if (auto split = plans::ParseOldGrantNote(note)) {
                out.push_back(OldGrantNoteRow{
                    .id = RowInt(r, 0), .user = core::UserId{RowInt(r, 1)}, .note = note, .split = *split});
            }
        }
        if (!apply) return out;
        for (const auto& row : out) {
            long long granted_by = row.split.granted_by ? row.split.granted_by->value : 0;
            long long ended_by = row.split.ended_by ? row.split.ended_by->value : 0;
            std::string end(plans::ToString(row.split.end));
            tx.sql() << "UPDATE user_subscriptions SET note = :n, granted_by = NULLIF(CAST(:g AS BIGINT), 0), "
                        "ended_by = NULLIF(CAST(:e AS BIGINT), 0), end_cause = :c, end_note = :en "
                        "WHERE id = :id AND note = :old AND granted_by IS NULL",
                soci::use(row.split.note), soci::use(granted_by), soci::use(ended_by), soci::use(end),
                soci::use(row.split.end_note), soci::use(row.id), soci::use(row.note);
        }
        return out;
    };
    return apply ? db.Write(core::Viewer::System(), work) : db.Read(core::Viewer::System(), work);
}

}  // namespace maxis::storage
