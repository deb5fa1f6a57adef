#include "http/api/api_util.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::http {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

void BadRequest(const std::string& message) { throw Error(ErrorCode::kInvalidArgument, message); }

core::Viewer Authenticate(const Request& req, const Authenticator& authenticate) {
    auto viewer = authenticate(req);
    if (!viewer) throw Error(ErrorCode::kUnauthenticated, "missing credentials (Authorization: Bearer <token>)");
    return *viewer;
}

json::object ParseBody(const Request& req, std::initializer_list<std::string_view> allowed) {
    json::error_code ec;
    auto value = json::parse(req.body, ec);
    if (ec || !value.is_object()) BadRequest("the body must be a JSON object");
    auto obj = value.as_object();
    for (const auto& [key, _] : obj) {
        bool known = false;
        for (auto a : allowed) known |= key == a;
        if (!known) BadRequest("unknown field '" + std::string(key) + "'");
    }
    return obj;
}

std::string StringField(const json::object& obj, std::string_view name, bool required) {
    auto it = obj.find(name);
    if (it == obj.end() || it->value().is_null()) {
        if (required) BadRequest("field '" + std::string(name) + "' is required");
        return {};
    }
    if (!it->value().is_string()) BadRequest("field '" + std::string(name) + "' must be a string");
    return std::string(it->value().as_string());
}

std::optional<long long> IntegerField(const json::object& obj, std::string_view name, long long min, long long max) {
    auto it = obj.find(name);
    if (it == obj.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_int64() || it->value().as_int64() < min || it->value().as_int64() > max) {
        BadRequest("field '" + std::string(name) + "' must be a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max));
    }
    return it->value().as_int64();
}

core::UserId MemberInPath(const Request& req, const core::Viewer& viewer, const std::string& param) {
    const auto& raw = req.path_params.at(param);
    auto id = raw == "me" ? viewer.user_id : ParseUserId(raw).value_or(core::UserId{});
    if (id == core::UserId{}) BadRequest(param + " must be a user id (digits, from 1 to 9223372036854775807) or 'me'");
    if (!viewer.IsStaff() && id != viewer.user_id) throw Error(ErrorCode::kNotFound, "member not found");
    return id;
}

void RequireStaff(const core::Viewer& viewer) {
    if (!viewer.IsStaff()) throw Error(ErrorCode::kForbidden, "reserved for staff");
}

std::optional<core::UserId> ParseUserId(std::string_view text) {
    auto v = core::ParseId(text);
    if (!v) return std::nullopt;
    return core::UserId{*v};
}

core::UserId UserIdParam(std::string_view text, std::string_view name) {
    auto id = ParseUserId(text);
    if (!id) BadRequest(std::string(name) + " must be a user id: digits, from 1 to 9223372036854775807");
    return *id;
}

std::optional<long long> CursorParam(const Request& req) {
    auto v = req.QueryParam("cursor");
    if (!v) return std::nullopt;
    auto cursor = core::ParseId(*v);
    if (!cursor) BadRequest("cursor must be a value from next_cursor");
    return *cursor;
}

int IntParam(const Request& req, std::string_view name, int min, int max, int fallback) {
    auto v = req.QueryParam(name);
    if (!v) return fallback;
    auto parsed = core::ParseInteger(*v, min, max);
    if (!parsed)
        BadRequest(std::string(name) + " must be a number from " + std::to_string(min) + " to " + std::to_string(max));
    return static_cast<int>(*parsed);
}

int LimitParam(const Request& req, int fallback) { return IntParam(req, "limit", 1, 100, fallback); }

long long PathId(const Request& req, const std::string& what) {
    auto id = core::ParseId(req.path_params.at("id"));
    if (!id) throw Error(ErrorCode::kNotFound, what + " not found");
    return *id;
}

namespace {

void CollectIds(const json::value& v, std::vector<core::UserId>& out) {
    if (v.is_array()) {
        for (const auto& item : v.as_array()) CollectIds(item, out);
        return;
    }
    if (!v.is_object()) return;
    for (const auto& [key, value] : v.as_object()) {
        bool person = false;
        for (auto field : kPersonFields) person |= key == field;
        if (person && value.is_string()) {
            auto id = core::ParseId(std::string_view(value.as_string()));
            if (id && *id > 0 && std::find(out.begin(), out.end(), core::UserId{*id}) == out.end()) {
                out.push_back(core::UserId{*id});
            }
        } else if (key != "people") {
            CollectIds(value, out);
        }
    }
}

}  // namespace

std::vector<core::UserId> PersonIds(const json::value& body) {
    std::vector<core::UserId> out;
    CollectIds(body, out);
    return out;
}

json::object PeopleJson(const std::vector<core::UserId>& ids, const std::map<core::UserId, members::Person>& people) {
    json::object out;
    for (auto id : ids) {
        auto it = people.find(id);
        if (it == people.end()) {
            out[id.ToString()] =
                json::object{{"name", nullptr}, {"username", nullptr}, {"avatar_url", nullptr}, {"role", nullptr}};
            continue;
        }
        const auto& p = it->second;
        out[id.ToString()] =
            json::object{{"name", members::ShownName(p)},
                         {"username", p.username},
                         {"avatar_url", p.avatar_url.empty() ? json::value(nullptr) : json::value(p.avatar_url)},
                         {"role", core::ToString(p.role)}};
    }
    return out;
}

void AddPeople(Response& response,
               const std::function<std::map<core::UserId, members::Person>(const std::vector<core::UserId>&)>& find) {
    if (response.content_type != "application/json" || response.body.empty() || response.body.front() != '{') return;
    json::error_code ec;
    auto body = json::parse(response.body, ec);
    if (ec || !body.is_object() || body.as_object().contains("people")) return;
    auto ids = PersonIds(body);
    if (ids.empty()) return;
    body.as_object()["people"] = PeopleJson(ids, find(ids));
    response.body = json::serialize(body);
}

}  // namespace maxis::http
