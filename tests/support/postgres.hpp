#pragma once
#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "storage/database.hpp"
#include "storage/migrator.hpp"
#include "support/fake_clock.hpp"

namespace maxis::testing {

/// The admin URL of the test server started by scripts/test-all. PostgreSQL suites never skip: without
/// it they fail with instructions.
inline std::string PostgresAdminUrl() {
    const char* url = std::getenv("MAXIS_TEST_PG_URL");
    if (url == nullptr || *url == '\0') {
        ADD_FAILURE() << "MAXIS_TEST_PG_URL is not set: run the PostgreSQL suites through 'make test' "
                         "(scripts/test-all starts a server on loopback)";
        return "postgresql://postgres@127.0.0.1:1/postgres";
    }
    return url;
}

/// The admin URL with another user and database: postgresql://USER@HOST:PORT/DB.
inline std::string PostgresUrl(const std::string& user, const std::string& db) {
    std::string admin = PostgresAdminUrl();
    auto at = admin.find('@');
    auto slash = admin.find('/', at);
    return "postgresql://" + user + "@" + admin.substr(at + 1, slash - at - 1) + "/" + db;
}

/// What CountRows answers when the viewer's role has no privilege on the table at all.
inline constexpr long long kDenied = -1;

/// SELECT COUNT(*) FROM `from` in a transaction of `viewer`: the rows its policies let it see, or kDenied when
/// PostgreSQL refuses the statement outright (SQLSTATE 42501, insufficient privilege).
inline long long CountRows(storage::Database& db, const core::Viewer& viewer, const std::string& from) {
    try {
        return db.Read(viewer, [&](storage::Transaction& tx) {
            long long n = -1;
            tx.sql() << "SELECT COUNT(*) FROM " + from, soci::into(n);
            return n;
        });
    } catch (const soci::postgresql_soci_error& e) {
        if (e.sqlstate() == std::string("42501")) return kDenied;
        throw;
    }
}

/// A fresh database on the test server, migrated as its owner (the superuser), dropped at the end.
class PostgresDatabase {
public:
    PostgresDatabase() {
        static std::atomic<int> counter{0};
        name_ = "maxis_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
        soci::session admin(soci::postgresql, storage::PostgresConnectString(PostgresAdminUrl()));
        admin << "SET client_min_messages = warning";
        admin << "DROP DATABASE IF EXISTS " + name_;
        admin << "CREATE DATABASE " + name_;
        owner_ = std::make_unique<storage::Database>(storage::DatabaseOptions{PostgresUrl("postgres", name_), 2});
        storage::Migrator(*owner_, clock_).Apply();
    }
    ~PostgresDatabase() {
        owner_.reset();
        try {
            soci::session admin(soci::postgresql, storage::PostgresConnectString(PostgresAdminUrl()));
            admin << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
        } catch (const std::exception& e) {
            ADD_FAILURE() << "could not drop " << name_ << ": " << e.what();
        }
    }
    /// A connection as the superuser that owns the schema (test set-up only).
    storage::Database& owner() { return *owner_; }
    /// What the service uses in production: the login role that owns nothing.
    std::string LoginUrl() const { return PostgresUrl("maxis_login", name_); }
    const std::string& name() const { return name_; }

private:
    FakeClock clock_;
    std::string name_;
    std::unique_ptr<storage::Database> owner_;
};

}  // namespace maxis::testing
