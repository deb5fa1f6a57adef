#pragma once
// The admin panel's store, run on SQLite (panel_store_test.cpp) and on PostgreSQL through the login role
// with row-level security (panel_store_pgtest.cpp). Each file defines MakeDatabase() and Reopen().
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <thread>

#include "core/errors.hpp"
#include "storage/panel_store.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage::panel_suite {

using namespace std::chrono_literals;
using core::UserId;

std::unique_ptr<Database> MakeDatabase(testing::FakeClock& clock);
/// A second, independent connection pool on the same database (another instance, or after a restart).
std::unique_ptr<Database> Reopen();

class PanelStoreSuite : public ::testing::Test {
protected:
    PanelStoreSuite() : db(MakeDatabase(clock)), store(*db) {}

    SessionRecord Session(const std::string& hash, std::optional<UserId> user = std::nullopt) {
        SessionRecord s;
        s.id_hash = hash;
        s.user = user;
        s.role = core::Role::kAdmin;
        s.stage = user ? SessionStage::kActive : SessionStage::kAnonymous;
        s.csrf_token = "csrf-" + hash;
        s.created_at = s.last_seen_at = clock.Now();
        s.expires_at = clock.Now() + 12h;
        return s;
    }

    testing::FakeClock clock;
    std::unique_ptr<Database> db;
    PanelStore store;
};

TEST_F(PanelStoreSuite, SessionsAreFoundRotatedAndEnded) {
    store.InsertSession(Session("a"));
    auto found = store.FindSession("a");
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->user);
    EXPECT_EQ(found->stage, SessionStage::kAnonymous);
    EXPECT_EQ(found->csrf_token, "csrf-a");

    store.RotateSession("a", Session("b", UserId{42}), clock.Now());
    EXPECT_EQ(store.FindSession("a")->end_reason, "rotated");
    EXPECT_TRUE(store.FindSession("a")->ended_at);
    auto b = store.FindSession("b");
    ASSERT_TRUE(b && b->user);
    EXPECT_EQ(b->user->value, 42);
    EXPECT_EQ(b->role, core::Role::kAdmin);
    EXPECT_EQ(store.LiveSessions(clock.Now()).size(), 1u);

    EXPECT_TRUE(store.EndSession("b", "logout", clock.Now()));
    EXPECT_FALSE(store.EndSession("b", "logout", clock.Now()));
    EXPECT_TRUE(store.LiveSessions(clock.Now()).empty());
    EXPECT_FALSE(store.FindSession("missing"));
}

TEST_F(PanelStoreSuite, LoginStatesAreSingleUseBoundToTheirSessionAndExpire) {
    store.SaveLoginState("s1", "sess", "verifier-1", clock.Now(), clock.Now() + 10min);
    EXPECT_FALSE(store.TakeLoginState("s1", "other-session", clock.Now()));
    EXPECT_EQ(store.TakeLoginState("s1", "sess", clock.Now()).value_or(""), "verifier-1");
    EXPECT_FALSE(store.TakeLoginState("s1", "sess", clock.Now()));  // replay

    store.SaveLoginState("s2", "sess", "verifier-2", clock.Now(), clock.Now() + 10min);
    clock.Advance(10min + 1ms);
    EXPECT_FALSE(store.TakeLoginState("s2", "sess", clock.Now()));
}

TEST_F(PanelStoreSuite, LoginLinksAreSingleUseAndExpire) {
    store.SaveLoginLink("h1", LoginGrant{UserId{7}, core::Role::kAdmin, "alice"}, clock.Now(), clock.Now() + 10min);
    auto grant = store.TakeLoginLink("h1", clock.Now());
    ASSERT_TRUE(grant);
    EXPECT_EQ(grant->user.value, 7);
    EXPECT_EQ(grant->role, core::Role::kAdmin);
    EXPECT_EQ(grant->name, "alice");
    EXPECT_FALSE(store.TakeLoginLink("h1", clock.Now()));
    store.SaveLoginLink("h2", LoginGrant{UserId{7}, core::Role::kStaff, "alice"}, clock.Now(), clock.Now() + 10min);
    clock.Advance(11min);
    EXPECT_FALSE(store.TakeLoginLink("h2", clock.Now()));
}

TEST_F(PanelStoreSuite, SecondFactorStepsAndRecoveryCodesAreSingleUse) {
    UserId u{5};
    store.SavePendingTotp(u, "sealed", "k1", clock.Now());
    EXPECT_FALSE(store.FindTotp(u)->enabled);
    EXPECT_FALSE(store.ClaimTotpStep(u, 100));  // not enabled yet
    ASSERT_TRUE(store.EnableTotp(u, 100, {"r1", "r2"}, clock.Now()));
    EXPECT_FALSE(store.EnableTotp(u, 101, {"r3"}, clock.Now()));
    EXPECT_THROW(store.SavePendingTotp(u, "other", "k1", clock.Now()), core::Error);
    EXPECT_EQ(store.FindTotp(u)->sealed_secret, "sealed");

    EXPECT_FALSE(store.ClaimTotpStep(u, 100));  // the enrolment code itself cannot be replayed
    EXPECT_FALSE(store.ClaimTotpStep(u, 99));
    EXPECT_TRUE(store.ClaimTotpStep(u, 101));
    EXPECT_FALSE(store.ClaimTotpStep(u, 101));

    EXPECT_EQ(store.RemainingRecoveryCodes(u), 2);
    EXPECT_TRUE(store.UseRecoveryCode(u, "r1", clock.Now()));
    EXPECT_FALSE(store.UseRecoveryCode(u, "r1", clock.Now()));
    EXPECT_FALSE(store.UseRecoveryCode(UserId{6}, "r2", clock.Now()));
    EXPECT_EQ(store.RemainingRecoveryCodes(u), 1);

    EXPECT_TRUE(store.ResetTotp(u));
    EXPECT_FALSE(store.FindTotp(u));
    EXPECT_EQ(store.RemainingRecoveryCodes(u), 0);
}

TEST_F(PanelStoreSuite, ConcurrentClaimsOfOneStepSucceedOnce) {
    UserId u{8};
    store.SavePendingTotp(u, "sealed", "k1", clock.Now());
    store.EnableTotp(u, 10, {}, clock.Now());
    std::atomic<int> won{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            if (store.ClaimTotpStep(u, 11)) ++won;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 1);
}

TEST_F(PanelStoreSuite, RateLimitWindowsCountRefuseWithRetryAfterAndReset) {
    clock.Set(core::FromEpochMillis(1'800'000'000'000));  // a window boundary for 60 s windows
    for (int i = 1; i <= 3; ++i) EXPECT_TRUE(store.Hit("login:ip:1", 3, 60s, clock.Now()).allowed) << i;
    clock.Advance(15s);
    auto refused = store.Hit("login:ip:1", 3, 60s, clock.Now());
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.hits, 4);
    EXPECT_EQ(refused.retry_after, 45s);
    EXPECT_TRUE(store.Hit("login:ip:2", 3, 60s, clock.Now()).allowed);  // another bucket
    clock.Advance(45s);
    EXPECT_TRUE(store.Hit("login:ip:1", 3, 60s, clock.Now()).allowed);
    EXPECT_EQ(store.PurgeRateLimits(clock.Now()), 1);  // login:ip:2's window has ended
}

TEST_F(PanelStoreSuite, RateLimitsSurviveARestartAndAreSharedByInstances) {
    clock.Set(core::FromEpochMillis(1'800'000'000'000));
    for (int i = 0; i < 5; ++i) store.Hit("api:ip:9", 5, 60s, clock.Now());
    auto other = Reopen();
    PanelStore again(*other);
    auto d = again.Hit("api:ip:9", 5, 60s, clock.Now());
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.hits, 6);
}

TEST_F(PanelStoreSuite, ConcurrentHitsAreCountedExactly) {
    clock.Set(core::FromEpochMillis(1'800'000'000'000));
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                if (store.Hit("api:session:x", 60, 60s, clock.Now()).allowed) ++allowed;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(allowed.load(), 60);
}

TEST_F(PanelStoreSuite, AuditLogFiltersAndSettingChangesAreAudited) {
    store.Audit("security", UserId{1}, "login.succeeded", "", "discord", "127.0.0.1", clock.Now());
    store.Audit("security", std::nullopt, "login.refused", "", "not staff: 77", "10.0.0.1", clock.Now());
    store.SaveSetting("tickets.max_open_per_member", "5", "3", UserId{1}, "127.0.0.1", clock.Now());
    EXPECT_EQ(store.Settings().at("tickets.max_open_per_member"), "5");
    store.SaveSetting("tickets.max_open_per_member", "4", "5", UserId{1}, "127.0.0.1", clock.Now());
    EXPECT_EQ(store.Settings().at("tickets.max_open_per_member"), "4");

    EXPECT_EQ(store.AuditLog({}).size(), 4u);
    EXPECT_EQ(store.AuditLog({.kind = "security"}).size(), 2u);
    auto audit = store.AuditLog({.kind = "audit"});
    ASSERT_EQ(audit.size(), 2u);
    EXPECT_EQ(audit.front().detail, "5 -> 4");  // newest first
    EXPECT_EQ(audit.front().target, "tickets.max_open_per_member");
    EXPECT_EQ(store.AuditLog({.text = "refused"}).size(), 1u);
    EXPECT_FALSE(store.AuditLog({.text = "refused"}).front().actor);
    EXPECT_EQ(store.AuditLog({.actor = UserId{1}}).size(), 3u);
    auto page = store.AuditLog({.limit = 2});
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(store.AuditLog({.before_id = page.back().id}).size(), 2u);
}

TEST_F(PanelStoreSuite, UsersAreSearchedAndBlocked) {
    db->Write(core::Viewer::System(), [](Transaction& tx) {
        tx.sql() << "INSERT INTO users (id, display_name, locale, created_at) VALUES (111, 'Alice', 'fr', 1), "
                    "(222, 'Bob', 'en', 2)";
    });
    EXPECT_EQ(store.SearchUsers("ali", 10).size(), 1u);
    EXPECT_EQ(store.SearchUsers("222", 10).size(), 1u);
    EXPECT_EQ(store.SearchUsers("", 10).size(), 2u);
    EXPECT_FALSE(store.IsBlocked(UserId{111}));
    EXPECT_TRUE(store.SetBlocked(UserId{111}, true));
    EXPECT_TRUE(store.IsBlocked(UserId{111}));
    EXPECT_TRUE(store.FindUser(UserId{111})->blocked);
    EXPECT_FALSE(store.SetBlocked(UserId{333}, true));
    EXPECT_FALSE(store.FindUser(UserId{333}));
}

}  // namespace maxis::storage::panel_suite
