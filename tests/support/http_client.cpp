#include "support/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace maxis::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct HttpConnection::Impl {
    asio::io_context io;
    beast::tcp_stream stream{io};
    beast::flat_buffer buffer;
    std::string host;
};

HttpConnection::HttpConnection(std::uint16_t port, std::string host) : impl_(std::make_unique<Impl>()) {
    impl_->host = host;
    impl_->stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address(host), port));
}

HttpConnection::~HttpConnection() {
    beast::error_code ec;
    impl_->stream.socket().close(ec);
}

void HttpConnection::WriteRaw(const std::string& bytes) { asio::write(impl_->stream.socket(), asio::buffer(bytes)); }

std::optional<HttpResult> HttpConnection::ReadResponse(std::chrono::milliseconds timeout, bool head) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);
    parser.body_limit(64 * 1024 * 1024);
    impl_->stream.expires_after(timeout);
    beast::error_code ec;
    bool done = false;
    bhttp::async_read(impl_->stream, impl_->buffer, parser, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    impl_->io.restart();
    impl_->io.run();
    if (!done || ec) return std::nullopt;
    auto res = parser.release();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(f.value());
    }
    out.body = res.body();
    return out;
}

HttpResult HttpConnection::Send(const std::string& method, const std::string& target, const std::string& body,
                                const std::map<std::string, std::string>& headers) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, impl_->host);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(impl_->stream, req);
    auto res = ReadResponse();
    if (!res) throw std::runtime_error("connection closed before a response to " + method + " " + target);
    return *res;
}

bool HttpConnection::WaitForClose(std::chrono::milliseconds timeout) {
    impl_->stream.expires_after(timeout);
    char byte;
    beast::error_code result;
    impl_->stream.async_read_some(asio::buffer(&byte, 1), [&](beast::error_code e, std::size_t) { result = e; });
    impl_->io.restart();
    impl_->io.run();
    return result == asio::error::eof || result == asio::error::connection_reset;
}

HttpResult HttpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body, const std::map<std::string, std::string>& headers) {
    HttpConnection c(port);
    return c.Send(method, target, body, headers);
}

}  // namespace maxis::testing
