#pragma once
#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace maxis::http {

/// What one request may take on the wire. header_limit covers the request line, the header fields, every
/// chunk extension and the trailer fields together: nothing a client sends outside the body escapes it.
struct WireLimits {
    std::size_t header_limit = 16 * 1024;
    std::size_t body_limit = 1 << 20;
};

/// Reads one HTTP/1.x request straight into a Request (lower-cased header names, path and query split),
/// on Beast's incremental parser. Bytes are fed as they arrive; the parser is single-use, one per request.
/// Nothing it is fed can make it throw for a reason of the input: every violation is an outcome.
class RequestParser : private boost::beast::http::basic_parser<true> {
public:
    enum class Outcome {
        kNeedMore,         // feed more bytes
        kComplete,         // the request is whole (bytes after it belong to the next one)
        kBadRequest,       // malformed; reason() says why
        kHeadersTooLarge,  // request line + fields + chunk extensions + trailers over the header limit
        kBodyTooLarge,
    };

    RequestParser(Request& into, WireLimits limits);

    /// Parses as much of `bytes` as it can and says how many it consumed (the rest must be fed again,
    /// with more appended).
    std::size_t Feed(std::string_view bytes, Outcome& outcome);

    [[nodiscard]] unsigned version() const { return version_; }
    [[nodiscard]] bool keep_alive() const { return basic_parser::keep_alive(); }
    [[nodiscard]] bool header_done() const { return basic_parser::is_header_done(); }
    /// Why a request was refused, in words a client can act on.
    [[nodiscard]] const std::string& reason() const { return reason_; }

private:
    using error_code = boost::beast::error_code;
    using field = boost::beast::http::field;
    using verb = boost::beast::http::verb;

    Outcome Classify(const error_code& ec);
    bool Charge(std::size_t bytes, error_code& ec);

    using sv = boost::beast::string_view;
    void on_request_impl(verb method, sv method_str, sv target, int version, error_code& ec) override;
    void on_response_impl(int, sv, int, error_code& ec) override;
    void on_field_impl(field name, sv name_string, sv value, error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
    std::size_t on_body_impl(sv body, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t size, sv extensions, error_code& ec) override;
    std::size_t on_chunk_body_impl(std::uint64_t remain, sv body, error_code& ec) override;
    void on_finish_impl(error_code& ec) override;

    Request& request_;
    WireLimits limits_;
    std::size_t header_bytes_ = 0;  // charged against limits_.header_limit
    unsigned version_ = 11;
    int host_fields_ = 0;
    int transfer_encoding_fields_ = 0;
    bool content_length_ = false;
    bool only_chunked_ = false;  // the one Transfer-Encoding field says exactly "chunked"
    bool in_trailers_ = false;
    std::string reason_;
};

/// Appends the status line and every header of `response` to `out`, ending with the blank line: the
/// server's name, the content type, the handler's own headers, the security headers the handler did not
/// set itself (kDefaultCsp and friends, from one pre-serialised block), Content-Length and, where needed,
/// Connection. A header whose name or value holds a CR, LF or NUL is dropped (no response splitting).
void SerializeHead(const Response& response, unsigned version, bool keep_alive, std::string& out);

/// Whether a response with this status carries a body (not 1xx, 204 or 304).
bool ResponseHasBody(int status);

/// The method as a metrics label: one of a closed set, "other" for anything else.
std::string_view MethodLabel(std::string_view method);
/// The label's position in that closed set (0 to kMethodLabels - 1), for keys.
inline constexpr std::size_t kMethodLabels = 8;
std::size_t MethodIndex(std::string_view method);

}  // namespace maxis::http
