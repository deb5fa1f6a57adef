#include "http/wire.hpp"

#include <algorithm>
#include <array>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

#include "core/strings.hpp"
#include "http/server.hpp"

namespace maxis::http {

namespace bhttp = boost::beast::http;

RequestParser::RequestParser(Request& into, WireLimits limits) : request_(into), limits_(limits) {
    header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.header_limit, UINT32_MAX)));
    body_limit(limits.body_limit);
    eager(true);
    request_.method.clear();
    request_.target.clear();
    request_.path.clear();
    request_.query.clear();
    request_.headers.clear();
    request_.body.clear();
    request_.path_params.clear();
}

std::size_t RequestParser::Feed(std::string_view bytes, Outcome& outcome) {
    std::size_t skipped = 0;
    if (!got_some()) {
        // RFC 9112 §2.2: empty lines before the request line are ignored.
        while (skipped < bytes.size() && (bytes[skipped] == '\r' || bytes[skipped] == '\n')) ++skipped;
        bytes.remove_prefix(skipped);
        if (bytes.empty()) {
            outcome = Outcome::kNeedMore;
            return skipped;
        }
    }
    // Beast expects the last chunk and its end ("0\r\n\r\n") in one piece once it has seen its start; a chunked
    // body always has at least those five bytes still to come, so waiting for them never stalls.
    if (is_header_done() && chunked() && !is_done() && bytes.size() < 5) {
        outcome = Outcome::kNeedMore;
        return skipped;
    }
    error_code ec;
    std::size_t used = skipped + put(boost::asio::const_buffer(bytes.data(), bytes.size()), ec);
    if (ec == bhttp::error::need_more) {
        outcome = Outcome::kNeedMore;
    } else if (ec) {
        outcome = Classify(ec);
    } else {
        outcome = is_done() ? Outcome::kComplete : Outcome::kNeedMore;
    }
    return used;
}

RequestParser::Outcome RequestParser::Classify(const error_code& ec) {
    if (ec == bhttp::error::header_limit) return Outcome::kHeadersTooLarge;
    if (ec == bhttp::error::body_limit) return Outcome::kBodyTooLarge;
    if (reason_.empty()) reason_ = "malformed HTTP request (" + ec.message() + ")";
    return Outcome::kBadRequest;
}

bool RequestParser::Charge(std::size_t bytes, error_code& ec) {
    header_bytes_ += bytes;
    if (header_bytes_ <= limits_.header_limit) return true;
    ec = bhttp::error::header_limit;
    return false;
}

void RequestParser::on_request_impl(verb, sv method_str, sv target, int version, error_code& ec) {
    if (!Charge(method_str.size() + target.size() + 12, ec)) return;
    version_ = static_cast<unsigned>(version);
    request_.method.assign(method_str.data(), method_str.size());
    std::string_view t(target.data(), target.size());
    request_.target.assign(t);
    // Origin form ("/path?query"), or the absolute form a server must also accept ("http://host/path").
    if (t.starts_with("http://") || t.starts_with("https://")) {
        auto authority = t.find("//") + 2;
        auto slash = t.find_first_of("/?", authority);
        t = slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
        if (t.front() == '?') {
            request_.path = "/";
            request_.query.assign(t.substr(1));
            return;
        }
    } else if (t != "*" && (t.empty() || t.front() != '/')) {
        reason_ = "the request target must be a path starting with '/'";
        ec = bhttp::error::bad_target;
        return;
    }
    auto q = t.find('?');
    request_.path.assign(t.substr(0, q));
    if (q != std::string_view::npos) request_.query.assign(t.substr(q + 1));
}

void RequestParser::on_response_impl(int, sv, int, error_code& ec) { ec = bhttp::error::bad_method; }

void RequestParser::on_field_impl(field name, sv name_string, sv value, error_code& ec) {
    if (!Charge(name_string.size() + value.size() + 4, ec)) return;
    // Trailer fields are counted against the limit and dropped: no handler reads them, and RFC 9110 §6.5.1
    // lets a recipient discard what it does not understand.
    if (in_trailers_) return;
    if (name == field::host) ++host_fields_;
    if (name == field::content_length) content_length_ = true;
    if (name == field::transfer_encoding) {
        ++transfer_encoding_fields_;
        std::string_view v(value.data(), value.size());
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        only_chunked_ = core::AsciiLower(v) == "chunked";
    }
    auto key = core::AsciiLower(std::string_view(name_string.data(), name_string.size()));
    auto [it, inserted] = request_.headers.try_emplace(std::move(key), value.data(), value.size());
    if (!inserted) {
        // Repeated fields are one list (RFC 9110 §5.3); cookies are joined the way they are sent.
        it->second += name == field::cookie ? "; " : ", ";
        it->second.append(value.data(), value.size());
    }
}

void RequestParser::on_header_impl(error_code& ec) {
    in_trailers_ = true;
    // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host field is answered 400; two are refused
    // whatever the version.
    if (host_fields_ > 1 || (version_ >= 11 && host_fields_ == 0)) {
        reason_ = host_fields_ == 0 ? "an HTTP/1.1 request needs a Host header" : "more than one Host header";
        ec = bhttp::error::bad_field;
        return;
    }
    // Framing must mean one thing to every hop (RFC 9112 §6.1, §6.3): the only transfer coding taken is a lone
    // "chunked" on HTTP/1.1, never beside a Content-Length. Anything else could be read one way here and
    // another way by a proxy in front, and smuggle a request.
    if (transfer_encoding_fields_ > 0) {
        if (version_ < 11) {
            reason_ = "Transfer-Encoding is not allowed in an HTTP/1.0 request";
        } else if (transfer_encoding_fields_ > 1 || !only_chunked_) {
            reason_ = "the only Transfer-Encoding accepted is \"chunked\"";
        } else if (content_length_) {
            reason_ = "Content-Length and Transfer-Encoding together";
        }
        if (!reason_.empty()) ec = bhttp::error::bad_transfer_encoding;
    }
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
    if (content_length) request_.body.reserve(std::min<std::uint64_t>(*content_length, 64 * 1024));
}

std::size_t RequestParser::on_body_impl(sv body, error_code&) {
    request_.body.append(body.data(), body.size());
    return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, sv extensions, error_code& ec) {
    Charge(extensions.size(), ec);
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, sv body, error_code&) {
    request_.body.append(body.data(), body.size());
    return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}

namespace {

struct DefaultHeader {
    std::string_view name;
    std::string_view value;
};

// The headers every response carries unless its handler set its own value (see server.hpp).
constexpr std::array<DefaultHeader, 8> kDefaults{{
    {"Content-Security-Policy", kDefaultCsp},
    {"X-Frame-Options", "DENY"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Permissions-Policy", kPermissionsPolicy},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"Cache-Control", "no-store"},
}};

void AppendField(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

const std::string& DefaultBlock() {
    static const std::string block = [] {
        std::string b;
        for (const auto& h : kDefaults) AppendField(b, h.name, h.value);
        return b;
    }();
    return block;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

bool SafeFieldText(std::string_view s) {
    return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

}  // namespace

bool ResponseHasBody(int status) { return !((status >= 100 && status < 200) || status == 204 || status == 304); }

void SerializeHead(const Response& response, unsigned version, bool keep_alive, std::string& out) {
    out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    char code[4] = {static_cast<char>('0' + response.status / 100 % 10),
                    static_cast<char>('0' + response.status / 10 % 10), static_cast<char>('0' + response.status % 10),
                    ' '};
    out.append(code, 4);
    auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(response.status));
    out.append(reason.data(), reason.size());
    out.append("\r\nServer: maxis\r\n");
    AppendField(
        out, "Content-Type",
        SafeFieldText(response.content_type) ? std::string_view(response.content_type) : "application/octet-stream");
    unsigned overridden = 0;
    for (const auto& [name, value] : response.headers) {
        if (name.empty() || !SafeFieldText(name) || !SafeFieldText(value) ||
            name.find_first_of(" :\t") != std::string::npos || EqualsIgnoreCase(name, "Content-Length") ||
            EqualsIgnoreCase(name, "Transfer-Encoding") || EqualsIgnoreCase(name, "Connection")) {
            continue;  // framing is the server's alone
        }
        for (std::size_t i = 0; i < kDefaults.size(); ++i) {
            if (EqualsIgnoreCase(name, kDefaults[i].name)) overridden |= 1U << i;
        }
        AppendField(out, name, value);
    }
    if (overridden == 0) {
        out.append(DefaultBlock());
    } else {
        for (std::size_t i = 0; i < kDefaults.size(); ++i) {
            if ((overridden & (1U << i)) == 0) AppendField(out, kDefaults[i].name, kDefaults[i].value);
        }
    }
    if (ResponseHasBody(response.status)) {
        out.append("Content-Length: ");
        out.append(std::to_string(response.body.size()));
        out.append("\r\n");
    }
    if (!keep_alive && version >= 11) out.append("Connection: close\r\n");
    if (keep_alive && version == 10) out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
}

namespace {
constexpr std::array<std::string_view, kMethodLabels> kMethodNames{"GET",   "HEAD",   "POST",    "PUT",
                                                                   "PATCH", "DELETE", "OPTIONS", "other"};
}  // namespace

std::size_t MethodIndex(std::string_view method) {
    for (std::size_t i = 0; i + 1 < kMethodNames.size(); ++i) {
        if (kMethodNames[i] == method) return i;
    }
    return kMethodNames.size() - 1;
}

std::string_view MethodLabel(std::string_view method) { return kMethodNames[MethodIndex(method)]; }

}  // namespace maxis::http
