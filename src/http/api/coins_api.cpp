#include "http/api/coins_api.hpp"

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/time_zone.hpp"
#include "http/api/api_util.hpp"

namespace maxis::http {

namespace json = boost::json;

namespace {

json::object EntryJson(const coins::LedgerEntry& e) {
    json::object out{{"id", e.id},
                     {"user", e.user.ToString()},
                     {"amount", e.amount},
                     {"reason", std::string(coins::ToString(e.reason))},
                     {"ref", e.ref},
                     {"balance_after", e.balance_after},
                     {"at", core::FormatIso8601(e.at)}};
    // Who moved them and why: staff gifts and takes (Maxis itself has no actor).
    out["actor"] = e.actor.value != 0 ? json::value(e.actor.ToString()) : json::value(nullptr);
    out["note"] = e.note;
    return out;
}

}  // namespace

void AddCoinRoutes(Router& router, coins::CoinService& coins, Authenticator authenticate) {
    // Before /api/v1/coins/{member}: "leaderboard" is not a member.
    router.Add("GET", "/api/v1/coins/leaderboard", [&coins, authenticate](const Request& req) {
        Authenticate(req, authenticate);
        auto name = req.QueryParam("period").value_or("week");
        auto period = coins::ParsePeriod(name);
        if (!period) BadRequest("period must be week, month or all");
        auto start = coins.WindowStart(*period, coins.clock().Now());
        json::array rows;
        int rank = 0;
        for (const auto& r : coins.Leaderboard(*period)) {
            rows.push_back(json::object{{"rank", ++rank}, {"user", r.user.ToString()}, {"earned", r.earned}});
        }
        return Response::Json(
            200, json::object{{"period", name},
                              {"since", start ? json::value(core::FormatIso8601(*start)) : json::value(nullptr)},
                              {"leaders", std::move(rows)}});
    });

    router.Add("GET", "/api/v1/coins/{member}", [&coins, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto member = MemberInPath(req, viewer, "member");
        auto page = coins.History(viewer, member, CursorParam(req).value_or(0), LimitParam(req, 20));
        json::array entries;
        for (const auto& e : page.entries) entries.push_back(EntryJson(e));
        json::object out{{"user", member.ToString()}, {"balance", page.balance}, {"entries", std::move(entries)}};
        out["next_cursor"] = page.next_before != 0 ? json::value(page.next_before) : json::value(nullptr);
        return Response::Json(200, out);
    });

    for (bool give : {true, false}) {
        router.Add("POST", std::string("/api/v1/coins/{member}/") + (give ? "give" : "take"),
                   [&coins, authenticate, give](const Request& req) {
                       auto viewer = Authenticate(req, authenticate);
                       RequireStaff(viewer);
                       auto member = MemberInPath(req, viewer, "member");
                       auto body = ParseBody(req, {"amount", "reason"});
                       auto it = body.find("amount");
                       if (it == body.end() || !it->value().is_int64()) {
                           BadRequest("field 'amount' is required: a whole number of coins");
                       }
                       auto reason = StringField(body, "reason", true);
                       auto amount = it->value().as_int64();
                       auto e = give ? coins.Give(viewer, member, amount, reason)
                                     : coins.Take(viewer, member, amount, reason);
                       return Response::Json(201, EntryJson(e));
                   });
    }
}

}  // namespace maxis::http
