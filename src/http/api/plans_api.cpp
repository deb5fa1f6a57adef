#include "http/api/plans_api.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "core/time_zone.hpp"
#include "http/api/api_util.hpp"

namespace maxis::http {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;
using namespace plans;

namespace {

/// A daily limit as JSON: null for unlimited.
json::value Limit(int per_day) { return per_day == kUnlimited ? json::value(nullptr) : json::value(per_day); }

json::value Time(const std::optional<core::TimePoint>& t) {
    return t ? json::value(core::FormatIso8601(*t)) : json::value(nullptr);
}

json::object EntitlementsJson(const Entitlements& e) {
    return json::object{{"messages_per_day", Limit(e.messages_per_day)},
                        {"image_input", e.image_input},
                        {"image_generation", e.image_generation},
                        {"images_per_day", e.image_generation ? Limit(e.images_per_day) : json::value(0)},
                        {"private_channel", e.private_channel},
                        {"priority_support", e.priority_support}};
}

json::object PlanJson(const Plan& p) {
    return json::object{{"id", p.id},
                        {"billing", ToString(p.billing)},
                        {"price_minor", p.price_minor},
                        {"currency", p.currency},
                        {"for_sale", p.billing != Billing::kFree && !p.price_id.empty()},
                        {"entitlements", EntitlementsJson(p.entitlements)}};
}

json::object GrantJson(const Grant& g, core::TimePoint now, bool staff) {
    json::object out{{"id", g.id},
                     {"plan", g.plan},
                     {"kind", ToString(g.kind)},
                     {"status", ToString(g.status)},
                     {"in_force", InForce(g, now)},
                     {"period_end", Time(g.period_end)},
                     {"grace_until", Time(g.grace_until)},
                     {"expires_at", Time(g.expires_at)},
                     {"cancel_at_period_end", g.cancel_at_period_end},
                     {"created_at", core::FormatIso8601(g.created_at)},
                     {"updated_at", core::FormatIso8601(g.updated_at)}};
    if (g.end != plans::GrantEnd::kNone) out["end"] = plans::ToString(g.end);
    // Payment references, staff reasons and who gave or took the plan are for staff.
    if (staff) {
        out["ref"] = g.ref;
        out["customer_id"] = g.customer_id;
        out["reason"] = g.note;
        out["granted_by"] = g.granted_by ? json::value(g.granted_by->ToString()) : json::value(nullptr);
        out["ended_by"] = g.ended_by ? json::value(g.ended_by->ToString()) : json::value(nullptr);
        out["end_reason"] = g.end_note;
    }
    return out;
}

/// The member a path names: digits or "me" (400 otherwise). A member may only name themself; anyone
/// else answers 404, as if they did not exist.
core::UserId Member(const Request& req, const core::Viewer& viewer) { return MemberInPath(req, viewer, "id"); }

json::object PromotionJson(const Promotion& p, core::TimePoint now) {
    return json::object{{"id", p.id},
                        {"code", p.code},
                        {"percent_off", p.percent_off},
                        {"plan", p.plan},
                        {"expires_at", core::FormatIso8601(p.expires_at)},
                        {"active", p.expires_at > now},
                        // Counted by Maxis: each subscription or purchase that Stripe reported with this
                        // promotion, once per event (not Stripe's own times_redeemed).
                        {"uses", p.uses},
                        {"created_by", p.created_by.ToString()},
                        {"created_at", core::FormatIso8601(p.created_at)}};
}

/// The state a staff list shows for the grant that gives a member their plan.
std::string_view HolderState(const Grant& g) {
    if (g.status == GrantStatus::kPastDue) return "past_due";
    if (g.kind == GrantKind::kTemporary) return "granted";
    if (g.kind == GrantKind::kOneTime) return "for_life";
    if (g.cancel_at_period_end) return "cancelling";
    return "active";
}

/// The reason a staff action carries: required, one line (the service checks what it stores).
std::string Reason(const json::object& body) {
    auto reason = StringField(body, "reason", true);
    if (core::Trim(reason).empty()) BadRequest("field 'reason' must say why (it is kept with the grant)");
    return reason;
}

}  // namespace

void AddPlanRoutes(Router& router, PlanService& plans, Assistant& assistant, const core::TimeZone& zone,
                   Authenticator authenticate) {
    router.Add("GET", "/api/v1/plans", [&plans, authenticate](const Request& req) {
        Authenticate(req, authenticate);
        json::array items;
        for (const auto& p : plans.catalog().all()) items.push_back(PlanJson(p));
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });

    router.Add("GET", "/api/v1/plans/subscribers", [&plans, authenticate](const Request& req) {
        RequireStaff(Authenticate(req, authenticate));
        json::array items;
        // Totals per currency: plans may be priced in different ones.
        std::map<std::string, long long> mrr;
        auto counts = plans.CountSubscribers(plans.clock().Now());
        for (const auto& c : counts.plans) {
            mrr[c.currency] += c.mrr_minor;
            const auto* plan = plans.catalog().Find(c.plan);
            items.push_back(json::object{{"plan", c.plan},
                                         {"billing", ToString(plan->billing)},
                                         {"members", c.members},
                                         {"past_due", c.past_due},
                                         {"cancelling", c.cancelling},
                                         {"granted", c.granted},
                                         {"mrr_minor", c.mrr_minor},
                                         {"currency", c.currency}});
        }
        json::array totals;
        for (const auto& [currency, minor] : mrr)
            totals.push_back(json::object{{"currency", currency}, {"mrr_minor", minor}});
        return Response::Json(200, json::object{{"items", std::move(items)},
                                                {"members", counts.members},
                                                {"paying", counts.paying},
                                                {"mrr", std::move(totals)}});
    });

    router.Add("GET", "/api/v1/plans/history", [&plans, &zone, authenticate](const Request& req) {
        RequireStaff(Authenticate(req, authenticate));
        int days = IntParam(req, "days", 1, 366, 30);
        auto now = plans.clock().Now();
        // One moment per local day: its last instant, or now for today.
        json::array labels;
        std::vector<core::TimePoint> moments;
        for (int i = days - 1; i >= 0; --i) {
            auto t = now - std::chrono::days(i);
            auto day = zone.LocalDate(t);
            if (!labels.empty() && labels.back().as_string() == day) continue;  // a DST change can repeat a day
            labels.push_back(json::string(day));
            auto end = zone.FromLocal(std::chrono::floor<std::chrono::days>(zone.ToLocal(t)) + std::chrono::days(1));
            moments.push_back(std::min(now, end - std::chrono::milliseconds(1)));
        }
        json::array items;
        auto counts = plans.MembersAt(moments);
        for (const auto& p : plans.catalog().all()) {  // in the catalog's order
            if (auto it = counts.find(p.id); it != counts.end()) {
                json::array members;
                for (int n : it->second) members.push_back(n);
                items.push_back(json::object{{"plan", p.id}, {"members", std::move(members)}});
            }
        }
        return Response::Json(200, json::object{{"days", std::move(labels)}, {"items", std::move(items)}});
    });

    router.Add("GET", "/api/v1/plans/usage", [&plans, &assistant, authenticate](const Request& req) {
        RequireStaff(Authenticate(req, authenticate));
        int days = IntParam(req, "days", 1, 366, 30);
        auto since = assistant.DayOf(plans.clock().Now() - std::chrono::days(days - 1));
        json::array items;
        for (const auto& d : plans.UsagePerDay(since)) {
            items.push_back(
                json::object{{"day", d.day}, {"messages", d.messages}, {"images", d.images}, {"members", d.members}});
        }
        return Response::Json(200, json::object{{"days", days}, {"since", since}, {"items", std::move(items)}});
    });

    router.Add("GET", "/api/v1/plans/{plan}/members", [&plans, authenticate](const Request& req) {
        RequireStaff(Authenticate(req, authenticate));
        const auto& id = req.path_params.at("plan");
        const auto* plan = plans.catalog().Find(id);
        if (plan == nullptr || plan->billing == Billing::kFree)
            throw Error(ErrorCode::kNotFound, "no plan '" + id + "'");
        auto now = plans.clock().Now();
        json::array items;
        for (const auto& h : plans.Holders(plan->id)) {
            items.push_back(json::object{{"user", h.grant.user.ToString()},
                                         {"name", h.name},
                                         {"state", HolderState(h.grant)},
                                         {"grant", GrantJson(h.grant, now, true)}});
        }
        return Response::Json(200, json::object{{"plan", plan->id}, {"items", std::move(items)}});
    });

    router.Add("GET", "/api/v1/promotions", [&plans, authenticate](const Request& req) {
        RequireStaff(Authenticate(req, authenticate));
        auto now = plans.clock().Now();
        json::array items;
        for (const auto& p : plans.Promotions(LimitParam(req, 50))) items.push_back(PromotionJson(p, now));
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });

    router.Add("POST", "/api/v1/promotions", [&plans, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = ParseBody(req, {"plan", "percent_off", "duration_minutes"});
        auto plan = StringField(body, "plan", true);
        auto percent = IntegerField(body, "percent_off", 1, 100);
        auto minutes = IntegerField(body, "duration_minutes", 1, 10'000'000);
        if (!percent) BadRequest("field 'percent_off' is required (1 to 100)");
        if (!minutes) BadRequest("field 'duration_minutes' is required");
        // The same use case as the chat's !promo: its rules (percent, duration, plan for sale) are the service's.
        auto p = plans.CreatePromotion(viewer, static_cast<int>(*percent), plan, std::chrono::minutes(*minutes));
        return Response::Json(201, PromotionJson(p, plans.clock().Now()));
    });

    router.Add("POST", "/api/v1/promotions/{id}/expire", [&plans, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto p = plans.ExpirePromotion(viewer, PathId(req, "promotion"));
        return Response::Json(200, PromotionJson(p, plans.clock().Now()));
    });

    router.Add("POST", "/api/v1/members/{id}/plan/grants", [&plans, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto user = Member(req, viewer);
        auto body = ParseBody(req, {"plan", "duration_hours", "reason"});
        auto plan = StringField(body, "plan", true);
        auto hours = IntegerField(body, "duration_hours", 1, 24 * 366);
        if (!hours) BadRequest("field 'duration_hours' is required (1 to 8784, one year)");
        auto g = plans.GrantTemporary(viewer, user, plan, std::chrono::hours(*hours), Reason(body));
        return Response::Json(201, GrantJson(g, plans.clock().Now(), true));
    });

    router.Add("POST", "/api/v1/members/{id}/plan/grants/{grant}/revoke", [&plans, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto user = Member(req, viewer);
        auto grant = core::ParseId(req.path_params.at("grant"));
        if (!grant) throw Error(ErrorCode::kNotFound, "grant not found");
        auto body = ParseBody(req, {"reason"});
        auto g = plans.RevokeTemporary(viewer, user, *grant, Reason(body));
        return Response::Json(200, GrantJson(g, plans.clock().Now(), true));
    });

    router.Add("GET", "/api/v1/members/{id}/plan", [&plans, &assistant, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto user = Member(req, viewer);
        auto now = plans.clock().Now();
        auto standing = plans.StandingOf(user);
        auto usage = assistant.UsageOf(user, standing);
        json::array grants;
        for (const auto& g : standing.grants) grants.push_back(GrantJson(g, now, viewer.IsStaff()));
        json::object out{{"user", user.ToString()},
                         {"plan", PlanJson(*standing.plan)},
                         {"grant", standing.main ? json::value(GrantJson(*standing.main, now, viewer.IsStaff()))
                                                 : json::value(nullptr)},
                         {"usage", json::object{{"day", usage.day},
                                                {"messages", usage.messages},
                                                {"messages_limit", Limit(usage.messages_limit)},
                                                {"images", usage.images},
                                                {"images_limit", Limit(usage.images_limit)}}},
                         {"grants", std::move(grants)}};
        json::array roles;
        for (const auto& r : standing.roles) roles.push_back(json::value(r));
        out["roles"] = std::move(roles);
        return Response::Json(200, out);
    });
}

}  // namespace maxis::http
