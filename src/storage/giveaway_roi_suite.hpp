#pragma once
// A giveaway's return through SQL: the scripted month of tests/support/roi_script.hpp written as member_events,
// orders and payments, and user_subscriptions rows, read back by SqlRoiSource as staff, on SQLite
// (giveaway_roi_test.cpp) and on PostgreSQL under row-level security (giveaway_roi_pgtest.cpp). The figures are
// the unit test's, so the SQL returns exactly the rows the rule needs: no fewer (a figure would be short) and none
// outside the window (the rule ignores them, but the count of rows read is checked too).
#include <gtest/gtest.h>
#include <soci/soci.h>

#include "domain/giveaways/giveaway_stats.hpp"
#include "storage/giveaway_roi_store.hpp"
#include "storage/giveaway_store.hpp"
#include "support/fake_clock.hpp"
#include "support/roi_script.hpp"

namespace maxis::storage::giveaway_suite {

// Defined by giveaway_store_test.cpp and giveaway_store_pgtest.cpp, in the same binaries.
std::unique_ptr<Database> MakeGiveawayDatabase(testing::FakeClock& clock);

namespace script = testing::roi_script;

class GiveawayRoiSuite : public ::testing::Test {
protected:
    class Everyone final : public giveaways::EntrantFactsSource {
    public:
        giveaways::MemberFacts Facts(core::UserId) override { return {}; }
    };

    GiveawayRoiSuite()
        : db(MakeGiveawayDatabase(clock)),
          repo(*db, clock),
          service(repo, facts, clock, giveaways::GiveawayOptions{.max_winners = 10}),
          roi(*db),
          stats(service, roi, clock, script::kPlanPrices) {
        clock.Set(core::FromEpochMillis(1'780'000'000'000));
    }

    /// Writes the script's rows at T0 + their offsets, as Maxis records them.
    void WriteScript(core::TimePoint t0) {
        db->Write(core::Viewer::System(), [&](Transaction& tx) {
            for (const auto& e : script::kEvents) {
                long long at = core::ToEpochMillis(t0 + e.at);
                std::string kind = e.joined ? "join" : "leave";
                tx.sql() << "INSERT INTO member_events (user_id, kind, at) VALUES (:u, :k, :t)", soci::use(e.user),
                    soci::use(kind), soci::use(at);
            }
            int n = 0;
            for (const auto& p : script::kPayments) {
                long long at = core::ToEpochMillis(t0 + p.at);
                std::string number = "2026-R" + std::to_string(++n), stripe = "pi_roi_" + std::to_string(n);
                std::string kind = p.amount_minor < 0 ? "refund" : "charge";
                long long total = p.amount_minor < 0 ? -p.amount_minor : p.amount_minor;
                tx.sql() << "INSERT INTO orders (number, user_id, status, total_minor, currency, created_at, "
                            "updated_at) VALUES (:n, :u, 'paid', :m, :c, :a, :b)",
                    soci::use(number), soci::use(p.user), soci::use(total), soci::use(p.currency), soci::use(at),
                    soci::use(at);
                long long order = 0;
                tx.sql() << "SELECT id FROM orders WHERE number = :n", soci::use(number), soci::into(order);
                tx.sql() << "INSERT INTO payments (order_id, user_id, kind, amount_minor, currency, stripe_id, at) "
                            "VALUES (:o, :u, :k, :a, :c, :s, :t)",
                    soci::use(order), soci::use(p.user), soci::use(kind), soci::use(p.amount_minor),
                    soci::use(p.currency), soci::use(stripe), soci::use(at);
            }
            for (const auto& p : script::kPlans) {
                long long at = core::ToEpochMillis(t0 + p.at);
                std::string kind = p.plan == "founder" ? "one_time" : "subscription";
                std::string status = p.revoked ? "revoked" : "active", ref = "roi_" + std::to_string(++n);
                tx.sql() << "INSERT INTO user_subscriptions (user_id, plan, kind, ref, status, observed_at, "
                            "created_at, updated_at) VALUES (:u, :p, :k, :r, :s, :o, :c, :d)",
                    soci::use(p.user), soci::use(p.plan), soci::use(kind), soci::use(ref), soci::use(status),
                    soci::use(at), soci::use(at), soci::use(at);
            }
            // A temporary grant (a giveaway's own prize, say) is not revenue.
            long long at = core::ToEpochMillis(t0 + std::chrono::days(3));
            tx.sql() << "INSERT INTO user_subscriptions (user_id, plan, kind, ref, status, observed_at, created_at, "
                        "updated_at) VALUES (1, 'pro', 'temporary', 'grant-roi', 'active', :o, :c, :d)",
                soci::use(at), soci::use(at), soci::use(at);
        });
    }

    const core::Viewer kStaff{core::UserId{9001}, core::Role::kStaff};
    testing::FakeClock clock;
    std::unique_ptr<Database> db;
    SqlGiveawayRepository repo;
    Everyone facts;
    giveaways::GiveawayService service;
    SqlRoiSource roi;
    giveaways::GiveawayStatsService stats;
};

TEST_F(GiveawayRoiSuite, TheScriptedMonthGivesTheSameFiguresThroughSql) {
    auto t0 = clock.Now();
    auto g =
        service.Start(kStaff, giveaways::StartRequest{.duration = script::kDuration, .winners = 1, .prize = "Nitro"});
    service.SetPrizeCost(kStaff, g.id, script::kCostCents);
    WriteScript(t0);
    clock.Set(t0 + std::chrono::days(45));

    // The rows: every event in the window (not user 3's earlier join nor user 5's later one), and only the money
    // of those who joined in it (not user 3's), the temporary grant left out.
    auto [from, to] = giveaways::RoiWindow(service.Get(kStaff, g.id).giveaway);
    auto rows = roi.Rows(kStaff, from, to);
    EXPECT_EQ(rows.events.size(), 6u);
    EXPECT_EQ(rows.payments.size(), 5u);  // user 1's two (not day 33's), user 6's, user 4's two
    EXPECT_EQ(rows.plans.size(), 2u);

    auto s = stats.Stats(kStaff, g.id);
    EXPECT_FALSE(s.open);
    EXPECT_EQ(s.joined, script::kExpectedJoined);
    EXPECT_EQ(s.left, script::kExpectedLeft);
    EXPECT_EQ(s.gained, script::kExpectedJoined - script::kExpectedLeft);
    EXPECT_EQ(s.paying, script::kExpectedPaying);
    EXPECT_EQ(s.shop_minor, script::kExpectedShop);
    EXPECT_EQ(s.plans_minor, script::kExpectedPlans);
    EXPECT_EQ(s.net_minor, script::kExpectedShop + script::kExpectedPlans - script::kCostCents);
    EXPECT_EQ(s.days.size(), 33u);

    // While the window is open, only what happened so far.
    clock.Set(t0 + std::chrono::days(10));
    auto so_far = stats.Stats(kStaff, g.id);
    EXPECT_TRUE(so_far.open);
    EXPECT_EQ(so_far.joined, 3);
    EXPECT_EQ(so_far.shop_minor, 1000);
}

}  // namespace maxis::storage::giveaway_suite
