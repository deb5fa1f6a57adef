#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "storage/api_tokens.hpp"
#include "storage/coin_store.hpp"
#include "storage/database.hpp"
#include "storage/demo_catalog.hpp"
#include "storage/discord_store.hpp"
#include "storage/migrator.hpp"
#include "storage/sql_script.hpp"
#include "storage/sql_util.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage {
namespace {

using core::Viewer;

TEST(SqlScript, SplitsOnTopLevelSemicolonsOnly) {
    auto parts = SplitSqlScript(
        "CREATE TABLE a (x TEXT DEFAULT 'a;b'); -- a comment; with semicolon\n"
        "/* block; */ DO $$ BEGIN PERFORM 1; END $$;\n"
        "INSERT INTO a VALUES ('it''s; fine');;  ");
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0], "CREATE TABLE a (x TEXT DEFAULT 'a;b')");
    EXPECT_NE(parts[1].find("$$ BEGIN PERFORM 1; END $$"), std::string::npos);
    EXPECT_EQ(parts[2], "INSERT INTO a VALUES ('it''s; fine')");
}

TEST(DatabaseUrl, RejectsUnknownSchemesWithTheReason) {
    EXPECT_EQ(DialectOf("sqlite:./x.db"), Dialect::kSqlite);
    EXPECT_EQ(DialectOf("postgresql://u@h/db"), Dialect::kPostgres);
    EXPECT_THROW(DialectOf("mysql://u@h/db"), core::Error);
    EXPECT_THROW(DialectOf("sqlite:"), core::Error);
}

TEST(DatabaseUrl, RedactsPasswords) {
    EXPECT_EQ(RedactUrl("postgresql://maxis:hunter2@db:5432/maxis"), "postgresql://maxis:***@db:5432/maxis");
    EXPECT_EQ(RedactUrl("postgresql://db/maxis?user=a&password=hunter2&x=1"),
              "postgresql://db/maxis?user=a&password=***&x=1");
    EXPECT_EQ(RedactUrl("sqlite:./data/maxis.db"), "sqlite:./data/maxis.db");
}

TEST(Database, UnreachablePostgresIsUnavailableWithoutThePassword) {
    try {
        Database db(DatabaseOptions{"postgresql://maxis:hunter2@127.0.0.1:1/maxis?connect_timeout=2", 1});
        FAIL();
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::ErrorCode::kUnavailable);
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    }
}

class SqliteStorage : public ::testing::Test {
protected:
    testing::FakeClock clock;
    Database db{DatabaseOptions{"sqlite::memory:", 1}};
};

TEST_F(SqliteStorage, MigratorAppliesEverythingOnceAndRecordsVersions) {
    Migrator migrator(db, clock);
    auto all = EmbeddedMigrations(Dialect::kSqlite);
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(migrator.Pending().size(), all.size());
    EXPECT_EQ(migrator.Apply(), static_cast<int>(all.size()));
    EXPECT_EQ(migrator.CurrentVersion(), all.back().version);
    EXPECT_TRUE(migrator.Pending().empty());
    EXPECT_EQ(migrator.Apply(), 0);
}

TEST_F(SqliteStorage, ChannelCursorsOnlyMoveForwardAndListTheRecentFirst) {
    Migrator(db, clock).Apply();
    AdvanceChannelCursor(db, ChannelCursor{"10", "1", 500}, clock.Now());
    AdvanceChannelCursor(db, ChannelCursor{"10", "1", 400}, clock.Now());  // an older message, handled late
    clock.Advance(std::chrono::minutes(1));
    AdvanceChannelCursor(db, ChannelCursor{"20", "", 450}, clock.Now());
    auto recent = RecentChannelCursors(db, clock.Now() - std::chrono::minutes(5), 10);
    ASSERT_EQ(recent.size(), 2U);
    EXPECT_EQ(recent[0].channel_id, "20");
    EXPECT_EQ(recent[0].guild_id, "");
    EXPECT_EQ(recent[1].last_message_id, 500) << "never moved back";
    EXPECT_EQ(RecentChannelCursors(db, clock.Now() - std::chrono::seconds(30), 10).size(), 1U);
    EXPECT_EQ(RecentChannelCursors(db, clock.Now() - std::chrono::minutes(5), 1).size(), 1U);
}

TEST_F(SqliteStorage, Migration0016RebuildsTheCoinLedgerKeepingItsRowsIdsIndexesAndCounter) {
    auto all = EmbeddedMigrations(Dialect::kSqlite);
    std::vector<Migration> before;
    for (const auto& m : all) {
        if (m.version < 16) before.push_back(m);
    }
    Migrator(db, clock, before).Apply();
    auto move = [&](long long user, coins::CoinReason reason, const std::string& ref) {
        return db.Write(Viewer::System(), [&](Transaction& tx) {
            return MoveCoinsIn(tx,
                               coins::Movement{.user = core::UserId{user}, .amount = 5, .reason = reason, .ref = ref},
                               clock.Now());
        });
    };
    EXPECT_EQ(move(1, coins::CoinReason::kDaily, "d1").entry.id, 1);
    EXPECT_EQ(move(2, coins::CoinReason::kDaily, "d1").entry.id, 2);
    EXPECT_THROW(move(1, coins::CoinReason::kRefund, "MX-1"), std::exception);  // unknown to 0012's CHECK
    Migrator(db, clock).Apply();
    auto text = db.Read(Viewer::System(), [](Transaction& tx) {
        std::string out;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << "SELECT id, user_id, amount, reason, ref, balance_after FROM coin_ledger ORDER BY id");
        for (const auto& r : rows) {
            out += std::to_string(RowInt(r, 0)) + "," + std::to_string(RowInt(r, 1)) + "," +
                   std::to_string(RowInt(r, 2)) + "," + RowText(r, 3) + "," + RowText(r, 4) + "," +
                   std::to_string(RowInt(r, 5)) + ";";
        }
        return out;
    });
    EXPECT_EQ(text, "1,1,5,daily,d1,5;2,2,5,daily,d1,5;");
    // Ids go on after the rows kept; the new reason is accepted; the unique reference and the closed set hold.
    EXPECT_EQ(move(1, coins::CoinReason::kRefund, "MX-1").entry.id, 3);
    EXPECT_EQ(move(1, coins::CoinReason::kDaily, "d1").applied, coins::Applied::kDuplicate);
    EXPECT_THROW(
        db.Write(Viewer::System(),
                 [](Transaction& tx) {
                     tx.sql() << "INSERT INTO coin_ledger (user_id, amount, reason, balance_after, created_at) "
                                 "VALUES (1, 1, 'lottery', 1, 0)";
                 }),
        std::exception);
}

TEST_F(SqliteStorage, FailedMigrationLeavesThePreviousVersion) {
    std::vector<Migration> migrations = {
        {1, "0001_ok.sql", "CREATE TABLE t1 (x INTEGER);"},
        {2, "0002_bad.sql", "CREATE TABLE t2 (x INTEGER); INSERT INTO nope VALUES (1);"}};
    Migrator migrator(db, clock, migrations);
    try {
        migrator.Apply();
        FAIL();
    } catch (const core::Error& e) {
        EXPECT_NE(std::string(e.what()).find("0002_bad.sql"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("INSERT INTO nope"), std::string::npos) << e.what();
    }
    EXPECT_EQ(migrator.CurrentVersion(), 1);
    // t2 was rolled back with its migration.
    EXPECT_THROW(db.Read(Viewer::System(), [](Transaction& tx) { tx.sql() << "SELECT COUNT(*) FROM t2"; }),
                 std::exception);
}

TEST_F(SqliteStorage, WriteRollsBackWhenTheWorkThrows) {
    Migrator(db, clock).Apply();
    EXPECT_THROW(db.Write(Viewer::System(),
                          [](Transaction& tx) {
                              tx.sql() << "INSERT INTO app_state (key, value) VALUES ('k', 'v')";
                              throw std::runtime_error("boom");
                          }),
                 std::runtime_error);
    int count = db.Read(Viewer::System(), [](Transaction& tx) {
        int n = -1;
        tx.sql() << "SELECT COUNT(*) FROM app_state WHERE key = 'k'", soci::into(n);
        return n;
    });
    EXPECT_EQ(count, 0);
}

TEST_F(SqliteStorage, ForeignKeysAreEnforced) {
    db.Write(Viewer::System(), [](Transaction& tx) {
        tx.sql() << "CREATE TABLE parent (id INTEGER PRIMARY KEY)";
        tx.sql() << "CREATE TABLE child (p INTEGER REFERENCES parent(id))";
    });
    EXPECT_THROW(db.Write(Viewer::System(), [](Transaction& tx) { tx.sql() << "INSERT INTO child VALUES (42)"; }),
                 std::exception);
}

TEST_F(SqliteStorage, DemoCatalogIsSeededOnlyOnce) {
    Migrator(db, clock).Apply();
    EXPECT_TRUE(SeedDemoCatalogOnce(db, clock));
    auto count = [&] {
        return db.Read(Viewer::System(), [](Transaction& tx) {
            int n = 0;
            tx.sql() << "SELECT COUNT(*) FROM products", soci::into(n);
            return n;
        });
    };
    EXPECT_EQ(count(), 5);
    db.Write(Viewer::System(), [](Transaction& tx) { tx.sql() << "DELETE FROM products"; });
    EXPECT_FALSE(SeedDemoCatalogOnce(db, clock));
    EXPECT_EQ(count(), 0);
}

TEST(SqliteFile, UsesWalAndCreatesTheDirectory) {
    auto dir = std::filesystem::temp_directory_path() / ("maxis-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        Database db(DatabaseOptions{"sqlite:" + (dir / "sub" / "m.db").string(), 2});
        std::string mode = db.Read(Viewer::System(), [](Transaction& tx) {
            std::string m;
            tx.sql() << "PRAGMA journal_mode", soci::into(m);
            return m;
        });
        EXPECT_EQ(mode, "wal");
        EXPECT_EQ(db.Stats().size, 2);
        EXPECT_TRUE(db.Ping());
    }
    std::filesystem::remove_all(dir);
}

class SqliteFileStorage : public ::testing::Test {
protected:
    void SetUp() override {
        dir =
            std::filesystem::temp_directory_path() / ("maxis-test-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
    std::string Url() const { return "sqlite:" + (dir / "m.db").string(); }
    std::filesystem::path dir;
};

TEST_F(SqliteFileStorage, WritersQueueInTheProcessInsteadOfFailingOnTheLock) {
    // No busy handler at all: only the in-process writer queue keeps eight threads' writers apart.
    Database db(DatabaseOptions{Url(), 4, std::chrono::milliseconds(0)});
    db.Write(Viewer::System(), [](Transaction& tx) { tx.sql() << "CREATE TABLE t (n INTEGER)"; });
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i) {
                try {
                    db.Write(Viewer::System(), [](Transaction& tx) { tx.sql() << "INSERT INTO t VALUES (1)"; });
                } catch (const std::exception&) {
                    failures.fetch_add(1);
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    int rows = db.Read(Viewer::System(), [](Transaction& tx) {
        int n = 0;
        tx.sql() << "SELECT COUNT(*) FROM t", soci::into(n);
        return n;
    });
    EXPECT_EQ(rows, 400);
}

TEST_F(SqliteFileStorage, ALockHeldByAnotherConnectionIsUnavailableWithRetryAfterAndWritesNothing) {
    Database db(DatabaseOptions{Url(), 2, std::chrono::milliseconds(50)});
    db.Write(Viewer::System(), [](Transaction& tx) { tx.sql() << "CREATE TABLE t (n INTEGER)"; });
    Database other(DatabaseOptions{Url(), 1, std::chrono::milliseconds(50)});
    std::atomic<bool> locked{false}, release{false};
    std::thread holder([&] {
        other.Write(Viewer::System(), [&](Transaction& tx) {
            tx.sql() << "INSERT INTO t VALUES (2)";
            locked = true;
            while (!release) std::this_thread::yield();
        });
    });
    while (!locked) std::this_thread::yield();
    try {
        db.Write(Viewer::System(), [](Transaction& tx) { tx.sql() << "INSERT INTO t VALUES (1)"; });
        ADD_FAILURE() << "the write went through a held lock";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::ErrorCode::kUnavailable) << e.what();
        EXPECT_EQ(e.retry_after_seconds(), 1);
    }
    release = true;
    holder.join();
    // Only the holder's row: the refused write left nothing, and the next one goes through.
    db.Write(Viewer::System(), [](Transaction& tx) { tx.sql() << "INSERT INTO t VALUES (1)"; });
    int ones = db.Read(Viewer::System(), [](Transaction& tx) {
        int n = -1;
        tx.sql() << "SELECT COUNT(*) FROM t WHERE n = 1", soci::into(n);
        return n;
    });
    EXPECT_EQ(ones, 1);
}

TEST_F(SqliteFileStorage, ASecondConnectionOnTheSameThreadIsRefused) {
    Database db(DatabaseOptions{Url(), 4});
    auto nested = [&] {
        db.Write(Viewer::System(), [&](Transaction&) { db.Read(Viewer::System(), [](Transaction&) {}); });
    };
#ifdef NDEBUG
    try {
        nested();
        ADD_FAILURE() << "a nested transaction was allowed";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::ErrorCode::kInternal);
        EXPECT_NE(std::string(e.what()).find("second pooled database connection"), std::string::npos) << e.what();
    }
#else
    EXPECT_DEATH(nested(), "second pooled database connection");
#endif
    // The refusal left the pool whole: the thread's next transaction works.
    EXPECT_TRUE(db.Ping());
}

// A prepared statement is kept between transactions; one that stopped on its row must not keep that read
// open: a checkpoint that waits for every reader (TRUNCATE) then completes from another connection.
TEST_F(SqliteFileStorage, APreparedReadKeepsNoReadOpenAfterItsTransaction) {
    testing::FakeClock clock;
    Database db(DatabaseOptions{Url(), 1});
    Migrator(db, clock).Apply();
    ApiTokens tokens(db, clock);
    auto token = tokens.Create(Viewer{core::UserId{7}, core::Role::kMember}, "t");
    ASSERT_TRUE(tokens.Owner(token).has_value());  // the first use also stamps last_used_at
    ASSERT_TRUE(tokens.Owner(token).has_value());  // a read only, on the statement prepared above
    Database other(DatabaseOptions{Url(), 1, std::chrono::milliseconds(0)});
    int busy = -1, frames = -1, copied = -1;
    other.WithRawSession([&](soci::session& sql) {
        sql << "PRAGMA wal_checkpoint(TRUNCATE)", soci::into(busy), soci::into(frames), soci::into(copied);
    });
    EXPECT_EQ(busy, 0);
    EXPECT_EQ(frames, 0);
    ASSERT_TRUE(tokens.Owner(token).has_value());  // and the statement still runs after the checkpoint
}

}  // namespace
}  // namespace maxis::storage
