#include "http/api/api_util.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

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

std::string DecimalText(long long minor) {
    std::string sign = minor < 0 ? "-" : "";
    auto v = minor < 0 ? -minor : minor;
    auto cents = std::to_string(v % 100);
    return sign + std::to_string(v / 100) + "." + (cents.size() == 1 ? "0" : "") + cents;
}

namespace {

/// The events of Boost.JSON's streaming parser, kept only as far as ScanPeople needs them.
class PeopleScanner {
public:
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

    NamedPeople found;

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_array_begin(json::error_code&) { return Open(); }
    bool on_array_end(std::size_t, json::error_code&) { return Close(); }
    bool on_object_begin(json::error_code&) { return Open(); }
    bool on_object_end(std::size_t, json::error_code&) { return Close(); }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        if (person_) text_.append(s.data(), s.size());
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        if (person_) {
            text_.append(s.data(), s.size());
            Add(text_);
            text_.clear();
        }
        return Scalar();
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        Key(key_);
        key_.clear();
        return true;
    }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t, json::string_view, json::error_code&) { return Scalar(); }
    bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return Scalar(); }
    bool on_double(double, json::string_view, json::error_code&) { return Scalar(); }
    bool on_bool(bool, json::error_code&) { return Scalar(); }
    bool on_null(json::error_code&) { return Scalar(); }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    void Key(std::string_view key) {
        if (skipping_) return;
        if (key == "people") {
            // Its value is not read: the people named in it are not named by the answer.
            found.has_people |= depth_ == 1;
            skipping_ = true;
            skip_depth_ = depth_;
            return;
        }
        person_ = std::find(std::begin(kPersonFields), std::end(kPersonFields), key) != std::end(kPersonFields);
    }
    void Add(std::string_view text) {
        auto id = core::ParseId(text);
        if (!id || *id <= 0) return;
        auto& ids = found.ids;
        if (std::find(ids.begin(), ids.end(), core::UserId{*id}) == ids.end()) ids.push_back(core::UserId{*id});
    }
    // A value ends where it began: a scalar at once, an array or object at its closing bracket.
    bool Open() {
        person_ = false;
        ++depth_;
        return true;
    }
    bool Close() {
        --depth_;
        return Scalar();
    }
    bool Scalar() {
        if (skipping_ && depth_ == skip_depth_) skipping_ = false;
        person_ = false;
        return true;
    }

    std::string key_, text_;
    int depth_ = 0, skip_depth_ = 0;
    bool skipping_ = false;
    bool person_ = false;  // the value being read is a person field's
};

}  // namespace

std::optional<NamedPeople> ScanPeople(std::string_view json_text) {
    json::basic_parser<PeopleScanner> parser(json::parse_options{});
    json::error_code ec;
    auto used = parser.write_some(false, json_text.data(), json_text.size(), ec);
    if (ec || !parser.done() || used != json_text.size()) return std::nullopt;
    return std::move(parser.handler().found);
}

std::vector<core::UserId> PersonIds(std::string_view json_text) {
    auto named = ScanPeople(json_text);
    return named ? std::move(named->ids) : std::vector<core::UserId>{};
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
    // The answer is read once, as a stream, only for the ids it names; the people are then appended to it as it
    // stands rather than by building and writing the whole answer again (a list of 50 tickets is some 23 KB).
    auto named = ScanPeople(response.body);
    if (!named || named->has_people || named->ids.empty()) return;
    const auto& ids = named->ids;
    // A JSON value that starts with '{' ends with its '}' (whitespace aside), and names someone, so it has a
    // member before the one added.
    auto last = response.body.find_last_not_of(" \t\r\n");
    response.body.replace(last, std::string::npos, ",\"people\":" + json::serialize(PeopleJson(ids, find(ids))) + "}");
}

}  // namespace maxis::http
