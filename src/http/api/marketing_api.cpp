#include "http/api/marketing_api.hpp"

#include <boost/json.hpp>
#include <climits>
#include <map>

#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/time_zone.hpp"
#include "http/api/api_util.hpp"

namespace maxis::http {

namespace json = boost::json;
using namespace marketing;

namespace {

constexpr long long kMaxMinor = 1'000'000'000'000LL;  // beyond any amount: the service says which are allowed

json::value Time(const std::optional<core::TimePoint>& t) {
    return t ? json::value(core::FormatIso8601(*t)) : json::value(nullptr);
}
/// A person, or null for nobody (0).
json::value Person(core::UserId id) { return id.value != 0 ? json::value(id.ToString()) : json::value(nullptr); }

json::object RoleJson(const RoleConfig& r, const std::string& currency) {
    return json::object{{"role", ToString(r.kind)},
                        {"enabled", r.enabled},
                        {"discord_role", r.discord_role},
                        {"reward", ToString(r.reward)},
                        {"commission_percent", r.commission_percent},
                        {"min_minor", r.min_minor},
                        {"max_minor", r.max_minor},
                        {"currency", currency},
                        {"plan", r.plan},
                        {"required_invites", r.required_invites},
                        {"required_followers", r.required_followers},
                        {"required_help_messages", r.required_help_messages},
                        {"required_events", r.required_events},
                        {"needs_links", r.needs_links},
                        {"needs_portfolio", r.needs_portfolio},
                        {"needs_description", r.needs_description}};
}

json::object ApplicationJson(const Application& a) {
    return json::object{{"id", a.id.value},
                        {"user", a.user.ToString()},
                        {"role", ToString(a.role)},
                        {"status", ToString(a.status)},
                        {"followers", a.form.followers},
                        {"links", a.form.links},
                        {"portfolio", a.form.portfolio},
                        {"message", a.form.message},
                        {"created_at", core::FormatIso8601(a.created_at)},
                        {"decided_at", Time(a.decided_at)},
                        {"actor", Person(a.decided_by)},
                        {"reason", a.reason}};
}

json::object HolderJson(const MemberRole& r) {
    return json::object{{"user", r.user.ToString()},
                        {"role", ToString(r.role)},
                        {"granted_at", core::FormatIso8601(r.granted_at)},
                        {"granted_by", Person(r.granted_by)},
                        {"revoked_at", Time(r.revoked_at)},
                        {"revoked_by", Person(r.revoked_by)},
                        {"revoke_reason", r.revoke_reason},
                        {"plan_grant", r.plan_grant ? json::value(*r.plan_grant) : json::value(nullptr)},
                        {"plan_renew_at", Time(r.plan_renew_at)}};
}

json::object CountsJson(const InviteCounts& c) {
    return json::object{{"user", c.inviter.ToString()},
                        {"total", c.total()},
                        {"regular", c.regular},
                        {"left", c.left},
                        {"fake", c.fake},
                        {"bonus", c.bonus},
                        {"validated", c.validated},
                        {"pending", c.pending}};
}

json::object JoinJson(const InviteJoin& j) {
    return json::object{{"id", j.id.value},
                        {"user", j.member.ToString()},
                        {"source", ToString(j.source)},
                        {"code", j.code},
                        {"status", ToString(j.status)},
                        {"fake_reason", j.fake_reason.empty() ? json::value(nullptr) : json::value(j.fake_reason)},
                        {"joined_at", core::FormatIso8601(j.joined_at)},
                        {"validate_at", core::FormatIso8601(j.validate_at)},
                        {"validated_at", Time(j.validated_at)},
                        {"left_at", Time(j.left_at)}};
}

json::object CommissionJson(const Commission& c) {
    return json::object{{"id", c.id.value},
                        {"user", c.marketer.ToString()},
                        {"kind", ToString(c.kind)},
                        {"role", ToString(c.role)},
                        {"status", ToString(c.status)},
                        {"amount_minor", c.amount.minor},
                        {"currency", c.amount.currency},
                        {"source", c.source},
                        {"payment_ref", c.payment_ref},
                        {"buyer", Person(c.buyer)},
                        {"sale_minor", c.sale_minor},
                        {"refunded_minor", c.refunded_minor},
                        {"percent", c.percent},
                        {"note", c.note},
                        {"created_by", Person(c.created_by)},
                        {"created_at", core::FormatIso8601(c.created_at)},
                        {"due_at", core::FormatIso8601(c.due_at)},
                        {"paid_at", Time(c.paid_at)},
                        {"payout_id", c.payout ? json::value(c.payout->value) : json::value(nullptr)},
                        {"reversed_at", Time(c.reversed_at)},
                        {"clawback_of", c.clawback_of ? json::value(c.clawback_of->value) : json::value(nullptr)}};
}

json::object PayoutJson(const Payout& p) {
    return json::object{{"id", p.id.value},
                        {"user", p.marketer.ToString()},
                        {"amount_minor", p.amount.minor},
                        {"currency", p.amount.currency},
                        {"reference", p.reference},
                        {"created_by", Person(p.created_by)},
                        {"created_at", core::FormatIso8601(p.created_at)}};
}

json::object StatementJson(const Statement& s) {
    json::array lines;
    for (const auto& c : s.lines) lines.push_back(CommissionJson(c));
    json::array payouts;
    for (const auto& p : s.payouts) payouts.push_back(PayoutJson(p));
    return json::object{{"user", s.marketer.ToString()},    {"month", s.month},
                        {"currency", s.currency},           {"opening_minor", s.opening_minor},
                        {"earned_minor", s.earned_minor},   {"reversed_minor", s.reversed_minor},
                        {"paid_minor", s.paid_minor},       {"pending_minor", s.pending_minor},
                        {"closing_minor", s.closing_minor}, {"lines", std::move(lines)},
                        {"payouts", std::move(payouts)}};
}

json::object ActivityJson(const Activity& a) {
    return json::object{{"id", a.id},
                        {"user", a.user.ToString()},
                        {"kind", ToString(a.kind)},
                        {"amount", a.amount},
                        {"ref", a.ref},
                        {"note", a.note},
                        {"actor", Person(a.by)},
                        {"at", core::FormatIso8601(a.at)}};
}

/// A role named in a path or a body: its key, or its French or English name (ParseRoleKind).
RoleKind RoleText(const std::string& text, const std::string& name) {
    auto role = ParseRoleKind(text);
    if (!role) {
        BadRequest(name +
                   " must be a marketing role: ambassador, influencer, creator, helper, event_host, "
                   "beta_tester or partner");
    }
    return *role;
}

core::UserId UserInPath(const Request& req) { return UserIdParam(req.path_params.at("user"), "user"); }

/// Authenticates a staff member (401 without credentials, 403 for a member).
core::Viewer Staff(const Request& req, const Authenticator& authenticate) {
    auto viewer = Authenticate(req, authenticate);
    RequireStaff(viewer);
    return viewer;
}

std::string Month(const Request& req) { return req.QueryParam("month").value_or(""); }

long long AmountField(const json::object& body) {
    auto amount = IntegerField(body, "amount_minor", -kMaxMinor, kMaxMinor);
    if (!amount) BadRequest("field 'amount_minor' is required");
    return *amount;
}

/// The pending application with this id, as the staff's list has it (404 when there is none).
Application PendingApplication(MarketingService& roles, const core::Viewer& staff, const Request& req) {
    auto id = ApplicationId{PathId(req, "application")};
    for (auto& a : roles.Applications(staff, ApplicationStatus::kPending)) {
        if (a.id == id) return a;
    }
    throw core::Error(core::ErrorCode::kNotFound, "no pending application with this id", "marketing.no_application");
}

void AddRoleRoutes(Router& router, const Authenticator& authenticate, MarketingService& roles,
                   CommissionService& commissions) {
    router.Add("GET", "/api/v1/marketing/roles", [&roles, &commissions, authenticate](const Request& req) {
        Staff(req, authenticate);
        json::array items;
        for (const auto& r : roles.roles()) items.push_back(RoleJson(r, commissions.options().currency));
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });
    router.Add("GET", "/api/v1/marketing/applications", [&roles, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        std::optional<ApplicationStatus> status;
        if (auto s = req.QueryParam("status"); s && !s->empty()) {
            status = ParseApplicationStatus(*s);
            if (!status) BadRequest("status must be pending, approved or rejected");
        }
        json::array items;
        for (const auto& a : roles.Applications(staff, status)) items.push_back(ApplicationJson(a));
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });
    router.Add("POST", "/api/v1/marketing/applications/{id}/approve", [&roles, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto a = PendingApplication(roles, staff, req);
        return Response::Json(200, HolderJson(roles.Approve(staff, a.user, a.role)));
    });
    router.Add("POST", "/api/v1/marketing/applications/{id}/reject", [&roles, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto body = ParseBody(req, {"reason"});
        auto a = PendingApplication(roles, staff, req);
        return Response::Json(200,
                              ApplicationJson(roles.Reject(staff, a.user, a.role, StringField(body, "reason", false))));
    });
    router.Add("GET", "/api/v1/marketing/holders", [&roles, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        std::optional<RoleKind> role;
        if (auto r = req.QueryParam("role"); r && !r->empty()) role = RoleText(*r, "role");
        json::array items;
        for (const auto& h : roles.Holders(staff, role)) items.push_back(HolderJson(h));
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });
    router.Add("POST", "/api/v1/marketing/holders/{user}/{role}/revoke", [&roles, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto body = ParseBody(req, {"reason"});
        auto role = RoleText(req.path_params.at("role"), "role");
        return Response::Json(
            200, HolderJson(roles.Revoke(staff, UserInPath(req), role, StringField(body, "reason", false))));
    });
    router.Add("POST", "/api/v1/marketing/marketers/{user}/events", [&roles, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto body = ParseBody(req, {"name"});
        return Response::Json(201,
                              ActivityJson(roles.MarkEvent(staff, UserInPath(req), StringField(body, "name", false))));
    });
}

void AddInviteRoutes(Router& router, const Authenticator& authenticate, InviteService& invites) {
    // The literal path first: {user} would otherwise take "leaderboard" for a user.
    router.Add("GET", "/api/v1/marketing/invites/leaderboard", [&invites, authenticate](const Request& req) {
        Staff(req, authenticate);
        auto name = req.QueryParam("window").value_or("30d");
        auto window = ParseWindow(name);
        if (!window) BadRequest("window must be 7d, 30d or all");
        json::array items;
        for (const auto& r : invites.Leaderboard(*window)) {
            items.push_back(
                json::object{{"user", r.inviter.ToString()}, {"total", r.total}, {"validated", r.validated}});
        }
        return Response::Json(200, json::object{{"window", ToString(*window)}, {"items", std::move(items)}});
    });
    router.Add("GET", "/api/v1/marketing/invites/{user}", [&invites, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto summary = invites.Summary(staff, UserInPath(req));
        json::array recent;
        for (const auto& j : summary.recent) recent.push_back(JoinJson(j));
        return Response::Json(200, json::object{{"counts", CountsJson(summary.counts)}, {"recent", std::move(recent)}});
    });
    router.Add("POST", "/api/v1/marketing/invites/{user}/bonus", [&invites, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto body = ParseBody(req, {"amount", "reason"});
        auto amount = IntegerField(body, "amount", INT_MIN + 1, INT_MAX);
        if (!amount) BadRequest("field 'amount' is required");
        auto counts =
            invites.AddBonus(staff, UserInPath(req), static_cast<int>(*amount), StringField(body, "reason", false));
        return Response::Json(200, CountsJson(counts));
    });
}

void AddLedgerRoutes(Router& router, const Authenticator& authenticate, CommissionService& commissions,
                     const core::NameLookup& names) {
    router.Add("GET", "/api/v1/marketing/marketers", [&commissions, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto statements = commissions.Statements(staff, Month(req));
        json::array items;
        for (const auto& s : statements) items.push_back(StatementJson(s));
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });
    router.Add("GET", "/api/v1/marketing/marketers/{user}/statement", [&commissions, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto user = UserInPath(req);
        auto statement = StatementJson(commissions.MonthlyStatement(staff, user, Month(req)));
        // What is due now, for the payout form (the month's closing figure is the month's end).
        auto balance = commissions.BalanceOf(staff, user);
        statement["balance"] = json::object{{"due_minor", balance.due_minor},
                                            {"pending_minor", balance.pending_minor},
                                            {"paid_minor", balance.paid_minor},
                                            {"currency", balance.currency}};
        return Response::Json(200, std::move(statement));
    });
    router.Add("GET", "/api/v1/marketing/statements.csv", [&commissions, authenticate, names](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto month = Month(req);
        auto statements = commissions.Statements(staff, month);
        // The names are read after the service's transactions: the lookup opens its own.
        std::map<core::UserId, std::string> known;
        if (names) {
            std::vector<core::UserId> ids;
            for (const auto& s : statements) ids.push_back(s.marketer);
            known = names(ids);
        }
        std::string csv =
            "month,marketer_name,marketer_id,opening,earned,reversed,paid,pending,closing,currency,lines,payouts\r\n";
        for (const auto& s : statements) {
            auto name = known.find(s.marketer);
            csv += core::CsvCell(s.month) + "," + (name != known.end() ? core::CsvCell(name->second) : std::string()) +
                   "," + s.marketer.ToString() + "," + DecimalText(s.opening_minor) + "," +
                   DecimalText(s.earned_minor) + "," + DecimalText(s.reversed_minor) + "," + DecimalText(s.paid_minor) +
                   "," + DecimalText(s.pending_minor) + "," + DecimalText(s.closing_minor) + "," +
                   core::CsvCell(s.currency) + "," + std::to_string(s.lines.size()) + "," +
                   std::to_string(s.payouts.size()) + "\r\n";
        }
        auto file = !statements.empty() ? statements.front().month : month.empty() ? "current" : month;
        return Response::Text(200, std::move(csv), "text/csv; charset=utf-8")
            .With("Content-Disposition", "attachment; filename=\"marketing-statements-" + file + ".csv\"");
    });
    router.Add("POST", "/api/v1/marketing/marketers/{user}/rewards", [&commissions, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto body = ParseBody(req, {"role", "amount_minor", "note"});
        auto role = RoleText(StringField(body, "role", true), "field 'role'");
        auto c = commissions.AddReward(staff, UserInPath(req), role,
                                       core::Money{AmountField(body), commissions.options().currency},
                                       StringField(body, "note", false));
        return Response::Json(201, CommissionJson(c));
    });
    router.Add("POST", "/api/v1/marketing/marketers/{user}/payouts", [&commissions, authenticate](const Request& req) {
        auto staff = Staff(req, authenticate);
        auto body = ParseBody(req, {"amount_minor", "reference"});
        auto p = commissions.RecordPayout(staff, UserInPath(req),
                                          core::Money{AmountField(body), commissions.options().currency},
                                          StringField(body, "reference", false));
        return Response::Json(201, PayoutJson(p));
    });
}

}  // namespace

void AddMarketingRoutes(Router& router, const Authenticator& authenticate, MarketingService& roles,
                        InviteService& invites, CommissionService& commissions, core::NameLookup names) {
    AddRoleRoutes(router, authenticate, roles, commissions);
    AddInviteRoutes(router, authenticate, invites);
    AddLedgerRoutes(router, authenticate, commissions, names);
}

}  // namespace maxis::http
