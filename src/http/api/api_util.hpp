#pragma once
#include <boost/json/object.hpp>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/viewer.hpp"
#include "domain/members/member.hpp"
#include "http/api/tickets_api.hpp"
#include "http/message.hpp"

namespace maxis::http {

/// Throws core::Error(kInvalidArgument) with message (answered as 400 with it).
[[noreturn]] void BadRequest(const std::string& message);
/// The request's viewer, or core::Error(kUnauthenticated) when it carries no credentials.
core::Viewer Authenticate(const Request& req, const Authenticator& authenticate);
/// The body as a JSON object whose keys are all in allowed; 400 otherwise.
boost::json::object ParseBody(const Request& req, std::initializer_list<std::string_view> allowed);
/// A string field (empty when absent or null and not required); 400 for another type or a missing one.
std::string StringField(const boost::json::object& obj, std::string_view name, bool required);
/// A whole-number field within [min, max]; nullopt when absent or null.
std::optional<long long> IntegerField(const boost::json::object& obj, std::string_view name, long long min,
                                      long long max);
/// core::Error(kForbidden, "reserved for staff") unless the viewer is staff.
void RequireStaff(const core::Viewer& viewer);
/// A Discord user id given as digits (core::ParseId); nullopt for anything else.
std::optional<core::UserId> ParseUserId(std::string_view text);
/// The user id in the field or parameter name; 400 "<name> must be a user id ..." otherwise.
core::UserId UserIdParam(std::string_view text, std::string_view name);
/// The member a path parameter names: a user id, or "me" for the viewer. A member naming anyone else gets
/// core::Error(kNotFound, "member not found") (they may not learn whether that person exists); 400 otherwise.
core::UserId MemberInPath(const Request& req, const core::Viewer& viewer, const std::string& param);
/// ?cursor= (an id from next_cursor) and ?limit= (1..100, fallback when absent); 400 when malformed.
std::optional<long long> CursorParam(const Request& req);
int LimitParam(const Request& req, int fallback);
/// A whole-number query parameter within [min, max], fallback when absent; 400 naming it otherwise.
int IntParam(const Request& req, std::string_view name, int min, int max, int fallback);
/// The numeric {id} path parameter; anything else cannot name a row: core::Error(kNotFound, "<what> not found").
long long PathId(const Request& req, const std::string& what);

/// "34.99", "-5.00": an amount in minor units as a spreadsheet reads it (CSV exports).
std::string DecimalText(long long minor);

/// The fields whose value names a person, in every JSON answer: a user id as a string of digits.
inline constexpr std::string_view kPersonFields[] = {"owner",      "assignee",   "author",   "actor", "user",
                                                     "created_by", "granted_by", "ended_by", "buyer"};
/// What an answer's JSON text names: the person ids it carries in those fields, at any depth, each once, in the
/// order met (what a "people" object holds is not read), and whether its top already has "people".
struct NamedPeople {
    std::vector<core::UserId> ids;
    bool has_people = false;
};
/// Reads the text once, without building it in memory; nullopt when it is not one JSON value.
std::optional<NamedPeople> ScanPeople(std::string_view json_text);
/// ScanPeople's ids (none when the text is not JSON).
std::vector<core::UserId> PersonIds(std::string_view json_text);
/// The answer's "people" object: {"<id>": {"name", "username", "avatar_url" (or null), "role"}} for each id;
/// an id the directory does not know has all four null.
boost::json::object PeopleJson(const std::vector<core::UserId>& ids,
                               const std::map<core::UserId, members::Person>& people);
/// Adds "people" to a JSON object answer that names persons (one directory read through find); an answer
/// that is not a JSON object, names no one, or already has "people" is left as it is.
void AddPeople(Response& response,
               const std::function<std::map<core::UserId, members::Person>(const std::vector<core::UserId>&)>& find);

}  // namespace maxis::http
