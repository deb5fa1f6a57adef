#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "core/time_zone.hpp"
#include "core/viewer.hpp"
#include "domain/plans/plan_store.hpp"
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
    /// Deactivates the promotion code, so that no checkout can redeem it any more.
    virtual void ExpirePromotion(const Promotion& promotion) = 0;
};

struct PlanOptions {
    core::Millis grace{std::chrono::hours(72)};
    std::string announce_channel;  // promotions; empty: the staff channel
    core::Millis min_promotion{std::chrono::minutes(10)};
    core::Millis max_promotion{std::chrono::hours(24 * 90)};
    std::vector<std::string> staff_role_ids;                // who sees Ultra's private channels besides the member
    std::string channel_parent_id;                          // category for private channels; empty: none
    std::string archive_parent_id;                          // category they move to when the plan ends; empty: stay
    core::Millis memory_kept{std::chrono::hours(48)};       // conversation turns and per-minute rate windows
    core::Millis usage_kept{std::chrono::hours(24 * 366)};  // daily usage counters (the dashboard's chart)
};

/// Plans' use cases and every rule about them: checkout and the portal, the member's standing, the ordering
/// of the provider's states, grace periods, one-time and temporary grants, and what follows from a change of
/// standing (roles, Ultra's private channel, notices). Each payment event is recorded and applied in one
/// transaction, so a duplicate does nothing.
class PlanService {
public:
    PlanService(const PlanCatalog& catalog, PlanRepository& repo, BillingGateway& gateway, const core::Clock& clock,
                const core::TimeZone& zone, PlanOptions options)
        : catalog_(catalog), repo_(repo), gateway_(gateway), clock_(clock), zone_(zone), options_(std::move(options)) {}

    [[nodiscard]] const PlanCatalog& catalog() const { return catalog_; }
    [[nodiscard]] const PlanOptions& options() const { return options_; }
    [[nodiscard]] const core::Clock& clock() const { return clock_; }

    [[nodiscard]] Standing StandingOf(core::UserId user);
    /// The member's Stripe customer (for the Customer Portal), if they ever paid.
    [[nodiscard]] std::optional<std::string> CustomerOf(core::UserId user);

    /// The payment page for a plan. Throws core::Error: plans.unknown, plans.not_for_sale (Free, or no
    /// price configured), plans.payments_off, plans.already (the member holds it or better; a monthly
    /// subscriber changes plan in the portal), or the provider's refusal.
    std::string Subscribe(const core::Viewer& member, const std::string& plan, const std::string& locale);
    /// The Customer Portal. Throws plans.no_customer when the member never paid.
    std::string Portal(const core::Viewer& member, const std::string& locale);
    /// Staff: percent off a plan for a duration, as a Stripe promotion code, announced.
    Promotion CreatePromotion(const core::Viewer& staff, int percent, const std::string& plan, core::Millis duration);
    /// The promotion a checkout of this plan gets now (the largest discount in force).
    [[nodiscard]] std::optional<Promotion> ActivePromotion(const std::string& plan);
    [[nodiscard]] std::vector<Promotion> Promotions(int limit);
    /// Staff: ends a promotion now: its promotion code is deactivated at the provider first, then it no longer
    /// applies here. Throws plans.promo_unknown, plans.promo_expired (already over), plans.payments_off, or
    /// plans.promo_expire_failed (the provider refused; nothing changed).
    Promotion ExpirePromotion(const core::Viewer& staff, long long id);
    /// Staff: the plan until a date (the model behind giveaway prizes), for a reason (required, one line, 200
    /// bytes at most: plans.reason_required, plans.reason_long), recorded with who granted it.
    Grant GrantTemporary(const core::Viewer& staff, core::UserId user, const std::string& plan, core::Millis duration,
                         const std::string& reason);
    /// The same, under a reference chosen by the caller (a stable key, e.g. "giveaway-12-winner-<user>"): called
    /// again with it, in force or not, it returns the grant already given under it and gives none.
    Grant GrantTemporary(const core::Viewer& staff, core::UserId user, const std::string& plan, core::Millis duration,
                         const std::string& reason, const std::string& ref);
    /// Staff: ends a member's temporary grant now (roles and private channel follow), the reason and the
    /// revoker kept with it. Paid grants end only through the payment provider. Throws plans.grant_unknown (no such
    /// grant of this member), plans.grant_not_temporary, plans.grant_over (already ended), plans.reason_required.
    Grant RevokeTemporary(const core::Viewer& staff, core::UserId user, long long grant_id, const std::string& reason);
    /// Staff: who holds a plan sold now, each with the grant that gives it (the best in force) and their name.
    struct Holder {
        Grant grant;
        std::string name;  // empty when unknown
    };
    [[nodiscard]] std::vector<Holder> Holders(const std::string& plan);

    /// A subscription's state from the provider, observed at observed_at; options carry what the event said
    /// (the grace period is the service's own). A state observed before the one already applied changes
    /// nothing (the event is still recorded): an older event never undoes a newer state.
    EventOutcome OnSubscription(const PlanEvent& event, const SubscriptionState& state, core::TimePoint observed_at,
                                SyncOptions options);
    /// A one-time plan (Founder) paid: a permanent grant.
    EventOutcome OnOneTimePaid(const PlanEvent& event, core::UserId user, const std::string& plan,
                               const std::string& payment_ref, const std::string& customer,
                               std::optional<long long> promotion);
    /// A one-time plan refunded or disputed: revoked. kRetryLater when its payment was not seen yet.
    EventOutcome OnOneTimeRevoked(const PlanEvent& event, const std::string& payment_ref, GrantEnd why,
                                  const std::string& detail);
    /// Records an event nothing applies (acknowledged once).
    EventOutcome OnUnhandled(const PlanEvent& event);
    /// Whether a payment bought a one-time plan (a dispute names only the payment).
    [[nodiscard]] bool OwnsPayment(const std::string& payment_ref);

    /// Ends grants whose grace period or term is over (roles revoked, member told). Returns how many.
    int Sweep();
    /// The plan roles each member with a grant in force should hold.
    [[nodiscard]] std::map<long long, std::set<std::string>> DesiredRoles();
    /// Re-grants a member's plan roles (they rejoined the server). Returns how many role grants were queued.
    int RestoreRoles(core::UserId user);
    /// Queues role changes (the reconciler's fixes) under a key unique to the run.
    void QueueRoleChanges(const std::vector<RoleChange>& changes, const std::string& key, const std::string& reason);

    [[nodiscard]] Subscribers CountSubscribers(core::TimePoint now);
    /// For each plan sold, how many members held it at each of the moments (oldest first), from HeldAt.
    [[nodiscard]] std::map<std::string, std::vector<int>> MembersAt(const std::vector<core::TimePoint>& moments);
    /// The assistant's use per local day from since_day ("2026-11-01") on, oldest first; days without use are absent.
    [[nodiscard]] std::vector<DailyUsage> UsagePerDay(const std::string& since_day);
    /// Maintenance: deletes conversation turns and rate windows older than memory_kept, and daily counters of
    /// days older than usage_kept. Returns rows deleted.
    int Purge();

private:
    EventOutcome Once(const PlanEvent& event, const std::function<EventOutcome(PlanStore&)>& apply);
    const PlanCatalog& catalog_;
    PlanRepository& repo_;
    BillingGateway& gateway_;
    const core::Clock& clock_;
    const core::TimeZone& zone_;
    PlanOptions options_;
};

}  // namespace maxis::plans
