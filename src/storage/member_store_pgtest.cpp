#include "storage/member_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::member_suite {

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakeMemberDatabase(testing::FakeClock&) {
    static std::unique_ptr<testing::PostgresDatabase> current;
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), 2});
}

TEST_F(MemberSuite, OnPostgresAMembersWriteIsRefused) {
    directory.Observe(P(101, "sam_42", "Sam", Role::kStaff));
    EXPECT_THROW(repo.Write(kAlice, [&](members::MemberStore& s) { s.Upsert(P(101, "sam_42", "Pwned"), clock.Now()); }),
                 std::exception);
    EXPECT_THROW(repo.Write(kAlice, [&](members::MemberStore& s) { s.Upsert(P(3001, "alice", "Alice"), clock.Now()); }),
                 std::exception);
    // Staff neither: the role stored here decides who may be assigned a ticket, so only Maxis writes it.
    EXPECT_THROW(
        repo.Write(kStaff,
                   [&](members::MemberStore& s) { s.Upsert(P(3001, "alice", "Alice", Role::kAdmin), clock.Now()); }),
        std::exception);
    EXPECT_EQ(directory.NameOf(UserId{101}), "Sam");
    EXPECT_EQ(directory.NameOf(UserId{3001}), "");
}

}  // namespace maxis::storage::member_suite
