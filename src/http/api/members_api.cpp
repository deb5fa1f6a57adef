#include "http/api/members_api.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/strings.hpp"
#include "http/api/api_util.hpp"

namespace maxis::http {

namespace json = boost::json;

void AddMemberRoutes(Router& router, members::MemberDirectory& directory, Authenticator authenticate) {
    router.Add("GET", "/api/v1/members", [&directory, authenticate](const Request& req) {
        RequireStaff(Authenticate(req, authenticate));
        auto q = req.QueryParam("q").value_or("");
        if (q.size() > 100 || !core::IsValidUtf8(q)) BadRequest("q must be valid UTF-8, 100 bytes at most");
        auto staff = req.QueryParam("staff").value_or("0");
        if (staff != "0" && staff != "1") BadRequest("staff must be 0 or 1");
        int limit = IntParam(req, "limit", 1, members::MemberDirectory::kMaxSearch, 20);
        json::array items;
        for (const auto& p : directory.Search(q, staff == "1", limit)) {
            items.push_back(
                json::object{{"id", p.id.ToString()},
                             {"name", members::ShownName(p)},
                             {"username", p.username},
                             {"display_name", p.display_name},
                             {"avatar_url", p.avatar_url.empty() ? json::value(nullptr) : json::value(p.avatar_url)},
                             {"role", core::ToString(p.role)},
                             {"in_guild", p.in_guild}});
        }
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });
    router.SetResponseFilter([&directory](const Request& req, Response& response) {
        if (!core::StartsWith(req.path, "/api/") && !core::StartsWith(req.path, "/admin-panel/api/")) return;
        // The answer is already decided (a write may have committed): names that cannot be read now leave it
        // without its people, never turn it into an error a client would retry.
        try {
            AddPeople(response, [&directory](const std::vector<core::UserId>& ids) { return directory.People(ids); });
        } catch (const std::exception& e) {
            spdlog::warn("names left out of the answer to {} {}: {}", req.method, req.path, e.what());
        }
    });
}

}  // namespace maxis::http
