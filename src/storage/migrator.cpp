#include "storage/migrator.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "storage/sql_script.hpp"

namespace maxis::storage::embedded {
const std::vector<std::pair<std::string_view, std::string_view>>& Files();
}

namespace maxis::storage {

using core::Error;
using core::ErrorCode;

namespace {
constexpr long long kMigrationLockKey = 72'420'001;
}

std::vector<Migration> EmbeddedMigrations(Dialect dialect) {
    std::string prefix = dialect == Dialect::kSqlite ? "migrations/sqlite/" : "migrations/postgres/";
    std::vector<Migration> out;
    std::set<int> seen;
    for (const auto& [path, content] : embedded::Files()) {
        if (!core::StartsWith(path, prefix)) continue;
        std::string name(path.substr(prefix.size()));
        std::size_t digits = 0;
        while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
        if (digits == 0 || name.size() <= digits || name[digits] != '_') {
            throw Error(ErrorCode::kInternal, "migration file '" + name + "' must be named NNNN_description.sql");
        }
        int version = std::stoi(name.substr(0, digits));
        if (!seen.insert(version).second) {
            throw Error(ErrorCode::kInternal, "two migrations share version " + std::to_string(version));
        }
        out.push_back(Migration{version, name, std::string(content)});
    }
    std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return out;
}

Migrator::Migrator(Database& db, const core::Clock& clock, std::vector<Migration> migrations)
    : db_(db), clock_(clock), migrations_(std::move(migrations)) {}

Migrator::Migrator(Database& db, const core::Clock& clock) : Migrator(db, clock, EmbeddedMigrations(db.dialect())) {}

void Migrator::EnsureTable() {
    // IF NOT EXISTS is not safe against a concurrent creator on PostgreSQL: hold the migration lock.
    const bool pg = db_.dialect() == Dialect::kPostgres;
    db_.WithRawSession([pg](soci::session& sql) {
        sql << "BEGIN";
        try {
            if (pg) sql << "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")";
            sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                   "applied_at BIGINT NOT NULL)";
            sql << "COMMIT";
        } catch (...) {
            sql << "ROLLBACK";
            throw;
        }
    });
}

namespace {

int ReadVersion(soci::session& sql) {
    int version = 0;
    soci::indicator ind;
    sql << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
    return ind == soci::i_null ? 0 : version;
}

}  // namespace

int Migrator::CurrentVersion() {
    int version = 0;
    try {
        db_.WithRawSession([&](soci::session& sql) { version = ReadVersion(sql); });
    } catch (const std::exception& e) {
        std::string what = e.what();
        if (what.find("schema_migrations") != std::string::npos &&
            (what.find("no such table") != std::string::npos || what.find("does not exist") != std::string::npos)) {
            return 0;
        }
        // Roles are cluster-wide: once another database of the cluster has run migration 0009, the login role
        // is NOINHERIT everywhere, while a database still behind it grants the version to maxis_user only,
        // which the login role may become. Read it as that role, so the service can name what is pending.
        if (db_.dialect() == Dialect::kPostgres &&
            what.find("permission denied for table schema_migrations") != std::string::npos) {
            try {
                db_.WithRawSession([&](soci::session& sql) {
                    sql << "BEGIN READ ONLY";
                    try {
                        sql << "SET LOCAL ROLE maxis_user";
                        version = ReadVersion(sql);
                        sql << "COMMIT";
                    } catch (...) {
                        sql << "ROLLBACK";
                        throw;
                    }
                });
                return version;
            } catch (const std::exception&) {
                // Not a database behind 0009 after all: the first reason is the one to report.
            }
        }
        throw Error(ErrorCode::kUnavailable, "cannot read the schema version: " + what);
    }
    return version;
}

std::vector<Migration> Migrator::Pending() {
    int current = CurrentVersion();
    std::vector<Migration> out;
    for (const auto& m : migrations_) {
        if (m.version > current) out.push_back(m);
    }
    return out;
}

int Migrator::Apply() {
    try {
        EnsureTable();
    } catch (const std::exception& e) {
        std::string reason = e.what();
        reason = std::string(core::Trim(reason.substr(0, reason.find('\n'))));
        if (auto pos = reason.find("ERROR:"); pos != std::string::npos)
            reason = std::string(core::Trim(reason.substr(pos + 6)));
        throw Error(ErrorCode::kUnavailable,
                    "cannot apply migrations as this database user (" + reason +
                        "). On PostgreSQL the service's login role owns nothing: give an owner connection in "
                        "MAXIS_MIGRATION_DATABASE_URL, or run 'maxis migrate --database <owner URL>'");
    }
    int applied = 0;
    for (const auto& m : migrations_) {
        bool done = false;
        db_.WithRawSession([&](soci::session& sql) {
            const bool pg = db_.dialect() == Dialect::kPostgres;
            sql << (pg ? "BEGIN" : "BEGIN IMMEDIATE");
            try {
                if (pg) sql << "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")";
                int count = 0;
                sql << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(m.version),
                    soci::into(count);
                if (count > 0) {
                    sql << "ROLLBACK";
                    return;
                }
                for (const auto& statement : SplitSqlScript(m.sql)) {
                    try {
                        sql << statement;
                    } catch (const std::exception& e) {
                        auto first_line = statement.substr(0, statement.find('\n'));
                        throw Error(ErrorCode::kUnavailable, "migration " + m.name + " failed at '" + first_line +
                                                                 "': " + std::string(core::Trim(e.what())));
                    }
                }
                // A PostgreSQL migration switches to maxis_owner for its objects; the record is the runner's.
                if (pg) sql << "RESET ROLE";
                long long now = core::ToEpochMillis(clock_.Now());
                sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)",
                    soci::use(m.version), soci::use(m.name), soci::use(now);
                sql << "COMMIT";
                done = true;
            } catch (...) {
                try {
                    sql << "ROLLBACK";
                } catch (const std::exception& e) {
                    spdlog::warn("rollback of migration {} failed: {}", m.name, e.what());
                }
                throw;
            }
        });
        if (done) {
            spdlog::info("applied migration {}", m.name);
            ++applied;
        }
    }
    return applied;
}

}  // namespace maxis::storage
