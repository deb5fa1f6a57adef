#pragma once
// The member directory's store, run on SQLite (member_store_test.cpp) and on PostgreSQL through the login role
// with row-level security (member_store_pgtest.cpp). Each file defines MakeMemberDatabase().
#include <gtest/gtest.h>
#include <soci/soci.h>

#include "core/errors.hpp"
#include "domain/members/member_directory.hpp"
#include "storage/member_store.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage::member_suite {

using core::Role;
using core::UserId;
using core::Viewer;
using members::Person;

std::unique_ptr<Database> MakeMemberDatabase(testing::FakeClock& clock);

inline const Viewer kAlice{UserId{3001}, Role::kMember};
inline const Viewer kStaff{UserId{9001}, Role::kStaff};

class MemberSuite : public ::testing::Test {
protected:
    MemberSuite() : db(MakeMemberDatabase(clock)), repo(*db), directory(repo, clock) {}

    static Person P(long long id, std::string username, std::string display, Role role = Role::kMember) {
        return Person{
            .id = UserId{id}, .username = std::move(username), .display_name = std::move(display), .role = role};
    }
    std::vector<long long> Ids(const std::vector<Person>& people) {
        std::vector<long long> out;
        for (const auto& p : people) out.push_back(p.id.value);
        return out;
    }

    testing::FakeClock clock;
    std::unique_ptr<Database> db;
    SqlMemberRepository repo;
    members::MemberDirectory directory;
};

TEST_F(MemberSuite, StoresEveryFieldAndUpdatesInPlace) {
    Person sam = P(101, "sam_42", "Sam", Role::kStaff);
    sam.avatar_url = "https://cdn.discordapp.com/avatars/101/abc.png";
    directory.Observe(sam);
    directory.Observe(Person{.id = UserId{300}, .username = "helper", .display_name = "Helper", .is_bot = true});
    auto people = directory.People({UserId{101}, UserId{300}, UserId{404}});
    ASSERT_EQ(people.size(), 2u);
    const auto& got = people.at(UserId{101});
    EXPECT_EQ(got.username, "sam_42");
    EXPECT_EQ(got.display_name, "Sam");
    EXPECT_EQ(got.avatar_url, sam.avatar_url);
    EXPECT_EQ(got.role, Role::kStaff);
    EXPECT_TRUE(got.in_guild);
    EXPECT_FALSE(got.is_bot);
    EXPECT_TRUE(people.at(UserId{300}).is_bot);
    EXPECT_EQ(people.at(UserId{300}).avatar_url, "");  // NULL
    // A nickname change, then a departure: one row, updated.
    directory.Observe(P(101, "sam_42", "Samantha", Role::kAdmin));
    directory.Left(UserId{101});
    auto again = directory.People({UserId{101}}).at(UserId{101});
    EXPECT_EQ(again.display_name, "Samantha");
    EXPECT_EQ(again.role, Role::kAdmin);
    EXPECT_EQ(again.avatar_url, "");  // the observation had none
    EXPECT_FALSE(again.in_guild);
    long long rows = db->Read(Viewer::System(), [](Transaction& tx) {
        long long n = 0;
        tx.sql() << "SELECT COUNT(*) FROM members", soci::into(n);
        return n;
    });
    EXPECT_EQ(rows, 2);
}

TEST_F(MemberSuite, ReadsManyPeopleAcrossSlicesAndAgainWithFewer) {
    // 250 people (more than one slice of the statement), every other one with an avatar, so that a row without
    // one follows a row with one on the same prepared statement.
    std::vector<Person> seen;
    std::vector<UserId> wanted{UserId{404}};
    for (long long i = 0; i < 250; ++i) {
        Person p =
            P(5000 + i, "user_" + std::to_string(i), "Name " + std::to_string(i), i % 3 ? Role::kMember : Role::kStaff);
        if (i % 2 == 0) p.avatar_url = "https://cdn.discordapp.com/avatars/" + std::to_string(5000 + i) + "/a.png";
        seen.push_back(p);
        // Asked in a scattered order: each new id goes somewhere among those before it.
        auto where = static_cast<std::ptrdiff_t>(static_cast<std::size_t>(i) * 37 % (wanted.size() + 1));
        wanted.insert(wanted.begin() + where, p.id);
    }
    wanted.push_back(UserId{405});
    directory.Observe(seen);
    auto people = directory.People(wanted);
    ASSERT_EQ(people.size(), 250u);
    for (const auto& p : seen) {
        const auto& got = people.at(p.id);
        EXPECT_EQ(got.username, p.username);
        EXPECT_EQ(got.display_name, p.display_name);
        EXPECT_EQ(got.avatar_url, p.avatar_url) << p.id.value;
        EXPECT_EQ(got.role, p.role);
    }
    // The same statement, run again with fewer ids, finds those and no others.
    auto few = directory.People({UserId{5249}, UserId{5001}, UserId{404}, UserId{5100}});
    ASSERT_EQ(few.size(), 3u);
    EXPECT_EQ(few.at(UserId{5249}).display_name, "Name 249");
    EXPECT_EQ(few.at(UserId{5001}).avatar_url, "");
    EXPECT_EQ(few.at(UserId{5100}).avatar_url, "https://cdn.discordapp.com/avatars/5100/a.png");
}

TEST_F(MemberSuite, SearchesByFoldedPrefixExactFirstStaffOnlyWithoutBots) {
    directory.Observe(P(101, "sam_42", "Sam", Role::kStaff));
    directory.Observe(P(102, "samuel", "Samuel"));
    directory.Observe(P(103, "emile", "Émile Zola", Role::kAdmin));
    directory.Observe(P(104, "xsam", "Aaron"));
    directory.Observe(P(105, "percent", "50%_off"));
    directory.Observe(Person{.id = UserId{300}, .username = "sambot", .display_name = "Sam Bot", .is_bot = true});
    EXPECT_EQ(Ids(directory.Search("SA", false, 10)), (std::vector<long long>{101, 102}));
    EXPECT_EQ(Ids(directory.Search("sa", true, 10)), (std::vector<long long>{101}));
    EXPECT_EQ(Ids(directory.Search("ÉMI", false, 10)), (std::vector<long long>{103}));
    EXPECT_EQ(Ids(directory.Search("emile zo", false, 10)), (std::vector<long long>{103}));
    // The wildcards of LIKE are plain characters here.
    EXPECT_EQ(Ids(directory.Search("50%", false, 10)), (std::vector<long long>{105}));
    EXPECT_TRUE(directory.Search("5_", false, 10).empty());
    EXPECT_TRUE(directory.Search("%", false, 10).empty());
    // Everyone but the bot, those present first, by display name; limited.
    directory.Left(UserId{104});
    EXPECT_EQ(Ids(directory.Search("", false, 10)), (std::vector<long long>{105, 103, 101, 102, 104}));
    EXPECT_EQ(Ids(directory.Search("", false, 2)), (std::vector<long long>{105, 103}));
    // An exact match comes before prefixes even past the limit.
    for (int i = 0; i < 5; ++i) directory.Observe(P(200 + i, "aa" + std::to_string(i), "Aa" + std::to_string(i)));
    directory.Observe(P(210, "zz", "aa"));
    EXPECT_EQ(Ids(directory.Search("aa", false, 1)), (std::vector<long long>{210}));
}

TEST_F(MemberSuite, ResolvesNamesThroughTheStore) {
    directory.Observe(P(101, "sam_42", "Sam", Role::kStaff));
    directory.Observe(P(102, "samuel", "Samuel"));
    EXPECT_EQ(directory.Resolve("@sam", true).id, UserId{101});
    EXPECT_EQ(directory.Resolve("<@!102>", false).id, UserId{102});
    try {
        directory.Resolve("samu", true);
        ADD_FAILURE() << "a member was resolved as staff";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.key(), "members.not_staff");
    }
}

TEST_F(MemberSuite, AMemberReadsTheDirectoryButNeverWritesIt) {
    directory.Observe(P(101, "sam_42", "Sam", Role::kStaff));
    std::optional<Person> seen;
    repo.Read(kAlice, [&](members::MemberStore& s) { seen = s.Find(UserId{101}); });
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->display_name, "Sam");
    repo.Write(Viewer::System(), [&](members::MemberStore& s) { s.Upsert(P(102, "bob", "Bob"), clock.Now()); });
    EXPECT_EQ(directory.NameOf(UserId{102}), "Bob");
}

}  // namespace maxis::storage::member_suite
