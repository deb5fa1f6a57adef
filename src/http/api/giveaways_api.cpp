#include "http/api/giveaways_api.hpp"

#include <boost/json.hpp>

#include "core/time_zone.hpp"
#include "http/api/api_util.hpp"

namespace maxis::http {

namespace json = boost::json;
using namespace giveaways;

namespace {

json::array WinnersJson(const std::vector<Winner>& winners) {
    json::array out;
    for (const auto& w : winners) {
        out.push_back(json::object{{"user", w.user.ToString()},
                                   {"position", w.position},
                                   {"round", w.round},
                                   {"drawn_at", core::FormatIso8601(w.drawn_at)}});
    }
    return out;
}

json::object GiveawayJson(const GiveawayView& v) {
    const auto& g = v.giveaway;
    auto seconds = [](core::Millis d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); };
    return json::object{
        {"id", g.id.value},
        {"prize", g.prize},
        {"status", ToString(g.status)},
        {"winners_count", g.winners_count},
        {"starts_at", core::FormatIso8601(g.starts_at)},
        {"ends_at", core::FormatIso8601(g.ends_at)},
        {"ended_at", g.ended_at ? json::value(core::FormatIso8601(*g.ended_at)) : json::value(nullptr)},
        {"seed_hash", g.seed_hash},
        {"source", ToString(g.source)},
        {"created_by", g.created_by.ToString()},
        {"prize_cost_cents", g.prize_cost_cents},
        {"min_account_age_seconds", seconds(g.min_account_age)},
        {"min_member_age_seconds", seconds(g.min_member_age)},
        {"entries", v.entries},
        {"entered", v.entered},
        {"winners", WinnersJson(v.winners)},
    };
}

GiveawayId IdOf(const Request& req) { return GiveawayId{PathId(req, "giveaway")}; }

}  // namespace

void AddGiveawayRoutes(Router& router, GiveawayService& service, Authenticator authenticate) {
    router.Add("GET", "/api/v1/giveaways", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        std::optional<Status> status;
        if (auto s = req.QueryParam("status")) {
            status = ParseStatus(*s);
            if (!status) BadRequest("status must be running, ended or cancelled");
        }
        json::array items;
        for (const auto& v : service.List(viewer, status, LimitParam(req, 25))) items.push_back(GiveawayJson(v));
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });
    router.Add("GET", "/api/v1/giveaways/{id}", [&service, authenticate](const Request& req) {
        return Response::Json(200, GiveawayJson(service.Get(Authenticate(req, authenticate), IdOf(req))));
    });
    router.Add("GET", "/api/v1/giveaways/{id}/proof", [&service, authenticate](const Request& req) {
        auto proof = service.ProofOf(Authenticate(req, authenticate), IdOf(req));
        return Response::Text(200, ProofToJson(proof), "application/json");
    });
    router.Add("POST", "/api/v1/giveaways", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = ParseBody(req, {"prize", "winners", "duration_seconds", "prize_cost_cents",
                                    "min_account_age_seconds", "min_member_age_seconds"});
        auto duration = IntegerField(body, "duration_seconds", -1'000'000'000, 1'000'000'000);
        auto winners = IntegerField(body, "winners", -1000, 1000);
        if (!duration || !winners) BadRequest("fields 'duration_seconds', 'winners' and 'prize' are required");
        StartRequest r{.duration = std::chrono::seconds(*duration),
                       .winners = static_cast<int>(*winners),
                       .prize = StringField(body, "prize", true),
                       .prize_cost_cents = IntegerField(body, "prize_cost_cents", -1, 1'000'000'000'00).value_or(0)};
        if (auto a = IntegerField(body, "min_account_age_seconds", 0, 100LL * 365 * 86400)) {
            r.min_account_age = std::chrono::seconds(*a);
        }
        if (auto m = IntegerField(body, "min_member_age_seconds", 0, 100LL * 365 * 86400)) {
            r.min_member_age = std::chrono::seconds(*m);
        }
        auto g = service.Start(viewer, r);
        return Response::Json(201, GiveawayJson(service.Get(viewer, g.id)))
            .With("Location", "/api/v1/giveaways/" + g.id.ToString());
    });
    router.Add("POST", "/api/v1/giveaways/{id}/end", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        service.EndEarly(viewer, IdOf(req));
        return Response::Json(200, GiveawayJson(service.Get(viewer, IdOf(req))));
    });
    router.Add("POST", "/api/v1/giveaways/{id}/cancel", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        service.Cancel(viewer, IdOf(req));
        return Response::Json(200, GiveawayJson(service.Get(viewer, IdOf(req))));
    });
    router.Add("POST", "/api/v1/giveaways/{id}/reroll", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto body = req.body.empty() ? json::object{} : ParseBody(req, {"winner"});
        auto winner = StringField(body, "winner", false);
        if (winner.empty()) {
            service.Reroll(viewer, IdOf(req));
        } else {
            service.ReplaceWinner(viewer, IdOf(req), UserIdParam(winner, "winner"));
        }
        return Response::Json(200, GiveawayJson(service.Get(viewer, IdOf(req))));
    });
}

namespace {

json::value MaybeInt(const std::optional<long long>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object StatsJson(const GiveawayStats& s) {
    json::array days;
    for (const auto& d : s.days) {
        auto counted = [&](long long v) { return d.counted ? json::value(v) : json::value(nullptr); };
        days.push_back(json::object{{"day", d.day},
                                    {"joins", counted(d.joins)},
                                    {"leaves", counted(d.leaves)},
                                    {"revenue_minor", counted(d.revenue_minor)}});
    }
    return json::object{
        {"giveaway", s.giveaway.value},
        {"currency", s.currency},
        {"prize_cost_minor", s.prize_cost_minor},
        {"from", core::FormatIso8601(s.from)},
        {"to", core::FormatIso8601(s.to)},
        {"counted_until", core::FormatIso8601(s.counted_until)},
        {"open", s.open},
        {"members", json::object{{"joined", s.joined}, {"left", s.left}, {"gained", s.gained}}},
        {"paying", s.paying},
        {"revenue",
         json::object{{"shop_minor", s.shop_minor}, {"plans_minor", s.plans_minor}, {"total_minor", s.revenue_minor}}},
        {"net_minor", s.net_minor},
        {"roi_percent", MaybeInt(s.roi_percent)},
        {"cost_per_member_minor", MaybeInt(s.cost_per_member_minor)},
        {"days", std::move(days)},
    };
}

}  // namespace

void AddGiveawayStatsRoutes(Router& router, GiveawayStatsService& stats, GiveawayService& service,
                            Authenticator authenticate) {
    router.Add("GET", "/api/v1/giveaways/{id}/stats", [&stats, authenticate](const Request& req) {
        return Response::Json(200, StatsJson(stats.Stats(Authenticate(req, authenticate), IdOf(req))));
    });
    router.Add("PATCH", "/api/v1/giveaways/{id}", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = ParseBody(req, {"prize_cost_cents"});
        auto cost = IntegerField(body, "prize_cost_cents", -1'000'000'000'000, 1'000'000'000'000);
        if (!cost) BadRequest("field 'prize_cost_cents' is required");
        service.SetPrizeCost(viewer, IdOf(req), *cost);
        return Response::Json(200, GiveawayJson(service.Get(viewer, IdOf(req))));
    });
}

}  // namespace maxis::http
