#include "domain/plans/plan_service.hpp"

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::plans {

using core::Error;
using core::ErrorCode;

Standing PlanService::StandingOf(core::UserId user) {
    return plans::StandingOf(catalog_, repo_.Grants(user), clock_.Now());
}

namespace {

const Plan& ForSale(const PlanCatalog& catalog, const std::string& id) {
    const Plan* plan = catalog.Find(id);
    if (plan == nullptr) throw Error(ErrorCode::kNotFound, "no plan '" + id + "'", "plans.unknown", {{"plan", id}});
    if (plan->billing == Billing::kFree || plan->price_id.empty()) {
        throw Error(ErrorCode::kInvalidArgument, "plan " + id + " is not for sale", "plans.not_for_sale",
                    {{"plan", id}});
    }
    return *plan;
}

}  // namespace

std::string PlanService::Subscribe(const core::Viewer& member, const std::string& id, const std::string& locale) {
    const Plan& plan = ForSale(catalog_, id);
    if (!gateway_.configured())
        throw Error(ErrorCode::kUnavailable, "payments are not configured", "plans.payments_off");
    auto now = clock_.Now();
    auto standing = StandingOf(member.user_id);
    for (const auto& g : standing.grants) {
        if (!InForce(g, now)) continue;
        const Plan* held = catalog_.Find(g.plan);
        if (held == nullptr) continue;
        if (g.plan == plan.id) {
            throw Error(ErrorCode::kConflict, "already holds " + plan.id, "plans.already", {{"plan", plan.id}});
        }
        // A monthly subscriber changes plan in the portal (Stripe prorates), never with a second subscription.
        if (plan.billing == Billing::kMonthly && g.kind == GrantKind::kSubscription) {
            throw Error(ErrorCode::kConflict, "already subscribed to " + g.plan, "plans.change_in_portal",
                        {{"plan", g.plan}});
        }
    }
    BillingGateway::PlanCheckout checkout{.user = member.user_id,
                                          .plan = &plan,
                                          .customer = repo_.CustomerOf(member.user_id).value_or(""),
                                          .promotion = repo_.ActivePromotion(plan.id, now),
                                          .locale = locale,
                                          .at = now};
    return gateway_.CreatePlanCheckout(checkout);
}

std::string PlanService::Portal(const core::Viewer& member, const std::string& locale) {
    if (!gateway_.configured())
        throw Error(ErrorCode::kUnavailable, "payments are not configured", "plans.payments_off");
    auto customer = repo_.CustomerOf(member.user_id);
    if (!customer) throw Error(ErrorCode::kNotFound, "no customer for this member", "plans.no_customer");
    return gateway_.PortalUrl(*customer, locale);
}

Promotion PlanService::CreatePromotion(const core::Viewer& staff, int percent, const std::string& plan,
                                       core::Millis duration) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "staff only");
    const Plan& p = ForSale(catalog_, plan);
    if (percent < 1 || percent > 100) {
        throw Error(ErrorCode::kInvalidArgument, "percent must be 1 to 100", "plans.promo_bad_percent");
    }
    if (duration < options_.min_promotion || duration > options_.max_promotion) {
        throw Error(ErrorCode::kInvalidArgument, "duration out of range", "plans.promo_bad_duration",
                    {{"min", std::to_string(options_.min_promotion.count() / 60'000) + " min"},
                     {"max", std::to_string(options_.max_promotion.count() / 86'400'000) + " j"}});
    }
    if (!gateway_.configured())
        throw Error(ErrorCode::kUnavailable, "payments are not configured", "plans.payments_off");
    auto now = clock_.Now();
    Promotion promo{.percent_off = percent,
                    .plan = p.id,
                    .expires_at = now + duration,
                    .created_by = staff.user_id,
                    .created_at = now};
    gateway_.CreatePromotion(promo, p);
    return repo_.SavePromotion(promo, options_.announce_channel);
}

Grant PlanService::GrantTemporary(const core::Viewer& staff, core::UserId user, const std::string& plan,
                                  core::Millis duration, const std::string& note) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "staff only");
    const Plan* p = catalog_.Find(plan);
    if (p == nullptr || p->billing == Billing::kFree) {
        throw Error(ErrorCode::kNotFound, "no plan '" + plan + "'", "plans.unknown", {{"plan", plan}});
    }
    if (duration < std::chrono::hours(1) || duration > std::chrono::hours(24 * 366)) {
        throw Error(ErrorCode::kInvalidArgument, "a grant lasts 1 hour to 1 year", "plans.grant_bad_duration");
    }
    core::RequireStorableText(note, "note", core::TextLines::kMulti);
    return repo_.GrantTemporary(staff, user, p->id, clock_.Now() + duration, note);
}

}  // namespace maxis::plans
