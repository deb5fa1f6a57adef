#include "http/message.hpp"

#include <boost/json.hpp>

#include "core/strings.hpp"

namespace maxis::http {

std::string Request::Header(std::string_view name) const {
    auto it = headers.find(core::AsciiLower(name));
    return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
    for (const auto& pair : core::Split(query, '&')) {
        auto eq = pair.find('=');
        auto key = PercentDecode(std::string_view(pair).substr(0, eq), true);
        if (!key || *key != name) continue;
        if (eq == std::string::npos) return std::string();
        return PercentDecode(std::string_view(pair).substr(eq + 1), true);
    }
    return std::nullopt;
}

Response Response::Json(int status, const boost::json::value& value) {
    Response r;
    r.status = status;
    r.body = boost::json::serialize(value);
    return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
}

Response Response::Error(int status, std::string_view code, std::string_view message) {
    return Json(status, boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}});
}

Response Response::FromError(const core::Error& error) {
    boost::json::object body{{"code", core::ToString(error.code())}, {"message", error.what()}};
    // The refusal's stable name ("shop.free_unconfirmed"), for clients that word it in their own language.
    if (!error.key().empty()) body["key"] = error.key();
    auto response = Json(HttpStatus(error.code()), boost::json::object{{"error", std::move(body)}});
    if (error.code() == core::ErrorCode::kUnauthenticated) response.With("WWW-Authenticate", "Bearer realm=\"maxis\"");
    if (error.retry_after_seconds() > 0) response.With("Retry-After", std::to_string(error.retry_after_seconds()));
    return response;
}

Response& Response::With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
}

std::optional<std::string> Response::Header(std::string_view name) const {
    auto lower = core::AsciiLower(name);
    for (const auto& [k, v] : headers) {
        if (core::AsciiLower(k) == lower) return v;
    }
    return std::nullopt;
}

int HttpStatus(core::ErrorCode code) {
    switch (code) {
        case core::ErrorCode::kInvalidArgument:
            return 400;
        case core::ErrorCode::kUnauthenticated:
            return 401;
        case core::ErrorCode::kNotFound:
            return 404;
        case core::ErrorCode::kForbidden:
            return 403;
        case core::ErrorCode::kConflict:
            return 409;
        case core::ErrorCode::kLimitReached:
            return 429;
        case core::ErrorCode::kUnavailable:
            return 503;
        case core::ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\0') return std::nullopt;  // raw, as well as encoded (%00): never let a NUL through
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            char decoded = static_cast<char>(hi * 16 + lo);
            if (decoded == '\0') return std::nullopt;
            out += decoded;
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace maxis::http
