#include "storage/database.hpp"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/strings.hpp"
#include "crypto/crypto.hpp"

namespace maxis::storage {

using core::Error;
using core::ErrorCode;

Dialect DialectOf(const std::string& url) {
    if (core::StartsWith(url, "sqlite:")) {
        if (url.size() == 7) throw Error(ErrorCode::kInvalidArgument, "database URL 'sqlite:' needs a file path");
        return Dialect::kSqlite;
    }
    if (core::StartsWith(url, "postgresql://") || core::StartsWith(url, "postgres://")) return Dialect::kPostgres;
    throw Error(ErrorCode::kInvalidArgument,
                "database URL must start with 'sqlite:' or 'postgresql://' (got '" + RedactUrl(url) + "')");
}

std::string RedactUrl(const std::string& url) {
    std::string out = url;
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto at = url.find('@', scheme + 3);
    auto colon = url.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
    }
    auto q = out.find("password=");
    if (q != std::string::npos) {
        auto end = out.find('&', q);
        out.replace(q + 9, (end == std::string::npos ? out.size() : end) - q - 9, "***");
    }
    return out;
}

std::string PostgresConnectString(const std::string& url) {
    char* err = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
    if (options == nullptr) {
        std::string reason = err != nullptr ? std::string(core::Trim(err)) : "out of memory";
        PQfreemem(err);
        throw Error(ErrorCode::kInvalidArgument, "invalid PostgreSQL URL " + RedactUrl(url) + ": " + reason);
    }
    std::string out;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        std::string value;
        for (const char* c = o->val; *c != '\0'; ++c) {
            if (*c == '\'' || *c == '\\') value += '\\';
            value += *c;
        }
        out += std::string(out.empty() ? "" : " ") + o->keyword + "='" + value + "'";
    }
    PQconninfoFree(options);
    return out;
}

namespace {

std::unique_ptr<soci::session> Connect(const DatabaseOptions& options, Dialect dialect) {
    try {
        if (dialect == Dialect::kSqlite) {
            std::string path = options.url.substr(7);
            if (path != ":memory:") {
                auto parent = std::filesystem::path(path).parent_path();
                if (!parent.empty()) std::filesystem::create_directories(parent);
            }
            auto s = std::make_unique<soci::session>(soci::sqlite3, "db=\"" + path + "\"");
            *s << "PRAGMA busy_timeout = " + std::to_string(options.busy_timeout.count());
            *s << "PRAGMA foreign_keys = ON";
            if (path != ":memory:") {
                *s << "PRAGMA journal_mode = WAL";
                *s << "PRAGMA synchronous = NORMAL";
            }
            return s;
        }
        auto s = std::make_unique<soci::session>(soci::postgresql, PostgresConnectString(options.url));
        *s << "SET client_min_messages = warning";
        return s;
    } catch (const std::exception& e) {
        // libpq's messages can quote the connection string; never let a password through.
        if (const auto* already = dynamic_cast<const Error*>(&e)) throw *already;
        std::string reason = e.what();
        auto redacted = RedactUrl(options.url);
        throw Error(ErrorCode::kUnavailable,
                    "cannot open database " + redacted + ": " + std::string(core::Trim(reason)));
    }
}

std::string_view RoleSetting(core::Role role) { return core::ToString(role); }

/// Seconds a caller is told to wait when the database is busy: a queued writer's turn comes in
/// milliseconds, so the next second is a fair retry.
constexpr int kBusyRetryAfterSeconds = 1;

/// The databases whose pooled connection this thread holds (one connection per thread and database).
thread_local std::vector<const Database*> held_by_thread;

bool HeldByThisThread(const Database* db) {
    return std::find(held_by_thread.begin(), held_by_thread.end(), db) != held_by_thread.end();
}

/// SQLite's primary result codes for "another connection holds the lock" (extended codes keep them in the
/// low byte).
constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;

/// True when the error says the database is busy, locked or unreachable for now, so the same work may
/// succeed if tried again.
bool IsTransient(const soci::soci_error& e) {
    if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
        int primary = lite->result() & 0xff;
        return primary == kSqliteBusy || primary == kSqliteLocked;
    }
    if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
        std::string state = pg->sqlstate();
        if (state == "40001" || state == "40P01" || state == "55P03") return true;  // serialization, deadlock, lock
        if (core::StartsWith(state, "08")) return true;                             // connection exception
        if (state == "57P01" || state == "57P02" || state == "57P03") return true;  // server shutting down/starting
        return e.get_error_category() == soci::soci_error::connection_error;
    }
    return e.get_error_category() == soci::soci_error::connection_error;
}

}  // namespace

Database::Database(DatabaseOptions options, core::Metrics* metrics)
    : options_(std::move(options)), dialect_(DialectOf(options_.url)) {
    int size = options_.pool_size < 1 ? 1 : options_.pool_size;
    if (options_.url == "sqlite::memory:") size = 1;
    for (int i = 0; i < size; ++i) {
        connections_.push_back(std::make_unique<Connection>(Connection{Connect(options_, dialect_), {}}));
        idle_.push_back(connections_.back().get());
    }
    if (metrics != nullptr) {
        metrics->DefineGauge("maxis_db_pool_connections", "Database pool connections by state.", [this] {
            auto stats = Stats();
            return std::vector<std::pair<core::Labels, double>>{
                {{{"state", "in_use"}}, static_cast<double>(stats.in_use)},
                {{{"state", "idle"}}, static_cast<double>(stats.size - stats.in_use)}};
        });
        metrics->DefineGauge("maxis_db_pool_waits", "Times a caller had to wait for a free connection since start.",
                             [this] {
                                 return std::vector<std::pair<core::Labels, double>>{{{}, double(Stats().waits)}};
                             });
    }
}

Database::~Database() = default;

void StatementCache::Mismatch(const std::string& sql) {
    throw Error(ErrorCode::kInternal, "one SQL text prepared for two different uses: " + sql);
}

void FinishRun(Dialect dialect, soci::statement& statement) {
    if (dialect == Dialect::kSqlite) {
        ::sqlite_api::sqlite3_reset(static_cast<soci::sqlite3_statement_backend*>(statement.get_backend())->stmt_);
    }
}

Database::Lease Database::Acquire(bool write, bool member) {
    if (HeldByThisThread(this)) {
        constexpr const char* what =
            "a thread asked for a second pooled database connection while it holds one (a Read or Write inside "
            "a Read or Write, or a hook or policy that reads the database called from inside one); compute what "
            "the work needs before opening the transaction, or pass the transaction's store";
#ifndef NDEBUG
        std::fprintf(stderr, "maxis: fatal: %s\n", what);
        std::abort();
#else
        spdlog::error("{}", what);
        throw Error(ErrorCode::kInternal, what);
#endif
    }
    std::unique_lock<std::timed_mutex> writer;
    if (write && dialect_ == Dialect::kSqlite) {
        // Writers queue here rather than in SQLite's busy handler (which sleeps and polls).
        writer = std::unique_lock(writer_, std::defer_lock);
        if (!writer.try_lock_for(options_.acquire_timeout)) {
            throw Error(ErrorCode::kUnavailable, "the database writer queue did not move in time")
                .RetryAfter(kBusyRetryAfterSeconds);
        }
    }
    std::unique_lock lock(mutex_);
    if (idle_.empty()) {
        ++waits_;
        if (!available_.wait_for(lock, options_.acquire_timeout, [this] { return !idle_.empty(); })) {
            throw Error(ErrorCode::kUnavailable, "no database connection became free in time")
                .RetryAfter(kBusyRetryAfterSeconds);
        }
    }
    auto same_role =
        std::find_if(idle_.rbegin(), idle_.rend(), [&](Connection* c) { return c->last_member == member; });
    auto pick = same_role != idle_.rend() ? std::prev(same_role.base()) : std::prev(idle_.end());
    Connection* c = *pick;
    idle_.erase(pick);
    held_by_thread.push_back(this);
    return Lease(this, c, std::move(writer));
}

void Database::RethrowMapped() const {
    try {
        throw;
    } catch (const soci::soci_error& e) {
        if (!IsTransient(e)) throw;
        spdlog::warn("database busy, the work was rolled back: {}", core::Trim(e.what()));
        throw Error(ErrorCode::kUnavailable, "the database is busy; try again").RetryAfter(kBusyRetryAfterSeconds);
    }
}

void Database::Release(Connection* c, bool broken, bool failed) {
    if (auto it = std::find(held_by_thread.begin(), held_by_thread.end(), this); it != held_by_thread.end()) {
        held_by_thread.erase(it);
    }
    if (std::exchange(c->planted_statements, false)) {
        spdlog::warn("a member's transaction prepared SQL statements of its own; the connection is opened again");
        broken = true;
    }
    // Only a network connection is worth reopening; an in-memory SQLite database would be lost.
    if (failed || broken) c->statements.Clear();  // left mid-run, holding an error, or on a connection replaced
    if (broken && dialect_ == Dialect::kPostgres) {
        c->viewer_key.clear();  // a new server process: the next transaction registers a new key
        try {
            c->session->reconnect();
            spdlog::warn("database connection reopened after a failure");
        } catch (const std::exception& e) {
            // Keep it in the pool anyway: the next Begin fails cleanly and tries again.
            spdlog::error("database reconnect failed: {}", e.what());
        }
    }
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(c);
    }
    available_.notify_one();
}

namespace {

/// A statement without parameters or results (BEGIN, COMMIT), prepared once per connection.
struct PlainStatement final : PreparedStatement {
    soci::statement statement;
    PlainStatement(soci::session& s, const std::string& sql) : statement((s.prepare << sql)) {}
};

/// PostgreSQL: the transaction's role, search path and signed viewer, in one round trip
/// (set_config('role', ..., true) is SET LOCAL ROLE).
struct ViewerSettings final : PreparedStatement {
    std::string role, token;
    soci::statement statement;
    explicit ViewerSettings(soci::session& s)
        : statement((s.prepare << kSql, soci::use(role, "r"), soci::use(token, "v"))) {}
    static inline const std::string kSql =
        "SELECT set_config('role', :r, true), set_config('search_path', 'public, pg_temp', true), "
        "set_config('maxis.viewer', :v, true)";
};

/// The token the policies verify (maxis_viewer() in migration 0009): '<user id>:<role>:<hex HMAC-SHA256>'.
std::string ViewerToken(const std::string& key, const core::Viewer& viewer) {
    std::string claim = std::to_string(viewer.user_id.value) + ":" + std::string(RoleSetting(viewer.role));
    return claim + ":" + crypto::HexEncode(crypto::HmacSha256(key, "maxis-viewer-v1:" + claim));
}

/// A fresh random key for this connection, registered once, outside any transaction. The database keeps it
/// where the login role cannot read it and refuses a second registration on the same connection.
void RegisterViewerKey(soci::session& s, std::string& key) {
    std::string fresh = crypto::RandomBytes(32), hex = crypto::HexEncode(fresh);
    s << "SELECT maxis_register_connection(decode(:k, 'hex'))", soci::use(hex);
    key = std::move(fresh);
}

void RunPlain(soci::session& s, StatementCache& cache, const std::string& sql) {
    auto& plain = cache.Get<PlainStatement>(sql, [&] { return std::make_unique<PlainStatement>(s, sql); });
    plain.statement.execute(true);
    FinishRun(Dialect::kSqlite, plain.statement);
}

}  // namespace

void Database::Begin(Connection& c, const core::Viewer& viewer, bool write) {
    soci::session& s = *c.session;
    if (dialect_ == Dialect::kSqlite) {
        static const std::string kImmediate = "BEGIN IMMEDIATE", kDeferred = "BEGIN";
        RunPlain(s, c.statements, write ? kImmediate : kDeferred);
        return;
    }
    if (c.viewer_key.empty()) RegisterViewerKey(s, c.viewer_key);
    s << (write ? "BEGIN" : "BEGIN READ ONLY");
    c.reset_pending = c.last_member = viewer.role == core::Role::kMember;
    try {
        auto& settings =
            c.statements.Get<ViewerSettings>(ViewerSettings::kSql, [&] { return std::make_unique<ViewerSettings>(s); });
        settings.role = viewer.role == core::Role::kMember ? "maxis_member" : "maxis_user";
        settings.token = ViewerToken(c.viewer_key, viewer);
        settings.statement.execute(true);
    } catch (...) {
        Rollback(c);
        throw;
    }
}

namespace {

/// Ends a member's transaction and, in the same round trip, clears what its SQL may have left in the session for
/// whoever uses the connection next: settings and a role set for the session, advisory locks, held cursors,
/// LISTENs. (After COMMIT or ROLLBACK the statements run in their own implicit transaction.) Its one result counts
/// the statements prepared by SQL rather than by Maxis: a member who replaced one of Maxis's prepared statements
/// (DEALLOCATE, then PREPARE under the same name) would have it run in the next transaction on this connection,
/// so such a connection is closed and opened again.
std::string EndAndReset(const char* end) {
    return std::string(end) +
           "; RESET ALL; RESET ROLE; SET client_min_messages = warning; SELECT pg_advisory_unlock_all(); CLOSE ALL; "
           "UNLISTEN *; SELECT COUNT(*) FROM pg_prepared_statements WHERE from_sql";
}

}  // namespace

void Database::Commit(Connection& c) {
    if (dialect_ == Dialect::kSqlite) {
        static const std::string kCommit = "COMMIT";
        RunPlain(*c.session, c.statements, kCommit);
        return;
    }
    if (!c.reset_pending) {
        *c.session << "COMMIT";
        return;
    }
    static const std::string kCommitAndReset = EndAndReset("COMMIT");
    long long planted = 0;
    *c.session << kCommitAndReset, soci::into(planted);
    c.reset_pending = false;  // only once it ran: a failed COMMIT leaves the reset to the ROLLBACK
    c.planted_statements = planted > 0;
}

bool Database::Rollback(Connection& c) noexcept {
    try {
        if (dialect_ == Dialect::kPostgres && c.reset_pending) {
            static const std::string kRollbackAndReset = EndAndReset("ROLLBACK");
            long long planted = 0;
            *c.session << kRollbackAndReset, soci::into(planted);
            c.reset_pending = false;
            c.planted_statements = planted > 0;
        } else {
            *c.session << "ROLLBACK";
        }
        return true;
    } catch (const std::exception& e) {
        spdlog::warn("rollback failed: {}", e.what());
        return false;
    }
}

void Database::WithRawSession(const std::function<void(soci::session&)>& f) {
    Lease lease = Acquire(true);
    try {
        f(*lease.connection->session);
    } catch (...) {
        lease.broken = lease.failed = true;
        RethrowMapped();
    }
}

bool Database::Ping() {
    try {
        return Read(core::Viewer::System(), [](Transaction& tx) {
            int one = 0;
            tx.sql() << "SELECT 1", soci::into(one);
            return one == 1;
        });
    } catch (const std::exception& e) {
        spdlog::warn("database ping failed: {}", e.what());
        return false;
    }
}

PoolStats Database::Stats() const {
    std::lock_guard lock(mutex_);
    return PoolStats{static_cast<int>(connections_.size()), static_cast<int>(connections_.size() - idle_.size()),
                     waits_};
}

}  // namespace maxis::storage
