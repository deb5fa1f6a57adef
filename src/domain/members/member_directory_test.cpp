// The member directory's rules on an in-memory store: what an observation keeps, how a typed name resolves to
// one person (mentions, ids, names without case or accents, exact before prefix, staff only), and the errors
// with their catalog keys.
#include "domain/members/member_directory.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_member_store.hpp"

namespace maxis::members {
namespace {

using core::Role;
using core::UserId;

Person P(long long id, std::string username, std::string display, Role role = Role::kMember) {
    return Person{.id = UserId{id}, .username = std::move(username), .display_name = std::move(display), .role = role};
}

class MemberDirectoryTest : public ::testing::Test {
protected:
    testing::FakeClock clock;
    testing::MemoryMemberRepository repo;
    MemberDirectory directory{repo, clock};

    void SetUp() override {
        directory.Observe(P(101, "sam_42", "Sam", Role::kStaff));
        directory.Observe(P(102, "samuel", "Samuel", Role::kMember));
        directory.Observe(P(103, "emile", "Émile Zola", Role::kAdmin));
        directory.Observe(P(104, "alice", "Alice", Role::kMember));
    }

    /// The catalog key of the error Resolve throws (fails when it throws none).
    core::Error ResolveError(const std::string& text, bool staff_only) {
        try {
            directory.Resolve(text, staff_only);
        } catch (const core::Error& e) {
            return e;
        }
        ADD_FAILURE() << "'" << text << "' resolved";
        return core::Error(core::ErrorCode::kInternal, "none");
    }
};

TEST(MemberNames, MentionsAndDigitsAreIdsNamesAreNot) {
    EXPECT_EQ(MentionedId("<@123>"), UserId{123});
    EXPECT_EQ(MentionedId("<@!123>"), UserId{123});
    EXPECT_EQ(MentionedId(" 456 "), UserId{456});
    EXPECT_FALSE(MentionedId("@sam"));
    EXPECT_FALSE(MentionedId("<@sam>"));
    EXPECT_FALSE(MentionedId("<@>"));
    EXPECT_FALSE(MentionedId("12a"));
    EXPECT_EQ(NamePart("  @Sam "), "Sam");
    EXPECT_EQ(NameKey(" Émile ZOLA "), "emile zola");
}

TEST_F(MemberDirectoryTest, AnObservationNeverErasesAKnownNameWithAnEmptyOne) {
    directory.Observe(Person{.id = UserId{101}, .role = Role::kAdmin});
    auto sam = directory.People({UserId{101}}).at(UserId{101});
    EXPECT_EQ(sam.username, "sam_42");
    EXPECT_EQ(sam.display_name, "Sam");
    EXPECT_EQ(sam.role, Role::kAdmin);  // the role is the latest seen
    directory.Observe(P(101, "sam_42", "Samantha", Role::kStaff));
    EXPECT_EQ(directory.NameOf(UserId{101}), "Samantha");
    directory.Observe(P(0, "nobody", "Nobody"));
    EXPECT_FALSE(repo.people.contains(UserId{0}));
}

TEST_F(MemberDirectoryTest, PeopleLeavesUnknownIdsOutAndTellsTheListenerInOneRead) {
    std::vector<UserId> missing;
    directory.OnMissing([&](const std::vector<UserId>& ids) { missing = ids; });
    directory.Observe(P(105, "", ""));  // known id, no name yet
    int reads = repo.reads;
    auto people = directory.People({UserId{101}, UserId{999}, UserId{101}, UserId{105}});
    EXPECT_EQ(repo.reads, reads + 1);
    EXPECT_EQ(people.size(), 2u);
    EXPECT_TRUE(people.contains(UserId{101}));
    EXPECT_EQ(missing, (std::vector<UserId>{UserId{999}, UserId{105}}));
    EXPECT_EQ(directory.NameOf(UserId{999}), "");  // no invented name
    EXPECT_EQ(directory.NameOf(UserId{104}), "Alice");
}

TEST_F(MemberDirectoryTest, LeavingKeepsTheNameAndMarksTheAbsence) {
    directory.Left(UserId{104});
    auto alice = directory.People({UserId{104}}).at(UserId{104});
    EXPECT_FALSE(alice.in_guild);
    EXPECT_EQ(alice.display_name, "Alice");
}

TEST_F(MemberDirectoryTest, ResolvesMentionsIdsAndNamesWithoutCaseOrAccents) {
    EXPECT_EQ(directory.Resolve("<@101>", true).id, UserId{101});
    EXPECT_EQ(directory.Resolve("<@!101>", true).id, UserId{101});
    EXPECT_EQ(directory.Resolve("101", false).id, UserId{101});
    EXPECT_EQ(directory.Resolve("@sam", true).id, UserId{101});  // exact display name before the prefix "samuel"
    EXPECT_EQ(directory.Resolve("SAM_42", true).id, UserId{101});
    EXPECT_EQ(directory.Resolve("emile", true).id, UserId{103});
    EXPECT_EQ(directory.Resolve("@ÉMILE Z", true).id, UserId{103});  // a unique prefix
    EXPECT_EQ(directory.Resolve("ali", false).id, UserId{104});
}

TEST_F(MemberDirectoryTest, AnAmbiguousPrefixListsTheCandidates) {
    auto e = ResolveError("sa", false);
    EXPECT_EQ(e.code(), core::ErrorCode::kConflict);
    EXPECT_EQ(e.key(), "members.ambiguous");
    EXPECT_EQ(e.params().at("name"), "sa");
    EXPECT_EQ(e.params().at("candidates"), "Sam, Samuel");
    // Staff only: the one staff member among them is meant.
    EXPECT_EQ(directory.Resolve("sa", true).id, UserId{101});
    // At most five candidates are listed.
    for (int i = 0; i < 7; ++i) directory.Observe(P(200 + i, "zed" + std::to_string(i), "Zed " + std::to_string(i)));
    auto many = ResolveError("zed", false);
    EXPECT_EQ(many.params().at("candidates"), "Zed 0, Zed 1, Zed 2, Zed 3, Zed 4");
}

TEST_F(MemberDirectoryTest, UnknownNamesAndMembersForStaffAreRefusedWithTheirKeys) {
    auto unknown = ResolveError("@zoe", false);
    EXPECT_EQ(unknown.code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(unknown.key(), "members.not_found");
    EXPECT_EQ(unknown.params().at("name"), "zoe");
    EXPECT_EQ(ResolveError("<@999>", false).key(), "members.not_found");
    EXPECT_EQ(ResolveError("@", false).key(), "members.not_found");
    auto member = ResolveError("alice", true);
    EXPECT_EQ(member.code(), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(member.key(), "members.not_staff");
    EXPECT_EQ(member.params().at("name"), "Alice");
    EXPECT_EQ(ResolveError("<@104>", true).key(), "members.not_staff");
}

TEST_F(MemberDirectoryTest, APresentMemberIsPreferredToOneWhoLeft) {
    directory.Observe(P(106, "max", "Old Max", Role::kStaff));
    directory.Left(UserId{106});
    directory.Observe(P(107, "max2", "max", Role::kStaff));
    EXPECT_EQ(directory.Resolve("max", true).id, UserId{107});
}

TEST_F(MemberDirectoryTest, SearchFiltersStaffAndBotsAndLimits) {
    directory.Observe(Person{.id = UserId{300}, .username = "sambot", .display_name = "Sam Bot", .is_bot = true});
    auto all = directory.Search("sa", false, 10);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, UserId{101});
    EXPECT_EQ(all[1].id, UserId{102});
    auto staff = directory.Search("", true, 10);
    ASSERT_EQ(staff.size(), 2u);  // Émile and Sam
    EXPECT_EQ(directory.Search("", false, 1).size(), 1u);
    EXPECT_EQ(directory.Search("", false, 0).size(), 1u);  // at least one
    EXPECT_EQ(directory.Search("<@102>", true, 10).size(), 0u);
    EXPECT_EQ(directory.Search("<@102>", false, 10).size(), 1u);
}

}  // namespace
}  // namespace maxis::members
