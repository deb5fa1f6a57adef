#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace maxis::plans {

inline constexpr int kUnlimited = -1;

/// What a plan gives a member. Quotas count per day in the community's time zone.
struct Entitlements {
    int messages_per_day = 10;  // assistant messages; kUnlimited for no limit
    bool image_input = false;   // images attached to an assistant message
    bool image_generation = false;
    int images_per_day = 0;  // /imagine, when image_generation
    bool private_channel = false;
    bool priority_support = false;
};

enum class Billing { kFree, kMonthly, kOneTime };
/// "free", "monthly", "one_time".
std::string_view ToString(Billing billing);

/// A plan the community sells (or Free). Ids are "free", "pro", "ultra" and "founder".
struct Plan {
    std::string id;
    int rank = 0;  // which plan wins when a member holds several: the highest
    Billing billing = Billing::kFree;
    std::string price_id;  // Stripe price (recurring for monthly plans, one-time for Founder)
    long long price_minor = 0;
    std::string currency = "EUR";
    std::string role_id;  // Discord role kept in sync with the plan; empty: none
    Entitlements entitlements;
};

/// The plans in force, from the configuration. Always has a free plan (the first by rank billed kFree; a
/// default "free" when the configuration names none).
class PlanCatalog {
public:
    explicit PlanCatalog(std::vector<Plan> plans);
    [[nodiscard]] const Plan& Free() const;
    [[nodiscard]] const Plan* Find(std::string_view id) const;
    /// The plan sold at a Stripe price (how a plan change in the Customer Portal is recognised).
    [[nodiscard]] const Plan* ByPrice(std::string_view price_id) const;
    [[nodiscard]] const std::vector<Plan>& all() const { return plans_; }
    /// Every plan's role (the reconciler's scope: roles Maxis manages).
    [[nodiscard]] std::set<std::string> ManagedRoles() const;

private:
    std::vector<Plan> plans_;
};

/// Where a member's right to a plan comes from: a Stripe subscription, a one-time purchase (Founder),
/// or a temporary grant until a date (a giveaway's prize, a staff gesture).
enum class GrantKind { kSubscription, kOneTime, kTemporary };
/// kPastDue: a renewal failed; the plan is kept until grace_until, then ends.
enum class GrantStatus { kActive, kPastDue, kEnded, kRevoked };
/// Why a grant stopped: its term came (kTerm), a renewal stayed unpaid past the grace period (kUnpaid), a
/// staff member revoked it (kRevoked), or its payment was refunded or disputed. kNone while it runs.
enum class GrantEnd { kNone, kTerm, kUnpaid, kRevoked, kRefunded, kDisputed };

std::string_view ToString(GrantKind kind);
std::string_view ToString(GrantStatus status);
std::string_view ToString(GrantEnd end);
std::optional<GrantKind> ParseGrantKind(std::string_view text);
std::optional<GrantStatus> ParseGrantStatus(std::string_view text);
std::optional<GrantEnd> ParseGrantEnd(std::string_view text);

struct Grant {
    long long id = 0;
    core::UserId user;
    std::string plan;
    GrantKind kind = GrantKind::kSubscription;
    std::string ref;  // subscription id, payment intent, or "grant-<n>"
    GrantStatus status = GrantStatus::kActive;
    std::optional<core::TimePoint> period_end;   // subscriptions: the paid period's end
    std::optional<core::TimePoint> grace_until;  // kPastDue: when the plan ends without a payment
    std::optional<core::TimePoint> expires_at;   // temporary grants
    bool cancel_at_period_end = false;
    std::string customer_id;
    std::string note;                        // why it was granted, in the granter's words (temporary grants)
    std::optional<core::UserId> granted_by;  // the staff member who granted it (temporary grants)
    GrantEnd end = GrantEnd::kNone;
    std::optional<core::UserId> ended_by;  // the staff member who revoked it
    std::string end_note;                  // the revoker's reason, or the dispute's reason
    core::TimePoint created_at{};
    core::TimePoint updated_at{};
};

/// What a temporary grant's note said before migration 0011, when who granted and who revoked were written into
/// it as text: "<reason or 'granted by <id>'>[ · <'revoked by <id>: <why>' | 'term ended' | 'payment not received
/// within the grace period'>]". Split into the columns that hold them now.
struct OldGrantNote {
    std::string note;  // the granter's reason alone (empty when the note only said who granted)
    std::optional<core::UserId> granted_by;
    GrantEnd end = GrantEnd::kNone;
    std::optional<core::UserId> ended_by;
    std::string end_note;
};
/// nullopt when the note is not in the old format (a reason written since, or anything else): left alone.
std::optional<OldGrantNote> ParseOldGrantNote(std::string_view note);

/// Whether a grant gives its plan at `now`.
bool InForce(const Grant& grant, core::TimePoint now);
/// Whether a grant gave its plan at a past moment, rebuilt from its dates: from its creation to its end
/// (an ended or revoked grant ended when it last changed; a temporary one at its expiry; an unpaid one
/// with its grace period). For the dashboard's history, not for entitlements.
bool HeldAt(const Grant& grant, core::TimePoint t);

/// A member's plan at a moment: the best plan in force (Free when none), its entitlements, the roles
/// every grant in force calls for, and the grant that gives the plan.
struct Standing {
    const Plan* plan = nullptr;
    Entitlements entitlements;
    std::set<std::string> roles;
    std::optional<Grant> main;
    std::vector<Grant> grants;  // all of them, in force or not, newest first
};

Standing StandingOf(const PlanCatalog& catalog, std::vector<Grant> grants, core::TimePoint now);

/// A role to give or take back so that a member's roles match their plans.
struct RoleChange {
    core::UserId user;
    std::string role;
    bool grant = true;
};

/// The reconciler's comparison: for members present in the server (`actual`, their roles), what to grant
/// (a plan role they should hold) and revoke (a managed role they should not). Roles Maxis does not manage
/// are never touched; members not in the server are left for when they come back.
std::vector<RoleChange> RoleDrift(const std::map<long long, std::set<std::string>>& desired,
                                  const std::map<long long, std::set<std::string>>& actual,
                                  const std::set<std::string>& managed);

/// A subscription as the payment provider reports it now.
struct SubscriptionState {
    std::string id;
    std::string customer;
    core::UserId user;
    std::string plan;  // resolved from the subscription's price (or its metadata)
    std::string
        status;  // Stripe's: active, trialing, past_due, unpaid, canceled, incomplete, incomplete_expired, paused
    std::optional<core::TimePoint> period_end;
    bool cancel_at_period_end = false;
};

/// The grant status a provider status maps to; nullopt for a subscription not started yet (incomplete).
std::optional<GrantStatus> StatusFromProvider(std::string_view status);

/// A time-limited discount on a plan: a Stripe coupon and promotion code.
struct Promotion {
    long long id = 0;
    std::string code;
    int percent_off = 0;
    std::string plan;
    core::TimePoint expires_at{};
    std::string coupon_id;
    std::string promotion_code_id;
    core::UserId created_by;
    core::TimePoint created_at{};
    int uses = 0;
};

/// Subscribers per plan, for the dashboard. Each member counts once per plan they hold, however many
/// grants give it. mrr_minor: monthly recurring revenue, the price of every monthly subscription that
/// will renew (not those cancelled at the period's end).
struct PlanCount {
    std::string plan;
    int members = 0;     // holding the plan now
    int past_due = 0;    // of whom: a renewal failed, the plan ends with the grace period
    int cancelling = 0;  // of whom: cancelled, the plan ends with the paid period
    int granted = 0;     // of whom: only a temporary grant (a prize, a staff gesture), nothing paid
    long long mrr_minor = 0;
    std::string currency;
};

/// Subscribers per plan sold (Free left out, in the catalog's order), and distinct members over all plans:
/// a member holding Founder and Pro is in both rows but counts once here.
struct Subscribers {
    std::vector<PlanCount> plans;
    int members = 0;  // holding any plan sold
    int paying = 0;   // of whom: at least one plan paid for (not only granted)
};

/// The assistant's use on one local day, all members together (the dashboard's chart).
struct DailyUsage {
    std::string day;  // "2026-11-25", in the community's time zone
    long long messages = 0;
    long long images = 0;
    int members = 0;  // who used it that day
};

}  // namespace maxis::plans
