#pragma once
// Plans' store and the metered assistant, run on SQLite (plan_store_test.cpp) and on PostgreSQL through
// the login role with row-level security (plan_store_pgtest.cpp). Each file defines MakePlanDatabase().
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "core/errors.hpp"
#include "domain/plans/assistant.hpp"
#include "storage/plan_store.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage::plan_suite {

using namespace std::chrono_literals;
using core::Role;
using core::UserId;
using core::Viewer;
using plans::EventOutcome;
using plans::GrantEnd;
using plans::GrantStatus;

std::unique_ptr<Database> MakePlanDatabase(testing::FakeClock& clock, int pool);

inline const Viewer kAlice{UserId{3001}, Role::kMember};
inline const Viewer kStaff{UserId{9001}, Role::kStaff};

inline plans::PlanCatalog TestCatalog() {
    using plans::Billing;
    return plans::PlanCatalog({
        {.id = "free", .rank = 0, .entitlements = {.messages_per_day = 10}},
        {.id = "founder",
         .rank = 1,
         .billing = Billing::kOneTime,
         .price_id = "price_founder",
         .price_minor = 14900,
         .role_id = "r-founder",
         .entitlements = {.messages_per_day = 500, .image_input = true, .priority_support = true}},
        {.id = "pro",
         .rank = 2,
         .billing = Billing::kMonthly,
         .price_id = "price_pro",
         .price_minor = 999,
         .role_id = "r-pro",
         .entitlements = {.messages_per_day = 500, .image_input = true, .priority_support = true}},
        {.id = "ultra",
         .rank = 3,
         .billing = Billing::kMonthly,
         .price_id = "price_ultra",
         .price_minor = 1999,
         .role_id = "r-ultra",
         .entitlements = {.messages_per_day = plans::kUnlimited,
                          .image_input = true,
                          .image_generation = true,
                          .images_per_day = 2,
                          .private_channel = true,
                          .priority_support = true}},
    });
}

/// A model that answers with the question's length, or fails on demand (counts its calls).
class EchoModel final : public plans::LanguageModel {
public:
    [[nodiscard]] bool configured() const override { return on; }
    std::string Chat(const std::vector<plans::ChatMessage>& messages) override {
        ++calls;
        last = messages;
        if (fail) throw core::Error(core::ErrorCode::kUnavailable, "down");
        return "echo: " + messages.back().text;
    }
    std::string Image(const std::string&) override {
        ++calls;
        if (fail) throw core::Error(core::ErrorCode::kUnavailable, "down");
        return "https://images.example/1.png";
    }
    bool on = true;
    std::atomic<bool> fail{false};
    std::atomic<int> calls{0};
    std::vector<plans::ChatMessage> last;
};

/// A provider that takes every promotion (its code from the percent), so that promotions can be created.
class PromotionBilling final : public plans::BillingGateway {
public:
    [[nodiscard]] bool configured() const override { return true; }
    std::string CreatePlanCheckout(const PlanCheckout&) override { return {}; }
    std::string PortalUrl(const std::string&, const std::string&) override { return {}; }
    void CreatePromotion(plans::Promotion& p, const plans::Plan& plan) override {
        p.code = "PRO" + std::to_string(p.percent_off);
        p.coupon_id = "co_" + plan.id;
        p.promotion_code_id = "promo_" + plan.id;
    }
    void ExpirePromotion(const plans::Promotion&) override {}
};

class PlanSuite : public ::testing::Test {
protected:
    explicit PlanSuite(int pool = 4)
        : catalog(TestCatalog()),
          zone(core::TimeZone::Load("Europe/Paris")),
          db(MakePlanDatabase(clock, pool)),
          repo(*db, clock),
          service(catalog, repo, billing, clock, zone, plans::PlanOptions{.staff_role_ids = {"r-staff"}}),
          assistant(service, repo, model, zone, plans::AssistantOptions{.per_minute = 1000}) {}

    plans::SubscriptionState Sub(const std::string& plan, const std::string& status, core::TimePoint end,
                                 bool cancel = false) {
        return plans::SubscriptionState{.id = "sub_1",
                                        .customer = "cus_1",
                                        .user = kAlice.user_id,
                                        .plan = plan,
                                        .status = status,
                                        .period_end = end,
                                        .cancel_at_period_end = cancel};
    }
    EventOutcome Sync(const std::string& event, const plans::SubscriptionState& s, core::TimePoint observed,
                      bool failed = false) {
        return service.OnSubscription({event, "customer.subscription.updated"}, s, observed,
                                      plans::SyncOptions{.payment_failed = failed});
    }
    /// The usage counter primitives, each in a transaction of its own.
    bool TryUse(UserId user, const std::string& day, const std::string& kind, int limit) {
        bool counted = false;
        repo.Write(Viewer::System(), [&](plans::PlanStore& s) { counted = s.TryUse(user, day, kind, limit); });
        return counted;
    }
    int Used(UserId user, const std::string& day, const std::string& kind) {
        int used = 0;
        repo.Read(Viewer::System(), [&](plans::PlanStore& s) { used = s.Used(user, day, kind); });
        return used;
    }
    std::vector<plans::Grant> Grants(UserId user) { return service.StandingOf(user).grants; }
    /// Outbox items of a channel (role items as "+role"/"-role", notices by key, channels by name).
    std::vector<std::string> Outbox(const std::string& channel) {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            std::vector<std::string> out;
            soci::rowset<soci::row> rows =
                (tx.sql().prepare << "SELECT payload FROM outbox WHERE channel = :c ORDER BY id", soci::use(channel));
            for (const auto& r : rows) {
                auto p = boost::json::parse(r.get<std::string>(0)).as_object();
                if (channel == "discord.role") {
                    out.push_back(std::string(p.at("grant").as_bool() ? "+" : "-") +
                                  std::string(p.at("role").as_string()));
                } else if (p.contains("key")) {
                    out.push_back(std::string(p.at("key").as_string()));
                } else if (p.contains("name")) {
                    out.push_back(std::string(p.at("name").as_string()));
                } else {
                    out.push_back(std::string(p.at("resource").as_string()));
                }
            }
            return out;
        });
    }
    std::string PlanOf(const Viewer& v) { return service.StandingOf(v.user_id).plan->id; }

    testing::FakeClock clock;
    plans::PlanCatalog catalog;
    core::TimeZone zone;
    std::unique_ptr<Database> db;
    SqlPlanRepository repo;
    PromotionBilling billing;
    plans::PlanService service;
    EchoModel model;
    plans::Assistant assistant;
};

TEST_F(PlanSuite, SubscriptionLifecycleKeepsTheRoleAndNeverGoesBackInTime) {
    auto t0 = clock.Now();
    auto month = t0 + 30 * 24h;
    EXPECT_EQ(Sync("evt_1", Sub("pro", "active", month), t0), EventOutcome::kApplied);
    EXPECT_EQ(PlanOf(kAlice), "pro");
    EXPECT_EQ(Outbox("discord.role"), (std::vector<std::string>{"+r-pro"}));
    // The same event again changes nothing.
    EXPECT_EQ(Sync("evt_1", Sub("pro", "active", month), t0), EventOutcome::kDuplicate);
    // A renewal extends the period.
    clock.Advance(1h);
    auto month2 = month + 30 * 24h;
    EXPECT_EQ(Sync("evt_2", Sub("pro", "active", month2), clock.Now()), EventOutcome::kApplied);
    EXPECT_EQ(Grants(kAlice.user_id).front().period_end, month2);
    // An older observation arriving late is recorded but changes nothing.
    EXPECT_EQ(Sync("evt_old", Sub("pro", "canceled", month), t0 + 1min), EventOutcome::kIgnored);
    EXPECT_EQ(PlanOf(kAlice), "pro");
    // Upgrade to Ultra: roles swap, the private channel is created.
    clock.Advance(1h);
    EXPECT_EQ(Sync("evt_3", Sub("ultra", "active", month2), clock.Now()), EventOutcome::kApplied);
    EXPECT_EQ(Outbox("discord.role"), (std::vector<std::string>{"+r-pro", "+r-ultra", "-r-pro"}));
    EXPECT_EQ(Outbox("discord.channel").size(), 1u);
    // Cancel at period end: access kept, the member told when it ends.
    clock.Advance(1h);
    EXPECT_EQ(Sync("evt_4", Sub("ultra", "active", month2, true), clock.Now()), EventOutcome::kApplied);
    EXPECT_EQ(PlanOf(kAlice), "ultra");
    auto notices = Outbox("notify.member");
    EXPECT_EQ(notices.back(), "plans.notify.canceling");
    // Deleted at the end of the period: Free, role revoked, channel archived.
    clock.Advance(1h);
    EXPECT_EQ(Sync("evt_5", Sub("ultra", "canceled", month2, true), clock.Now()), EventOutcome::kApplied);
    EXPECT_EQ(PlanOf(kAlice), "free");
    EXPECT_EQ(Outbox("discord.role").back(), "-r-ultra");
    EXPECT_EQ(Outbox("discord.channel_archive").size(), 1u);
    EXPECT_EQ(Outbox("notify.member").back(), "plans.notify.ended");
    EXPECT_TRUE(service.DesiredRoles().empty());
}

TEST_F(PlanSuite, FailedRenewalKeepsThePlanThroughTheGraceThenDowngrades) {
    auto end = clock.Now() + 24h;
    Sync("evt_a", Sub("pro", "active", end), clock.Now());
    clock.Advance(25h);
    EXPECT_EQ(Sync("evt_fail", Sub("pro", "past_due", end), clock.Now(), true), EventOutcome::kApplied);
    auto g = Grants(kAlice.user_id).front();
    EXPECT_EQ(g.status, GrantStatus::kPastDue);
    ASSERT_TRUE(g.grace_until);
    EXPECT_EQ(*g.grace_until, clock.Now() + 72h);
    EXPECT_EQ(PlanOf(kAlice), "pro");
    EXPECT_EQ(Outbox("notify.member").back(), "plans.notify.payment_failed");
    // A second failure does not push the grace period back.
    clock.Advance(24h);
    Sync("evt_fail2", Sub("pro", "past_due", end), clock.Now(), true);
    EXPECT_EQ(*Grants(kAlice.user_id).front().grace_until, g.grace_until);
    // The bank asks the member to confirm (3-D Secure): same grace, and the notice links to the invoice.
    service.OnSubscription({"evt_sca", "invoice.payment_action_required"}, Sub("pro", "past_due", end), clock.Now(),
                           plans::SyncOptions{.payment_failed = true, .confirm_url = "https://invoice.stripe.com/i/1"});
    EXPECT_EQ(*Grants(kAlice.user_id).front().grace_until, g.grace_until);
    EXPECT_EQ(Outbox("notify.member").back(), "plans.notify.payment_action");
    auto link = db->Read(Viewer::System(), [&](Transaction& tx) {
        std::string payload;
        tx.sql() << "SELECT payload FROM outbox WHERE channel = 'notify.member' ORDER BY id DESC LIMIT 1",
            soci::into(payload);
        return boost::json::parse(payload).at("link");
    });
    EXPECT_EQ(link.at("url"), "https://invoice.stripe.com/i/1");
    EXPECT_EQ(link.at("key"), "plans.button.confirm_payment");
    EXPECT_EQ(service.Sweep(), 0);
    clock.Advance(49h);
    EXPECT_EQ(PlanOf(kAlice), "free");  // out of grace, even before the sweep
    EXPECT_EQ(service.Sweep(), 1);
    EXPECT_EQ(Grants(kAlice.user_id).front().status, GrantStatus::kEnded);
    EXPECT_EQ(Outbox("discord.role"), (std::vector<std::string>{"+r-pro", "-r-pro"}));
    EXPECT_EQ(Outbox("notify.member").back(), "plans.notify.ended");
    EXPECT_EQ(service.Sweep(), 0);
}

TEST_F(PlanSuite, FounderIsPermanentUntilRefundedAndARevocationWaitsForItsPayment) {
    EXPECT_EQ(service.OnOneTimeRevoked({"evt_r0", "charge.refunded"}, "pi_f", GrantEnd::kRefunded, ""),
              EventOutcome::kRetryLater);
    EXPECT_EQ(service.OnOneTimePaid({"evt_p", "checkout.session.completed"}, kAlice.user_id, "founder", "pi_f", "cus_f",
                                    std::nullopt),
              EventOutcome::kApplied);
    clock.Advance(24h * 3650);
    EXPECT_EQ(PlanOf(kAlice), "founder");
    EXPECT_EQ(service.StandingOf(kAlice.user_id).entitlements.messages_per_day, 500);
    EXPECT_EQ(service.CustomerOf(kAlice.user_id), "cus_f");
    EXPECT_EQ(service.OnOneTimeRevoked({"evt_r0", "charge.refunded"}, "pi_f", GrantEnd::kRefunded, ""),
              EventOutcome::kApplied);
    EXPECT_EQ(PlanOf(kAlice), "free");
    EXPECT_EQ(Grants(kAlice.user_id).front().end, GrantEnd::kRefunded);
    EXPECT_EQ(Outbox("discord.role"), (std::vector<std::string>{"+r-founder", "-r-founder"}));
    EXPECT_EQ(service.OnOneTimeRevoked({"evt_d", "charge.dispute.created"}, "pi_f", GrantEnd::kDisputed, "fraudulent"),
              EventOutcome::kIgnored);
}

TEST_F(PlanSuite, TemporaryGrantEndsOnItsDateAndRejoinRestoresRoles) {
    auto g = service.GrantTemporary(kStaff, kAlice.user_id, "ultra", 48h, "giveaway");
    EXPECT_EQ(g.expires_at, clock.Now() + 48h);
    EXPECT_EQ(PlanOf(kAlice), "ultra");
    EXPECT_EQ(service.RestoreRoles(kAlice.user_id), 1);
    EXPECT_EQ(Outbox("discord.role"), (std::vector<std::string>{"+r-ultra", "+r-ultra"}));
    EXPECT_THROW(service.GrantTemporary(kAlice, kAlice.user_id, "ultra", 48h, ""), core::Error);
    clock.Advance(49h);
    EXPECT_EQ(service.Sweep(), 1);
    EXPECT_EQ(PlanOf(kAlice), "free");
    EXPECT_EQ(Outbox("discord.role").back(), "-r-ultra");
    auto ended = Grants(kAlice.user_id).front();
    EXPECT_EQ(ended.end, GrantEnd::kTerm);
    EXPECT_EQ(ended.note, "giveaway");
    EXPECT_EQ(ended.granted_by, kStaff.user_id);
    EXPECT_FALSE(ended.ended_by.has_value());
}

TEST_F(PlanSuite, ARevokedGrantKeepsItsReasonAndWhoGaveAndTookIt) {
    auto g = service.GrantTemporary(kStaff, kAlice.user_id, "pro", 48h, "concours de novembre");
    service.RevokeTemporary(kStaff, kAlice.user_id, g.id, "gagnant disqualifié");
    auto stored = Grants(kAlice.user_id).front();
    EXPECT_EQ(stored.status, GrantStatus::kRevoked);
    EXPECT_EQ(stored.note, "concours de novembre");
    EXPECT_EQ(stored.granted_by, kStaff.user_id);
    EXPECT_EQ(stored.end, GrantEnd::kRevoked);
    EXPECT_EQ(stored.ended_by, kStaff.user_id);
    EXPECT_EQ(stored.end_note, "gagnant disqualifié");
}

TEST_F(PlanSuite, OldGrantNotesSplitIntoReasonAndWhoOnlyWhenFixedAndOthersAreLeftAlone) {
    // Three members' grants, two rows then put back as the code before migration 0011 wrote them.
    const UserId a_user{3001}, b_user{3002}, c_user{3003};
    auto a = service.GrantTemporary(kStaff, a_user, "pro", 48h, "concours");
    auto b = service.GrantTemporary(kStaff, b_user, "pro", 48h, "quiz");
    auto c = service.GrantTemporary(kStaff, c_user, "pro", 48h, "raison d'aujourd'hui");
    auto old = [&](long long id, const std::string& note, const std::string& status) {
        db->Write(Viewer::System(), [&](Transaction& tx) {
            tx.sql() << "UPDATE user_subscriptions SET note = :n, status = :s, granted_by = NULL, ended_by = NULL, "
                        "end_cause = '', end_note = '' WHERE id = :id",
                soci::use(note), soci::use(status), soci::use(id);
        });
    };
    old(a.id, "granted by 9001", "active");
    old(b.id, "quiz du lundi · revoked by 9002: gagnant disqualifié", "revoked");
    auto notes = [&] {
        return Grants(a_user).front().note + "|" + Grants(b_user).front().note + "|" + Grants(c_user).front().note;
    };
    auto before = notes();
    auto listed = FixOldGrantNotes(*db, false);
    ASSERT_EQ(listed.size(), 2u) << (listed.empty() ? "" : listed[0].note) << " / " << notes();
    EXPECT_EQ(listed[0].id, a.id);
    EXPECT_EQ(listed[0].split.granted_by, kStaff.user_id);
    EXPECT_EQ(listed[1].split.note, "quiz du lundi");
    EXPECT_EQ(notes(), before);  // the dry run changed nothing
    EXPECT_EQ(FixOldGrantNotes(*db, true).size(), 2u);
    auto ga = Grants(a_user).front();
    EXPECT_EQ(ga.note, "");
    EXPECT_EQ(ga.granted_by, kStaff.user_id);
    EXPECT_EQ(ga.end, GrantEnd::kNone);
    auto gb = Grants(b_user).front();
    EXPECT_EQ(gb.note, "quiz du lundi");
    EXPECT_EQ(gb.granted_by, std::nullopt);
    EXPECT_EQ(gb.end, GrantEnd::kRevoked);
    EXPECT_EQ(gb.ended_by, UserId{9002});
    EXPECT_EQ(gb.end_note, "gagnant disqualifié");
    auto gc = Grants(c_user).front();
    EXPECT_EQ(gc.id, c.id);
    EXPECT_EQ(gc.note, "raison d'aujourd'hui");
    EXPECT_EQ(gc.granted_by, kStaff.user_id);
    EXPECT_TRUE(FixOldGrantNotes(*db, false).empty());  // done once, nothing left to change
}

TEST_F(PlanSuite, TenConcurrentMessagesWithNineOfTenUsedAnswerExactlyOne) {
    auto day = assistant.DayOf(clock.Now());
    for (int i = 0; i < 9; ++i) ASSERT_TRUE(TryUse(kAlice.user_id, day, "message", 10));
    std::atomic<int> answered{0}, exhausted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 10; ++i) {
        threads.emplace_back([&] {
            auto a = assistant.Ask(kAlice.user_id, "hello", {});
            if (a.kind == plans::AnswerKind::kAnswered) ++answered;
            if (a.kind == plans::AnswerKind::kQuotaExhausted) ++exhausted;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(answered.load(), 1);
    EXPECT_EQ(exhausted.load(), 9);
    EXPECT_EQ(model.calls.load(), 1);
    EXPECT_EQ(Used(kAlice.user_id, day, "message"), 10);
    auto a = assistant.Ask(kAlice.user_id, "again", {});
    EXPECT_EQ(a.kind, plans::AnswerKind::kQuotaExhausted);
    EXPECT_EQ(a.upgrade, "pro");  // the first monthly plan with more messages
}

TEST_F(PlanSuite, QuotaResetsAtLocalMidnightAcrossDaylightSavingChanges) {
    // Paris: summer time ends on 2026-10-25 at 03:00 CEST (01:00 UTC); that day lasts 25 hours.
    auto paris = [&](int y, unsigned m, unsigned d, int h, int min) {
        return zone.FromLocal(core::LocalTime(
            std::chrono::local_days(
                std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)))
                .time_since_epoch() +
            std::chrono::hours(h) + std::chrono::minutes(min)));
    };
    auto use_all = [&] {
        for (int i = 0; i < 10; ++i)
            ASSERT_EQ(assistant.Ask(kAlice.user_id, "q", {}).kind, plans::AnswerKind::kAnswered);
        ASSERT_EQ(assistant.Ask(kAlice.user_id, "q", {}).kind, plans::AnswerKind::kQuotaExhausted);
    };
    clock.Set(paris(2026, 10, 24, 23, 50));
    use_all();
    clock.Set(paris(2026, 10, 25, 0, 1));  // a new local day: 22:01 UTC on the 24th
    EXPECT_EQ(assistant.UsageOf(kAlice.user_id).messages, 0);
    use_all();
    clock.Set(paris(2026, 10, 25, 23, 59));  // 24 h 58 min later in UTC, still the same local day
    EXPECT_EQ(assistant.Ask(kAlice.user_id, "q", {}).kind, plans::AnswerKind::kQuotaExhausted);
    clock.Set(paris(2026, 10, 26, 0, 0));
    EXPECT_EQ(assistant.Ask(kAlice.user_id, "q", {}).kind, plans::AnswerKind::kAnswered);
    // Spring forward (2026-03-29, a 23-hour day): 23:30 local on the 28th and 00:30 on the 29th differ.
    clock.Set(paris(2026, 3, 28, 23, 30));
    use_all();
    clock.Set(paris(2026, 3, 29, 3, 30));  // 02:30 does not exist that night
    EXPECT_EQ(assistant.Ask(kAlice.user_id, "q", {}).kind, plans::AnswerKind::kAnswered);
    EXPECT_EQ(assistant.DayOf(clock.Now()), "2026-03-29");
}

TEST_F(PlanSuite, FailuresCountNothingAndMemoryIsShort) {
    model.on = false;
    EXPECT_EQ(assistant.Ask(kAlice.user_id, "hi", {}).kind, plans::AnswerKind::kNoProvider);
    model.on = true;
    model.fail = true;
    EXPECT_EQ(assistant.Ask(kAlice.user_id, "hi", {}).kind, plans::AnswerKind::kFailed);
    EXPECT_EQ(assistant.UsageOf(kAlice.user_id).messages, 0);
    model.fail = false;
    EXPECT_EQ(assistant.Ask(kAlice.user_id, std::string(2001, 'x'), {}).kind, plans::AnswerKind::kTooLong);
    // Free members may not attach images; Pro may.
    auto image = assistant.Ask(kAlice.user_id, "look", {"https://cdn.example/a.png"});
    EXPECT_EQ(image.kind, plans::AnswerKind::kNotInPlan);
    EXPECT_EQ(image.upgrade, "pro");
    EXPECT_EQ(assistant.UsageOf(kAlice.user_id).messages, 0);
    for (int i = 0; i < 5; ++i) assistant.Ask(kAlice.user_id, "q" + std::to_string(i), {});
    // The last three turns (6 messages) go with the next question, oldest first.
    assistant.Ask(kAlice.user_id, "last", {});
    ASSERT_EQ(model.last.size(), 7u);
    EXPECT_EQ(model.last[0].text, "q2");
    EXPECT_EQ(model.last[6].text, "last");
    clock.Advance(31min);
    assistant.Ask(kAlice.user_id, "later", {});
    EXPECT_EQ(model.last.size(), 1u);  // memory older than 30 minutes is not sent
    EXPECT_EQ(assistant.Imagine(kAlice.user_id, "a cat").kind, plans::AnswerKind::kNotInPlan);
}

TEST_F(PlanSuite, UltraImagesHaveTheirOwnDailyLimit) {
    Sync("evt_u", Sub("ultra", "active", clock.Now() + 30 * 24h), clock.Now());
    EXPECT_EQ(assistant.Imagine(kAlice.user_id, "a cat").kind, plans::AnswerKind::kAnswered);
    EXPECT_EQ(assistant.Imagine(kAlice.user_id, "a dog").kind, plans::AnswerKind::kAnswered);
    EXPECT_EQ(assistant.Imagine(kAlice.user_id, "a bird").kind, plans::AnswerKind::kQuotaExhausted);
    for (int i = 0; i < 30; ++i) ASSERT_EQ(assistant.Ask(kAlice.user_id, "q", {}).kind, plans::AnswerKind::kAnswered);
    EXPECT_EQ(assistant.UsageOf(kAlice.user_id).images, 2);
    EXPECT_EQ(assistant.UsageOf(kAlice.user_id).messages, 30);  // unlimited, and still counted
    EXPECT_EQ(assistant.UsageOf(kAlice.user_id).messages_limit, plans::kUnlimited);
}

TEST_F(PlanSuite, UsagePerDaySumsMembersAndSurvivesThePurgeOfRateWindows) {
    const Viewer bob{UserId{3002}, Role::kMember};
    auto today = assistant.DayOf(clock.Now());
    for (int i = 0; i < 3; ++i) ASSERT_EQ(assistant.Ask(kAlice.user_id, "q", {}).kind, plans::AnswerKind::kAnswered);
    ASSERT_EQ(assistant.Ask(bob.user_id, "q", {}).kind, plans::AnswerKind::kAnswered);
    // A failed answer gives its use back: it is not in the day's total.
    model.fail = true;
    ASSERT_EQ(assistant.Ask(bob.user_id, "q", {}).kind, plans::AnswerKind::kFailed);
    model.fail = false;
    clock.Advance(24h);
    ASSERT_EQ(assistant.Ask(bob.user_id, "q", {}).kind, plans::AnswerKind::kAnswered);
    auto tomorrow = assistant.DayOf(clock.Now());

    auto days = service.UsagePerDay(today);
    ASSERT_EQ(days.size(), 2u);
    EXPECT_EQ(days[0].day, today);
    EXPECT_EQ(std::vector<long long>({days[0].messages, days[0].images, days[0].members}),
              (std::vector<long long>{4, 0, 2}));
    EXPECT_EQ(std::vector<long long>({days[1].messages, days[1].images, days[1].members}),
              (std::vector<long long>{1, 0, 1}));
    EXPECT_EQ(service.UsagePerDay(tomorrow).size(), 1u);

    // Two days on: turns and rate windows go, daily counters stay until their own cutoff.
    clock.Advance(72h);
    auto rows = [&](const std::string& where) {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            int n = 0;
            tx.sql() << "SELECT COUNT(*) FROM " + where, soci::into(n);
            return n;
        });
    };
    ASSERT_GT(rows("assistant_usage WHERE kind = 'rate'"), 0);
    ASSERT_GT(rows("assistant_turns"), 0);
    EXPECT_GT(service.Purge(), 0);
    EXPECT_EQ(rows("assistant_usage WHERE kind = 'rate'"), 0);
    EXPECT_EQ(rows("assistant_turns"), 0);
    EXPECT_EQ(service.UsagePerDay(today).size(), 2u);
    clock.Advance(366 * 24h);  // a year on, the daily counters go too
    service.Purge();
    EXPECT_TRUE(service.UsagePerDay(today).empty());
}

TEST_F(PlanSuite, PromotionsApplyUntilTheyExpireAndCountTheirUses) {
    auto saved = service.CreatePromotion(kStaff, 20, "pro", 48h);
    EXPECT_GT(saved.id, 0);
    EXPECT_EQ(Outbox("notify.staff"), (std::vector<std::string>{"plans.notify.promotion"}));
    EXPECT_EQ(service.ActivePromotion("pro")->code, "PRO20");
    EXPECT_FALSE(service.ActivePromotion("ultra"));
    service.OnSubscription({"evt_p1", "checkout.session.completed"}, Sub("pro", "active", clock.Now() + 30 * 24h),
                           clock.Now(), plans::SyncOptions{.promotion = saved.id});
    service.OnSubscription({"evt_p1", "checkout.session.completed"}, Sub("pro", "active", clock.Now() + 30 * 24h),
                           clock.Now(), plans::SyncOptions{.promotion = saved.id});
    EXPECT_EQ(service.Promotions(10).front().uses, 1);
    clock.Advance(48h);
    EXPECT_FALSE(service.ActivePromotion("pro"));
    auto counts = service.CountSubscribers(clock.Now()).plans;
    auto pro = std::find_if(counts.begin(), counts.end(), [](const auto& c) { return c.plan == "pro"; });
    EXPECT_EQ(pro->members, 1);
    EXPECT_EQ(pro->mrr_minor, 999);
}

TEST_F(PlanSuite, SubscribersCountEachMemberOncePerPlanWithTheirState) {
    auto sub = [&](long long user, const std::string& id, const std::string& plan, bool cancel) {
        return plans::SubscriptionState{.id = id,
                                        .customer = "cus_" + id,
                                        .user = UserId{user},
                                        .plan = plan,
                                        .status = "active",
                                        .period_end = clock.Now() + 30 * 24h,
                                        .cancel_at_period_end = cancel};
    };
    // Alice: Pro, renewing, plus a temporary Pro grant (a prize): one member, one monthly price.
    Sync("evt_a", sub(3001, "sub_a", "pro", false), clock.Now());
    service.GrantTemporary(kStaff, UserId{3001}, "pro", 24h, "prize");
    // Bob: Pro, cancelled at the period's end: a member, not revenue.
    Sync("evt_b", sub(3002, "sub_b", "pro", true), clock.Now());
    // Chloé: Pro, her renewal failed: still a member (grace), still counted in revenue.
    Sync("evt_c", sub(3003, "sub_c", "pro", false), clock.Now());
    auto failed = sub(3003, "sub_c", "pro", false);
    failed.status = "past_due";
    Sync("evt_c2", failed, clock.Now() + 1s, true);
    // Dan: Ultra only as a prize. Eve: Ultra that ended. Founder bought once, by Alice too.
    service.GrantTemporary(kStaff, UserId{3004}, "ultra", 24h, "prize");
    Sync("evt_e", sub(3005, "sub_e", "ultra", false), clock.Now());
    auto ended = sub(3005, "sub_e", "ultra", false);
    ended.status = "canceled";
    Sync("evt_e2", ended, clock.Now() + 1s);
    service.OnOneTimePaid({"evt_f", "checkout.session.completed"}, UserId{3006}, "founder", "pi_f", "cus_f",
                          std::nullopt);
    service.OnOneTimePaid({"evt_fa", "checkout.session.completed"}, UserId{3001}, "founder", "pi_fa", "cus_a",
                          std::nullopt);

    auto all = service.CountSubscribers(clock.Now() + 2s);
    auto& counts = all.plans;
    std::map<std::string, plans::PlanCount> by;
    for (const auto& c : counts) by[c.plan] = c;
    ASSERT_EQ(counts.size(), 3u);  // every plan sold, Free left out, in the catalog's order
    EXPECT_EQ(counts[0].plan, "founder");
    auto row = [](const plans::PlanCount& c) {
        return std::vector<long long>{c.members, c.past_due, c.cancelling, c.granted, c.mrr_minor};
    };
    EXPECT_EQ(row(by["pro"]), (std::vector<long long>{3, 1, 1, 0, 2 * 999}));
    EXPECT_EQ(row(by["ultra"]), (std::vector<long long>{1, 0, 0, 1, 0}));
    EXPECT_EQ(row(by["founder"]), (std::vector<long long>{2, 0, 0, 0, 0}));
    EXPECT_EQ(by["pro"].currency, "EUR");
    // Distinct members: Alice, Bob, Chloé, Dan and the Founder buyer; Dan's plan is only a prize.
    EXPECT_EQ(all.members, 5);
    EXPECT_EQ(all.paying, 4);
}

TEST_F(PlanSuite, MembersAtRebuildsWhoHeldEachPlanOverTime) {
    auto t0 = clock.Now();
    Sync("evt_h1", Sub("pro", "active", t0 + 30 * 24h), t0);
    clock.Advance(24h);
    service.GrantTemporary(kStaff, UserId{3002}, "ultra", 24h, "prize");
    service.GrantTemporary(kStaff, kAlice.user_id, "pro", 5 * 24h, "prize");  // overlaps her subscription
    clock.Advance(48h);
    Sync("evt_h2", Sub("pro", "canceled", t0 + 30 * 24h), clock.Now());  // ended at t0 + 3 days
    clock.Advance(96h);
    service.Sweep();
    std::vector<core::TimePoint> moments = {t0 - 1h, t0 + 1h, t0 + 25h, t0 + 49h, t0 + 73h, t0 + 7 * 24h};
    auto held = service.MembersAt(moments);
    EXPECT_EQ(held["pro"], (std::vector<int>{0, 1, 1, 1, 1, 0}));  // once, though two grants overlap
    EXPECT_EQ(held["ultra"], (std::vector<int>{0, 0, 1, 0, 0, 0}));
    EXPECT_EQ(held["founder"], (std::vector<int>(6, 0)));
    EXPECT_FALSE(held.contains("free"));
}

TEST_F(PlanSuite, AMembersTransactionReadsOnlyTheirOwnRows) {
    const Viewer bob{UserId{3002}, Role::kMember};
    Sync("evt_v", Sub("pro", "active", clock.Now() + 24h), clock.Now());
    ASSERT_TRUE(TryUse(kAlice.user_id, "2026-01-01", "message", 10));
    std::size_t alice_sees = 0, bob_sees = 99, bob_live = 99;
    int bob_used = -1;
    std::optional<std::string> bob_customer;
    repo.Read(kAlice, [&](plans::PlanStore& s) { alice_sees = s.GrantsOf(kAlice.user_id).size(); });
    repo.Read(bob, [&](plans::PlanStore& s) {
        bob_sees = s.GrantsOf(kAlice.user_id).size();
        bob_live = s.LiveGrants().size();
        bob_used = s.Used(kAlice.user_id, "2026-01-01", "message");
        bob_customer = s.CustomerOf(kAlice.user_id);
    });
    EXPECT_EQ(alice_sees, 1u);
    EXPECT_EQ(bob_sees, 0u);
    EXPECT_EQ(bob_live, 0u);
    EXPECT_EQ(bob_used, 0);
    EXPECT_FALSE(bob_customer);
}

}  // namespace maxis::storage::plan_suite
