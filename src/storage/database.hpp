#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "core/viewer.hpp"

namespace soci {
class session;
}

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

/// One transaction, bound to a viewer. On PostgreSQL it runs as role maxis_user with maxis.user_id and
/// maxis.role set locally, so row-level security policies apply to every statement.
class Transaction {
public:
    [[nodiscard]] soci::session& sql() { return sql_; }
    [[nodiscard]] Dialect dialect() const { return dialect_; }
    [[nodiscard]] const core::Viewer& viewer() const { return viewer_; }

private:
    friend class Database;
    Transaction(soci::session& sql, Dialect dialect, const core::Viewer& viewer)
        : sql_(sql), dialect_(dialect), viewer_(viewer) {}
    soci::session& sql_;
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
    struct Lease;
    Lease Acquire(bool write);
    /// Rethrows the exception being handled, as core::Error(kUnavailable) when it says the database is
    /// busy, locked or unreachable for now.
    [[noreturn]] void RethrowMapped() const;
    void Release(soci::session* s, bool broken);
    void Begin(soci::session& s, const core::Viewer& viewer, bool write);
    void Commit(soci::session& s);
    /// Returns false when the rollback itself failed (the connection is then reopened before reuse).
    bool Rollback(soci::session& s) noexcept;

    template <class F>
    auto RunIn(const core::Viewer& viewer, bool write, F&& f) -> std::invoke_result_t<F, Transaction&>;

    DatabaseOptions options_;
    Dialect dialect_;
    std::vector<std::unique_ptr<soci::session>> sessions_;
    std::vector<soci::session*> idle_;
    mutable std::mutex mutex_;
    std::condition_variable available_;
    long long waits_ = 0;
    std::timed_mutex writer_;  // SQLite only: the in-process writer queue
};

struct Database::Lease {
    Database* db;
    soci::session* session;
    std::unique_lock<std::timed_mutex> writer;  // released after the connection
    bool broken = false;
    Lease(Database* d, soci::session* s, std::unique_lock<std::timed_mutex> w)
        : db(d), session(s), writer(std::move(w)) {}
    Lease(const Lease&) = delete;
    ~Lease() { db->Release(session, broken); }
};

template <class F>
auto Database::RunIn(const core::Viewer& viewer, bool write, F&& f) -> std::invoke_result_t<F, Transaction&> {
    Lease lease = Acquire(write);
    try {
        Begin(*lease.session, viewer, write);
    } catch (...) {
        lease.broken = true;
        RethrowMapped();
    }
    Transaction tx(*lease.session, dialect_, viewer);
    try {
        if constexpr (std::is_void_v<std::invoke_result_t<F, Transaction&>>) {
            f(tx);
            Commit(*lease.session);
        } else {
            auto result = f(tx);
            Commit(*lease.session);
            return result;
        }
    } catch (...) {
        lease.broken = !Rollback(*lease.session);
        RethrowMapped();
    }
}

}  // namespace maxis::storage
