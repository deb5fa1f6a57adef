#include "storage/ticket_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::ticket_suite {

// Each test gets a fresh database, migrated by its owner and used through the login role.
std::unique_ptr<Database> MakeDatabase(testing::FakeClock&) {
    static std::unique_ptr<testing::PostgresDatabase> current;
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), 2});
}

TEST(TicketsPostgres, RawSelectInAMembersTransactionReturnsOnlyTheirRows) {
    testing::PostgresDatabase pg;
    testing::FakeClock clock;
    Database login(DatabaseOptions{pg.LoginUrl(), 2});
    SqlTicketRepository repo(login, clock);
    tickets::TicketService service(repo, clock);
    auto a = service.Open(kAlice, "A", Category::kGeneral, Priority::kLow, "x");
    service.Open(kBob, "B", Category::kGeneral, Priority::kLow, "y");
    service.Note(kStaff, a.id, "internal");
    auto count = [&](const Viewer& v, const std::string& table) {
        return testing::CountRows(login, v, "(SELECT * FROM " + table + ") t");
    };
    EXPECT_EQ(count(kAlice, "tickets"), 1);
    EXPECT_EQ(count(kBob, "tickets"), 1);
    EXPECT_EQ(count(kStaff, "tickets"), 2);
    EXPECT_EQ(count(kAlice, "ticket_messages"), 1);  // her message; the internal note is invisible even raw
    EXPECT_EQ(count(kStaff, "ticket_messages"), 3);
    EXPECT_EQ(count(kAlice, "ticket_audit_log"), testing::kDenied);
    EXPECT_EQ(count(kStaff, "ticket_audit_log"), 3);
}

}  // namespace maxis::storage::ticket_suite
