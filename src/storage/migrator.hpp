#pragma once
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

struct Migration {
    int version = 0;
    std::string name;  // file name, e.g. "0001_init.sql"
    std::string sql;
};

/// The migrations compiled into the binary for a dialect (migrations/sqlite or migrations/postgres),
/// ordered by version. Throws core::Error(kInternal) on a misnamed or duplicated file.
std::vector<Migration> EmbeddedMigrations(Dialect dialect);

/// Applies numbered migrations in order, each in its own transaction together with its row in
/// schema_migrations, so a failure leaves the database at the previous version. On PostgreSQL an
/// advisory lock makes concurrent start-ups of several instances apply each migration once.
class Migrator {
public:
    Migrator(Database& db, const core::Clock& clock, std::vector<Migration> migrations);
    Migrator(Database& db, const core::Clock& clock);

    /// Versions not yet applied. Throws core::Error(kUnavailable) if the state cannot be read.
    std::vector<Migration> Pending();
    /// Applies every pending migration; returns how many. On failure throws core::Error naming the
    /// migration and the failing statement's first line.
    int Apply();
    int CurrentVersion();

private:
    void EnsureTable();
    Database& db_;
    const core::Clock& clock_;
    std::vector<Migration> migrations_;
};

}  // namespace maxis::storage
