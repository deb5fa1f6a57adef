#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "core/viewer.hpp"
#include "domain/plans/plans.hpp"

namespace maxis::plans {

using core::EventOutcome;

/// A payment event, as recorded once.
struct PlanEvent {
    std::string id;
    std::string type;
};

struct SyncOptions {
    core::Millis grace{std::chrono::hours(72)};  // how long a failed renewal keeps the plan
    bool payment_failed = false;                 // the event reports a failed renewal (the member is told)
    std::optional<long long> promotion;          // a promotion used at checkout (counted once)
    /// The renewal awaits the member's own confirmation (3-D Secure): the hosted invoice where they give
    /// it. The member is sent there rather than asked to change their card.
    std::string confirm_url;
};

/// One turn of a member's conversation with the assistant.
struct Turn {
    std::string role;  // "user" or "assistant"
    std::string content;
    core::TimePoint at{};
};

/// Port: plans' persistence. Each payment event is recorded with its effect in one transaction (a
/// duplicate does nothing). Whenever a member's standing changes, the same transaction writes to the
/// outbox what follows from it: roles granted and revoked, Ultra's private channel created or archived,
/// and the member's notice. Usage counters are changed atomically.
class PlanRepository {
public:
    virtual ~PlanRepository() = default;

    /// Brings a subscription's grant to the provider's state as observed at observed_at. A state observed
    /// before the one already applied changes nothing (the event is still recorded): an older event never
    /// undoes a newer state.
    virtual EventOutcome SyncSubscription(const PlanEvent& event, const SubscriptionState& state,
                                          core::TimePoint observed_at, const SyncOptions& options) = 0;
    /// A one-time plan (Founder) paid: a permanent grant.
    virtual EventOutcome OneTimePaid(const PlanEvent& event, core::UserId user, const std::string& plan,
                                     const std::string& payment_ref, const std::string& customer,
                                     std::optional<long long> promotion) = 0;
    /// A one-time plan refunded or disputed: revoked. kRetryLater when its payment was not seen yet.
    virtual EventOutcome OneTimeRevoked(const PlanEvent& event, const std::string& payment_ref,
                                        const std::string& why) = 0;
    /// Records an event nothing applies (acknowledged once).
    virtual EventOutcome Unhandled(const PlanEvent& event) = 0;
    /// Whether a payment bought a one-time plan (a dispute names only the payment).
    [[nodiscard]] virtual bool OwnsPayment(const std::string& payment_ref) = 0;

    /// Every grant of a member, newest first.
    [[nodiscard]] virtual std::vector<Grant> Grants(core::UserId user) = 0;
    /// The member's Stripe customer (for the Customer Portal), if they ever paid.
    [[nodiscard]] virtual std::optional<std::string> CustomerOf(core::UserId user) = 0;
    /// Staff, or Maxis for a giveaway: the plan until a date.
    virtual Grant GrantTemporary(const core::Viewer& by, core::UserId user, const std::string& plan,
                                 core::TimePoint until, const std::string& note) = 0;
    /// Ends grants whose grace period or temporary term is over (roles revoked, member told). Returns how many.
    virtual int Sweep(core::TimePoint now) = 0;
    /// The plan roles each member with a grant in force should hold.
    [[nodiscard]] virtual std::map<long long, std::set<std::string>> DesiredRoles(core::TimePoint now) = 0;
    /// Re-grants a member's plan roles (they rejoined the server). Returns how many role grants were queued.
    virtual int RestoreRoles(core::UserId user, core::TimePoint now) = 0;
    /// Queues role changes (the reconciler's fixes) under a key unique to the run.
    virtual void QueueRoleChanges(const std::vector<RoleChange>& changes, const std::string& key,
                                  const std::string& reason) = 0;

    // Usage: counters per member, local day ("2026-11-25") and kind ("message", "image").
    /// Counts one use if fewer than limit were used; false (nothing counted) otherwise. Atomic.
    virtual bool TryUse(core::UserId user, const std::string& day, const std::string& kind, int limit) = 0;
    /// Gives back a use whose answer failed.
    virtual void GiveBack(core::UserId user, const std::string& day, const std::string& kind) = 0;
    [[nodiscard]] virtual int Used(core::UserId user, const std::string& day, const std::string& kind) = 0;

    // Conversation memory.
    /// Adds turns (a question and its answer, in one write) and keeps the member's last `keep` turns.
    virtual void Remember(core::UserId user, const std::vector<Turn>& turns, int keep) = 0;
    [[nodiscard]] virtual std::vector<Turn> Recall(core::UserId user, core::TimePoint since, int limit) = 0;
    virtual void Forget(core::UserId user) = 0;

    // Promotions.
    /// Records a promotion and writes its announcement (in announce_channel, or the staff channel) to the outbox.
    virtual Promotion SavePromotion(const Promotion& promotion, const std::string& announce_channel) = 0;
    [[nodiscard]] virtual std::optional<Promotion> ActivePromotion(const std::string& plan, core::TimePoint now) = 0;
    [[nodiscard]] virtual std::vector<Promotion> Promotions(int limit) = 0;

    [[nodiscard]] virtual Subscribers CountSubscribers(core::TimePoint now) = 0;
    /// For each plan sold, how many members held it at each of the moments (oldest first), from HeldAt.
    [[nodiscard]] virtual std::map<std::string, std::vector<int>> MembersAt(
        const std::vector<core::TimePoint>& moments) = 0;
    /// The assistant's use per local day from since_day ("2026-11-01") on, oldest first; days without use are absent.
    [[nodiscard]] virtual std::vector<DailyUsage> UsagePerDay(const std::string& since_day) = 0;
};

/// Port: the payment provider's side of plans (Stripe).
class BillingGateway {
public:
    virtual ~BillingGateway() = default;
    struct PlanCheckout {
        core::UserId user;
        const Plan* plan = nullptr;
        std::string customer;                // reuse the member's customer when known
        std::optional<Promotion> promotion;  // applied to the session
        std::string locale;
        core::TimePoint at{};
    };
    [[nodiscard]] virtual bool configured() const = 0;
    /// A hosted page: subscription mode for monthly plans, payment mode for one-time plans. Returns its URL.
    virtual std::string CreatePlanCheckout(const PlanCheckout& checkout) = 0;
    /// A Customer Portal session (card, invoices, cancellation). Returns its URL.
    virtual std::string PortalUrl(const std::string& customer, const std::string& locale) = 0;
    /// A coupon and its promotion code, both expiring at expires_at and valid for this plan only. Fills
    /// coupon_id, promotion_code_id, code.
    virtual void CreatePromotion(Promotion& promotion, const Plan& plan) = 0;
};

struct PlanOptions {
    core::Millis grace{std::chrono::hours(72)};
    std::string announce_channel;  // promotions; empty: the staff channel
    core::Millis min_promotion{std::chrono::minutes(10)};
    core::Millis max_promotion{std::chrono::hours(24 * 90)};
};

/// Plans' use cases: checkout and the portal, the member's standing, promotions and payment events.
class PlanService {
public:
    PlanService(const PlanCatalog& catalog, PlanRepository& repo, BillingGateway& gateway, const core::Clock& clock,
                PlanOptions options)
        : catalog_(catalog), repo_(repo), gateway_(gateway), clock_(clock), options_(std::move(options)) {}

    [[nodiscard]] const PlanCatalog& catalog() const { return catalog_; }
    [[nodiscard]] PlanRepository& store() { return repo_; }
    [[nodiscard]] const PlanOptions& options() const { return options_; }
    [[nodiscard]] const core::Clock& clock() const { return clock_; }

    [[nodiscard]] Standing StandingOf(core::UserId user);

    /// The payment page for a plan. Throws core::Error: plans.unknown, plans.not_for_sale (Free, or no
    /// price configured), plans.payments_off, plans.already (the member holds it or better; a monthly
    /// subscriber changes plan in the portal), or the provider's refusal.
    std::string Subscribe(const core::Viewer& member, const std::string& plan, const std::string& locale);
    /// The Customer Portal. Throws plans.no_customer when the member never paid.
    std::string Portal(const core::Viewer& member, const std::string& locale);
    /// Staff: percent off a plan for a duration, as a Stripe promotion code, announced.
    Promotion CreatePromotion(const core::Viewer& staff, int percent, const std::string& plan, core::Millis duration);
    /// Staff: the plan until a date (the model behind giveaway prizes).
    Grant GrantTemporary(const core::Viewer& staff, core::UserId user, const std::string& plan, core::Millis duration,
                         const std::string& note);

    /// A subscription's state from the provider; options carry what the event said (the grace period is
    /// the service's own).
    EventOutcome OnSubscription(const PlanEvent& event, const SubscriptionState& state, core::TimePoint observed_at,
                                SyncOptions options) {
        options.grace = options_.grace;
        return repo_.SyncSubscription(event, state, observed_at, options);
    }
    int Sweep() { return repo_.Sweep(clock_.Now()); }

private:
    const PlanCatalog& catalog_;
    PlanRepository& repo_;
    BillingGateway& gateway_;
    const core::Clock& clock_;
    PlanOptions options_;
};

}  // namespace maxis::plans
