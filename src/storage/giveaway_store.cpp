#include "storage/giveaway_store.hpp"

#include <soci/soci.h>

#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"

namespace maxis::storage {

using giveaways::Entry;
using giveaways::Giveaway;
using giveaways::GiveawayId;
using giveaways::Winner;

namespace {

constexpr const char* kColumns =
    "id, prize, winners_count, starts_at, ends_at, ended_at, status, seed_hash, channel_id, message_id, posted_count, "
    "created_by, source, milestone, prize_cost_cents, min_account_age_s, min_member_age_s, created_at, updated_at";

Giveaway GiveawayFrom(const soci::row& r) {
    Giveaway g;
    g.id = GiveawayId{RowInt(r, 0)};
    g.prize = RowText(r, 1);
    g.winners_count = static_cast<int>(RowInt(r, 2));
    g.starts_at = core::FromEpochMillis(RowInt(r, 3));
    g.ends_at = core::FromEpochMillis(RowInt(r, 4));
    g.ended_at = RowOptionalTime(r, 5);
    g.status = giveaways::ParseStatus(RowText(r, 6)).value_or(giveaways::Status::kRunning);
    g.seed_hash = RowText(r, 7);
    if (r.get_indicator(8) != soci::i_null) g.channel = core::ChannelId{RowInt(r, 8)};
    if (r.get_indicator(9) != soci::i_null) g.message_id = RowInt(r, 9);
    g.posted_count = static_cast<int>(RowInt(r, 10));
    g.created_by = core::UserId{RowInt(r, 11)};
    g.source = giveaways::ParseSource(RowText(r, 12)).value_or(giveaways::Source::kManual);
    if (r.get_indicator(13) != soci::i_null) g.milestone = RowInt(r, 13);
    g.prize_cost_cents = RowInt(r, 14);
    g.min_account_age = std::chrono::seconds(RowInt(r, 15));
    g.min_member_age = std::chrono::seconds(RowInt(r, 16));
    g.created_at = core::FromEpochMillis(RowInt(r, 17));
    g.updated_at = core::FromEpochMillis(RowInt(r, 18));
    return g;
}

long long Seconds(core::Millis d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); }

class SqlGiveawayStore final : public giveaways::GiveawayStore {
public:
    /// writing: a write transaction. On PostgreSQL, staff and Maxis then lock the giveaway they read (Find), so
    /// that two writers of one giveaway (a draw and a post's delivery, two draws, a draw and a cancel) take turns
    /// and each reads what the other committed; SQLite's writers already take turns. A member's transaction
    /// (entering, leaving) only reads: members may not lock giveaways (a row lock needs the UPDATE privilege).
    /// Members' writes are still ordered against a draw, which holds the giveaway FOR UPDATE and the entries it
    /// reads FOR SHARE: a new entry's foreign key takes a KEY SHARE lock on the giveaway, and a leave deletes a
    /// row the draw may hold, so either one committed before the draw read the entries, or it waits for the draw
    /// to commit and then reads the giveaway ended (GiveawayService::Enter and Leave check again after writing).
    SqlGiveawayStore(Transaction& tx, const core::Clock& clock, bool writing)
        : tx_(tx),
          clock_(clock),
          lock_(writing && tx.dialect() == Dialect::kPostgres && tx.viewer().role != core::Role::kMember) {}

    GiveawayId Insert(const Giveaway& g, const std::string& seed) override { return *InsertRow(g, seed, ""); }

    std::optional<Giveaway> Find(GiveawayId id) override {
        std::optional<Giveaway> out;
        DynamicQuery q;
        q.ForEachRow(tx_.sql(),
                     std::string("SELECT ") + kColumns + " FROM giveaways WHERE id = " + q.Bind(id.value) +
                         (lock_ ? " FOR UPDATE" : ""),
                     [&](const soci::row& r) { out = GiveawayFrom(r); });
        return out;
    }

    void Update(const Giveaway& g) override {
        long long id = g.id.value, ends = core::ToEpochMillis(g.ends_at),
                  ended = g.ended_at ? core::ToEpochMillis(*g.ended_at) : 0, channel = g.channel ? g.channel->value : 0,
                  message = g.message_id.value_or(0), updated = core::ToEpochMillis(g.updated_at);
        int posted = g.posted_count;
        std::string status(giveaways::ToString(g.status));
        soci::indicator ended_ind = g.ended_at ? soci::i_ok : soci::i_null;
        soci::indicator channel_ind = g.channel ? soci::i_ok : soci::i_null;
        soci::indicator message_ind = g.message_id ? soci::i_ok : soci::i_null;
        tx_.sql() << "UPDATE giveaways SET prize = :p, ends_at = :e, ended_at = :ed, status = :s, channel_id = :c, "
                     "message_id = :m, posted_count = :pc, prize_cost_cents = :cost, updated_at = :u WHERE id = :id",
            soci::use(g.prize), soci::use(ends), soci::use(ended, ended_ind), soci::use(status),
            soci::use(channel, channel_ind), soci::use(message, message_ind), soci::use(posted),
            soci::use(g.prize_cost_cents), soci::use(updated), soci::use(id);
    }

    std::vector<Giveaway> List(std::optional<giveaways::Status> status, int limit) override {
        DynamicQuery q;
        std::string sql = std::string("SELECT ") + kColumns + " FROM giveaways";
        if (status) sql += " WHERE status = " + q.Bind(std::string(giveaways::ToString(*status)));
        sql += status == giveaways::Status::kRunning ? " ORDER BY ends_at, id" : " ORDER BY id DESC";
        sql += " LIMIT " + std::to_string(limit);
        std::vector<Giveaway> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) { out.push_back(GiveawayFrom(r)); });
        return out;
    }

    std::vector<GiveawayId> RunningEndedBy(core::TimePoint at, int limit) override {
        DynamicQuery q;
        std::vector<GiveawayId> out;
        q.ForEachRow(tx_.sql(),
                     "SELECT id FROM giveaways WHERE status = 'running' AND ends_at <= " +
                         q.Bind(static_cast<long long>(core::ToEpochMillis(at))) + " ORDER BY ends_at, id LIMIT " +
                         std::to_string(limit),
                     [&](const soci::row& r) { out.push_back(GiveawayId{RowInt(r, 0)}); });
        return out;
    }

    std::optional<std::string> Seed(GiveawayId id) override {
        std::optional<std::string> out;
        DynamicQuery q;
        q.ForEachRow(tx_.sql(),
                     "SELECT s.seed FROM giveaway_seeds s JOIN giveaways g ON g.id = s.giveaway_id WHERE g.id = " +
                         q.Bind(id.value) + " AND g.status = 'ended'",
                     [&](const soci::row& r) { out = RowText(r, 0); });
        return out;
    }

    bool InsertEntry(const Entry& e) override {
        long long gid = e.giveaway.value, uid = e.user.value, at = core::ToEpochMillis(e.entered_at),
                  since = e.member_since ? core::ToEpochMillis(*e.member_since) : 0;
        soci::indicator since_ind = e.member_since ? soci::i_ok : soci::i_null;
        soci::statement st =
            (tx_.sql().prepare << "INSERT INTO giveaway_entries (giveaway_id, user_id, entered_at, member_since) "
                                  "VALUES (:g, :u, :t, :m) ON CONFLICT (giveaway_id, user_id) DO NOTHING",
             soci::use(gid), soci::use(uid), soci::use(at), soci::use(since, since_ind));
        return AffectedRows(st) > 0;
    }

    bool DeleteEntry(GiveawayId id, core::UserId user) override {
        long long gid = id.value, uid = user.value;
        soci::statement st =
            (tx_.sql().prepare << "DELETE FROM giveaway_entries WHERE giveaway_id = :g AND user_id = :u",
             soci::use(gid), soci::use(uid));
        return AffectedRows(st) > 0;
    }

    std::optional<Entry> FindEntry(GiveawayId id, core::UserId user) override {
        auto found = Select(id, user);
        if (found.empty()) return std::nullopt;
        return found.front();
    }

    int CountEntries(GiveawayId id) override {
        long long gid = id.value;
        int n = 0;
        tx_.sql() << "SELECT COUNT(*) FROM giveaway_entries WHERE giveaway_id = :g", soci::use(gid), soci::into(n);
        return n;
    }

    std::vector<Entry> Entries(GiveawayId id) override { return Select(id, std::nullopt); }

    void ExcludeEntry(GiveawayId id, core::UserId user, const std::string& reason) override {
        long long gid = id.value, uid = user.value;
        tx_.sql() << "UPDATE giveaway_entries SET excluded = :r WHERE giveaway_id = :g AND user_id = :u",
            soci::use(reason), soci::use(gid), soci::use(uid);
    }

    void ExcludeFromRound(GiveawayId id, const giveaways::RoundExclusion& x) override {
        long long gid = id.value, uid = x.user.value;
        int round = x.round;
        tx_.sql() << "INSERT INTO giveaway_round_exclusions (giveaway_id, round, user_id, reason) VALUES (:g, :r, :u, "
                     ":why)",
            soci::use(gid), soci::use(round), soci::use(uid), soci::use(x.reason);
    }

    std::vector<giveaways::RoundExclusion> RoundExclusions(GiveawayId id) override {
        DynamicQuery q;
        std::string sql =
            "SELECT x.round, x.user_id, x.reason FROM giveaway_round_exclusions x WHERE x.giveaway_id = " +
            q.Bind(id.value);
        if (!tx_.viewer().IsStaff()) {
            sql += " AND EXISTS (SELECT 1 FROM giveaways g WHERE g.id = x.giveaway_id AND g.status = 'ended')";
        }
        sql += " ORDER BY x.round, x.user_id";
        std::vector<giveaways::RoundExclusion> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) {
            out.push_back(
                giveaways::RoundExclusion{static_cast<int>(RowInt(r, 0)), core::UserId{RowInt(r, 1)}, RowText(r, 2)});
        });
        return out;
    }

    void InsertWinner(const Winner& w) override {
        long long gid = w.giveaway.value, uid = w.user.value, at = core::ToEpochMillis(w.drawn_at);
        int round = w.round, position = w.position, replaced = w.replaced ? 1 : 0;
        tx_.sql() << "INSERT INTO giveaway_winners (giveaway_id, user_id, round, position, replaced, drawn_at) "
                     "VALUES (:g, :u, :r, :p, :x, :t)",
            soci::use(gid), soci::use(uid), soci::use(round), soci::use(position), soci::use(replaced), soci::use(at);
    }

    void MarkReplaced(GiveawayId id, core::UserId user) override {
        long long gid = id.value, uid = user.value;
        tx_.sql() << "UPDATE giveaway_winners SET replaced = 1 WHERE giveaway_id = :g AND user_id = :u", soci::use(gid),
            soci::use(uid);
    }

    std::vector<Winner> Winners(GiveawayId id) override {
        DynamicQuery q;
        std::string sql =
            "SELECT w.user_id, w.round, w.position, w.replaced, w.drawn_at FROM giveaway_winners w JOIN giveaways g ON "
            "g.id = w.giveaway_id WHERE w.giveaway_id = " +
            q.Bind(id.value);
        if (!tx_.viewer().IsStaff()) sql += " AND g.status = 'ended'";
        sql += " ORDER BY w.round, w.position";
        std::vector<Winner> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) {
            out.push_back(Winner{.giveaway = id,
                                 .user = core::UserId{RowInt(r, 0)},
                                 .round = static_cast<int>(RowInt(r, 1)),
                                 .position = static_cast<int>(RowInt(r, 2)),
                                 .replaced = RowInt(r, 3) != 0,
                                 .drawn_at = core::FromEpochMillis(RowInt(r, 4))});
        });
        return out;
    }

    void Enqueue(const scheduling::NewOutboxItem& item) override { SqlOutboxStore::AddIn(tx_, item, clock_.Now()); }
    void Notify(const scheduling::Notice& notice) override {
        SqlOutboxStore::AddIn(tx_, scheduling::ToOutboxItem(notice), clock_.Now());
    }

    std::optional<GiveawayId> InsertForMilestone(const Giveaway& g, const std::string& seed) override {
        return InsertRow(g, seed, "ON CONFLICT (milestone) DO NOTHING");
    }

    std::optional<Giveaway> FindByMilestone(long long milestone) override {
        std::optional<Giveaway> out;
        DynamicQuery q;
        q.ForEachRow(tx_.sql(),
                     std::string("SELECT ") + kColumns + " FROM giveaways WHERE milestone = " + q.Bind(milestone),
                     [&](const soci::row& r) { out = GiveawayFrom(r); });
        return out;
    }

    std::optional<giveaways::MilestoneState> FindMilestoneState() override {
        std::optional<giveaways::MilestoneState> out;
        DynamicQuery q;
        q.ForEachRow(tx_.sql(),
                     std::string("SELECT baseline, highest, created_at, updated_at FROM giveaway_milestone_state WHERE "
                                 "id = 1") +
                         (lock_ ? " FOR UPDATE" : ""),
                     [&](const soci::row& r) {
                         out = giveaways::MilestoneState{.baseline = RowInt(r, 0),
                                                         .highest = RowInt(r, 1),
                                                         .created_at = core::FromEpochMillis(RowInt(r, 2)),
                                                         .updated_at = core::FromEpochMillis(RowInt(r, 3))};
                     });
        return out;
    }

    bool InsertMilestoneState(const giveaways::MilestoneState& m) override {
        long long baseline = m.baseline, highest = m.highest, created = core::ToEpochMillis(m.created_at),
                  updated = core::ToEpochMillis(m.updated_at);
        soci::statement st =
            (tx_.sql().prepare
                 << "INSERT INTO giveaway_milestone_state (id, baseline, highest, created_at, updated_at) "
                    "VALUES (1, :b, :h, :c, :u) ON CONFLICT (id) DO NOTHING",
             soci::use(baseline), soci::use(highest), soci::use(created), soci::use(updated));
        return AffectedRows(st) > 0;
    }

    void UpdateMilestoneState(const giveaways::MilestoneState& m) override {
        long long baseline = m.baseline, highest = m.highest, updated = core::ToEpochMillis(m.updated_at);
        tx_.sql() << "UPDATE giveaway_milestone_state SET baseline = :b, highest = :h, updated_at = :u WHERE id = 1",
            soci::use(baseline), soci::use(highest), soci::use(updated);
    }

private:
    /// The giveaway and its seed; nullopt when on_conflict ("ON CONFLICT ... DO NOTHING") kept the row out.
    std::optional<GiveawayId> InsertRow(const Giveaway& g, const std::string& seed, const std::string& on_conflict) {
        long long id = 0, starts = core::ToEpochMillis(g.starts_at), ends = core::ToEpochMillis(g.ends_at),
                  by = g.created_by.value, cost = g.prize_cost_cents, account = Seconds(g.min_account_age),
                  member = Seconds(g.min_member_age), created = core::ToEpochMillis(g.created_at),
                  milestone = g.milestone.value_or(0);
        int winners = g.winners_count, posted = g.posted_count;
        std::string status(giveaways::ToString(g.status)), source(giveaways::ToString(g.source));
        soci::indicator milestone_ind = g.milestone ? soci::i_ok : soci::i_null;
        soci::statement st =
            (tx_.sql().prepare
                 << "INSERT INTO giveaways (prize, winners_count, starts_at, ends_at, status, seed_hash, posted_count, "
                    "created_by, source, milestone, prize_cost_cents, min_account_age_s, min_member_age_s, created_at, "
                    "updated_at) VALUES (:p, :w, :s, :e, :st, :h, :pc, :by, :src, :m, :c, :a, :mm, :t, :u) " +
                        on_conflict + " RETURNING id",
             soci::use(g.prize), soci::use(winners), soci::use(starts), soci::use(ends), soci::use(status),
             soci::use(g.seed_hash), soci::use(posted), soci::use(by), soci::use(source),
             soci::use(milestone, milestone_ind), soci::use(cost), soci::use(account), soci::use(member),
             soci::use(created), soci::use(created), soci::into(id));
        st.execute(true);
        if (!st.got_data()) return std::nullopt;
        tx_.sql() << "INSERT INTO giveaway_seeds (giveaway_id, seed) VALUES (:g, :s)", soci::use(id), soci::use(seed);
        return GiveawayId{id};
    }

    /// Entries in user id order: a member's own only, unless the giveaway has ended (or the viewer is staff).
    std::vector<Entry> Select(GiveawayId id, std::optional<core::UserId> user) {
        DynamicQuery q;
        std::string sql =
            "SELECT e.user_id, e.entered_at, e.member_since, e.excluded FROM giveaway_entries e WHERE e.giveaway_id "
            "= " +
            q.Bind(id.value);
        if (user) sql += " AND e.user_id = " + q.Bind(user->value);
        if (!tx_.viewer().IsStaff()) {
            sql += " AND (e.user_id = " + q.Bind(tx_.viewer().user_id.value) +
                   " OR EXISTS (SELECT 1 FROM giveaways g WHERE g.id = e.giveaway_id AND g.status = 'ended'))";
        }
        sql += " ORDER BY e.user_id";
        // A writer holds the entries it reads (the draw): a member's leave of one of them waits for its end.
        if (lock_) sql += " FOR SHARE";
        std::vector<Entry> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) {
            out.push_back(Entry{.giveaway = id,
                                .user = core::UserId{RowInt(r, 0)},
                                .entered_at = core::FromEpochMillis(RowInt(r, 1)),
                                .member_since = RowOptionalTime(r, 2),
                                .excluded = RowText(r, 3)});
        });
        return out;
    }

    Transaction& tx_;
    const core::Clock& clock_;
    bool lock_;
};

}  // namespace

void SqlGiveawayRepository::Write(const core::Viewer& viewer,
                                  const std::function<void(giveaways::GiveawayStore&)>& work) {
    db_.Write(viewer, [&](Transaction& tx) {
        SqlGiveawayStore store(tx, clock_, true);
        work(store);
    });
}

void SqlGiveawayRepository::Read(const core::Viewer& viewer,
                                 const std::function<void(giveaways::GiveawayStore&)>& work) {
    db_.Read(viewer, [&](Transaction& tx) {
        SqlGiveawayStore store(tx, clock_, false);
        work(store);
    });
}

}  // namespace maxis::storage
