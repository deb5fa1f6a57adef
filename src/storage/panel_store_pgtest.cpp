#include "storage/panel_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::panel_suite {

namespace {
std::unique_ptr<testing::PostgresDatabase> g_current;
}

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakeDatabase(testing::FakeClock&) {
    g_current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{g_current->LoginUrl(), 4});
}

std::unique_ptr<Database> Reopen() { return std::make_unique<Database>(DatabaseOptions{g_current->LoginUrl(), 2}); }

TEST(PanelStorePostgres, MembersAndStaffCannotReadSessionsOrSecondFactors) {
    testing::PostgresDatabase pg;
    testing::FakeClock clock;
    Database login(DatabaseOptions{pg.LoginUrl(), 1});
    PanelStore store(login);
    store.SavePendingTotp(UserId{1}, "sealed", "k1", clock.Now());
    store.Audit("security", UserId{1}, "login.succeeded", "", "", "", clock.Now());
    auto count = [&](const core::Viewer& v, const std::string& table) { return testing::CountRows(login, v, table); };
    core::Viewer member{UserId{1}, core::Role::kMember}, staff{UserId{2}, core::Role::kStaff};
    EXPECT_EQ(count(member, "staff_totp"), testing::kDenied);
    EXPECT_EQ(count(staff, "staff_totp"), 0);
    EXPECT_EQ(count(core::Viewer::System(), "staff_totp"), 1);
    EXPECT_EQ(count(member, "audit_log"), testing::kDenied);
    EXPECT_EQ(count(staff, "audit_log"), 1);
}

}  // namespace maxis::storage::panel_suite
