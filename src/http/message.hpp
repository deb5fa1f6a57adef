#pragma once
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace maxis::http {

/// A request as handlers see it: no Beast types, header names lower-cased, path parameters filled in
/// by the router.
struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // as sent: path and query
    std::string path;    // as sent (percent-encoded), no query; parameters are decoded by the router
    std::string query;   // raw query string, no '?'
    std::map<std::string, std::string> headers;
    std::string body;
    std::string remote_address;
    std::map<std::string, std::string> path_params;

    [[nodiscard]] std::string Header(std::string_view name) const;
    /// The first value of a query parameter, percent-decoded ('+' is a space).
    [[nodiscard]] std::optional<std::string> QueryParam(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    static Response Json(int status, const boost::json::value& value);
    static Response Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
    /// {"error":{"code":...,"message":...}} with the given status.
    static Response Error(int status, std::string_view code, std::string_view message);
    /// The one mapping from domain error codes to HTTP.
    static Response FromError(const core::Error& error);

    Response& With(std::string name, std::string value);
    [[nodiscard]] std::optional<std::string> Header(std::string_view name) const;
};

/// The HTTP status for a domain error code: 400, 401, 404, 403, 409, 429, 503, 500.
int HttpStatus(core::ErrorCode code);

/// Percent-decodes; nullopt on a malformed escape or on a NUL byte, raw or encoded.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace maxis::http
