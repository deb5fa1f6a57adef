#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace maxis::testing {

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    [[nodiscard]] std::string Header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? "" : it->second;
    }
};

/// A blocking HTTP/1.1 client for tests on 127.0.0.1: one connection, several requests (keep-alive),
/// and raw bytes for malformed or partial requests.
class HttpConnection {
public:
    explicit HttpConnection(std::uint16_t port, std::string host = "127.0.0.1");
    ~HttpConnection();
    HttpResult Send(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::map<std::string, std::string>& headers = {});
    void WriteRaw(const std::string& bytes);
    /// Reads one response; nullopt when the server closed the connection first.
    std::optional<HttpResult> ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                           bool head = false);
    /// True when the server closes the connection within the timeout.
    bool WaitForClose(std::chrono::milliseconds timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// One request on a fresh connection.
HttpResult HttpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = {}, const std::map<std::string, std::string>& headers = {});

}  // namespace maxis::testing
