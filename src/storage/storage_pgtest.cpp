#include <gtest/gtest.h>
#include <soci/soci.h>

#include <mutex>
#include <set>
#include <thread>

#include "core/errors.hpp"
#include "storage/database.hpp"
#include "storage/demo_catalog.hpp"
#include "storage/discord_store.hpp"
#include "storage/migrator.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/users.hpp"
#include "support/postgres.hpp"

namespace maxis::storage {
namespace {

using core::Role;
using core::UserId;
using core::Viewer;

class PostgresStorage : public ::testing::Test {
protected:
    testing::PostgresDatabase pg;
    testing::FakeClock clock;
};

TEST_F(PostgresStorage, MigrationsAreAppliedOnceAndRecorded) {
    Migrator migrator(pg.owner(), clock);
    EXPECT_TRUE(migrator.Pending().empty());
    EXPECT_EQ(migrator.Apply(), 0);
    EXPECT_EQ(migrator.CurrentVersion(), EmbeddedMigrations(Dialect::kPostgres).back().version);
}

TEST_F(PostgresStorage, ConcurrentMigrationsOfAFreshDatabaseApplyEachVersionOnce) {
    soci::session admin(soci::postgresql, PostgresConnectString(testing::PostgresAdminUrl()));
    std::string fresh = pg.name() + "_fresh";
    admin << "DROP DATABASE IF EXISTS " + fresh;
    admin << "CREATE DATABASE " + fresh;
    std::atomic<int> applied{0};
    {
        std::vector<std::thread> threads;
        for (int i = 0; i < 3; ++i) {
            threads.emplace_back([&] {
                Database db(DatabaseOptions{testing::PostgresUrl("postgres", fresh), 1});
                applied += Migrator(db, clock).Apply();
            });
        }
        for (auto& t : threads) t.join();
    }
    EXPECT_EQ(applied.load(), static_cast<int>(EmbeddedMigrations(Dialect::kPostgres).size()));
    admin << "DROP DATABASE " + fresh + " WITH (FORCE)";
}

TEST_F(PostgresStorage, TablesAreOwnedByTheOwnerRoleAndTheLoginRoleOwnsNothing) {
    Database login(DatabaseOptions{pg.LoginUrl(), 1});
    login.WithRawSession([](soci::session& sql) {
        int owned_by_login = -1, owned_by_owner = -1, bypass = -1;
        sql << "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'maxis_login'",
            soci::into(owned_by_login);
        sql << "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'maxis_owner'",
            soci::into(owned_by_owner);
        sql << "SELECT COUNT(*) FROM pg_roles WHERE rolname IN ('maxis_user', 'maxis_login') AND "
               "(rolbypassrls OR rolsuper)",
            soci::into(bypass);
        EXPECT_EQ(owned_by_login, 0);
        EXPECT_GE(owned_by_owner, 4);
        EXPECT_EQ(bypass, 0);
    });
}

class PostgresRls : public PostgresStorage {
protected:
    void SetUp() override {
        // A probe table with a member policy, created as the schema owner like any migration would.
        pg.owner().WithRawSession([](soci::session& sql) {
            sql << "BEGIN";
            sql << "SET LOCAL ROLE maxis_owner";
            sql << "CREATE TABLE rls_probe (id SERIAL PRIMARY KEY, owner_id BIGINT NOT NULL, note TEXT NOT NULL)";
            sql << "ALTER TABLE rls_probe ENABLE ROW LEVEL SECURITY";
            sql << "ALTER TABLE rls_probe FORCE ROW LEVEL SECURITY";
            sql << "GRANT SELECT, INSERT, UPDATE ON rls_probe TO maxis_member";
            sql << "GRANT USAGE ON SEQUENCE rls_probe_id_seq TO maxis_member";
            sql << "CREATE POLICY probe_member ON rls_probe TO maxis_member "
                   "USING (owner_id = (SELECT maxis_viewer_id())) WITH CHECK (owner_id = (SELECT maxis_viewer_id()))";
            sql << "CREATE POLICY probe_staff ON rls_probe TO maxis_user "
                   "USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'))";
            // FORCE binds even the owner: rows are seeded as the superuser, which bypasses policies.
            sql << "RESET ROLE";
            sql << "INSERT INTO rls_probe (owner_id, note) VALUES (1, 'alice-1'), (1, 'alice-2'), (2, 'bob-1')";
            sql << "COMMIT";
        });
        login = std::make_unique<Database>(DatabaseOptions{pg.LoginUrl(), 2});
    }
    int CountAs(const Viewer& v) {
        return login->Read(v, [](Transaction& tx) {
            int n = -1;
            tx.sql() << "SELECT COUNT(*) FROM rls_probe", soci::into(n);  // no WHERE clause on purpose
            return n;
        });
    }
    std::unique_ptr<Database> login;
};

TEST_F(PostgresRls, MemberReadsOnlyOwnRowsWithoutAWhereClause) {
    EXPECT_EQ(CountAs(Viewer{UserId{1}, Role::kMember}), 2);
    EXPECT_EQ(CountAs(Viewer{UserId{2}, Role::kMember}), 1);
    EXPECT_EQ(CountAs(Viewer{UserId{3}, Role::kMember}), 0);
    std::vector<std::string> notes = login->Read(Viewer{UserId{2}, Role::kMember}, [](Transaction& tx) {
        std::vector<std::string> out(10);
        tx.sql() << "SELECT note FROM rls_probe ORDER BY id", soci::into(out);
        return out;
    });
    EXPECT_EQ(notes, std::vector<std::string>{"bob-1"});
}

TEST_F(PostgresRls, StaffReadsEverything) {
    EXPECT_EQ(CountAs(Viewer{UserId{9}, Role::kStaff}), 3);
    EXPECT_EQ(CountAs(Viewer::System()), 3);
}

TEST_F(PostgresRls, MemberCannotWriteOrTouchAnotherMembersRows) {
    EXPECT_THROW(login->Write(Viewer{UserId{1}, Role::kMember},
                              [](Transaction& tx) {
                                  tx.sql() << "INSERT INTO rls_probe (owner_id, note) VALUES (2, 'forged')";
                              }),
                 std::exception);
    int changed = login->Write(Viewer{UserId{1}, Role::kMember}, [](Transaction& tx) {
        soci::statement st = (tx.sql().prepare << "UPDATE rls_probe SET note = 'hijacked'");
        st.execute(true);
        return static_cast<int>(st.get_affected_rows());
    });
    EXPECT_EQ(changed, 2);  // only alice's own rows
    EXPECT_EQ(CountAs(Viewer{UserId{2}, Role::kMember}), 1);
    std::string bob_note = login->Read(Viewer::System(), [](Transaction& tx) {
        std::string n;
        tx.sql() << "SELECT note FROM rls_probe WHERE owner_id = 2", soci::into(n);
        return n;
    });
    EXPECT_EQ(bob_note, "bob-1");
}

TEST_F(PostgresRls, ViewerSettingsDoNotLeakIntoTheNextTransaction) {
    EXPECT_EQ(CountAs(Viewer{UserId{9}, Role::kStaff}), 3);
    // Same pooled connection, no viewer: SET LOCAL and set_config(..., true) ended with the transaction, and the
    // login role itself reaches no table.
    login->WithRawSession([](soci::session& sql) {
        std::string viewer = "unset", role;
        soci::indicator ind = soci::i_ok;
        sql << "SELECT current_setting('maxis.viewer', true), current_user", soci::into(viewer, ind), soci::into(role);
        EXPECT_TRUE(ind == soci::i_null || viewer.empty()) << viewer;
        EXPECT_EQ(role, "maxis_login");
    });
    EXPECT_THROW(login->WithRawSession([](soci::session& sql) {
        int n = -1;
        sql << "SELECT COUNT(*) FROM rls_probe", soci::into(n);
    }),
                 std::exception);
}

TEST_F(PostgresRls, WhatAMembersSqlLeavesInTheSessionIsGoneBeforeTheNextTransaction) {
    Database one(DatabaseOptions{pg.LoginUrl(), 1});  // one connection: the next transaction reuses it
    one.Write(Viewer{UserId{1}, Role::kMember}, [](Transaction& tx) {
        tx.sql() << "SELECT set_config('default_transaction_read_only', 'on', false)";
        tx.sql() << "SELECT set_config('search_path', 'pg_catalog', false)";
        tx.sql() << "SELECT set_config('role', 'maxis_member', false)";
        tx.sql() << "SELECT pg_advisory_lock(4242)";
        tx.sql() << "LISTEN maxis_probe";
    });
    // A staff write on the same connection: not read-only, the real tables, and the lock is gone.
    int changed = one.Write(Viewer{UserId{9}, Role::kStaff}, [](Transaction& tx) {
        soci::statement st = (tx.sql().prepare << "UPDATE rls_probe SET note = 'seen by staff' WHERE owner_id = 2");
        st.execute(true);
        return static_cast<int>(st.get_affected_rows());
    });
    EXPECT_EQ(changed, 1);
    pg.owner().WithRawSession([](soci::session& sql) {
        int locks = -1;
        sql << "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242", soci::into(locks);
        EXPECT_EQ(locks, 0);
    });
}

TEST_F(PostgresRls, LoginRoleCannotEscapeThePolicies) {
    EXPECT_THROW(login->WithRawSession([](soci::session& sql) { sql << "SET ROLE maxis_owner"; }), std::exception);
    EXPECT_THROW(
        login->WithRawSession([](soci::session& sql) { sql << "ALTER TABLE rls_probe DISABLE ROW LEVEL SECURITY"; }),
        std::exception);
}

TEST_F(PostgresRls, UsersTableIsolatesMembers) {
    login->Write(Viewer::System(), [](Transaction& tx) {
        tx.sql() << "INSERT INTO users (id, display_name, created_at) VALUES (1, 'alice', 0), (2, 'bob', 0)";
    });
    int seen = login->Read(Viewer{UserId{2}, Role::kMember}, [](Transaction& tx) {
        int n = 0;
        tx.sql() << "SELECT COUNT(*) FROM users", soci::into(n);
        return n;
    });
    EXPECT_EQ(seen, 1);
}

TEST_F(PostgresRls, DemoCatalogSeedsThroughTheLoginRole) {
    EXPECT_TRUE(SeedDemoCatalogOnce(*login, clock));
    EXPECT_FALSE(SeedDemoCatalogOnce(*login, clock));
    int visible_to_member = login->Read(Viewer{UserId{5}, Role::kMember}, [](Transaction& tx) {
        int n = 0;
        tx.sql() << "SELECT COUNT(*) FROM products", soci::into(n);
        return n;
    });
    EXPECT_EQ(visible_to_member, 5);
    // A member may not write the catalog at all.
    EXPECT_THROW(login->Write(Viewer{UserId{5}, Role::kMember},
                              [](Transaction& tx) { tx.sql() << "UPDATE products SET price_minor = 1"; }),
                 soci::postgresql_soci_error);
    int cheap = login->Read(Viewer::System(), [](Transaction& tx) {
        int n = -1;
        tx.sql() << "SELECT COUNT(*) FROM products WHERE price_minor = 1", soci::into(n);
        return n;
    });
    EXPECT_EQ(cheap, 0);
}

TEST_F(PostgresStorage, ConcurrentClaimersNeverShareAJobOrAnOutboxItem) {
    Database login(DatabaseOptions{pg.LoginUrl(), 4});
    SqlJobStore jobs(login);
    SqlOutboxStore outbox(login);
    for (int i = 0; i < 60; ++i) {
        jobs.Enqueue({"k", "{}", clock.Now()}, clock.Now());
        outbox.Add({"c", "{}", "key-" + std::to_string(i)}, clock.Now());
    }
    std::mutex mutex;
    std::multiset<long long> job_ids, item_ids;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) {
        workers.emplace_back([&, w] {
            for (;;) {
                auto claimed_jobs = jobs.ClaimDue(clock.Now(), 3, "w" + std::to_string(w), std::chrono::minutes(5));
                auto claimed_items =
                    outbox.ClaimDue(clock.Now(), 3, "w" + std::to_string(w), std::chrono::minutes(5), {"c"});
                if (claimed_jobs.empty() && claimed_items.empty()) return;
                std::lock_guard lock(mutex);
                for (const auto& j : claimed_jobs) job_ids.insert(j.id.value);
                for (const auto& i : claimed_items) item_ids.insert(i.id.value);
            }
        });
    }
    for (auto& t : workers) t.join();
    EXPECT_EQ(job_ids.size(), 60u);
    EXPECT_EQ(std::set<long long>(job_ids.begin(), job_ids.end()).size(), 60u);
    EXPECT_EQ(item_ids.size(), 60u);
    EXPECT_EQ(std::set<long long>(item_ids.begin(), item_ids.end()).size(), 60u);
    EXPECT_EQ(jobs.Counts().running, 60);
}

TEST_F(PostgresStorage, JobsRunThroughTheLoginRole) {
    Database login(DatabaseOptions{pg.LoginUrl(), 1});
    SqlJobStore jobs(login);
    EXPECT_TRUE(jobs.Enqueue({"k", "{}", clock.Now(), "unique"}, clock.Now()));
    EXPECT_FALSE(jobs.Enqueue({"k", "{}", clock.Now(), "unique"}, clock.Now()));
    auto claimed = jobs.ClaimDue(clock.Now(), 5, "w", std::chrono::minutes(1));
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].unique_key, "unique");
    jobs.Complete(claimed[0].id, clock.Now(), scheduling::NewJob{"k", "{}", clock.Now(), "unique"});
    EXPECT_EQ(jobs.Counts().pending, 1);
}

}  // namespace
}  // namespace maxis::storage

namespace maxis::storage {
namespace {

TEST(PostgresDiscordStore, JoinLogResourcesAndLocalesThroughTheLoginRoleUnderRls) {
    testing::PostgresDatabase pg;
    testing::FakeClock clock;
    Database db(DatabaseOptions{pg.LoginUrl(), 2, std::chrono::milliseconds(2000)});
    RecordMemberEvent(db, UserId{7}, true, clock.Now());
    RecordMemberEvent(db, UserId{8}, true, clock.Now());
    RecordMemberEvent(db, UserId{8}, false, clock.Now());
    auto flow = MemberFlowSince(db, clock.Now() - std::chrono::hours(1));
    EXPECT_EQ(flow.joins, 2);
    EXPECT_EQ(flow.leaves, 1);
    // A member may not read the join log, nor write to it.
    EXPECT_EQ(testing::CountRows(db, Viewer{UserId{7}, Role::kMember}, "member_events"), testing::kDenied);
    EXPECT_ANY_THROW(db.Write(Viewer{UserId{7}, Role::kMember}, [](Transaction& tx) {
        tx.sql() << "INSERT INTO member_events (user_id, kind, at) VALUES (7, 'join', 0)";
    }));
    EXPECT_FALSE(FindDiscordResource(db, "k1"));
    SaveDiscordResource(db, "k1", "channel", "123", clock.Now());
    SaveDiscordResource(db, "k1", "channel", "456", clock.Now());  // a redelivery keeps the first
    EXPECT_EQ(FindDiscordResource(db, "k1"), "123");
    EXPECT_FALSE(UserLocale(db, UserId{7}));
    EnsureUser(db, UserId{7}, "alice", "en", clock.Now());
    EXPECT_EQ(UserLocale(db, UserId{7}), "en");
    // Channel cursors: forward only, Maxis's own (members and staff see none).
    AdvanceChannelCursor(db, ChannelCursor{"10", "1", 500}, clock.Now());
    AdvanceChannelCursor(db, ChannelCursor{"10", "1", 400}, clock.Now());
    auto recent = RecentChannelCursors(db, clock.Now() - std::chrono::minutes(5), 10);
    ASSERT_EQ(recent.size(), 1U);
    EXPECT_EQ(recent[0].last_message_id, 500);
    EXPECT_EQ(testing::CountRows(db, Viewer{UserId{7}, Role::kMember}, "discord_channel_cursors"), testing::kDenied);
    EXPECT_EQ(testing::CountRows(db, Viewer{UserId{7}, Role::kStaff}, "discord_channel_cursors"), 0);
}

}  // namespace
}  // namespace maxis::storage
