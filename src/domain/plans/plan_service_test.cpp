// Plans' rules on an in-memory store: the ordering of the provider's states, grace periods, one-time and
// temporary grants, the sweep, and what follows from a change of standing (roles, Ultra's channel, notices).
#include "domain/plans/plan_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <tuple>

#include "core/errors.hpp"
#include "support/fake_clock.hpp"

namespace maxis::plans {
namespace {

using namespace std::chrono_literals;
using core::UserId;
using core::Viewer;
using plans::GrantEnd;

const UserId kAlice{3001};
const Viewer kStaff{UserId{9001}, core::Role::kStaff};

/// Everything the store holds; a transaction works on a copy that replaces it only when the work returns.
struct State {
    std::vector<StoredGrant> grants;
    long long next_grant = 1;
    std::map<long long, std::string> names;
    std::map<long long, std::pair<std::string, bool>> channels;  // resource, open
    std::vector<Promotion> promotions;
    std::map<std::tuple<long long, std::string, std::string>, int> usage;
    std::vector<std::pair<long long, Turn>> turns;
    std::map<std::string, std::string> events;  // id: outcome
    std::vector<scheduling::NewOutboxItem> outbox;
};

class MemoryStore final : public PlanStore {
public:
    MemoryStore(State& s, const Viewer& viewer) : s_(s), viewer_(viewer) {}

    std::vector<Grant> GrantsOf(UserId user) override {
        std::vector<Grant> out;
        for (auto it = s_.grants.rbegin(); it != s_.grants.rend(); ++it) {
            if (it->grant.user == user && Sees(user)) out.push_back(it->grant);
        }
        return out;
    }
    std::optional<StoredGrant> FindGrant(GrantKind kind, const std::string& ref) override {
        for (const auto& g : s_.grants) {
            if (g.grant.kind == kind && g.grant.ref == ref) return g;
        }
        return std::nullopt;
    }
    void SaveGrant(const Grant& grant, core::TimePoint observed_at, core::TimePoint now) override {
        for (auto& g : s_.grants) {
            if (g.grant.kind != grant.kind || g.grant.ref != grant.ref) continue;
            auto keep = g.grant;
            g.grant = grant;
            g.grant.id = keep.id;
            g.grant.created_at = keep.created_at;
            if (grant.customer_id.empty()) g.grant.customer_id = keep.customer_id;
            g.grant.updated_at = now;
            g.observed_at = observed_at;
            return;
        }
        StoredGrant g{grant, observed_at};
        g.grant.id = s_.next_grant++;
        g.grant.created_at = g.grant.updated_at = now;
        s_.grants.push_back(g);
    }
    std::optional<std::string> CustomerOf(UserId user) override {
        for (const auto& g : GrantsOf(user)) {
            if (!g.customer_id.empty()) return g.customer_id;
        }
        return std::nullopt;
    }
    GrantsByMember LiveGrants() override {
        return ByMember(Where(
            [](const Grant& g) { return g.status == GrantStatus::kActive || g.status == GrantStatus::kPastDue; }));
    }
    GrantsByMember GrantsBetween(core::TimePoint from, core::TimePoint to) override {
        return ByMember(Where([&](const Grant& g) {
            return g.created_at <= to &&
                   (g.status == GrantStatus::kActive || g.status == GrantStatus::kPastDue || g.updated_at >= from);
        }));
    }
    std::vector<Grant> GrantsDue(core::TimePoint now, int limit) override {
        std::vector<Grant> out;
        for (const auto& s : s_.grants) {
            const auto& g = s.grant;
            bool due = (g.status == GrantStatus::kPastDue && g.grace_until && *g.grace_until <= now) ||
                       (g.status == GrantStatus::kActive && g.expires_at && *g.expires_at <= now);
            if (due && static_cast<int>(out.size()) < limit) out.push_back(g);
        }
        return out;
    }
    std::optional<std::string> DisplayName(UserId user) override {
        auto it = s_.names.find(user.value);
        if (it == s_.names.end()) return std::nullopt;
        return it->second;
    }
    std::optional<std::string> OpenChannel(UserId user) override {
        auto it = s_.channels.find(user.value);
        if (it == s_.channels.end() || !it->second.second) return std::nullopt;
        return it->second.first;
    }
    void SaveChannel(UserId user, const std::string& resource, bool open, core::TimePoint) override {
        s_.channels[user.value] = {resource, open};
    }
    Promotion InsertPromotion(const Promotion& promotion) override {
        s_.promotions.push_back(promotion);
        s_.promotions.back().id = static_cast<long long>(s_.promotions.size());
        return s_.promotions.back();
    }
    std::optional<Promotion> BestPromotion(const std::string& plan, core::TimePoint now) override {
        std::optional<Promotion> out;
        for (const auto& p : s_.promotions) {
            if (p.plan == plan && p.expires_at > now && (!out || p.percent_off >= out->percent_off)) out = p;
        }
        return out;
    }
    std::vector<Promotion> Promotions(int limit) override {
        std::vector<Promotion> out(s_.promotions.rbegin(), s_.promotions.rend());
        if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
        return out;
    }
    void CountPromotionUse(long long id) override {
        for (auto& p : s_.promotions) p.uses += p.id == id ? 1 : 0;
    }
    std::optional<Promotion> FindPromotion(long long id) override {
        for (const auto& p : s_.promotions) {
            if (p.id == id) return p;
        }
        return std::nullopt;
    }
    void SetPromotionEnd(long long id, core::TimePoint at) override {
        for (auto& p : s_.promotions) {
            if (p.id == id && p.expires_at > at) p.expires_at = at;
        }
    }
    bool TryUse(UserId user, const std::string& day, const std::string& kind, int limit) override {
        int& used = s_.usage[{user.value, day, kind}];
        if (used >= limit) return false;
        ++used;
        return true;
    }
    void GiveBack(UserId user, const std::string& day, const std::string& kind) override {
        int& used = s_.usage[{user.value, day, kind}];
        if (used > 0) --used;
    }
    int Used(UserId user, const std::string& day, const std::string& kind) override {
        auto it = s_.usage.find({user.value, day, kind});
        return it == s_.usage.end() ? 0 : it->second;
    }
    std::vector<DailyUsage> UsagePerDay(const std::string&) override { return {}; }
    int DeleteUsage(const std::string& kind, const std::string& before) override {
        return static_cast<int>(std::erase_if(
            s_.usage, [&](const auto& u) { return std::get<2>(u.first) == kind && std::get<1>(u.first) < before; }));
    }
    void AddTurns(UserId user, const std::vector<Turn>& turns, int) override {
        for (const auto& t : turns) s_.turns.emplace_back(user.value, t);
    }
    std::vector<Turn> Turns(UserId user, core::TimePoint since, int) override {
        std::vector<Turn> out;
        for (const auto& [u, t] : s_.turns) {
            if (u == user.value && t.at >= since) out.push_back(t);
        }
        return out;
    }
    void DeleteTurns(UserId user) override {
        std::erase_if(s_.turns, [&](const auto& t) { return t.first == user.value; });
    }
    int DeleteTurnsBefore(core::TimePoint before) override {
        return static_cast<int>(std::erase_if(s_.turns, [&](const auto& t) { return t.second.at < before; }));
    }
    bool RecordEvent(const std::string& id, const std::string&) override {
        return s_.events.emplace(id, "applying").second;
    }
    void SetEventOutcome(const std::string& id, core::EventOutcome outcome) override {
        s_.events[id] = std::string(core::ToString(outcome));
    }
    void Enqueue(const scheduling::NewOutboxItem& item) override {
        for (const auto& o : s_.outbox) {
            if (o.idempotency_key == item.idempotency_key) return;  // the outbox keeps one item per key
        }
        s_.outbox.push_back(item);
    }
    void Notify(const scheduling::Notice& notice) override { Enqueue(scheduling::ToOutboxItem(notice)); }

private:
    [[nodiscard]] bool Sees(UserId user) const { return viewer_.IsStaff() || viewer_.user_id == user; }
    static GrantsByMember ByMember(std::vector<Grant> grants) {
        GrantsByMember out;
        for (auto& g : grants) out[g.user].push_back(std::move(g));
        return out;
    }
    template <typename F>
    std::vector<Grant> Where(F&& keep) {
        std::vector<Grant> out;
        for (const auto& g : s_.grants) {
            if (keep(g.grant) && Sees(g.grant.user)) out.push_back(g.grant);
        }
        std::stable_sort(out.begin(), out.end(), [](const Grant& a, const Grant& b) {
            return a.user.value != b.user.value ? a.user.value < b.user.value : a.id > b.id;
        });
        return out;
    }
    State& s_;
    Viewer viewer_;
};

class MemoryRepository final : public PlanRepository {
public:
    void Write(const Viewer& viewer, const std::function<void(PlanStore&)>& work) override {
        State copy = state;  // rolled back when the work throws
        MemoryStore store(copy, viewer);
        work(store);
        state = std::move(copy);
        ++writes;
    }
    void Read(const Viewer& viewer, const std::function<void(PlanStore&)>& work) override {
        State copy = state;
        MemoryStore store(copy, viewer);
        work(store);
    }
    State state;
    int writes = 0;
};

class TestBilling final : public BillingGateway {
public:
    [[nodiscard]] bool configured() const override { return on; }
    std::string CreatePlanCheckout(const PlanCheckout&) override { return "https://checkout.example/1"; }
    std::string PortalUrl(const std::string&, const std::string&) override { return "https://portal.example/1"; }
    void CreatePromotion(Promotion& p, const Plan&) override { p.code = "SPRING" + std::to_string(p.percent_off); }
    void ExpirePromotion(const Promotion& p) override { expired.push_back(p.code); }
    std::vector<std::string> expired;
    bool on = true;
};

PlanCatalog TestCatalog(const std::string& free_id = "free") {
    return PlanCatalog({
        {.id = free_id, .rank = 0, .entitlements = {.messages_per_day = 10}},
        {.id = "founder", .rank = 1, .billing = Billing::kOneTime, .price_id = "price_f", .role_id = "r-founder"},
        {.id = "pro", .rank = 2, .billing = Billing::kMonthly, .price_id = "price_pro", .role_id = "r-pro"},
        {.id = "ultra",
         .rank = 3,
         .billing = Billing::kMonthly,
         .price_id = "price_ultra",
         .role_id = "r-ultra",
         .entitlements = {.private_channel = true}},
    });
}

/// An outbox item, decoded.
struct Item {
    std::string channel;
    boost::json::object payload;
    std::string key;
};

class PlanRules : public ::testing::Test {
protected:
    explicit PlanRules(const std::string& free_id = "free")
        : catalog(TestCatalog(free_id)),
          zone(core::TimeZone::Load("Europe/Paris")),
          service(catalog, repo, billing, clock, zone,
                  PlanOptions{.grace = 72h,
                              .announce_channel = "chan-news",
                              .staff_role_ids = {"r-staff"},
                              .channel_parent_id = "cat-open",
                              .archive_parent_id = "cat-archive"}) {}

    SubscriptionState Sub(const std::string& plan, const std::string& status, core::TimePoint end,
                          bool cancel = false) {
        return SubscriptionState{.id = "sub_1",
                                 .customer = "cus_1",
                                 .user = kAlice,
                                 .plan = plan,
                                 .status = status,
                                 .period_end = end,
                                 .cancel_at_period_end = cancel};
    }
    EventOutcome Sync(const std::string& id, const SubscriptionState& s, core::TimePoint observed, SyncOptions o = {}) {
        return service.OnSubscription({id, "customer.subscription.updated"}, s, observed, o);
    }
    std::vector<Item> Items(const std::string& channel) {
        std::vector<Item> out;
        for (const auto& o : repo.state.outbox) {
            if (o.channel == channel)
                out.push_back({o.channel, boost::json::parse(o.payload).as_object(), o.idempotency_key});
        }
        return out;
    }
    /// Role items as "+role" / "-role", in order.
    std::vector<std::string> Roles() {
        std::vector<std::string> out;
        for (const auto& i : Items("discord.role")) {
            out.push_back(std::string(i.payload.at("grant").as_bool() ? "+" : "-") +
                          std::string(i.payload.at("role").as_string()));
        }
        return out;
    }
    /// Member notices, decoded.
    std::vector<scheduling::Notice> Notices() {
        std::vector<scheduling::Notice> out;
        for (const auto& o : repo.state.outbox) {
            if (o.channel == scheduling::kNoticeToMember) out.push_back(scheduling::ParseNotice(o.channel, o.payload));
        }
        return out;
    }
    std::vector<std::string> NoticeKeys() {
        std::vector<std::string> out;
        for (const auto& n : Notices()) out.push_back(n.key);
        return out;
    }
    std::string PlanOf(UserId user) { return service.StandingOf(user).plan->id; }
    Grant Only() { return service.StandingOf(kAlice).grants.at(0); }

    testing::FakeClock clock;
    PlanCatalog catalog;
    core::TimeZone zone;
    MemoryRepository repo;
    TestBilling billing;
    PlanService service;
};

TEST_F(PlanRules, AStateObservedBeforeTheOneAppliedIsRecordedButChangesNothing) {
    auto t0 = clock.Now();
    clock.Advance(1h);
    EXPECT_EQ(Sync("evt_new", Sub("pro", "active", t0 + 30 * 24h), clock.Now()), EventOutcome::kApplied);
    // Stripe's older read (canceled) arrives late: ignored, and recorded so its redelivery is a duplicate.
    EXPECT_EQ(Sync("evt_old", Sub("pro", "canceled", t0 + 30 * 24h), t0), EventOutcome::kIgnored);
    EXPECT_EQ(PlanOf(kAlice), "pro");
    EXPECT_EQ(Only().status, GrantStatus::kActive);
    EXPECT_EQ(repo.state.events.at("evt_old"), "ignored");
    EXPECT_EQ(Sync("evt_old", Sub("pro", "canceled", t0 + 30 * 24h), t0), EventOutcome::kDuplicate);
    // A newer one applies.
    EXPECT_EQ(Sync("evt_cancel", Sub("pro", "canceled", t0 + 30 * 24h), clock.Now() + 1s), EventOutcome::kApplied);
    EXPECT_EQ(PlanOf(kAlice), "free");
}

TEST_F(PlanRules, AnIncompleteSubscriptionStartsNothing) {
    EXPECT_EQ(Sync("evt_i", Sub("pro", "incomplete", clock.Now() + 24h), clock.Now()), EventOutcome::kIgnored);
    EXPECT_TRUE(service.StandingOf(kAlice).grants.empty());
    EXPECT_TRUE(repo.state.outbox.empty());
}

TEST_F(PlanRules, AFailedRenewalKeepsThePlanThroughTheGraceAndTheSweepEndsIt) {
    auto end = clock.Now() + 24h;
    Sync("evt_a", Sub("pro", "active", end), clock.Now());
    clock.Advance(25h);
    auto failed_at = clock.Now();
    EXPECT_EQ(Sync("evt_f", Sub("pro", "past_due", end), failed_at, {.payment_failed = true}), EventOutcome::kApplied);
    EXPECT_EQ(Only().status, GrantStatus::kPastDue);
    EXPECT_EQ(Only().grace_until, failed_at + 72h);
    EXPECT_EQ(PlanOf(kAlice), "pro");
    auto failed = Notices().back();
    EXPECT_EQ(failed.key, "plans.notify.payment_failed");
    EXPECT_EQ(failed.recipient, kAlice);
    EXPECT_EQ(failed.params.at("plan"), "Pro");
    EXPECT_EQ(failed.dates.at("until"), zone.LocalDate(failed_at + 72h));
    ASSERT_TRUE(failed.action);
    EXPECT_EQ(failed.action->command, "subscription");
    EXPECT_FALSE(failed.link);
    // Another report of the same failure does not push the grace period back, nor does a later "past due".
    clock.Advance(24h);
    Sync("evt_f2", Sub("pro", "past_due", end), clock.Now(), {.payment_failed = true});
    EXPECT_EQ(Only().grace_until, failed_at + 72h);
    EXPECT_EQ(service.Sweep(), 0);
    clock.Advance(49h);
    EXPECT_EQ(PlanOf(kAlice), "free");  // out of grace even before the sweep
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+r-pro"}));
    EXPECT_EQ(service.Sweep(), 1);
    EXPECT_EQ(Only().status, GrantStatus::kEnded);
    EXPECT_EQ(Only().end, GrantEnd::kUnpaid);
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+r-pro", "-r-pro"}));
    EXPECT_EQ(NoticeKeys().back(), "plans.notify.ended");
    EXPECT_EQ(Notices().back().params.at("plan"), "Pro");
    EXPECT_EQ(service.Sweep(), 0);
}

TEST_F(PlanRules, ARenewalAwaitingConfirmationLinksToTheInvoice) {
    auto end = clock.Now() + 24h;
    Sync("evt_a", Sub("pro", "active", end), clock.Now());
    clock.Advance(25h);
    Sync("evt_sca", Sub("pro", "past_due", end), clock.Now(),
         {.payment_failed = true, .confirm_url = "https://invoice.stripe.com/i/1"});
    auto n = Notices().back();
    EXPECT_EQ(n.key, "plans.notify.payment_action");
    ASSERT_TRUE(n.link);
    EXPECT_EQ(n.link->url, "https://invoice.stripe.com/i/1");
    EXPECT_EQ(n.link->label_key, "plans.button.confirm_payment");
    EXPECT_FALSE(n.action);
    // A "past due" state the event does not call a failure tells the member nothing.
    auto count = Notices().size();
    Sync("evt_upd", Sub("pro", "past_due", end), clock.Now() + 1s);
    EXPECT_EQ(Notices().size(), count);
}

TEST_F(PlanRules, CancellingAtThePeriodsEndIsToldOnceWithItsDate) {
    auto end = clock.Now() + 30 * 24h;
    Sync("evt_a", Sub("pro", "active", end), clock.Now());
    Sync("evt_c", Sub("pro", "active", end, true), clock.Now() + 1s);
    Sync("evt_c2", Sub("pro", "active", end, true), clock.Now() + 2s);
    EXPECT_EQ(NoticeKeys(), (std::vector<std::string>{"plans.notify.active", "plans.notify.canceling"}));
    auto n = Notices().back();
    EXPECT_EQ(n.dates.at("until"), zone.LocalDate(end));
    ASSERT_TRUE(n.action);
    EXPECT_EQ(PlanOf(kAlice), "pro");
    EXPECT_EQ(Notices().front().dates.at("until"), zone.LocalDate(end));
}

TEST_F(PlanRules, RolesThatDoNotDifferAreLeftAlone) {
    EXPECT_EQ(service.OnOneTimePaid({"evt_f", "checkout.session.completed"}, kAlice, "founder", "pi_1", "cus_1",
                                    std::nullopt),
              EventOutcome::kApplied);
    auto end = clock.Now() + 30 * 24h;
    Sync("evt_p", Sub("pro", "active", end), clock.Now());
    Sync("evt_u", Sub("ultra", "active", end), clock.Now() + 1s);
    // Founder's role stays through every change; Pro's is swapped for Ultra's.
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+r-founder", "+r-pro", "+r-ultra", "-r-pro"}));
    Sync("evt_end", Sub("ultra", "canceled", end), clock.Now() + 2s);
    EXPECT_EQ(Roles().back(), "-r-ultra");
    EXPECT_EQ(PlanOf(kAlice), "founder");
    EXPECT_EQ(service.DesiredRoles(), (std::map<long long, std::set<std::string>>{{kAlice.value, {"r-founder"}}}));
    // The reason travels with each item.
    EXPECT_EQ(Items("discord.role").front().payload.at("reason"), "Maxis: plan founder");
}

TEST_F(PlanRules, UltrasChannelIsNamedAfterTheMemberCreatedThenArchived) {
    repo.state.names[kAlice.value] = "Alice  Liddell!";
    auto end = clock.Now() + 30 * 24h;
    Sync("evt_u", Sub("ultra", "active", end), clock.Now());
    auto created = Items("discord.channel");
    ASSERT_EQ(created.size(), 1u);
    const auto& c = created[0].payload;
    EXPECT_EQ(c.at("name"), "ultra-alice-liddell");
    EXPECT_EQ(c.at("topic"), "Ultra");
    EXPECT_EQ(c.at("members"), boost::json::value(boost::json::array{"3001"}));
    EXPECT_EQ(c.at("staff_roles"), boost::json::value(boost::json::array{"r-staff"}));
    EXPECT_EQ(c.at("parent_id"), "cat-open");
    ASSERT_TRUE(repo.state.channels.contains(kAlice.value));
    EXPECT_TRUE(repo.state.channels[kAlice.value].second);
    // Downgraded to Pro: the channel is archived under the archive category, once.
    Sync("evt_p", Sub("pro", "active", end), clock.Now() + 1s);
    Sync("evt_p2", Sub("pro", "active", end + 24h), clock.Now() + 2s);
    auto archived = Items("discord.channel_archive");
    ASSERT_EQ(archived.size(), 1u);
    EXPECT_EQ(archived[0].payload.at("resource").as_string(), created[0].key);
    EXPECT_EQ(archived[0].payload.at("member"), "3001");
    EXPECT_EQ(archived[0].payload.at("parent_id"), "cat-archive");
    EXPECT_FALSE(repo.state.channels[kAlice.value].second);
}

TEST_F(PlanRules, AMemberWithoutADisplayNameGetsAChannelNamedAfterTheirId) {
    Sync("evt_u", Sub("ultra", "active", clock.Now() + 24h), clock.Now());
    EXPECT_EQ(Items("discord.channel").at(0).payload.at("name"), "ultra-3001");
}

class RenamedFreePlan : public PlanRules {
protected:
    RenamedFreePlan() : PlanRules("basic") {}
};

TEST_F(RenamedFreePlan, TheFreePlanComesFromTheCatalog) {
    EXPECT_EQ(PlanOf(kAlice), "basic");
    EXPECT_EQ(catalog.Find("free"), nullptr);
    auto end = clock.Now() + 24h;
    Sync("evt_a", Sub("pro", "active", end), clock.Now());
    Sync("evt_end", Sub("pro", "canceled", end), clock.Now() + 1s);
    EXPECT_EQ(PlanOf(kAlice), "basic");
    // Back on the catalog's free plan: the member is told the plan ended (not that "basic" is active).
    EXPECT_EQ(NoticeKeys(), (std::vector<std::string>{"plans.notify.active", "plans.notify.ended"}));
}

TEST_F(PlanRules, AOneTimePlanIsPermanentUntilRevokedAndARevocationWaitsForItsPayment) {
    // The refund arrives before the payment: retried later, and not recorded meanwhile.
    EXPECT_EQ(service.OnOneTimeRevoked({"evt_r", "charge.refunded"}, "pi_1", GrantEnd::kRefunded, ""),
              EventOutcome::kRetryLater);
    EXPECT_FALSE(repo.state.events.contains("evt_r"));
    EXPECT_FALSE(service.OwnsPayment("pi_1"));
    EXPECT_EQ(service.OnOneTimePaid({"evt_p", "checkout.session.completed"}, kAlice, "founder", "pi_1", "cus_f",
                                    std::nullopt),
              EventOutcome::kApplied);
    EXPECT_TRUE(service.OwnsPayment("pi_1"));
    EXPECT_EQ(NoticeKeys(), (std::vector<std::string>{"plans.notify.active_forever"}));
    clock.Advance(24h * 3650);
    EXPECT_EQ(PlanOf(kAlice), "founder");
    EXPECT_EQ(service.CustomerOf(kAlice), "cus_f");
    EXPECT_EQ(service.OnOneTimeRevoked({"evt_r", "charge.refunded"}, "pi_1", GrantEnd::kRefunded, ""),
              EventOutcome::kApplied);
    EXPECT_EQ(PlanOf(kAlice), "free");
    EXPECT_EQ(Only().status, GrantStatus::kRevoked);
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+r-founder", "-r-founder"}));
    EXPECT_EQ(NoticeKeys().back(), "plans.notify.revoked");
    EXPECT_EQ(Items("discord.role").back().payload.at("reason"), "Maxis: plan founder refunded");
    // A dispute of the same payment afterwards changes nothing.
    EXPECT_EQ(service.OnOneTimeRevoked({"evt_d", "charge.dispute.created"}, "pi_1", GrantEnd::kDisputed, "fraudulent"),
              EventOutcome::kIgnored);
    // A payment seen after its revocation does not give the plan back.
    EXPECT_EQ(service.OnOneTimePaid({"evt_p2", "checkout.session.async_payment_succeeded"}, kAlice, "founder", "pi_1",
                                    "cus_f", std::nullopt),
              EventOutcome::kIgnored);
    EXPECT_EQ(PlanOf(kAlice), "free");
}

TEST_F(PlanRules, AOneTimePurchaseOnABetterPlanIsStillConfirmed) {
    Sync("evt_u", Sub("ultra", "active", clock.Now() + 24h), clock.Now());
    service.OnOneTimePaid({"evt_f", "checkout.session.completed"}, kAlice, "founder", "pi_1", "", std::nullopt);
    EXPECT_EQ(PlanOf(kAlice), "ultra");
    auto n = Notices().back();
    EXPECT_EQ(n.key, "plans.notify.active_forever");
    EXPECT_EQ(n.params.at("plan"), "Founder");
    EXPECT_THROW(
        service.OnOneTimePaid({"evt_x", "checkout.session.completed"}, kAlice, "platinum", "pi_2", "", std::nullopt),
        core::Error);
    EXPECT_FALSE(repo.state.events.contains("evt_x"));  // a refused event is not recorded
}

TEST_F(PlanRules, ATemporaryGrantEndsWithItsTerm) {
    auto key = [&](const std::string& reason) {
        try {
            service.GrantTemporary(kStaff, kAlice, "pro", 48h, reason);
        } catch (const core::Error& e) {
            return e.key();
        }
        return std::string("granted");
    };
    EXPECT_EQ(key(""), "plans.reason_required");
    EXPECT_EQ(key("   "), "plans.reason_required");
    EXPECT_EQ(key(std::string(201, 'x')), "plans.reason_long");
    EXPECT_EQ(key("deux\nlignes"), "text.control.reason");
    EXPECT_TRUE(repo.state.grants.empty());
    auto g = service.GrantTemporary(kStaff, kAlice, "pro", 48h, "  concours de novembre ");
    EXPECT_EQ(g.expires_at, clock.Now() + 48h);
    EXPECT_EQ(g.note, "concours de novembre");
    EXPECT_EQ(g.granted_by, kStaff.user_id);
    EXPECT_EQ(g.end, GrantEnd::kNone);
    EXPECT_EQ(Notices().back().key, "plans.notify.active");
    EXPECT_EQ(Notices().back().dates.at("until"), zone.LocalDate(clock.Now() + 48h));
    EXPECT_THROW(service.GrantTemporary(Viewer{kAlice, core::Role::kMember}, kAlice, "pro", 48h, "x"), core::Error);
    EXPECT_THROW(service.GrantTemporary(kStaff, kAlice, "free", 48h, "x"), core::Error);
    EXPECT_THROW(service.GrantTemporary(kStaff, kAlice, "pro", 30min, "x"), core::Error);
    clock.Advance(47h);
    EXPECT_EQ(service.Sweep(), 0);
    clock.Advance(2h);
    EXPECT_EQ(service.Sweep(), 1);
    EXPECT_EQ(Only().status, GrantStatus::kEnded);
    EXPECT_EQ(Only().end, GrantEnd::kTerm);
    EXPECT_EQ(Only().note, "concours de novembre");  // the reason stays alone, the end is its own field
    EXPECT_EQ(Roles(), (std::vector<std::string>{"+r-pro", "-r-pro"}));
    EXPECT_EQ(NoticeKeys().back(), "plans.notify.ended");
}

TEST_F(PlanRules, AGrantUnderAReferenceIsGivenOnceEvenAfterItEnded) {
    auto g = service.GrantTemporary(kStaff, kAlice, "pro", 48h, "giveaway #12 winner", "giveaway-12-winner-1");
    EXPECT_EQ(g.ref, "giveaway-12-winner-1");
    auto items = repo.state.outbox.size();
    clock.Advance(1h);
    auto again = service.GrantTemporary(kStaff, kAlice, "pro", 48h, "giveaway #12 winner", "giveaway-12-winner-1");
    EXPECT_EQ(again.id, g.id);
    EXPECT_EQ(again.expires_at, g.expires_at);   // not extended
    EXPECT_EQ(repo.state.outbox.size(), items);  // no role nor notice twice
    service.RevokeTemporary(kStaff, kAlice, g.id, "replaced");
    EXPECT_EQ(service.GrantTemporary(kStaff, kAlice, "pro", 48h, "x", "giveaway-12-winner-1").id, g.id);
    EXPECT_EQ(service.StandingOf(kAlice).grants.size(), 1u);
    EXPECT_EQ(Only().status, GrantStatus::kRevoked);  // the one grant, still revoked
}

TEST_F(PlanRules, AnEventIsAppliedOnce) {
    EXPECT_EQ(Sync("evt_1", Sub("pro", "active", clock.Now() + 24h), clock.Now()), EventOutcome::kApplied);
    auto items = repo.state.outbox.size();
    EXPECT_EQ(Sync("evt_1", Sub("ultra", "active", clock.Now() + 24h), clock.Now() + 1s), EventOutcome::kDuplicate);
    EXPECT_EQ(repo.state.outbox.size(), items);
    EXPECT_EQ(PlanOf(kAlice), "pro");
    EXPECT_EQ(service.OnUnhandled({"evt_u", "customer.created"}), EventOutcome::kIgnored);
    EXPECT_EQ(service.OnUnhandled({"evt_u", "customer.created"}), EventOutcome::kDuplicate);
    EXPECT_EQ(repo.state.events.at("evt_u"), "ignored");
    EXPECT_EQ(repo.state.events.at("evt_1"), "applied");
}

TEST_F(PlanRules, WithoutPaymentsAMemberHearsThatPaymentsAreOffNotThatThePlanIsNotForSale) {
    billing.on = false;
    // As on a fresh install: no Stripe keys, so no price ids either.
    PlanCatalog unpriced({{.id = "free", .rank = 0}, {.id = "pro", .rank = 2, .billing = Billing::kMonthly}});
    PlanService fresh(unpriced, repo, billing, clock, zone, PlanOptions{});
    auto key = [&](const std::string& plan) {
        try {
            (billing.on ? service : fresh).Subscribe(Viewer{kAlice, core::Role::kMember}, plan, "fr");
        } catch (const core::Error& e) {
            return e.key();
        }
        return std::string("accepted");
    };
    EXPECT_EQ(key("pro"), "plans.payments_off");
    EXPECT_EQ(key("free"), "plans.not_for_sale");  // still not for sale, payments or not
    EXPECT_EQ(key("gold"), "plans.unknown");
    billing.on = true;
    EXPECT_EQ(key("pro"), "accepted");
}

TEST_F(PlanRules, ARejoiningMemberGetsEveryPlanRoleBack) {
    EXPECT_EQ(service.RestoreRoles(kAlice), 0);
    service.OnOneTimePaid({"evt_f", "checkout.session.completed"}, kAlice, "founder", "pi_1", "", std::nullopt);
    Sync("evt_p", Sub("pro", "active", clock.Now() + 24h), clock.Now());
    auto before = Roles().size();
    clock.Advance(1h);
    EXPECT_EQ(service.RestoreRoles(kAlice), 2);
    auto roles = Roles();
    EXPECT_EQ(std::vector<std::string>(roles.begin() + static_cast<std::ptrdiff_t>(before), roles.end()),
              (std::vector<std::string>{"+r-founder", "+r-pro"}));
    EXPECT_EQ(Items("discord.role").back().payload.at("reason"), "Maxis: member rejoined");
}

TEST_F(PlanRules, APromotionIsAnnouncedInItsChannelAndCountsItsUses) {
    auto p = service.CreatePromotion(kStaff, 20, "pro", 48h);
    EXPECT_EQ(p.code, "SPRING20");
    std::vector<scheduling::Notice> staff;
    for (const auto& o : repo.state.outbox) {
        if (o.channel == scheduling::kNoticeToStaff) staff.push_back(scheduling::ParseNotice(o.channel, o.payload));
    }
    ASSERT_EQ(staff.size(), 1u);
    EXPECT_EQ(staff[0].key, "plans.notify.promotion");
    EXPECT_EQ(staff[0].channel, "chan-news");
    EXPECT_EQ(staff[0].params,
              (std::map<std::string, std::string>{{"percent", "20"}, {"plan", "Pro"}, {"code", "SPRING20"}}));
    EXPECT_EQ(staff[0].dates.at("until"), zone.LocalDate(clock.Now() + 48h));
    ASSERT_TRUE(staff[0].action);
    EXPECT_EQ(staff[0].action->command, "subscribe pro");
    EXPECT_EQ(service.ActivePromotion("pro")->id, p.id);
    Sync("evt_p", Sub("pro", "active", clock.Now() + 24h), clock.Now(), {.promotion = p.id});
    Sync("evt_p", Sub("pro", "active", clock.Now() + 24h), clock.Now(), {.promotion = p.id});
    EXPECT_EQ(service.Promotions(5).at(0).uses, 1);
    EXPECT_THROW(service.CreatePromotion(Viewer{kAlice, core::Role::kMember}, 20, "pro", 48h), core::Error);
    clock.Advance(48h);
    EXPECT_FALSE(service.ActivePromotion("pro"));
}

TEST_F(PlanRules, PurgeKeepsDailyCountersLongerThanMemory) {
    repo.Write(Viewer::System(), [&](PlanStore& s) {
        s.TryUse(kAlice, zone.LocalDate(clock.Now()), kUsageMessages, 10);
        s.TryUse(kAlice, core::FormatIso8601(clock.Now()).substr(0, 16), kUsageRate, 10);
        s.AddTurns(kAlice, {Turn{"user", "hi", clock.Now()}}, 6);
    });
    clock.Advance(47h);
    EXPECT_EQ(service.Purge(), 0);
    clock.Advance(2h);
    EXPECT_EQ(service.Purge(), 2);  // the rate window and the turn
    clock.Advance(366 * 24h);
    EXPECT_EQ(service.Purge(), 1);  // the day's counter, a year on
}

TEST(OldGrantNotes, TheFormatsWrittenBeforeMigration0011SplitAndAnythingElseIsLeftAlone) {
    auto granted = ParseOldGrantNote("granted by 9001");
    ASSERT_TRUE(granted);
    EXPECT_EQ(granted->note, "");
    EXPECT_EQ(granted->granted_by, core::UserId{9001});
    EXPECT_EQ(granted->end, GrantEnd::kNone);
    auto revoked = ParseOldGrantNote("granted by 9001 · revoked by 9002: erreur · doublon");
    ASSERT_TRUE(revoked);
    EXPECT_EQ(revoked->granted_by, core::UserId{9001});
    EXPECT_EQ(revoked->end, GrantEnd::kRevoked);
    EXPECT_EQ(revoked->ended_by, core::UserId{9002});
    EXPECT_EQ(revoked->end_note, "erreur · doublon");
    auto reason_kept = ParseOldGrantNote("concours · de novembre · term ended");
    ASSERT_TRUE(reason_kept);
    EXPECT_EQ(reason_kept->note, "concours · de novembre");
    EXPECT_EQ(reason_kept->granted_by, std::nullopt);
    EXPECT_EQ(reason_kept->end, GrantEnd::kTerm);
    auto unpaid = ParseOldGrantNote("granted by 7 · payment not received within the grace period");
    ASSERT_TRUE(unpaid);
    EXPECT_EQ(unpaid->end, GrantEnd::kUnpaid);
    EXPECT_EQ(unpaid->granted_by, core::UserId{7});
    for (const char* other : {"concours de novembre", "", "granted by Sam", "granted by 12x", "granted by 0",
                              "term ended", "granted by 99999999999999999999999", "prix · revoked by sam: non"}) {
        EXPECT_FALSE(ParseOldGrantNote(other).has_value()) << other;
    }
}

}  // namespace
}  // namespace maxis::plans
