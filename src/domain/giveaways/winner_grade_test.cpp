#include "domain/giveaways/winner_grade.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <utility>

#include "core/errors.hpp"
#include "support/fake_clock.hpp"

namespace maxis::giveaways {
namespace {

using core::UserId;
using namespace std::chrono_literals;

/// The grades in memory, with the outbox items each transaction wrote; a throwing work leaves nothing behind.
class MemoryGrades final : public WinnerGradeRepository, public WinnerGradeStore {
public:
    void Write(const core::Viewer&, const std::function<void(WinnerGradeStore&)>& work) override {
        auto saved_rows = rows_;
        auto saved_outbox = outbox;
        try {
            work(*this);
        } catch (...) {
            rows_ = std::move(saved_rows);
            outbox = std::move(saved_outbox);
            throw;
        }
    }
    void Read(const core::Viewer&, const std::function<void(WinnerGradeStore&)>& work) override { work(*this); }

    bool Insert(WinnerGrade& g) override {
        for (const auto& r : rows_) {
            if (r.giveaway == g.giveaway && r.member == g.member) return false;
        }
        g.id = static_cast<long long>(rows_.size()) + 1;
        rows_.push_back(g);
        return true;
    }
    std::vector<WinnerGrade> OfGiveaway(GiveawayId id) override {
        std::vector<WinnerGrade> out;
        for (const auto& r : rows_) {
            if (r.giveaway == id) out.push_back(r);
        }
        return out;
    }
    std::vector<WinnerGrade> OfMember(UserId member) override {
        std::vector<WinnerGrade> out;
        for (auto it = rows_.rbegin(); it != rows_.rend(); ++it) {
            if (it->member == member) out.push_back(*it);
        }
        return out;
    }
    std::vector<WinnerGrade> Due(core::TimePoint now, int limit) override {
        std::vector<WinnerGrade> out;
        for (const auto& r : rows_) {
            if (!r.ended_at && r.until <= now && static_cast<int>(out.size()) < limit) out.push_back(r);
        }
        return out;
    }
    void Update(const WinnerGrade& g) override {
        if (fail_update) throw std::runtime_error("the database went away");
        for (auto& r : rows_) {
            if (r.id == g.id) r = g;
        }
    }
    void Enqueue(const scheduling::NewOutboxItem& item) override {
        for (const auto& o : outbox) {
            if (o.idempotency_key == item.idempotency_key) return;  // the outbox's unique key
        }
        outbox.push_back(item);
    }
    std::vector<UserId> CurrentWinners(GiveawayId id) override { return winners[id.value]; }
    void LockGiveaway(GiveawayId) override {}  // one thread: nothing runs at once
    void LockMember(UserId) override {}

    std::vector<scheduling::NewOutboxItem> outbox;
    std::map<long long, std::vector<UserId>> winners;  // the giveaways' current winners, by giveaway id
    bool fail_update = false;

private:
    std::vector<WinnerGrade> rows_;
};

/// Perks that record what they were asked; a role item's payload is "+role:user" or "-role:user". Like plans, a grant
/// is given once per giveaway and member (its stable reference), and ending one already over does nothing.
class RecordedPerks final : public WinnerPerks {
public:
    scheduling::NewOutboxItem RoleChange(UserId member, const std::string& role, bool add, const std::string&,
                                         std::string key) override {
        return {"discord.role", (add ? "+" : "-") + role + ":" + member.ToString(), std::move(key)};
    }
    std::optional<long long> GrantPlan(UserId member, GiveawayId giveaway, core::Millis duration) override {
        if (fail_grant) throw std::runtime_error("plans are down");
        if (auto it = given.find({giveaway.value, member.value}); it != given.end()) return it->second;
        if (while_granting) std::exchange(while_granting, nullptr)();
        granted.emplace_back(member.value, duration);
        given[{giveaway.value, member.value}] = next_grant;
        return next_grant++;
    }
    std::optional<long long> GivenPlan(UserId member, GiveawayId giveaway) override {
        if (auto it = given.find({giveaway.value, member.value}); it != given.end()) return it->second;
        return std::nullopt;
    }
    void EndPlan(UserId member, long long grant, GiveawayId) override {
        for (const auto& e : ended) {
            if (e.second == grant) return;  // already over
        }
        ended.emplace_back(member.value, grant);
    }

    std::map<std::pair<long long, long long>, long long> given;  // (giveaway, member) -> grant
    std::function<void()> while_granting;                        // runs once, before the next grant commits

    std::vector<std::pair<long long, core::Millis>> granted;
    std::vector<std::pair<long long, long long>> ended;
    long long next_grant = 100;
    bool fail_grant = false;
};

class WinnerGradeTest : public ::testing::Test {
protected:
    WinnerGradeTest() : service(grades, perks, clock, WinnerGradeOptions{.role_id = "777", .duration = 72h}) {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
    }
    std::vector<std::string> Roles() {
        std::vector<std::string> out;
        for (const auto& o : grades.outbox) out.push_back(o.payload);
        return out;
    }
    MemoryGrades grades;
    RecordedPerks perks;
    testing::FakeClock clock;
    WinnerGradeService service;
};

const GiveawayId kG{12};

TEST_F(WinnerGradeTest, EachWinnerGetsTheRoleAndThePlanOnceForThreeDays) {
    EXPECT_EQ(service.Crown(kG, {UserId{1}, UserId{2}}), 2);
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+777:1", "+777:2"}));
    ASSERT_EQ(perks.granted.size(), 2u);
    EXPECT_EQ(perks.granted[0].second, 72h);
    // Told again (a redelivery): nothing given twice.
    EXPECT_EQ(service.Crown(kG, {UserId{1}, UserId{2}}), 0);
    EXPECT_EQ(Roles().size(), 2u);
    EXPECT_EQ(perks.granted.size(), 2u);
    auto mine = service.GradesOf(core::Viewer{UserId{1}, core::Role::kMember}, UserId{1});
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].until, clock.Now() + 72h);
    EXPECT_EQ(mine[0].plan_grant, 100);
}

TEST_F(WinnerGradeTest, AMemberSeesOnlyTheirOwnGrades) {
    service.Crown(kG, {UserId{1}});
    EXPECT_THROW(service.GradesOf(core::Viewer{UserId{2}, core::Role::kMember}, UserId{1}), core::Error);
    EXPECT_EQ(service.GradesOf(core::Viewer{UserId{9}, core::Role::kStaff}, UserId{1}).size(), 1u);
}

TEST_F(WinnerGradeTest, TheRoleEndsWhenTheTermPassesAndNotBefore) {
    service.Crown(kG, {UserId{1}});
    clock.Advance(72h - 1s);
    EXPECT_EQ(service.EndDue(), 0);
    clock.Advance(1s);
    EXPECT_EQ(service.EndDue(), 1);
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+777:1", "-777:1"}));
    EXPECT_EQ(service.EndDue(), 0);    // ended once
    EXPECT_TRUE(perks.ended.empty());  // the plan's own grant ends by itself
    auto g = service.GradesOf(core::Viewer::System(), UserId{1}).front();
    EXPECT_EQ(g.end_reason, kGradeExpired);
}

TEST_F(WinnerGradeTest, AReplacedWinnerLosesTheRoleAndThePlanAndTheNewOneGetsThem) {
    service.Crown(kG, {UserId{1}, UserId{2}});
    clock.Advance(1h);
    EXPECT_EQ(service.Crown(kG, {UserId{1}, UserId{3}}), 1);
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+777:1", "+777:2", "+777:3", "-777:2"}));
    EXPECT_EQ(perks.ended, (std::vector<std::pair<long long, long long>>{{2, 101}}));
    auto two = service.GradesOf(core::Viewer::System(), UserId{2}).front();
    EXPECT_EQ(two.end_reason, kGradeReplaced);
    auto three = service.GradesOf(core::Viewer::System(), UserId{3}).front();
    EXPECT_EQ(three.until, clock.Now() + 72h);  // three days from their own crowning
    // The replaced one's grade is not ended twice, nor is their plan.
    service.Crown(kG, {UserId{1}, UserId{3}});
    EXPECT_EQ(perks.ended.size(), 1u);
}

TEST_F(WinnerGradeTest, TheRoleStaysWhileAnotherGradeOfTheMemberLasts) {
    service.Crown(kG, {UserId{1}});
    clock.Advance(24h);
    service.Crown(GiveawayId{13}, {UserId{1}});
    clock.Advance(48h);
    EXPECT_EQ(service.EndDue(), 1);  // the first grade ends, the second still lasts: the role stays
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+777:1", "+777:1"}));
    clock.Advance(24h);
    EXPECT_EQ(service.EndDue(), 1);
    EXPECT_EQ(Roles().back(), "-777:1");
}

TEST_F(WinnerGradeTest, ARejoinDuringTheGradeGivesTheRoleBackAndAfterItNothing) {
    service.Crown(kG, {UserId{1}});
    clock.Advance(24h);
    EXPECT_EQ(service.RestoreRole(UserId{1}), 1);
    EXPECT_EQ(Roles().back(), "+777:1");
    EXPECT_EQ(service.RestoreRole(UserId{2}), 0);  // never won
    clock.Advance(48h);
    service.EndDue();
    EXPECT_EQ(service.RestoreRole(UserId{1}), 0);
    EXPECT_EQ(Roles().back(), "-777:1");
}

TEST_F(WinnerGradeTest, APlanThatFailedIsGivenOnTheRetryAndTheRoleOnce) {
    perks.fail_grant = true;
    EXPECT_THROW(service.Crown(kG, {UserId{1}}), std::runtime_error);
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+777:1"}));  // the grade and its role are committed
    perks.fail_grant = false;
    clock.Advance(2h);
    EXPECT_EQ(service.Crown(kG, {UserId{1}}), 0);
    ASSERT_EQ(perks.granted.size(), 1u);
    EXPECT_EQ(perks.granted[0].second, 70h);  // until the grade's own end
    EXPECT_EQ(Roles().size(), 1u);
}

TEST_F(WinnerGradeTest, AGrantNotYetRecordedOnTheGradeEndsWhenItsHolderIsReplaced) {
    // The plan is given, then the write that records it on the grade fails (a crash in between).
    grades.fail_update = true;
    EXPECT_THROW(service.Crown(kG, {UserId{1}}), std::runtime_error);
    grades.fail_update = false;
    ASSERT_EQ(perks.granted.size(), 1u);
    EXPECT_FALSE(service.GradesOf(core::Viewer::System(), UserId{1}).front().plan_grant);
    // The retry finds that the member was replaced meanwhile: the grant is found by its reference and ended.
    clock.Advance(1h);
    service.Crown(kG, {UserId{2}});
    EXPECT_EQ(perks.ended, (std::vector<std::pair<long long, long long>>{{1, 100}}));
    auto one = service.GradesOf(core::Viewer::System(), UserId{1}).front();
    EXPECT_EQ(one.end_reason, kGradeReplaced);
    EXPECT_EQ(one.plan_grant, 100);
}

TEST_F(WinnerGradeTest, AGrantGivenWhileAnotherDeliveryReplacedItsHolderIsEnded) {
    // While the first delivery gives member 1 their plan, a second one (a reroll) replaces them; the first then
    // records its grant on a grade already ended.
    perks.while_granting = [&] { service.Crown(kG, {UserId{2}}); };
    service.Crown(kG, {UserId{1}});
    auto one = service.GradesOf(core::Viewer::System(), UserId{1}).front();
    EXPECT_EQ(one.end_reason, kGradeReplaced);
    ASSERT_EQ(one.plan_grant, perks.given.at({kG.value, 1}));
    EXPECT_EQ(perks.ended, (std::vector<std::pair<long long, long long>>{{1, *one.plan_grant}}));
    // Member 2's plan is not touched.
    EXPECT_EQ(perks.ended.size(), 1u);
    EXPECT_TRUE(service.GradesOf(core::Viewer::System(), UserId{2}).front().Live(clock.Now()));
}

TEST_F(WinnerGradeTest, CrownCurrentReadsTheWinnersInItsOwnTransaction) {
    grades.winners[kG.value] = {UserId{1}, UserId{2}};
    EXPECT_EQ(service.CrownCurrent(kG), 2);
    grades.winners[kG.value] = {UserId{1}, UserId{3}};
    EXPECT_EQ(service.CrownCurrent(kG), 1);
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+777:1", "+777:2", "+777:3", "-777:2"}));
}

TEST_F(WinnerGradeTest, WithoutARoleOnlyThePlanIsGiven) {
    WinnerGradeService no_role(grades, perks, clock, WinnerGradeOptions{.role_id = "", .duration = 72h});
    EXPECT_EQ(no_role.Crown(kG, {UserId{1}}), 1);
    EXPECT_EQ(perks.granted.size(), 1u);
    clock.Advance(72h);
    EXPECT_EQ(no_role.EndDue(), 1);
    EXPECT_EQ(no_role.RestoreRole(UserId{1}), 0);
    EXPECT_TRUE(grades.outbox.empty());
}

}  // namespace
}  // namespace maxis::giveaways
