#pragma once
// Marketing's store, method by method, run on SQLite (marketing_store_test.cpp) and on PostgreSQL through the login
// role with row-level security (marketing_store_pgtest.cpp). Each file defines MakeMarketingDatabase() and
// kWriterThreads (how many writers run at once in the races).
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "core/errors.hpp"
#include "core/time_zone.hpp"
#include "domain/marketing/commission_service.hpp"
#include "domain/marketing/invite_service.hpp"
#include "domain/marketing/marketing_store.hpp"
#include "storage/marketing_store.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage::marketing_suite {

using namespace std::chrono_literals;
using namespace marketing;
using core::Role;
using core::UserId;
using core::Viewer;

std::unique_ptr<Database> MakeMarketingDatabase(testing::FakeClock& clock);
extern const int kWriterThreads;

inline const Viewer kStaff{UserId{9001}, Role::kStaff};
inline Viewer Member(long long id) { return Viewer{UserId{id}, Role::kMember}; }

class MarketingSuite : public ::testing::Test {
protected:
    MarketingSuite() : db(MakeMarketingDatabase(clock)), repo(*db, clock) {}

    template <class F>
    std::string KeyOf(F&& f) {
        try {
            f();
        } catch (const core::Error& e) {
            return e.key();
        }
        return "(no error)";
    }
    long long Count(const std::string& sql) {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << sql, soci::into(n);
            return n;
        });
    }
    void Write(const Viewer& who, const std::function<void(MarketingStore&)>& work) { repo.Write(who, work); }
    void Read(const Viewer& who, const std::function<void(MarketingStore&)>& work) { repo.Read(who, work); }
    /// Runs work(0..n-1) on kWriterThreads threads at once.
    static void RunWriters(int n, const std::function<void(int)>& work) {
        std::atomic<int> next{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kWriterThreads; ++t) {
            threads.emplace_back([&] {
                for (int i = next++; i < n; i = next++) work(i);
            });
        }
        for (auto& t : threads) t.join();
    }

    InviteJoin StoreJoin(long long member, long long inviter, JoinStatus status, core::TimePoint at,
                         const std::string& fake_reason = {}) {
        InviteJoin j{.member = UserId{member},
                     .inviter = UserId{inviter},
                     .source = inviter != 0 ? JoinSource::kInvite : JoinSource::kUnknown,
                     .code = inviter != 0 ? "inv" + std::to_string(inviter) : "",
                     .status = status,
                     .fake_reason = fake_reason,
                     .joined_at = at,
                     .validate_at = at + 24h * 7};
        Write(Viewer::System(), [&](MarketingStore& s) { j.id = s.InsertJoin(j); });
        return j;
    }
    Attribution StoreAttribution(long long member, long long referrer, std::optional<JoinId> join = std::nullopt) {
        Attribution a{.member = UserId{member},
                      .referrer = UserId{referrer},
                      .source = join ? AttributionSource::kInvite : AttributionSource::kCode,
                      .code = "CODE" + std::to_string(referrer),
                      .join = join,
                      .starts_at = clock.Now(),
                      .ends_at = clock.Now() + 24h * 30};
        Write(Viewer::System(), [&](MarketingStore& s) { a.id = s.InsertAttribution(a); });
        return a;
    }
    static Commission Sale(long long marketer, long long buyer, const std::string& ref, long long sale_minor,
                           core::TimePoint at, std::optional<long long> attribution = std::nullopt) {
        return Commission{.marketer = UserId{marketer},
                          .kind = CommissionKind::kSale,
                          .role = RoleKind::kAmbassador,
                          .status = CommissionStatus::kPending,
                          .amount = core::Money{CommissionOf(sale_minor, 20), "EUR"},
                          .source = kSourceOrder,
                          .payment_ref = ref,
                          .buyer = UserId{buyer},
                          .sale_minor = sale_minor,
                          .percent = 20,
                          .attribution = attribution,
                          .created_at = at,
                          .due_at = at + 24h * 14};
    }
    std::optional<CommissionId> StoreCommission(const Commission& c) {
        std::optional<CommissionId> id;
        Write(Viewer::System(), [&](MarketingStore& s) { id = s.InsertCommission(c); });
        return id;
    }

    testing::FakeClock clock;
    std::unique_ptr<Database> db;
    SqlMarketingRepository repo;
};

TEST_F(MarketingSuite, RolesConfigIsMirroredOncePerRole) {
    Write(Viewer::System(), [&](MarketingStore& s) {
        for (const auto& role : DefaultRoles()) s.SaveRoleConfig(role);
    });
    auto changed = DefaultRoles()[0];
    changed.commission_percent = 25;
    changed.discord_role = "123";
    changed.enabled = false;
    Write(Viewer::System(), [&](MarketingStore& s) { s.SaveRoleConfig(changed); });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_roles"), 7);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_roles WHERE kind = 'ambassador' AND commission_percent = 25 AND "
                    "discord_role = '123' AND enabled = 0"),
              1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_roles WHERE kind = 'influencer' AND reward = 'monthly' AND "
                    "min_minor = 5000 AND max_minor = 20000 AND required_followers = 1000 AND needs_links = 1"),
              1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_roles WHERE kind = 'beta_tester' AND plan = 'pro'"), 1);
}

// One pending application per member and role, whatever runs at once: the second is refused (already applied) and
// nothing of its transaction stays. A member reads only their own.
TEST_F(MarketingSuite, ApplicationsRoundTripOnePendingPerRoleAndAMemberReadsTheirOwn) {
    Application a{.user = UserId{1},
                  .role = RoleKind::kInfluencer,
                  .form = {.followers = 1500, .links = "https://x.example/a", .portfolio = "", .message = "hello"},
                  .created_at = clock.Now()};
    Write(Member(1), [&](MarketingStore& s) { a.id = s.InsertApplication(a); });
    EXPECT_EQ(KeyOf([&] {
                  Write(Member(1), [&](MarketingStore& s) {
                      s.InsertApplication(a);
                      s.Notify(scheduling::Notice::ToStaff("marketing.notify.application", "test.second"));
                  });
              }),
              "marketing.already_applied");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'test.second'"), 0);
    auto other = a;
    other.role = RoleKind::kAmbassador;
    Write(Member(1), [&](MarketingStore& s) { other.id = s.InsertApplication(other); });
    auto b = a;
    b.user = UserId{2};
    Write(Member(2), [&](MarketingStore& s) { b.id = s.InsertApplication(b); });
    Read(kStaff, [&](MarketingStore& s) {
        auto got = s.FindApplication(a.id);
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(got->user, UserId{1});
        EXPECT_EQ(got->role, RoleKind::kInfluencer);
        EXPECT_EQ(got->status, ApplicationStatus::kPending);
        EXPECT_EQ(got->form.followers, 1500);
        EXPECT_EQ(got->form.links, "https://x.example/a");
        EXPECT_EQ(got->form.message, "hello");
        EXPECT_EQ(got->created_at, a.created_at);
        EXPECT_FALSE(got->decided_at.has_value());
        EXPECT_EQ(s.PendingApplication(UserId{1}, RoleKind::kInfluencer)->id, a.id);
        EXPECT_FALSE(s.PendingApplication(UserId{1}, RoleKind::kCreator).has_value());
        EXPECT_EQ(s.ListApplications(std::nullopt, UserId{0}, 10).size(), 3u);
        EXPECT_EQ(s.ListApplications(std::nullopt, UserId{0}, 10).front().id, b.id);  // newest first
        EXPECT_EQ(s.ListApplications(std::nullopt, UserId{1}, 10).size(), 2u);
        EXPECT_EQ(s.ListApplications(std::nullopt, UserId{0}, 1).size(), 1u);
    });
    // Rejected: the decision comes back, and the member may apply again.
    a.status = ApplicationStatus::kRejected;
    a.decided_at = clock.Now() + 1h;
    a.decided_by = kStaff.user_id;
    a.reason = "not enough followers";
    Write(kStaff, [&](MarketingStore& s) { s.UpdateApplication(a); });
    Read(kStaff, [&](MarketingStore& s) {
        auto got = *s.FindApplication(a.id);
        EXPECT_EQ(got.status, ApplicationStatus::kRejected);
        EXPECT_EQ(got.decided_at, a.decided_at);
        EXPECT_EQ(got.decided_by, kStaff.user_id);
        EXPECT_EQ(got.reason, "not enough followers");
        EXPECT_FALSE(s.PendingApplication(UserId{1}, RoleKind::kInfluencer).has_value());
        EXPECT_EQ(s.ListApplications(ApplicationStatus::kPending, UserId{0}, 10).size(), 2u);
        EXPECT_EQ(s.ListApplications(ApplicationStatus::kRejected, UserId{0}, 10).size(), 1u);
    });
    Application again{.user = UserId{1}, .role = RoleKind::kInfluencer, .created_at = clock.Now()};
    Write(Member(1), [&](MarketingStore& s) { again.id = s.InsertApplication(again); });
    Read(Member(1), [&](MarketingStore& s) {
        EXPECT_FALSE(s.FindApplication(b.id).has_value());
        EXPECT_FALSE(s.PendingApplication(UserId{2}, RoleKind::kInfluencer).has_value());
        for (const auto& x : s.ListApplications(std::nullopt, UserId{0}, 10)) EXPECT_EQ(x.user, UserId{1});
        EXPECT_EQ(s.ListApplications(std::nullopt, UserId{0}, 10).size(), 3u);
    });
}

TEST_F(MarketingSuite, MemberRolesAreOneRowPerRoleReplacedAndFiltered) {
    auto t0 = clock.Now();
    MemberRole amb{.user = UserId{1}, .role = RoleKind::kAmbassador, .granted_at = t0, .granted_by = kStaff.user_id};
    MemberRole beta{.user = UserId{1},
                    .role = RoleKind::kBetaTester,
                    .granted_at = t0 + 1min,
                    .granted_by = kStaff.user_id,
                    .plan_grant = 77,
                    .plan_renew_at = t0 + 24h * 30};
    MemberRole other{.user = UserId{2}, .role = RoleKind::kAmbassador, .granted_at = t0 + 2min};
    Write(kStaff, [&](MarketingStore& s) {
        s.SaveMemberRole(amb);
        s.SaveMemberRole(beta);
        s.SaveMemberRole(other);
    });
    Read(kStaff, [&](MarketingStore& s) {
        auto got = s.FindMemberRole(UserId{1}, RoleKind::kBetaTester);
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(got->granted_at, beta.granted_at);
        EXPECT_EQ(got->granted_by, kStaff.user_id);
        EXPECT_EQ(got->plan_grant, 77);
        EXPECT_EQ(got->plan_renew_at, beta.plan_renew_at);
        EXPECT_TRUE(got->active());
        EXPECT_FALSE(s.FindMemberRole(UserId{1}, RoleKind::kPartner).has_value());
        auto ambassadors = s.ActiveRoles(RoleKind::kAmbassador);
        ASSERT_EQ(ambassadors.size(), 2u);
        EXPECT_EQ(ambassadors[0].user, UserId{1});  // grant order
        EXPECT_EQ(s.ActiveRoles(std::nullopt).size(), 3u);
        EXPECT_EQ(s.RolesOf(UserId{1}).size(), 2u);
        EXPECT_TRUE(s.RenewalsDue(t0 + 24h * 30 - 1ms, 10).empty());
        EXPECT_EQ(s.RenewalsDue(t0 + 24h * 30, 10).size(), 1u);
    });
    // Revoked: the same row, replaced; no longer active nor renewed.
    beta.revoked_at = t0 + 1h;
    beta.revoked_by = kStaff.user_id;
    beta.revoke_reason = "inactive";
    Write(kStaff, [&](MarketingStore& s) { s.SaveMemberRole(beta); });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM user_marketing_roles"), 3);
    Read(kStaff, [&](MarketingStore& s) {
        auto got = *s.FindMemberRole(UserId{1}, RoleKind::kBetaTester);
        EXPECT_FALSE(got.active());
        EXPECT_EQ(got.revoked_by, kStaff.user_id);
        EXPECT_EQ(got.revoke_reason, "inactive");
        EXPECT_EQ(s.ActiveRoles(std::nullopt).size(), 2u);
        EXPECT_TRUE(s.RenewalsDue(t0 + 24h * 60, 10).empty());
        EXPECT_EQ(s.RolesOf(UserId{1}).size(), 2u);  // active or not
    });
    Read(Member(2), [&](MarketingStore& s) {
        EXPECT_FALSE(s.FindMemberRole(UserId{1}, RoleKind::kAmbassador).has_value());
        ASSERT_EQ(s.ActiveRoles(std::nullopt).size(), 1u);
        EXPECT_EQ(s.ActiveRoles(std::nullopt)[0].user, UserId{2});
        EXPECT_TRUE(s.RolesOf(UserId{1}).empty());
    });
}

// A reference counts once per member and kind; counts are sums (staff's discounts are negative); the cooldown reads
// the newest counted row only.
TEST_F(MarketingSuite, ActivityCountsOncePerReferenceAndSumsCorrections) {
    auto t0 = clock.Now();
    Write(Viewer::System(), [&](MarketingStore& s) {
        EXPECT_TRUE(s.InsertActivity({.user = UserId{1}, .ref = "m1", .at = t0}));
        EXPECT_FALSE(s.InsertActivity({.user = UserId{1}, .ref = "m1", .at = t0 + 1min}));
        EXPECT_TRUE(s.InsertActivity({.user = UserId{2}, .ref = "m1", .at = t0}));  // another member's
        EXPECT_TRUE(s.InsertActivity({.user = UserId{1}, .ref = "m2", .at = t0 + 5min}));
        EXPECT_TRUE(s.InsertActivity({.user = UserId{1}, .kind = ActivityKind::kEvent, .ref = "m1", .at = t0}));
    });
    Write(kStaff, [&](MarketingStore& s) {
        EXPECT_TRUE(s.InsertActivity(
            {.user = UserId{1}, .amount = -1, .note = "spam", .by = kStaff.user_id, .at = t0 + 10min}));
        EXPECT_TRUE(s.InsertActivity(
            {.user = UserId{1}, .amount = -1, .note = "spam again", .by = kStaff.user_id, .at = t0 + 11min}));
    });
    Read(kStaff, [&](MarketingStore& s) {
        EXPECT_EQ(s.ActivityCount(UserId{1}, ActivityKind::kHelpMessage), 0);  // 2 - 2
        EXPECT_EQ(s.ActivityCount(UserId{1}, ActivityKind::kEvent), 1);
        EXPECT_EQ(s.ActivityCount(UserId{3}, ActivityKind::kEvent), 0);
        EXPECT_EQ(s.LastActivity(UserId{1}, ActivityKind::kHelpMessage), t0 + 5min);
        EXPECT_FALSE(s.LastActivity(UserId{3}, ActivityKind::kHelpMessage).has_value());
        auto rows = s.ActivityOf(UserId{1}, ActivityKind::kHelpMessage, 10);
        ASSERT_EQ(rows.size(), 4u);
        EXPECT_EQ(rows[0].note, "spam again");  // newest first
        EXPECT_EQ(rows[0].amount, -1);
        EXPECT_EQ(rows[0].by, kStaff.user_id);
        EXPECT_EQ(s.ActivityOf(UserId{1}, std::nullopt, 10).size(), 5u);
        EXPECT_EQ(s.ActivityOf(UserId{1}, std::nullopt, 2).size(), 2u);
    });
    Read(Member(2), [&](MarketingStore& s) {
        EXPECT_EQ(s.ActivityCount(UserId{1}, ActivityKind::kEvent), 0);
        EXPECT_TRUE(s.ActivityOf(UserId{1}, std::nullopt, 10).empty());
        EXPECT_FALSE(s.LastActivity(UserId{1}, ActivityKind::kHelpMessage).has_value());
        EXPECT_EQ(s.ActivityCount(UserId{2}, ActivityKind::kHelpMessage), 1);
    });
}

TEST_F(MarketingSuite, InvitesAreMirroredByCode) {
    auto t0 = clock.Now();
    Write(Viewer::System(), [&](MarketingStore& s) {
        s.SaveInvite({.code = "aaa", .inviter = UserId{1}, .channel_id = "10", .uses = 2, .created_at = t0});
        s.SaveInvite({.code = "bbb", .inviter = UserId{2}, .uses = 5, .max_uses = 10, .created_at = t0});
        s.SaveInvite({.code = "ccc", .uses = 9, .created_at = t0, .expires_at = t0 + 1h, .deleted = true});
        s.SaveInvite({.code = "aaa", .inviter = UserId{1}, .channel_id = "10", .uses = 7, .created_at = t0});
    });
    Read(Viewer::System(), [&](MarketingStore& s) {
        auto aaa = s.FindInvite("aaa");
        ASSERT_TRUE(aaa.has_value());
        EXPECT_EQ(aaa->uses, 7);
        EXPECT_EQ(aaa->inviter, UserId{1});
        EXPECT_EQ(aaa->channel_id, "10");
        auto ccc = *s.FindInvite("ccc");
        EXPECT_TRUE(ccc.deleted);
        EXPECT_EQ(ccc.expires_at, t0 + 1h);
        EXPECT_FALSE(s.FindInvite("zzz").has_value());
        auto live = s.ListInvites(10);
        ASSERT_EQ(live.size(), 2u);  // not the deleted one, most used first
        EXPECT_EQ(live[0].code, "aaa");
        EXPECT_EQ(live[1].max_uses, 10);
    });
    Read(Member(2), [&](MarketingStore& s) {
        EXPECT_FALSE(s.FindInvite("aaa").has_value());
        ASSERT_EQ(s.ListInvites(10).size(), 1u);
    });
}

// The counters are SQL aggregates over the joins in the window and the bonuses: total = regular + bonus - left;
// fakes are apart; the leaderboard orders by total then validated, then by inviter.
TEST_F(MarketingSuite, JoinsCountAndRankInTheirWindow) {
    auto t0 = clock.Now();
    auto old = t0 - 24h * 20;
    auto j1 = StoreJoin(101, 1, JoinStatus::kPending, t0);
    StoreJoin(102, 1, JoinStatus::kPending, t0);
    StoreJoin(103, 1, JoinStatus::kFake, t0, kFakeYoungAccount);
    StoreJoin(104, 1, JoinStatus::kValidated, old);
    StoreJoin(105, 2, JoinStatus::kValidated, t0);
    StoreJoin(106, 2, JoinStatus::kValidated, t0);
    StoreJoin(107, 3, JoinStatus::kPending, t0);
    StoreJoin(108, 0, JoinStatus::kPending, t0);  // unknown: nobody's
    // 102 leaves early; 104 (validated) leaves later: both count in `left`.
    Write(Viewer::System(), [&](MarketingStore& s) {
        for (auto j : s.JoinsOf(UserId{102})) {
            j.status = JoinStatus::kLeftEarly;
            j.left_at = t0 + 1h;
            s.UpdateJoin(j);
        }
        for (auto j : s.JoinsOf(UserId{104})) {
            j.left_at = t0 + 1h;
            s.UpdateJoin(j);
        }
        s.InsertBonus({.inviter = UserId{3}, .amount = 5, .reason = "event", .by = kStaff.user_id, .at = t0});
        s.InsertBonus({.inviter = UserId{3}, .amount = -1, .reason = "fix", .by = kStaff.user_id, .at = old});
    });
    Read(Viewer::System(), [&](MarketingStore& s) {
        auto all = s.Counts(UserId{1}, std::nullopt);
        EXPECT_EQ(all.inviter, UserId{1});
        EXPECT_EQ(all.regular, 3);
        EXPECT_EQ(all.left, 2);
        EXPECT_EQ(all.fake, 1);
        EXPECT_EQ(all.validated, 1);
        EXPECT_EQ(all.pending, 1);
        EXPECT_EQ(all.bonus, 0);
        EXPECT_EQ(all.total(), 1);
        auto week = s.Counts(UserId{1}, t0 - 24h * 7);
        EXPECT_EQ(week.regular, 2);
        EXPECT_EQ(week.left, 1);
        EXPECT_EQ(week.validated, 0);
        auto three = s.Counts(UserId{3}, std::nullopt);
        EXPECT_EQ(three.bonus, 4);
        EXPECT_EQ(three.total(), 5);
        EXPECT_EQ(s.Counts(UserId{3}, t0 - 24h * 7).bonus, 5);
        auto nobody = s.Counts(UserId{42}, std::nullopt);
        EXPECT_EQ(nobody.inviter, UserId{42});
        EXPECT_EQ(nobody.total(), 0);
        auto board = s.Leaderboard(std::nullopt, 10);
        ASSERT_EQ(board.size(), 3u);
        EXPECT_EQ(board[0].inviter, UserId{3});  // 1 + 4
        EXPECT_EQ(board[0].total, 5);
        EXPECT_EQ(board[1].inviter, UserId{2});
        EXPECT_EQ(board[1].validated, 2);
        EXPECT_EQ(board[2].inviter, UserId{1});
        EXPECT_EQ(s.Leaderboard(std::nullopt, 1).size(), 1u);
        auto week_board = s.Leaderboard(t0 - 24h * 7, 10);
        ASSERT_EQ(week_board.size(), 3u);  // 3: 1 + 5; 2: 2; 1: 2 - 1 (104 joined before the week)
        EXPECT_EQ(week_board[0].inviter, UserId{3});
        EXPECT_EQ(week_board[0].total, 6);
        EXPECT_EQ(week_board[1].inviter, UserId{2});
        EXPECT_EQ(week_board[2].total, 1);
        EXPECT_EQ(week_board[2].validated, 0);
    });
    Read(Viewer::System(), [&](MarketingStore& s) {
        auto joins = s.JoinsOf(UserId{101});
        ASSERT_EQ(joins.size(), 1u);
        EXPECT_EQ(joins[0].id, j1.id);
        EXPECT_EQ(joins[0].inviter, UserId{1});
        EXPECT_EQ(joins[0].source, JoinSource::kInvite);
        EXPECT_EQ(joins[0].code, "inv1");
        EXPECT_EQ(joins[0].joined_at, t0);
        EXPECT_EQ(joins[0].validate_at, t0 + 24h * 7);
        EXPECT_EQ(s.JoinsOf(UserId{103})[0].fake_reason, kFakeYoungAccount);
        EXPECT_EQ(s.JoinsOf(UserId{108})[0].source, JoinSource::kUnknown);
        EXPECT_EQ(s.JoinsInvitedBy(UserId{1}, 10).size(), 4u);
        EXPECT_EQ(s.JoinsInvitedBy(UserId{1}, 10).back().member, UserId{104});  // newest first
        // Pending joins due: 101, 107, 108 at t0 + 7 days (102 left, 103 fake).
        EXPECT_TRUE(s.ValidationsDue(t0 + 24h * 7 - 1ms, 10).empty());
        EXPECT_EQ(s.ValidationsDue(t0 + 24h * 7, 10).size(), 3u);
        EXPECT_EQ(s.ValidationsDue(t0 + 24h * 7, 2).size(), 2u);
    });
    // Validated: the columns UpdateJoin writes come back.
    auto v = j1;
    v.status = JoinStatus::kValidated;
    v.validated_at = t0 + 24h * 7;
    Write(Viewer::System(), [&](MarketingStore& s) { s.UpdateJoin(v); });
    Read(Viewer::System(), [&](MarketingStore& s) {
        auto got = s.JoinsOf(UserId{101})[0];
        EXPECT_EQ(got.status, JoinStatus::kValidated);
        EXPECT_EQ(got.validated_at, v.validated_at);
        EXPECT_FALSE(got.left_at.has_value());
    });
    // A member reads the joins they made or brought, and their own counters.
    Read(Member(1), [&](MarketingStore& s) {
        EXPECT_EQ(s.JoinsInvitedBy(UserId{1}, 10).size(), 4u);
        EXPECT_TRUE(s.JoinsInvitedBy(UserId{2}, 10).empty());
        EXPECT_TRUE(s.JoinsOf(UserId{105}).empty());
        EXPECT_EQ(s.Counts(UserId{1}, std::nullopt).regular, 3);
        EXPECT_EQ(s.Counts(UserId{2}, std::nullopt).regular, 0);
        for (const auto& r : s.Leaderboard(std::nullopt, 10)) EXPECT_EQ(r.inviter, UserId{1});
    });
    Read(Member(105), [&](MarketingStore& s) {
        ASSERT_EQ(s.JoinsOf(UserId{105}).size(), 1u);
        EXPECT_TRUE(s.JoinsOf(UserId{106}).empty());
    });
}

// The sweep and a leave write a join's status only while it is still the one they read: the conditional write
// refuses (and writes nothing) once another writer changed it.
TEST_F(MarketingSuite, UpdateJoinIfWritesOnlyWhileTheStatusIsTheOneRead) {
    auto t0 = clock.Now();
    auto j = StoreJoin(121, 1, JoinStatus::kPending, t0);
    auto validated = j;
    validated.status = JoinStatus::kValidated;
    validated.validated_at = t0 + 24h * 7;
    bool written = true;
    Write(Viewer::System(), [&](MarketingStore& s) { written = s.UpdateJoinIf(validated, JoinStatus::kLeftEarly); });
    EXPECT_FALSE(written);  // the row is pending, not left early
    Read(Viewer::System(), [&](MarketingStore& s) {
        auto got = s.JoinsOf(UserId{121})[0];
        EXPECT_EQ(got.status, JoinStatus::kPending);
        EXPECT_FALSE(got.validated_at.has_value());
    });
    Write(Viewer::System(), [&](MarketingStore& s) { written = s.UpdateJoinIf(validated, JoinStatus::kPending); });
    EXPECT_TRUE(written);
    // A leave that read the join as pending comes too late: the validation stands.
    auto left = j;
    left.status = JoinStatus::kLeftEarly;
    left.left_at = t0 + 24h;
    Write(Viewer::System(), [&](MarketingStore& s) { written = s.UpdateJoinIf(left, JoinStatus::kPending); });
    EXPECT_FALSE(written);
    Read(Viewer::System(), [&](MarketingStore& s) {
        auto got = s.JoinsOf(UserId{121})[0];
        EXPECT_EQ(got.status, JoinStatus::kValidated);
        EXPECT_EQ(got.validated_at, validated.validated_at);
        EXPECT_FALSE(got.left_at.has_value());
    });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM invite_joins WHERE member_id = 121 AND status = 'validated'"), 1);
}

// A code is one per member; a code taken by another is refused (kConflict) and nothing of the transaction stays.
TEST_F(MarketingSuite, ReferralCodesAreUniqueAndFoundByPromotionAndInvite) {
    auto t0 = clock.Now();
    Write(Viewer::System(), [&](MarketingStore& s) {
        s.SaveCode({.user = UserId{1}, .code = "ALICE", .created_at = t0});
        s.SaveCode({.user = UserId{2}, .code = "BOB2", .created_at = t0});
    });
    Write(Viewer::System(), [&](MarketingStore& s) {
        s.SaveCode({.user = UserId{1},
                    .code = "ALICE",
                    .promotion_code_id = "promo_1",
                    .invite_code = "inv-alice",
                    .created_at = t0});
    });
    try {
        Write(Viewer::System(), [&](MarketingStore& s) {
            s.InsertBonus({.inviter = UserId{2}, .amount = 1, .reason = "x", .by = kStaff.user_id, .at = t0});
            s.SaveCode({.user = UserId{2}, .code = "ALICE", .created_at = t0});
        });
        ADD_FAILURE() << "a taken code was saved";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::ErrorCode::kConflict);
        EXPECT_EQ(e.key(), "marketing.code_taken");
    }
    EXPECT_EQ(Count("SELECT COUNT(*) FROM invite_bonuses"), 0);
    try {
        Write(Viewer::System(), [&](MarketingStore& s) { s.SaveCode({.user = UserId{3}, .code = "BOB2"}); });
        ADD_FAILURE() << "a taken code was saved for a new member";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::ErrorCode::kConflict);
    }
    EXPECT_EQ(Count("SELECT COUNT(*) FROM referral_codes"), 2);
    Read(Viewer::System(), [&](MarketingStore& s) {
        auto alice = s.FindCode("ALICE");
        ASSERT_TRUE(alice.has_value());
        EXPECT_EQ(alice->user, UserId{1});
        EXPECT_EQ(alice->promotion_code_id, "promo_1");
        EXPECT_EQ(alice->invite_code, "inv-alice");
        EXPECT_TRUE(alice->active);
        EXPECT_EQ(s.CodeOf(UserId{2})->code, "BOB2");
        EXPECT_EQ(s.CodeByPromotion("promo_1")->user, UserId{1});
        EXPECT_EQ(s.CodeByInvite("inv-alice")->user, UserId{1});
        EXPECT_FALSE(s.CodeByPromotion("").has_value());  // codes without a promotion are not found by ""
        EXPECT_FALSE(s.CodeByInvite("").has_value());
        EXPECT_FALSE(s.FindCode("NOPE").has_value());
    });
    // Deactivated, and renamed: the row is replaced.
    Write(kStaff, [&](MarketingStore& s) {
        s.SaveCode({.user = UserId{2}, .code = "BOBBY", .created_at = t0, .active = false});
    });
    Read(Viewer::System(), [&](MarketingStore& s) {
        EXPECT_FALSE(s.FindCode("BOB2").has_value());
        EXPECT_FALSE(s.FindCode("BOBBY")->active);
    });
    Read(Member(2), [&](MarketingStore& s) {
        EXPECT_TRUE(s.CodeOf(UserId{2}).has_value());
        EXPECT_FALSE(s.FindCode("ALICE").has_value());
        EXPECT_FALSE(s.CodeByPromotion("promo_1").has_value());
    });
}

TEST_F(MarketingSuite, AttributionsAreLiveInTheirWindowTheEarliestFirst) {
    auto t0 = clock.Now();
    auto join = StoreJoin(10, 1, JoinStatus::kPending, t0);
    auto first = StoreAttribution(10, 1, join.id);
    clock.Advance(1h);
    auto second = StoreAttribution(10, 2);
    StoreAttribution(11, 2);
    Read(Viewer::System(), [&](MarketingStore& s) {
        EXPECT_FALSE(s.LiveAttribution(UserId{10}, t0 - 1ms).has_value());
        auto live = s.LiveAttribution(UserId{10}, t0 + 2h);
        ASSERT_TRUE(live.has_value());
        EXPECT_EQ(live->id, first.id);
        EXPECT_EQ(live->referrer, UserId{1});
        EXPECT_EQ(live->source, AttributionSource::kInvite);
        EXPECT_EQ(live->join, join.id);
        EXPECT_EQ(live->code, "CODE1");
        EXPECT_EQ(live->ends_at, t0 + 24h * 30);
        EXPECT_EQ(s.LiveAttribution(UserId{10}, t0 + 24h * 30)->id, second.id);  // the first ended (ends_at excluded)
        EXPECT_FALSE(s.LiveAttribution(UserId{10}, t0 + 1h + 24h * 30).has_value());
        EXPECT_FALSE(s.FindAttribution(second.id)->join.has_value());
        EXPECT_EQ(s.FindAttribution(second.id)->source, AttributionSource::kCode);
        auto of2 = s.AttributionsOf(UserId{2}, 10);
        ASSERT_EQ(of2.size(), 2u);
        EXPECT_EQ(of2[0].member, UserId{11});  // newest first
    });
    // The member and the referrer read it; nobody else.
    Read(Member(10), [&](MarketingStore& s) { EXPECT_TRUE(s.FindAttribution(first.id).has_value()); });
    Read(Member(2), [&](MarketingStore& s) {
        EXPECT_FALSE(s.FindAttribution(first.id).has_value());
        EXPECT_EQ(s.AttributionsOf(UserId{2}, 10).size(), 2u);
        EXPECT_EQ(s.LiveAttribution(UserId{10}, t0 + 24h * 30)->id, second.id);
    });
    Read(Member(11), [&](MarketingStore& s) {
        EXPECT_FALSE(s.LiveAttribution(UserId{10}, t0 + 2h).has_value());
        EXPECT_TRUE(s.AttributionsOf(UserId{2}, 10).size() == 1u);
    });
}

TEST_F(MarketingSuite, PayerIdentitiesAreRecordedOnceAndReadByMaxisOnly) {
    Write(Viewer::System(), [&](MarketingStore& s) {
        s.RecordPayerIdentity(UserId{1}, "customer", "cus_1");
        s.RecordPayerIdentity(UserId{1}, "customer", "cus_1");
        s.RecordPayerIdentity(UserId{1}, "card", "fp_1");
        s.RecordPayerIdentity(UserId{2}, "card", "fp_1");  // a shared card: both members
        s.RecordPayerIdentity(UserId{2}, "card", "");      // nothing known: nothing recorded
    });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM payer_identities"), 3);
    Read(Viewer::System(), [&](MarketingStore& s) {
        EXPECT_TRUE(s.PayerIdentityOf(UserId{1}, "customer", "cus_1"));
        EXPECT_FALSE(s.PayerIdentityOf(UserId{2}, "customer", "cus_1"));
        EXPECT_TRUE(s.PayerIdentityOf(UserId{2}, "card", "fp_1"));
        EXPECT_FALSE(s.PayerIdentityOf(UserId{1}, "card", "fp_2"));
        EXPECT_FALSE(s.PayerIdentityOf(UserId{1}, "card", ""));
    });
    Read(Member(1), [&](MarketingStore& s) { EXPECT_FALSE(s.PayerIdentityOf(UserId{1}, "customer", "cus_1")); });
}

// A sale's commission exists once per payment; every column written comes back; the lists filter by marketer,
// month, status and the join waited for; a marketer reads their own rows without the buyer.
// What the provider said of a payment, merged by payment: the refunded figure keeps the largest (deliveries come in
// any order), the flags only go from false to true, the first report's time stays. Staff and Maxis read it; a
// member reads nothing.
TEST_F(MarketingSuite, PaymentReversalsMergeMonotonicallyAndOnlyStaffReadThem) {
    auto t0 = clock.Now();
    auto record = [&](PaymentReversal r) {
        Write(Viewer::System(), [&](MarketingStore& s) { s.RecordPaymentReversal(r); });
    };
    auto find = [&](const Viewer& who, const std::string& ref) {
        std::optional<PaymentReversal> out;
        Read(who, [&](MarketingStore& s) { out = s.FindPaymentReversal(ref); });
        return out;
    };
    record({.payment_ref = "pi_rev", .refunded_minor = 3000, .at = t0});
    auto got = find(Viewer::System(), "pi_rev");
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->payment_ref, "pi_rev");
    EXPECT_EQ(got->refunded_minor, 3000);
    EXPECT_FALSE(got->fully_refunded);
    EXPECT_FALSE(got->disputed);
    EXPECT_EQ(got->at, t0);
    record({.payment_ref = "pi_rev", .refunded_minor = 1000, .at = t0 + 1h});  // an older figure, late
    EXPECT_EQ(find(kStaff, "pi_rev")->refunded_minor, 3000);
    record({.payment_ref = "pi_rev", .refunded_minor = 10000, .fully_refunded = true, .at = t0 + 2h});
    got = find(kStaff, "pi_rev");
    EXPECT_EQ(got->refunded_minor, 10000);
    EXPECT_TRUE(got->fully_refunded);
    EXPECT_FALSE(got->disputed);
    record({.payment_ref = "pi_rev", .disputed = true, .at = t0 + 3h});  // a dispute says nothing of refunds
    got = find(kStaff, "pi_rev");
    EXPECT_EQ(got->refunded_minor, 10000);
    EXPECT_TRUE(got->fully_refunded);
    EXPECT_TRUE(got->disputed);
    record({.payment_ref = "pi_rev", .refunded_minor = 2000, .at = t0 + 4h});  // flags never go back
    got = find(kStaff, "pi_rev");
    EXPECT_EQ(got->refunded_minor, 10000);
    EXPECT_TRUE(got->fully_refunded);
    EXPECT_TRUE(got->disputed);
    EXPECT_EQ(got->at, t0);
    record({.payment_ref = "pi_disp_only", .disputed = true, .at = t0});
    got = find(kStaff, "pi_disp_only");
    EXPECT_EQ(got->refunded_minor, 0);
    EXPECT_FALSE(got->fully_refunded);
    EXPECT_TRUE(got->disputed);
    EXPECT_FALSE(find(kStaff, "pi_none").has_value());
    EXPECT_FALSE(find(Member(1), "pi_rev").has_value());
    Write(Member(1), [&](MarketingStore& s) { EXPECT_FALSE(s.FindPaymentReversal("pi_rev").has_value()); });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_reversals"), 2);
}

TEST_F(MarketingSuite, CommissionsRoundTripOncePerSaleAndHideTheBuyerFromTheMarketer) {
    auto t0 = clock.Now();
    auto join = StoreJoin(50, 1, JoinStatus::kPending, t0);
    auto attribution = StoreAttribution(50, 1, join.id);
    auto sale = Sale(1, 50, "pi_1", 10000, t0, attribution.id);
    auto id = StoreCommission(sale);
    ASSERT_TRUE(id.has_value());
    EXPECT_FALSE(StoreCommission(sale).has_value());  // the same payment again
    auto other_sale = Sale(2, 51, "pi_2", 5000, t0 + 1h);
    auto other = StoreCommission(other_sale);
    ASSERT_TRUE(other.has_value());
    Commission reward{.marketer = UserId{1},
                      .kind = CommissionKind::kMonthly,
                      .role = RoleKind::kInfluencer,
                      .status = CommissionStatus::kDue,
                      .amount = core::Money{5000, "EUR"},
                      .note = "December",
                      .created_by = kStaff.user_id,
                      .created_at = t0 + 24h * 40,
                      .due_at = t0 + 24h * 40};
    std::optional<CommissionId> reward_id, reward_id2;
    Write(kStaff, [&](MarketingStore& s) {
        reward_id = s.InsertCommission(reward);
        reward_id2 = s.InsertCommission(reward);  // rewards have no payment: each is a row
    });
    ASSERT_TRUE(reward_id && reward_id2);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM commissions"), 4);
    Read(kStaff, [&](MarketingStore& s) {
        auto got = s.FindCommission(*id);
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(got->marketer, UserId{1});
        EXPECT_EQ(got->kind, CommissionKind::kSale);
        EXPECT_EQ(got->role, RoleKind::kAmbassador);
        EXPECT_EQ(got->status, CommissionStatus::kPending);
        EXPECT_EQ(got->amount, (core::Money{2000, "EUR"}));
        EXPECT_EQ(got->source, kSourceOrder);
        EXPECT_EQ(got->payment_ref, "pi_1");
        EXPECT_EQ(got->buyer, UserId{50});
        EXPECT_EQ(got->sale_minor, 10000);
        EXPECT_EQ(got->percent, 20);
        EXPECT_EQ(got->attribution, attribution.id);
        EXPECT_EQ(got->created_at, t0);
        EXPECT_EQ(got->due_at, t0 + 24h * 14);
        EXPECT_FALSE(got->paid_at || got->payout || got->reversed_at || got->clawback_of);
        EXPECT_EQ(s.SaleCommission("pi_1")->id, *id);
        EXPECT_FALSE(s.SaleCommission("").has_value());
        EXPECT_FALSE(s.SaleCommission("pi_none").has_value());
        EXPECT_EQ(s.CommissionsOf(UserId{1}, std::nullopt, std::nullopt).size(), 3u);
        EXPECT_EQ(s.CommissionsOf(UserId{1}, t0 + 1ms, std::nullopt).size(), 2u);
        EXPECT_EQ(s.CommissionsOf(UserId{1}, std::nullopt, t0 + 24h * 40).size(), 1u);  // `to` excluded
        EXPECT_TRUE(s.CommissionsDue(t0 + 24h * 14 - 1ms, 10).empty());
        EXPECT_EQ(s.CommissionsDue(t0 + 24h * 14, 10).size(), 1u);
        EXPECT_EQ(s.CommissionsDue(t0 + 24h * 15, 10).size(), 2u);
        ASSERT_EQ(s.CommissionsOfJoin(join.id).size(), 1u);
        EXPECT_EQ(s.CommissionsOfJoin(join.id)[0].id, *id);
        EXPECT_EQ(s.Marketers(), (std::vector<UserId>{UserId{1}, UserId{2}}));
    });
    // Paid through a payout, then a clawback of it: every column UpdateCommission writes comes back.
    PayoutId payout;
    Write(kStaff, [&](MarketingStore& s) {
        payout = s.InsertPayout({.marketer = UserId{1},
                                 .amount = core::Money{2000, "EUR"},
                                 .reference = "VIR-1",
                                 .created_by = kStaff.user_id,
                                 .created_at = t0 + 24h * 20});
        auto c = *s.FindCommission(*id);
        c.status = CommissionStatus::kPaid;
        c.paid_at = t0 + 24h * 20;
        c.payout = payout;
        c.refunded_minor = 2500;
        c.amount.minor = 1500;
        c.note = kReasonPartialRefund;
        s.UpdateCommission(c);
        auto claw = c;
        claw.kind = CommissionKind::kClawback;
        claw.status = CommissionStatus::kDue;
        claw.amount.minor = -1500;
        claw.payment_ref = "pi_1";
        claw.clawback_of = c.id;
        claw.paid_at.reset();
        claw.payout.reset();
        EXPECT_TRUE(s.InsertCommission(claw).has_value());  // the same payment, not a sale
    });
    Read(kStaff, [&](MarketingStore& s) {
        auto c = *s.FindCommission(*id);
        EXPECT_EQ(c.status, CommissionStatus::kPaid);
        EXPECT_EQ(c.paid_at, t0 + 24h * 20);
        EXPECT_EQ(c.payout, payout);
        EXPECT_EQ(c.refunded_minor, 2500);
        EXPECT_EQ(c.amount.minor, 1500);
        EXPECT_EQ(c.note, kReasonPartialRefund);
        EXPECT_TRUE(s.CommissionsOfJoin(join.id).empty());  // no longer pending
        auto rows = s.CommissionsOf(UserId{1}, std::nullopt, std::nullopt);
        ASSERT_EQ(rows.size(), 4u);
        EXPECT_EQ(rows[1].kind, CommissionKind::kClawback);  // created at t0 too, after the sale
        EXPECT_EQ(rows[1].clawback_of, *id);
        EXPECT_EQ(rows[1].amount.minor, -1500);
        auto payouts = s.PayoutsOf(UserId{1}, std::nullopt, std::nullopt);
        ASSERT_EQ(payouts.size(), 1u);
        EXPECT_EQ(payouts[0].reference, "VIR-1");
        EXPECT_EQ(payouts[0].amount, (core::Money{2000, "EUR"}));
        EXPECT_EQ(payouts[0].created_by, kStaff.user_id);
        EXPECT_TRUE(s.PayoutsOf(UserId{1}, t0 + 24h * 21, std::nullopt).empty());
        EXPECT_EQ(s.PayoutsOf(UserId{1}, t0, t0 + 24h * 21).size(), 1u);
        EXPECT_TRUE(s.PayoutsOf(UserId{2}, std::nullopt, std::nullopt).empty());
    });
    // Marketer 1 reads their own rows, each without the buyer; never marketer 2's.
    Write(Member(1), [&](MarketingStore& s) {
        auto rows = s.CommissionsOf(UserId{1}, std::nullopt, std::nullopt);
        ASSERT_EQ(rows.size(), 4u);
        for (const auto& c : rows) EXPECT_EQ(c.buyer, UserId{0});
        EXPECT_EQ(s.FindCommission(*id)->buyer, UserId{0});  // in a write transaction too (no lock for members)
        EXPECT_EQ(s.SaleCommission("pi_1")->buyer, UserId{0});
        EXPECT_FALSE(s.FindCommission(*other).has_value());
        EXPECT_FALSE(s.SaleCommission("pi_2").has_value());
        EXPECT_TRUE(s.CommissionsOf(UserId{2}, std::nullopt, std::nullopt).empty());
        for (const auto& c : s.CommissionsDue(t0 + 24h * 15, 10)) EXPECT_EQ(c.marketer, UserId{1});
        EXPECT_EQ(s.Marketers(), std::vector<UserId>{UserId{1}});
        EXPECT_EQ(s.PayoutsOf(UserId{1}, std::nullopt, std::nullopt).size(), 1u);
    });
    Read(Member(2), [&](MarketingStore& s) {
        EXPECT_TRUE(s.PayoutsOf(UserId{1}, std::nullopt, std::nullopt).empty());
        EXPECT_EQ(s.SaleCommission("pi_2")->buyer, UserId{0});
    });
}

// Notices and outbox items are written with the transaction's rows, and go with it.
TEST_F(MarketingSuite, NoticesAndOutboxItemsGoWithTheirTransaction) {
    Write(Viewer::System(), [&](MarketingStore& s) {
        s.Notify(scheduling::Notice::ToMember(UserId{1}, "marketing.notify.approved", "marketing.test.1"));
        s.Enqueue({"discord.role", R"({"user":"1","role":"r1","grant":true})", "marketing:ambassador:1:grant:1"});
        s.Enqueue({"discord.role", R"({"user":"1","role":"r1","grant":true})", "marketing:ambassador:1:grant:1"});
    });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'marketing.test.1' AND channel = "
                    "'notify.member'"),
              1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'marketing:ambassador:1:grant:1'"), 1);
    EXPECT_THROW(Write(Viewer::System(),
                       [&](MarketingStore& s) {
                           s.SaveMemberRole({.user = UserId{1}, .role = RoleKind::kAmbassador});
                           s.Notify(scheduling::Notice::ToStaff("marketing.notify.application", "marketing.test.2"));
                           s.Enqueue({"discord.role", "{}", "marketing.test.3"});
                           throw std::runtime_error("the work failed");
                       }),
                 std::runtime_error);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key IN ('marketing.test.2', 'marketing.test.3')"),
              0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM user_marketing_roles"), 0);
}

// THE WEBHOOK REDELIVERED: 40 threads record the same sale's commission at once; exactly one row, one id returned,
// and nobody fails. Then 40 applications for the same role at once: one pending, the others refused as applied.
TEST_F(MarketingSuite, FortyWritersOfTheSameSaleLeaveOneCommission) {
    constexpr int kWriters = 40;
    auto t0 = clock.Now();
    std::atomic<int> inserted{0}, refused{0}, failures{0};
    RunWriters(kWriters, [&](int) {
        try {
            if (StoreCommission(Sale(1, 50, "pi_race", 10000, t0))) {
                ++inserted;
            } else {
                ++refused;
            }
        } catch (const std::exception& e) {
            ++failures;
            ADD_FAILURE() << e.what();
        }
    });
    EXPECT_EQ(inserted.load(), 1);
    EXPECT_EQ(refused.load(), kWriters - 1);
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM commissions WHERE payment_ref = 'pi_race'"), 1);
    std::atomic<int> applied{0}, already{0};
    RunWriters(kWriters, [&](int) {
        try {
            Write(Member(7), [&](MarketingStore& s) {
                s.InsertApplication({.user = UserId{7}, .role = RoleKind::kPartner, .created_at = t0});
            });
            ++applied;
        } catch (const core::Error& e) {
            EXPECT_EQ(e.key(), "marketing.already_applied");
            ++already;
        }
    });
    EXPECT_EQ(applied.load(), 1);
    EXPECT_EQ(already.load(), kWriters - 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM marketing_applications WHERE user_id = 7 AND status = 'pending'"), 1);
}

// ---------------------------------------------------------------------------------------------------------------
// The services end to end on real SQL: InviteService and CommissionService over SqlMarketingRepository.

/// No Stripe nor Discord: codes are made without a promotion code or an invite link.
class NoReferralProvider final : public ReferralProvider {
public:
    [[nodiscard]] bool promotions_configured() const override { return false; }
    std::string CreatePromotionCode(UserId, const std::string&) override { return {}; }
    void DeactivatePromotionCode(const std::string&) override {}
    std::string CreateInviteLink(UserId) override { return {}; }
};

class MarketingServicesSuite : public MarketingSuite {
protected:
    MarketingServicesSuite()
        : zone(core::TimeZone::Load("Europe/Paris")),
          roles(DefaultRoles()),
          invites(repo, clock, InviteOptions{}),
          commissions(repo, provider, clock, zone, roles, CommissionOptions{}) {}

    void Ambassador(long long user) {
        Write(kStaff, [&](MarketingStore& s) {
            s.SaveMemberRole({.user = UserId{user},
                              .role = RoleKind::kAmbassador,
                              .granted_at = clock.Now(),
                              .granted_by = kStaff.user_id});
        });
    }
    InviteJoin JoinThrough(long long member, long long inviter) {
        return invites.OnJoin({.member = UserId{member},
                               .source = JoinSource::kInvite,
                               .code = "inv" + std::to_string(inviter),
                               .inviter = UserId{inviter},
                               .at = clock.Now()});
    }
    std::optional<Commission> Buy(long long buyer, const std::string& ref, long long minor) {
        return commissions.OnSale({.source = kSourceOrder,
                                   .payment_ref = ref,
                                   .buyer = UserId{buyer},
                                   .amount = core::Money{minor, "EUR"},
                                   .paid_at = clock.Now()});
    }
    Commission Row(const std::string& ref) {
        std::optional<Commission> c;
        Read(kStaff, [&](MarketingStore& s) { c = s.SaleCommission(ref); });
        if (!c) throw std::runtime_error("no commission for " + ref);
        return *c;
    }

    core::TimeZone zone;
    std::vector<RoleConfig> roles;
    NoReferralProvider provider;
    InviteService invites;
    CommissionService commissions;
};

// THE CHAIN: a member joins through an ambassador's invite, stays, buys; the commission is pending, waits for the
// join's validation, becomes due after the refund window, is paid by a payout, and a refund after payout carries a
// clawback (a negative balance). The buyer is staff's to know, never the marketer's.
TEST_F(MarketingServicesSuite, AnInvitedMemberBuysAndTheCommissionGoesFromPendingToPaidThenIsClawedBack) {
    Ambassador(1);
    auto join = JoinThrough(10, 1);
    EXPECT_EQ(join.status, JoinStatus::kPending);
    auto sale = Buy(10, "pi_chain", 10000);
    ASSERT_TRUE(sale.has_value());
    EXPECT_EQ(sale->status, CommissionStatus::kPending);
    EXPECT_EQ(sale->amount.minor, 2000);
    EXPECT_FALSE(Buy(10, "pi_chain", 10000).has_value());  // redelivered: nothing more
    clock.Advance(24h * 7);
    EXPECT_EQ(invites.ValidateDue(), 1);
    EXPECT_EQ(commissions.SettleDue(), 0);  // still in the refund window
    clock.Advance(24h * 7);
    EXPECT_EQ(commissions.SettleDue(), 1);
    EXPECT_EQ(Row("pi_chain").status, CommissionStatus::kDue);
    EXPECT_EQ(commissions.BalanceOf(Member(1), UserId{1}).due_minor, 2000);
    EXPECT_EQ(KeyOf([&] {
                  commissions.RecordPayout(kStaff, UserId{1}, core::Money{2001, "EUR"}, "VIR-0");
              }),
              "marketing.payout_exceeds");
    commissions.RecordPayout(kStaff, UserId{1}, core::Money{2000, "EUR"}, "VIR-1");
    EXPECT_EQ(Row("pi_chain").status, CommissionStatus::kPaid);
    EXPECT_EQ(commissions.BalanceOf(kStaff, UserId{1}).due_minor, 0);
    commissions.OnRefunded("pi_chain", 10000, true);
    commissions.OnRefunded("pi_chain", 10000, true);  // redelivered
    EXPECT_EQ(Count("SELECT COUNT(*) FROM commissions WHERE kind = 'clawback' AND amount_minor = -2000"), 1);
    EXPECT_EQ(commissions.BalanceOf(kStaff, UserId{1}).due_minor, -2000);
    auto statement = commissions.MonthlyStatement(Member(1), UserId{1}, "");
    for (const auto& line : statement.lines) EXPECT_EQ(line.buyer, UserId{0});
    EXPECT_EQ(Row("pi_chain").buyer, UserId{10});
}

// An early leave cancels the join: the sale it attributed is reversed by the sweep, never due.
TEST_F(MarketingServicesSuite, AnEarlyLeaveReversesTheCommissionWaitingForTheJoin) {
    Ambassador(1);
    JoinThrough(11, 1);
    ASSERT_TRUE(Buy(11, "pi_left", 5000).has_value());
    clock.Advance(24h * 3);
    invites.OnLeave(UserId{11}, clock.Now());
    clock.Advance(24h * 14);
    EXPECT_EQ(invites.ValidateDue(), 0);
    commissions.SettleDue();
    auto row = Row("pi_left");
    EXPECT_EQ(row.status, CommissionStatus::kReversed);
    EXPECT_EQ(row.note, kReasonInviteCancelled);
    EXPECT_EQ(commissions.BalanceOf(kStaff, UserId{1}).due_minor, 0);
}

// A partial refund reduces a pending commission in proportion, a dispute reverses another; both once.
TEST_F(MarketingServicesSuite, APartialRefundReducesAndADisputeReversesOnce) {
    Ambassador(1);
    JoinThrough(12, 1);
    ASSERT_TRUE(Buy(12, "pi_part", 10000).has_value());
    ASSERT_TRUE(Buy(12, "pi_disp", 10000).has_value());
    commissions.OnRefunded("pi_part", 2500, false);
    commissions.OnRefunded("pi_part", 2500, false);
    EXPECT_EQ(Row("pi_part").amount.minor, 1500);
    EXPECT_EQ(Row("pi_part").refunded_minor, 2500);
    commissions.OnDisputed("pi_disp");
    commissions.OnDisputed("pi_disp");
    EXPECT_EQ(Row("pi_disp").status, CommissionStatus::kReversed);
    EXPECT_EQ(Row("pi_disp").note, kReasonDispute);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM commissions"), 2);
}

// A refund or a dispute reported before the sale's event: the sale applies it when it comes. Refunded whole (even
// with an older partial figure delivered after) or disputed: no commission; refunded in part: the commission on
// what was kept, reduced again from the original by a later refund.
TEST_F(MarketingServicesSuite, ARefundOrDisputeBeforeTheSaleAppliesWhenTheSaleComes) {
    Ambassador(1);
    JoinThrough(14, 1);
    commissions.OnRefunded("pi_first_full", 10000, true);
    commissions.OnRefunded("pi_first_full", 2500, false);  // an older figure, delivered late
    EXPECT_FALSE(Buy(14, "pi_first_full", 10000).has_value());
    commissions.OnDisputed("pi_first_disp");
    EXPECT_FALSE(Buy(14, "pi_first_disp", 10000).has_value());
    commissions.OnRefunded("pi_first_whole", 10000, false);  // the whole amount, not flagged full
    EXPECT_FALSE(Buy(14, "pi_first_whole", 10000).has_value());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM commissions"), 0);
    commissions.OnRefunded("pi_first_part", 2500, false);
    auto part = Buy(14, "pi_first_part", 10000);
    ASSERT_TRUE(part.has_value());
    EXPECT_EQ(part->amount.minor, 1500);  // 20 % of the 7,500 kept
    auto row = Row("pi_first_part");
    EXPECT_EQ(row.amount.minor, 1500);
    EXPECT_EQ(row.refunded_minor, 2500);
    EXPECT_EQ(row.sale_minor, 10000);
    EXPECT_EQ(row.status, CommissionStatus::kPending);
    commissions.OnRefunded("pi_first_part", 5000, false);
    EXPECT_EQ(Row("pi_first_part").amount.minor, 1000);  // recomputed from the original 2,000
    commissions.OnRefunded("pi_first_part", 10000, true);
    EXPECT_EQ(Row("pi_first_part").status, CommissionStatus::kReversed);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM commissions"), 1);
    EXPECT_EQ(commissions.BalanceOf(kStaff, UserId{1}).due_minor, 0);
}

// THE REFUND RACING THE SALE: a sale and the full refund of the same payment, delivered at the same moment from two
// threads, many times. Whichever commits first, the other sees it (the payment's lock): never a live commission.
TEST_F(MarketingServicesSuite, ASaleAndItsFullRefundRacingNeverLeaveALiveCommission) {
    constexpr int kRounds = 60;
    Ambassador(1);
    JoinThrough(15, 1);
    std::atomic<int> failures{0};
    for (int round = 0; round < kRounds; ++round) {
        const std::string ref = "pi_racing_" + std::to_string(round);
        std::atomic<int> ready{0};
        auto together = [&] {
            ++ready;
            while (ready.load() < 2) std::this_thread::yield();
        };
        auto guarded = [&](const std::function<void()>& work) {
            try {
                together();
                work();
            } catch (const std::exception& e) {
                ++failures;
                ADD_FAILURE() << e.what();
            }
        };
        std::thread sale([&] { guarded([&] { Buy(15, ref, 10000); }); });
        std::thread refund([&] { guarded([&] { commissions.OnRefunded(ref, 10000, true); }); });
        sale.join();
        refund.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM commissions WHERE payment_ref LIKE 'pi_racing_%' AND status <> 'reversed'"),
              0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_reversals WHERE payment_ref LIKE 'pi_racing_%' AND fully_refunded "
                    "= 1"),
              kRounds);
    EXPECT_EQ(commissions.BalanceOf(kStaff, UserId{1}).due_minor, 0);
}

// THE WEBHOOK BURST: 40 threads deliver the same sale at once through CommissionService::OnSale: one commission.
TEST_F(MarketingServicesSuite, FortyDeliveriesOfOneSaleAtOnceMakeOneCommission) {
    Ambassador(1);
    JoinThrough(13, 1);
    std::atomic<int> made{0}, failures{0};
    RunWriters(40, [&](int) {
        try {
            if (Buy(13, "pi_burst", 8000)) ++made;
        } catch (const std::exception& e) {
            ++failures;
            ADD_FAILURE() << e.what();
        }
    });
    EXPECT_EQ(made.load(), 1);
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM commissions WHERE payment_ref = 'pi_burst'"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%commission_pending%'"), 1);
}

// Payouts racing: 40 staff record a quarter of a marketer's balance at once; four pass, the others are refused as
// nothing is due any more, and the payouts never exceed it (LockMember makes the writers of one marketer take turns).
// Five marketers in turn, each raced.
TEST_F(MarketingServicesSuite, PayoutsRacingNeverPayMoreThanIsDue) {
    constexpr int kRounds = 5;
    for (int round = 0; round < kRounds; ++round) {
        const long long marketer = 1 + round, buyer = 100 + round;
        Ambassador(marketer);
        JoinThrough(buyer, marketer);
        for (int i = 0; i < 4; ++i) {
            ASSERT_TRUE(Buy(buyer, "pi_due_" + std::to_string(round) + "_" + std::to_string(i), 10000));
        }
    }
    clock.Advance(24h * 7);
    invites.ValidateDue();
    clock.Advance(24h * 7);
    commissions.SettleDue();
    for (int round = 0; round < kRounds; ++round) {
        const UserId marketer{1 + round};
        ASSERT_EQ(commissions.BalanceOf(kStaff, marketer).due_minor, 8000);
        std::atomic<int> paid{0}, refused{0};
        RunWriters(40, [&](int i) {
            try {
                commissions.RecordPayout(kStaff, marketer, core::Money{2000, "EUR"}, "VIR-" + std::to_string(i));
                ++paid;
            } catch (const core::Error& e) {
                EXPECT_EQ(e.key(), "marketing.payout_nothing_due");  // refused only once all four are paid
                ++refused;
            }
        });
        EXPECT_EQ(paid.load(), 4) << "marketer " << marketer.value;
        EXPECT_EQ(refused.load(), 36) << "marketer " << marketer.value;
        EXPECT_EQ(Count("SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM payouts WHERE marketer_id = " +
                        marketer.ToString()),
                  8000);
        EXPECT_EQ(
            Count("SELECT COUNT(*) FROM commissions WHERE status = 'paid' AND marketer_id = " + marketer.ToString()),
            4);
        EXPECT_EQ(commissions.BalanceOf(kStaff, marketer).due_minor, 0);
    }
}

}  // namespace maxis::storage::marketing_suite
