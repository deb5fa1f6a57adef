#include <future>

#include "storage/marketing_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::marketing_suite {

namespace {
std::unique_ptr<testing::PostgresDatabase> current;  // the database MakeMarketingDatabase made last
}  // namespace

// As many writers at once as the pool has connections.
const int kWriterThreads = 8;

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakeMarketingDatabase(testing::FakeClock&) {
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), kWriterThreads});
}

// Underneath the store's own filters: what a member's transaction reaches in raw SQL. Their own rows in each table,
// nobody else's, and never a buyer: buyer_id is outside their column grant, so even SELECT * is refused. They write
// nothing but their own pending application.
TEST_F(MarketingSuite, OnPostgresAMemberReadsTheirOwnRowsNeverABuyerAndWritesOnlyTheirApplication) {
    auto t0 = clock.Now();
    auto join = StoreJoin(50, 1, JoinStatus::kPending, t0);
    StoreJoin(51, 2, JoinStatus::kPending, t0);
    auto attribution = StoreAttribution(50, 1, join.id);
    StoreAttribution(51, 2);
    ASSERT_TRUE(StoreCommission(Sale(1, 50, "pi_1", 10000, t0, attribution.id)));
    ASSERT_TRUE(StoreCommission(Sale(2, 51, "pi_2", 10000, t0)));
    Write(kStaff, [&](MarketingStore& s) {
        for (const auto& role : DefaultRoles()) s.SaveRoleConfig(role);
        s.SaveMemberRole({.user = UserId{1}, .role = RoleKind::kAmbassador, .granted_at = t0});
        s.SaveMemberRole({.user = UserId{2}, .role = RoleKind::kAmbassador, .granted_at = t0});
        s.SaveCode({.user = UserId{1}, .code = "ONE1", .created_at = t0});
        s.SaveCode({.user = UserId{2}, .code = "TWO2", .created_at = t0});
        s.InsertPayout({.marketer = UserId{2}, .amount = core::Money{100, "EUR"}, .reference = "x", .created_at = t0});
        s.InsertBonus({.inviter = UserId{2}, .amount = 3, .reason = "x", .by = kStaff.user_id, .at = t0});
        s.InsertActivity({.user = UserId{2}, .ref = "m", .at = t0});
        s.SaveInvite({.code = "two", .inviter = UserId{2}, .created_at = t0});
    });
    Write(Viewer::System(), [&](MarketingStore& s) { s.RecordPayerIdentity(UserId{1}, "customer", "cus_1"); });
    Write(Member(2), [&](MarketingStore& s) {
        s.InsertApplication({.user = UserId{2}, .role = RoleKind::kPartner, .created_at = t0});
    });
    auto rows = [&](const Viewer& who, const std::string& from) { return testing::CountRows(*db, who, from); };
    const std::vector<std::pair<std::string, long long>> own_rows = {
        {"marketing_roles", 7},
        {"user_marketing_roles", 1},
        {"marketing_applications", 0},
        {"marketing_activity", 0},
        {"invites", 0},
        {"invite_joins", 1},
        {"invite_bonuses", 0},
        {"referral_codes", 1},
        {"attributions", 1},
        {"payouts", 0},
        {"commissions", 1},
        {"payer_identities", testing::kDenied},
    };
    for (const auto& [table, n] : own_rows) EXPECT_EQ(rows(Member(1), table), n) << table;
    EXPECT_EQ(rows(Member(2), "marketing_applications"), 1);
    EXPECT_EQ(rows(Member(2), "payouts"), 1);
    EXPECT_EQ(rows(Member(50), "invite_joins"), 1);  // the join they made
    EXPECT_EQ(rows(Member(50), "attributions"), 1);  // as the member attributed
    EXPECT_EQ(rows(Member(50), "commissions"), 0);   // not their ledger, though they bought
    EXPECT_EQ(rows(kStaff, "commissions"), 2);
    EXPECT_EQ(rows(kStaff, "commissions WHERE buyer_id = 50"), 1);
    EXPECT_EQ(rows(Member(1), "commissions WHERE buyer_id = 50"), testing::kDenied);
    EXPECT_EQ(rows(Member(1), "commissions WHERE marketer_id = 1 AND amount_minor = 2000"), 1);
    EXPECT_ANY_THROW(db->Read(Member(1), [&](Transaction& tx) {
        long long n = 0;
        tx.sql() << "SELECT COUNT(*) FROM (SELECT * FROM commissions) c", soci::into(n);
    }));
    const std::vector<std::string> writes = {
        "INSERT INTO marketing_applications (user_id, role, status, created_at) VALUES (1, 'creator', 'approved', 0)",
        "INSERT INTO marketing_applications (user_id, role, status, created_at) VALUES (2, 'creator', 'pending', 0)",
        "INSERT INTO marketing_applications (user_id, role, status, created_at, decided_by) VALUES (1, 'creator', "
        "'pending', 0, 1)",
        "UPDATE marketing_applications SET status = 'approved'",
        "INSERT INTO user_marketing_roles (user_id, role, granted_at) VALUES (1, 'partner', 0)",
        "UPDATE user_marketing_roles SET revoked_at = NULL",
        "UPDATE commissions SET status = 'due', amount_minor = 1000000 WHERE marketer_id = 1",
        "INSERT INTO commissions (marketer_id, kind, role, status, amount_minor, currency, created_at, due_at) VALUES "
        "(1, 'monthly', 'influencer', 'due', 100000, 'EUR', 0, 0)",
        "INSERT INTO payouts (marketer_id, amount_minor, currency, reference, created_by, created_at) VALUES (1, 1, "
        "'EUR', 'x', 1, 0)",
        "UPDATE referral_codes SET code = 'TWO2X' WHERE user_id = 1",
        "INSERT INTO invite_bonuses (inviter_id, amount, reason, by_user, at) VALUES (1, 1000, 'x', 1, 0)",
        "INSERT INTO invite_joins (member_id, inviter_id, source, status, joined_at, validate_at) VALUES (77, 1, "
        "'invite', 'validated', 0, 0)",
        "UPDATE invite_joins SET status = 'validated'",
        "INSERT INTO attributions (member_id, referrer_id, source, starts_at, ends_at) VALUES (51, 1, 'code', 0, "
        "9999999999999)",
        "INSERT INTO payer_identities (user_id, kind, value, first_seen) VALUES (2, 'customer', 'cus_1', 0)",
        "INSERT INTO marketing_activity (user_id, kind, amount, at) VALUES (1, 'help_message', 100, 0)",
        "UPDATE marketing_roles SET commission_percent = 100",
        "DELETE FROM marketing_applications",
        "DELETE FROM commissions",
    };
    for (const auto& sql : writes) {
        EXPECT_ANY_THROW(db->Write(Member(1), [&](Transaction& tx) { tx.sql() << sql; })) << sql;
    }
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_applications"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM commissions WHERE amount_minor = 2000 AND status = 'pending'"), 2);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM referral_codes WHERE code = 'ONE1'"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_roles WHERE commission_percent = 100"), 0);
    // Their own pending application is theirs to write, through the store or in raw SQL.
    db->Write(Member(1), [&](Transaction& tx) {
        tx.sql() << "INSERT INTO marketing_applications (user_id, role, status, created_at) VALUES (1, 'creator', "
                    "'pending', 0)";
    });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_applications WHERE user_id = 1"), 1);
    // Nor does their store lock a commission (a lock needs UPDATE): it reads it, even in a write transaction.
    Write(Member(1), [&](MarketingStore& s) { EXPECT_TRUE(s.SaleCommission("pi_1").has_value()); });
}

// A writer reading a commission holds it (FOR UPDATE) until it commits: a second writer of the same row waits, then
// reads what the first wrote. Payouts and refunds of one row take turns.
TEST_F(MarketingSuite, OnPostgresAWriterOfACommissionWaitsForTheOneHoldingIt) {
    auto id = *StoreCommission(Sale(1, 50, "pi_1", 10000, clock.Now()));
    std::promise<void> held;
    std::thread first([&] {
        Write(Viewer::System(), [&](MarketingStore& s) {
            auto c = *s.FindCommission(id);
            held.set_value();
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            c.refunded_minor = 5000;
            c.amount.minor = 1000;
            s.UpdateCommission(c);
        });
    });
    held.get_future().wait();
    long long seen = -1;
    Write(kStaff, [&](MarketingStore& s) { seen = s.FindCommission(id)->refunded_minor; });
    first.join();
    EXPECT_EQ(seen, 5000);
}

// LockMember serialises two writers about one member until the first commits: the second sees its row.
TEST_F(MarketingSuite, OnPostgresLockMemberMakesWritersOfOneMemberTakeTurns) {
    std::promise<void> held;
    std::thread first([&] {
        Write(kStaff, [&](MarketingStore& s) {
            s.LockMember(UserId{1});
            held.set_value();
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            s.SaveMemberRole({.user = UserId{1}, .role = RoleKind::kPartner, .granted_at = clock.Now()});
        });
    });
    held.get_future().wait();
    bool found = false;
    Write(kStaff, [&](MarketingStore& s) {
        s.LockMember(UserId{1});
        found = s.FindMemberRole(UserId{1}, RoleKind::kPartner).has_value();
    });
    first.join();
    EXPECT_TRUE(found);
}

}  // namespace maxis::storage::marketing_suite
