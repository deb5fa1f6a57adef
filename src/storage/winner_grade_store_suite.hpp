#pragma once
// The Winner grades' store under WinnerGradeService, run on SQLite (winner_grade_store_test.cpp) and on PostgreSQL
// through the login role with row-level security (winner_grade_store_pgtest.cpp). Each file defines
// MakeGradeDatabase().
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>

#include "domain/giveaways/giveaway_service.hpp"
#include "domain/giveaways/winner_grade.hpp"
#include "domain/plans/plan_outbox.hpp"
#include "storage/giveaway_store.hpp"
#include "storage/winner_grade_store.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage::grade_suite {

using core::Role;
using core::UserId;
using core::Viewer;
using giveaways::GiveawayId;
using namespace std::chrono_literals;

std::unique_ptr<Database> MakeGradeDatabase(testing::FakeClock& clock);

inline const Viewer kStaff{UserId{9001}, Role::kStaff};
inline Viewer Member(long long id) { return Viewer{UserId{id}, Role::kMember}; }

/// Roles as plans' role items; the plan as numbered grants (plans have their own suite).
class Perks final : public giveaways::WinnerPerks {
public:
    scheduling::NewOutboxItem RoleChange(UserId member, const std::string& role, bool add, const std::string& reason,
                                         std::string key) override {
        return plans::RoleItem(plans::RoleChange{.user = member, .role = role, .grant = add}, reason, std::move(key));
    }
    std::optional<long long> GrantPlan(UserId, GiveawayId, core::Millis) override { return next++; }
    std::optional<long long> GivenPlan(UserId, GiveawayId) override { return std::nullopt; }
    void EndPlan(UserId, long long grant, GiveawayId) override { ended.push_back(grant); }
    long long next = 500;
    std::vector<long long> ended;
};

struct NoFacts final : giveaways::EntrantFactsSource {
    giveaways::MemberFacts Facts(UserId) override { return {}; }
};

class GradeSuite : public ::testing::Test {
protected:
    GradeSuite()
        : db(MakeGradeDatabase(clock)),
          giveaway_repo(*db, clock),
          giveaway_service(giveaway_repo, facts, clock, giveaways::GiveawayOptions{}),
          repo(*db, clock),
          grades(repo, perks, clock, giveaways::WinnerGradeOptions{.role_id = "777", .duration = 72h}) {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
    }
    /// A giveaway drawn among members 1..n, with `winners` winners.
    GiveawayId Drawn(int n, int winners) {
        auto g = giveaway_service.Start(kStaff,
                                        giveaways::StartRequest{.duration = 1h, .winners = winners, .prize = "Nitro"});
        for (int i = 1; i <= n; ++i) giveaway_service.Enter(Member(i), g.id);
        giveaway_service.EndEarly(kStaff, g.id);
        return g.id;
    }
    std::vector<UserId> Current(GiveawayId id) {
        std::vector<UserId> out;
        for (const auto& w : giveaway_service.Get(kStaff, id).winners) out.push_back(w.user);
        std::sort(out.begin(), out.end());  // the order grades are given in
        return out;
    }
    /// The role items in the outbox, oldest first: "+user" or "-user".
    std::vector<std::string> Roles() {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            std::vector<std::string> out;
            soci::rowset<soci::row> rows =
                (tx.sql().prepare << "SELECT payload FROM outbox WHERE channel = 'discord.role' ORDER BY id");
            for (const auto& r : rows) {
                auto payload = r.get<std::string>(0);
                bool add = payload.find("\"grant\":true") != std::string::npos;
                auto at = payload.find("\"user\":\"") + 8;
                out.push_back((add ? "+" : "-") + payload.substr(at, payload.find('"', at) - at));
            }
            return out;
        });
    }
    long long Count(const std::string& sql) {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << sql, soci::into(n);
            return n;
        });
    }

    testing::FakeClock clock;
    std::unique_ptr<Database> db;
    NoFacts facts;
    SqlGiveawayRepository giveaway_repo;
    giveaways::GiveawayService giveaway_service;
    Perks perks;
    SqlWinnerGradeRepository repo;
    giveaways::WinnerGradeService grades;
};

TEST_F(GradeSuite, WinnersAreGradedOnceWithTheirRoleQueuedInTheSameTransaction) {
    auto g = Drawn(5, 2);
    auto winners = Current(g);
    ASSERT_EQ(winners.size(), 2u);
    EXPECT_EQ(grades.Crown(g, winners), 2);
    EXPECT_EQ(grades.Crown(g, winners), 0);  // redelivered: nothing twice
    EXPECT_EQ(Count("SELECT COUNT(*) FROM winner_grades"), 2);
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+" + winners[0].ToString(), "+" + winners[1].ToString()}));
    auto mine = grades.GradesOf(Viewer{winners[0], Role::kMember}, winners[0]);
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].giveaway, g);
    EXPECT_EQ(mine[0].until, clock.Now() + 72h);
    EXPECT_TRUE(mine[0].plan_grant.has_value());
    EXPECT_FALSE(mine[0].ended_at.has_value());
}

TEST_F(GradeSuite, AMembersStoreReadsOnlyTheirOwnGrades) {
    auto g = Drawn(3, 3);
    grades.Crown(g, Current(g));
    repo.Read(Member(1), [&](giveaways::WinnerGradeStore& store) {
        auto rows = store.OfGiveaway(g);
        ASSERT_EQ(rows.size(), 1u);
        EXPECT_EQ(rows[0].member, UserId{1});
        EXPECT_TRUE(store.OfMember(UserId{2}).empty());
        EXPECT_EQ(store.Due(clock.Now() + 100h, 10).size(), 1u);  // their own only
    });
    repo.Read(kStaff, [&](giveaways::WinnerGradeStore& store) { EXPECT_EQ(store.OfGiveaway(g).size(), 3u); });
}

TEST_F(GradeSuite, GradesEndAfterTheirTermAndAReplacedWinnerLosesTheirsAtOnce) {
    auto g = Drawn(6, 2);
    auto first = Current(g);
    grades.Crown(g, first);
    clock.Advance(1h);
    auto replacement = giveaway_service.ReplaceWinner(kStaff, g, first[0]);
    grades.Crown(g, Current(g));
    auto replaced = grades.GradesOf(kStaff, first[0]).front();
    EXPECT_EQ(perks.ended, (std::vector<long long>{replaced.plan_grant.value_or(0)}));
    EXPECT_EQ(replaced.end_reason, giveaways::kGradeReplaced);
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+" + first[0].ToString(), "+" + first[1].ToString(),
                                                 "+" + replacement.user.ToString(), "-" + first[0].ToString()}));
    clock.Advance(71h);  // the first grades' term; the replacement's lasts an hour more
    EXPECT_EQ(grades.EndDue(), 1);
    EXPECT_EQ(Roles().back(), "-" + first[1].ToString());
    EXPECT_EQ(grades.RestoreRole(first[1]), 0);
    EXPECT_EQ(grades.RestoreRole(replacement.user), 1);
    clock.Advance(1h);
    EXPECT_EQ(grades.EndDue(), 1);
    EXPECT_EQ(grades.EndDue(), 0);
    EXPECT_EQ(Roles().back(), "-" + replacement.user.ToString());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM winner_grades WHERE ended_at IS NULL"), 0);
}

// The module's path: the winners read in the crowning's own transaction (the giveaway's row locked on PostgreSQL),
// a replaced winner not among them.
TEST_F(GradeSuite, CrownCurrentGradesTheWinnersNotReplacedAsTheTransactionReadsThem) {
    auto g = Drawn(6, 2);
    auto first = Current(g);
    EXPECT_EQ(grades.CrownCurrent(g), 2);
    EXPECT_EQ(grades.CrownCurrent(g), 0);
    auto replacement = giveaway_service.ReplaceWinner(kStaff, g, first[0]);
    EXPECT_EQ(grades.CrownCurrent(g), 1);
    EXPECT_EQ(grades.GradesOf(kStaff, first[0]).front().end_reason, giveaways::kGradeReplaced);
    EXPECT_TRUE(grades.GradesOf(kStaff, replacement.user).front().Live(clock.Now()));
    EXPECT_TRUE(grades.GradesOf(kStaff, first[1]).front().Live(clock.Now()));
}

}  // namespace maxis::storage::grade_suite
