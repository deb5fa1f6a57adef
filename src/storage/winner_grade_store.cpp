#include "storage/winner_grade_store.hpp"

#include <soci/soci.h>

#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"

namespace maxis::storage {

using giveaways::GiveawayId;
using giveaways::WinnerGrade;

namespace {

constexpr const char* kColumns = "id, giveaway_id, user_id, granted_at, until, ended_at, end_reason, plan_grant";

WinnerGrade GradeFrom(const soci::row& r) {
    WinnerGrade g;
    g.id = RowInt(r, 0);
    g.giveaway = GiveawayId{RowInt(r, 1)};
    g.member = core::UserId{RowInt(r, 2)};
    g.granted_at = core::FromEpochMillis(RowInt(r, 3));
    g.until = core::FromEpochMillis(RowInt(r, 4));
    g.ended_at = RowOptionalTime(r, 5);
    g.end_reason = RowText(r, 6);
    if (r.get_indicator(7) != soci::i_null) g.plan_grant = RowInt(r, 7);
    return g;
}

class SqlWinnerGradeStore final : public giveaways::WinnerGradeStore {
public:
    SqlWinnerGradeStore(Transaction& tx, const core::Clock& clock) : tx_(tx), clock_(clock) {}

    bool Insert(WinnerGrade& g) override {
        long long gid = g.giveaway.value, uid = g.member.value, at = core::ToEpochMillis(g.granted_at),
                  until = core::ToEpochMillis(g.until), id = 0;
        soci::indicator id_ind = soci::i_null;
        soci::statement st =
            (tx_.sql().prepare << "INSERT INTO winner_grades (giveaway_id, user_id, granted_at, until) "
                                  "VALUES (:g, :u, :t, :e) ON CONFLICT (giveaway_id, user_id) DO "
                                  "NOTHING RETURNING id",
             soci::use(gid), soci::use(uid), soci::use(at), soci::use(until), soci::into(id, id_ind));
        if (!st.execute(true) || id_ind == soci::i_null) return false;
        g.id = id;
        return true;
    }

    std::vector<WinnerGrade> OfGiveaway(GiveawayId giveaway) override {
        DynamicQuery q;
        return Select(q, "giveaway_id = " + q.Bind(giveaway.value), "user_id");
    }

    std::vector<WinnerGrade> OfMember(core::UserId member) override {
        DynamicQuery q;
        return Select(q, "user_id = " + q.Bind(member.value), "granted_at DESC, id DESC");
    }

    std::vector<WinnerGrade> Due(core::TimePoint now, int limit) override {
        DynamicQuery q;
        return Select(q, "ended_at IS NULL AND until <= " + q.Bind(static_cast<long long>(core::ToEpochMillis(now))),
                      "until, id LIMIT " + std::to_string(limit));
    }

    void Update(const WinnerGrade& g) override {
        long long id = g.id, ended = g.ended_at ? core::ToEpochMillis(*g.ended_at) : 0,
                  grant = g.plan_grant.value_or(0);
        soci::indicator ended_ind = g.ended_at ? soci::i_ok : soci::i_null;
        soci::indicator grant_ind = g.plan_grant ? soci::i_ok : soci::i_null;
        tx_.sql() << "UPDATE winner_grades SET ended_at = :e, end_reason = :r, plan_grant = :p WHERE id = :id",
            soci::use(ended, ended_ind), soci::use(g.end_reason), soci::use(grant, grant_ind), soci::use(id);
    }

    void Enqueue(const scheduling::NewOutboxItem& item) override { SqlOutboxStore::AddIn(tx_, item, clock_.Now()); }

    std::vector<core::UserId> CurrentWinners(GiveawayId giveaway) override {
        std::vector<core::UserId> out;
        DynamicQuery q;
        q.ForEachRow(tx_.sql(),
                     "SELECT user_id FROM giveaway_winners WHERE giveaway_id = " + q.Bind(giveaway.value) +
                         " AND replaced = 0 ORDER BY user_id",
                     [&](const soci::row& r) { out.push_back(core::UserId{RowInt(r, 0)}); });
        return out;
    }

    /// The giveaway's row, as the draw, rerolls and replacements lock it: a crowning waits for one writing winners.
    void LockGiveaway(GiveawayId giveaway) override {
        if (tx_.dialect() != Dialect::kPostgres) return;  // SQLite: one writer at a time already
        DynamicQuery q;
        q.ForEachRow(tx_.sql(), "SELECT id FROM giveaways WHERE id = " + q.Bind(giveaway.value) + " FOR UPDATE",
                     [](const soci::row&) {});
    }

    void LockMember(core::UserId member) override {
        if (tx_.dialect() != Dialect::kPostgres) return;  // SQLite: one writer at a time already
        std::string key = "maxis.winner_grades.member." + member.ToString();
        tx_.sql() << "SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))", soci::use(key);
    }

private:
    /// A member's store sees only their own grades.
    std::vector<WinnerGrade> Select(DynamicQuery& q, const std::string& where, const std::string& order) {
        std::string sql = std::string("SELECT ") + kColumns + " FROM winner_grades WHERE " + where;
        if (!tx_.viewer().IsStaff()) sql += " AND user_id = " + q.Bind(tx_.viewer().user_id.value);
        sql += " ORDER BY " + order;
        std::vector<WinnerGrade> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) { out.push_back(GradeFrom(r)); });
        return out;
    }

    Transaction& tx_;
    const core::Clock& clock_;
};

}  // namespace

void SqlWinnerGradeRepository::Write(const core::Viewer& viewer,
                                     const std::function<void(giveaways::WinnerGradeStore&)>& work) {
    db_.Write(viewer, [&](Transaction& tx) {
        SqlWinnerGradeStore store(tx, clock_);
        work(store);
    });
}

void SqlWinnerGradeRepository::Read(const core::Viewer& viewer,
                                    const std::function<void(giveaways::WinnerGradeStore&)>& work) {
    db_.Read(viewer, [&](Transaction& tx) {
        SqlWinnerGradeStore store(tx, clock_);
        work(store);
    });
}

}  // namespace maxis::storage
