#include "storage/sql_queue_stores.hpp"

#include <soci/soci.h>

#include "storage/sql_util.hpp"

namespace maxis::storage {

using core::ToEpochMillis;

namespace {

constexpr std::size_t kMaxErrorLength = 2000;

std::string Clip(const std::string& error) {
    return error.size() > kMaxErrorLength ? error.substr(0, kMaxErrorLength) : error;
}

// The one place where the dialects differ for claiming: PostgreSQL skips rows another instance holds.
std::string ClaimSql(Dialect dialect, const std::string& table, const std::string& due_column,
                     const std::string& returning) {
    std::string lock = dialect == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
    return "UPDATE " + table +
           " SET status = 'running', locked_by = :worker, locked_until = :until, attempts = attempts + 1 "
           "WHERE id IN (SELECT id FROM " +
           table + " WHERE ((status = 'pending' AND " + due_column +
           " <= :now) OR (status = 'running' AND locked_until < :now2)) ORDER BY " + due_column + ", id LIMIT :lim" +
           lock + ") RETURNING " + returning;
}

scheduling::QueueCounts CountByStatus(Database& db, const std::string& table) {
    return db.Read(core::Viewer::System(), [&](Transaction& tx) {
        scheduling::QueueCounts counts;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << "SELECT status, COUNT(*) FROM " + table + " GROUP BY status");
        for (const auto& row : rows) {
            auto status = RowText(row, 0);
            auto n = RowInt(row, 1);
            if (status == "pending")
                counts.pending = n;
            else if (status == "running")
                counts.running = n;
            else if (status == "failed")
                counts.failed = n;
        }
        return counts;
    });
}

}  // namespace

bool SqlJobStore::EnqueueIn(Transaction& tx, const scheduling::NewJob& job, core::TimePoint now) {
    long long run_at = ToEpochMillis(job.run_at), created = ToEpochMillis(now);
    std::string key = job.unique_key.value_or("");
    soci::indicator key_ind = job.unique_key ? soci::i_ok : soci::i_null;
    soci::statement st =
        (tx.sql().prepare << "INSERT INTO jobs (kind, payload, unique_key, run_at, max_attempts, created_at) "
                             "VALUES (:k, :p, :u, :r, :m, :c) ON CONFLICT DO NOTHING",
         soci::use(job.kind), soci::use(job.payload), soci::use(key, key_ind), soci::use(run_at),
         soci::use(job.max_attempts), soci::use(created));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

bool SqlJobStore::Enqueue(const scheduling::NewJob& job, core::TimePoint now) {
    return db_.Write(core::Viewer::System(), [&](Transaction& tx) { return EnqueueIn(tx, job, now); });
}

std::vector<scheduling::Job> SqlJobStore::ClaimDue(core::TimePoint now, int limit, const std::string& worker,
                                                   core::Millis lease) {
    return db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long n = ToEpochMillis(now), until = ToEpochMillis(now + lease);
        std::vector<scheduling::Job> jobs;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << ClaimSql(tx.dialect(), "jobs", "run_at",
                                          "id, kind, payload, attempts, max_attempts, run_at, unique_key"),
             soci::use(worker, "worker"), soci::use(until, "until"), soci::use(n, "now"), soci::use(n, "now2"),
             soci::use(limit, "lim"));
        for (const auto& row : rows) {
            jobs.push_back(scheduling::Job{core::JobId{RowInt(row, 0)}, RowText(row, 1), RowText(row, 2),
                                           static_cast<int>(RowInt(row, 3)), static_cast<int>(RowInt(row, 4)),
                                           core::FromEpochMillis(RowInt(row, 5)), RowOptionalText(row, 6)});
        }
        std::sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) {
            return a.run_at != b.run_at ? a.run_at < b.run_at : a.id < b.id;
        });
        return jobs;
    });
}

void SqlJobStore::Complete(core::JobId id, core::TimePoint now, const std::optional<scheduling::NewJob>& next) {
    db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long t = ToEpochMillis(now), job = id.value;
        tx.sql() << "UPDATE jobs SET status = 'done', unique_key = NULL, locked_by = NULL, locked_until = NULL, "
                    "finished_at = :t WHERE id = :id",
            soci::use(t), soci::use(job);
        if (next) EnqueueIn(tx, *next, now);
    });
}

void SqlJobStore::Retry(core::JobId id, core::TimePoint run_at, const std::string& error) {
    db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long r = ToEpochMillis(run_at), job = id.value;
        std::string e = Clip(error);
        tx.sql() << "UPDATE jobs SET status = 'pending', run_at = :r, last_error = :e, locked_by = NULL, "
                    "locked_until = NULL WHERE id = :id",
            soci::use(r), soci::use(e), soci::use(job);
    });
}

void SqlJobStore::Fail(core::JobId id, core::TimePoint now, const std::string& error,
                       const std::optional<scheduling::NewJob>& next) {
    db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long t = ToEpochMillis(now), job = id.value;
        std::string e = Clip(error);
        tx.sql() << "UPDATE jobs SET status = 'failed', unique_key = NULL, last_error = :e, locked_by = NULL, "
                    "locked_until = NULL, finished_at = :t WHERE id = :id",
            soci::use(e), soci::use(t), soci::use(job);
        if (next) EnqueueIn(tx, *next, now);
    });
}

scheduling::QueueCounts SqlJobStore::Counts() { return CountByStatus(db_, "jobs"); }

namespace {

/// Prepared once per connection: every feature's transactions queue through it, and on PostgreSQL its row-level
/// security check would otherwise be planned again at every notice.
struct OutboxInsert final : PreparedStatement {
    static inline const std::string kSql =
        "INSERT INTO outbox (channel, payload, idempotency_key, next_attempt_at, created_at) "
        "VALUES (:c, :p, :k, :n, :t) ON CONFLICT DO NOTHING";
    std::string channel, payload, key;
    long long at = 0;
    soci::statement statement;
    explicit OutboxInsert(soci::session& s)
        : statement((s.prepare << kSql, soci::use(channel, "c"), soci::use(payload, "p"), soci::use(key, "k"),
                     soci::use(at, "n"), soci::use(at, "t"))) {}
};

}  // namespace

bool SqlOutboxStore::AddIn(Transaction& tx, const scheduling::NewOutboxItem& item, core::TimePoint now) {
    auto& insert =
        tx.Prepared<OutboxInsert>(OutboxInsert::kSql, [&] { return std::make_unique<OutboxInsert>(tx.sql()); });
    insert.channel = item.channel;
    insert.payload = item.payload;
    insert.key = item.idempotency_key;
    insert.at = ToEpochMillis(now);
    insert.statement.execute(true);
    bool added = insert.statement.get_affected_rows() == 1;
    FinishRun(tx.dialect(), insert.statement);
    return added;
}

bool SqlOutboxStore::Add(const scheduling::NewOutboxItem& item, core::TimePoint now) {
    return db_.Write(core::Viewer::System(), [&](Transaction& tx) { return AddIn(tx, item, now); });
}

std::vector<scheduling::OutboxItem> SqlOutboxStore::ClaimDue(core::TimePoint now, int limit, const std::string& worker,
                                                             core::Millis lease,
                                                             const std::vector<std::string>& channels) {
    if (channels.empty()) return {};
    return db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        DynamicQuery query;
        std::string in;
        for (const auto& c : channels) in += (in.empty() ? "" : ", ") + query.Bind(c);
        std::string lock = tx.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
        long long n = ToEpochMillis(now);
        std::string sql = "UPDATE outbox SET status = 'running', locked_by = " + query.Bind(worker) +
                          ", locked_until = " + query.Bind(ToEpochMillis(now + lease)) +
                          ", attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE channel IN (" + in +
                          ") AND ((status = 'pending' AND next_attempt_at <= " + query.Bind(n) +
                          ") OR (status = 'running' AND locked_until < " + query.Bind(n) +
                          ")) ORDER BY next_attempt_at, id LIMIT " + query.Bind(static_cast<long long>(limit)) + lock +
                          ") RETURNING id, channel, payload, idempotency_key, attempts";
        std::vector<scheduling::OutboxItem> items;
        query.ForEachRow(tx.sql(), sql, [&](const soci::row& row) {
            items.push_back(scheduling::OutboxItem{core::OutboxId{RowInt(row, 0)}, RowText(row, 1), RowText(row, 2),
                                                   RowText(row, 3), static_cast<int>(RowInt(row, 4))});
        });
        std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
        return items;
    });
}

void SqlOutboxStore::MarkDelivered(core::OutboxId id, core::TimePoint now) {
    db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long t = ToEpochMillis(now), item = id.value;
        tx.sql() << "UPDATE outbox SET status = 'delivered', delivered_at = :t, locked_by = NULL, locked_until = NULL "
                    "WHERE id = :id",
            soci::use(t), soci::use(item);
    });
}

void SqlOutboxStore::Retry(core::OutboxId id, core::TimePoint next_attempt, const std::string& error) {
    db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long n = ToEpochMillis(next_attempt), item = id.value;
        std::string e = Clip(error);
        tx.sql() << "UPDATE outbox SET status = 'pending', next_attempt_at = :n, last_error = :e, locked_by = NULL, "
                    "locked_until = NULL WHERE id = :id",
            soci::use(n), soci::use(e), soci::use(item);
    });
}

void SqlOutboxStore::Fail(core::OutboxId id, core::TimePoint now, const std::string& error) {
    db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long t = ToEpochMillis(now), item = id.value;
        std::string e = Clip(error);
        tx.sql() << "UPDATE outbox SET status = 'failed', last_error = :e, locked_by = NULL, locked_until = NULL, "
                    "delivered_at = NULL, next_attempt_at = :t WHERE id = :id",
            soci::use(e), soci::use(t), soci::use(item);
    });
}

scheduling::QueueCounts SqlOutboxStore::Counts() { return CountByStatus(db_, "outbox"); }

long long SqlJobStore::PurgeFinished(core::TimePoint before) {
    return db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long b = ToEpochMillis(before);
        soci::statement st =
            (tx.sql().prepare << "DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < :b",
             soci::use(b));
        st.execute(true);
        return st.get_affected_rows();
    });
}

std::vector<scheduling::OutboxItem> SqlOutboxStore::Peek(long long after_id, int limit) {
    return db_.Read(core::Viewer::System(), [&](Transaction& tx) {
        std::vector<scheduling::OutboxItem> items;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << "SELECT id, channel, payload, idempotency_key, attempts FROM "
                                 "outbox WHERE id > :a ORDER BY id LIMIT :l",
             soci::use(after_id), soci::use(limit));
        for (const auto& row : rows) {
            items.push_back(scheduling::OutboxItem{core::OutboxId{RowInt(row, 0)}, RowText(row, 1), RowText(row, 2),
                                                   RowText(row, 3), static_cast<int>(RowInt(row, 4))});
        }
        return items;
    });
}

long long SqlOutboxStore::LastId() {
    return db_.Read(core::Viewer::System(), [&](Transaction& tx) {
        long long id = 0;
        soci::indicator ind;
        tx.sql() << "SELECT MAX(id) FROM outbox", soci::into(id, ind);
        return ind == soci::i_null ? 0LL : id;
    });
}

long long SqlOutboxStore::PurgeDelivered(core::TimePoint before) {
    return db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long b = ToEpochMillis(before);
        soci::statement st =
            (tx.sql().prepare << "DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < :b", soci::use(b));
        st.execute(true);
        return st.get_affected_rows();
    });
}

}  // namespace maxis::storage
