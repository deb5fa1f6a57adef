#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <typeindex>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include "core/viewer.hpp"

namespace soci {
class session;
class statement;
}  // namespace soci

namespace maxis::core {
class Metrics;
}

namespace maxis::storage {

enum class Dialect { kSqlite, kPostgres };

struct DatabaseOptions {
    /// "sqlite:PATH", "sqlite::memory:", or a libpq URL "postgresql://user@host:port/db?...".
    std::string url = "sqlite:./data/maxis.db";
    int pool_size = 4;
    std::chrono::milliseconds busy_timeout{5000};
    std::chrono::milliseconds acquire_timeout{10000};
};

/// Which dialect a URL names; throws core::Error(kInvalidArgument) with the reason for anything else.
Dialect DialectOf(const std::string& url);
/// A postgresql:// URL as libpq keyword='value' pairs (SOCI's PostgreSQL backend does not take URLs).
/// Throws core::Error(kInvalidArgument) with libpq's reason, never with the password.
std::string PostgresConnectString(const std::string& url);
/// The URL with any password replaced by "***", for logs and error messages.
std::string RedactUrl(const std::string& url);

/// A statement prepared once on one pooled connection and kept with it, with the variables it is bound to
/// (soci::use and soci::into refer to them, so it never moves): run again, it only binds the new values.
struct PreparedStatement {
    virtual ~PreparedStatement() = default;
};

/// The prepared statements of one pooled connection, by SQL text. Dropped with the connection, or before
/// it is reopened.
class StatementCache {
public:
    template <class T, class Make>
    T& Get(const std::string& sql, Make&& make) {
        auto it = entries_.find(sql);
        if (it == entries_.end()) {
            it = entries_.emplace(sql, Entry{typeid(T), make()}).first;
        } else if (it->second.type != typeid(T)) {
            Mismatch(sql);
        }
        return static_cast<T&>(*it->second.statement);
    }
    void Clear() { entries_.clear(); }

private:
    struct Entry {
        std::type_index type;
        std::unique_ptr<PreparedStatement> statement;
    };
    [[noreturn]] static void Mismatch(const std::string& sql);
    std::unordered_map<std::string, Entry> entries_;
};

/// Ends a prepared statement's current run, so that it keeps no read open between two uses (SQLite
/// otherwise holds the rows of an unfinished SELECT until the next run).
void FinishRun(Dialect dialect, soci::statement& statement);

/// One transaction, bound to a viewer. On PostgreSQL it runs as role maxis_member (a member) or maxis_user
/// (staff and Maxis itself), with the viewer set locally as a token signed with the connection's key, so
/// row-level security policies apply to every statement and SQL run inside cannot change whom it runs for.
class Transaction {
public:
    [[nodiscard]] soci::session& sql() { return sql_; }
    [[nodiscard]] Dialect dialect() const { return dialect_; }
    [[nodiscard]] const core::Viewer& viewer() const { return viewer_; }
    /// The statement this connection prepared for sql, made by make() (returning std::unique_ptr<T>) the
    /// first time; T derives from PreparedStatement and binds its own variables.
    template <class T, class Make>
    T& Prepared(const std::string& sql, Make&& make) {
        return cache_.Get<T>(sql, std::forward<Make>(make));
    }

private:
    friend class Database;
    Transaction(soci::session& sql, StatementCache& cache, Dialect dialect, const core::Viewer& viewer)
        : sql_(sql), cache_(cache), dialect_(dialect), viewer_(viewer) {}
    soci::session& sql_;
    StatementCache& cache_;
    Dialect dialect_;
    core::Viewer viewer_;
};

struct PoolStats {
    int size = 0;
    int in_use = 0;
    long long waits = 0;
};

/// A pool of connections to one database, and the only way to run SQL: every unit of work is a
/// transaction bound to a viewer. Thread-safe.
///
/// One connection per thread: a thread that holds a pooled connection (inside Write, Read or
/// WithRawSession) never asks for a second one; that waits on itself once the pool or the writer lock is
/// taken. Builds without NDEBUG abort naming the situation; others log it and throw kInternal.
///
/// On SQLite, writers queue in the process: one writer lock is taken before the connection and
/// BEGIN IMMEDIATE and held until COMMIT or ROLLBACK, so SQLite's busy handler only ever waits for
/// another process sharing the file. A database that stays busy or locked (SQLite BUSY/LOCKED,
/// PostgreSQL serialization failure, deadlock, lock timeout, lost connection), like a pool or writer lock
/// not free within the acquire timeout, is core::Error(kUnavailable) with a retry-after: the work was
/// rolled back, and trying again is safe.
class Database {
public:
    /// Opens pool_size connections (one for an in-memory SQLite database, which is per connection).
    /// Throws core::Error(kUnavailable) with the redacted URL when the database cannot be reached.
    explicit Database(DatabaseOptions options, core::Metrics* metrics = nullptr);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    [[nodiscard]] Dialect dialect() const { return dialect_; }

    /// Runs f(Transaction&) in a read-write transaction and commits; rolls back and rethrows if f throws.
    template <class F>
    auto Write(const core::Viewer& viewer, F&& f) -> std::invoke_result_t<F, Transaction&> {
        return RunIn(viewer, true, std::forward<F>(f));
    }
    /// The same for work that only reads (SQLite then lets it run beside a writer).
    template <class F>
    auto Read(const core::Viewer& viewer, F&& f) -> std::invoke_result_t<F, Transaction&> {
        return RunIn(viewer, false, std::forward<F>(f));
    }

    /// Runs f on a pooled connection outside any transaction and without a viewer; for the migrator.
    void WithRawSession(const std::function<void(soci::session&)>& f);

    /// True when a trivial query succeeds within the acquire timeout.
    bool Ping();
    [[nodiscard]] PoolStats Stats() const;

private:
    struct Connection;
    struct Lease;
    /// member: the transaction will run as maxis_member. An idle connection whose last transaction ran as the same
    /// role is preferred: PostgreSQL plans a prepared statement under row-level security for one role, and
    /// plans it again whenever the connection switches role.
    Lease Acquire(bool write, bool member = false);
    /// Rethrows the exception being handled, as core::Error(kUnavailable) when it says the database is
    /// busy, locked or unreachable for now.
    [[noreturn]] void RethrowMapped() const;
    /// failed: the work threw; its prepared statements are dropped (one may be left mid-run or holding the
    /// error, e.g. a BEGIN IMMEDIATE that met SQLITE_BUSY) and prepared afresh on next use.
    void Release(Connection* c, bool broken, bool failed);
    void Begin(Connection& c, const core::Viewer& viewer, bool write);
    void Commit(Connection& c);
    /// Returns false when the rollback itself failed (the connection is then reopened before reuse).
    bool Rollback(Connection& c) noexcept;

    template <class F>
    auto RunIn(const core::Viewer& viewer, bool write, F&& f) -> std::invoke_result_t<F, Transaction&>;

    DatabaseOptions options_;
    Dialect dialect_;
    std::vector<std::unique_ptr<Connection>> connections_;
    std::vector<Connection*> idle_;
    mutable std::mutex mutex_;
    std::condition_variable available_;
    long long waits_ = 0;
    std::timed_mutex writer_;  // SQLite only: the in-process writer queue
};

struct Database::Connection {
    std::unique_ptr<soci::session> session;
    StatementCache statements;  // declared after the session: dropped before it
    /// PostgreSQL: the random key this connection registered with the database (maxis_register_connection),
    /// which signs each transaction's viewer; empty until the first transaction, and again after a reconnect.
    std::string viewer_key;
    /// PostgreSQL: a member's transaction is open here. Its SQL may leave session-level settings, a role, advisory
    /// locks, held cursors or LISTENs behind for whoever comes next, so its COMMIT or ROLLBACK also clears them.
    bool reset_pending = false;
    bool last_member = false;  // its last transaction ran as maxis_member
    /// PostgreSQL: statements prepared by SQL (not by Maxis) were found when a member's transaction ended, so the
    /// connection is reopened before anyone uses it again.
    bool planted_statements = false;
};

struct Database::Lease {
    Database* db;
    Connection* connection;
    std::unique_lock<std::timed_mutex> writer;  // released after the connection
    bool broken = false;
    bool failed = false;
    Lease(Database* d, Connection* c, std::unique_lock<std::timed_mutex> w)
        : db(d), connection(c), writer(std::move(w)) {}
    Lease(const Lease&) = delete;
    ~Lease() { db->Release(connection, broken, failed); }
};

template <class F>
auto Database::RunIn(const core::Viewer& viewer, bool write, F&& f) -> std::invoke_result_t<F, Transaction&> {
    Lease lease = Acquire(write, viewer.role == core::Role::kMember);
    try {
        Begin(*lease.connection, viewer, write);
    } catch (...) {
        lease.broken = lease.failed = true;
        RethrowMapped();
    }
    Transaction tx(*lease.connection->session, lease.connection->statements, dialect_, viewer);
    try {
        if constexpr (std::is_void_v<std::invoke_result_t<F, Transaction&>>) {
            f(tx);
            Commit(*lease.connection);
        } else {
            auto result = f(tx);
            Commit(*lease.connection);
            return result;
        }
    } catch (...) {
        lease.failed = true;
        lease.broken = !Rollback(*lease.connection);
        RethrowMapped();
    }
}

}  // namespace maxis::storage
