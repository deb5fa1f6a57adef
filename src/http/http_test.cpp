#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <thread>

#include "core/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "support/http_client.hpp"

namespace maxis::http {
namespace {

using namespace std::chrono_literals;
using testing::HttpConnection;
using testing::HttpRequest;
using testing::HttpResult;

void ExpectSecurityHeaders(const HttpResult& r) {
    EXPECT_NE(r.Header("content-security-policy").find("default-src 'none'"), std::string::npos);
    EXPECT_NE(r.Header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_NE(r.Header("content-security-policy").find("base-uri 'none'"), std::string::npos);
    EXPECT_NE(r.Header("content-security-policy").find("object-src 'none'"), std::string::npos);
    EXPECT_EQ(r.Header("x-frame-options"), "DENY");
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
    EXPECT_NE(r.Header("permissions-policy").find("camera=()"), std::string::npos);
}

std::string ErrorCode(const HttpResult& r) {
    return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

class HttpServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        router.Add("GET", "/hello/{name}", [](const Request& r) {
            return Response::Json(200, {{"hello", r.path_params.at("name")}, {"q", r.QueryParam("q").value_or("")}});
        });
        router.Add("POST", "/echo", [](const Request& r) { return Response::Text(201, r.body); });
        router.Add("GET", "/boom", [](const Request&) -> Response { throw std::runtime_error("secret detail"); });
        router.Add("GET", "/missing", [](const Request&) -> Response {
            throw core::Error(core::ErrorCode::kNotFound, "ticket not found");
        });
        router.Add("GET", "/slow", [this](const Request&) {
            slow_started.set_value();
            std::this_thread::sleep_for(400ms);
            return Response::Text(200, "finished");
        });
        router.Add("GET", "/fast", [](const Request&) { return Response::Text(200, "ok"); }, {.blocking = false});
        router.Add("GET", "/odd-throw", [](const Request&) -> Response { throw 42; }, {.blocking = false});
        router.Add("GET", "/no-content", [](const Request&) { return Response::Text(204, "must not be sent"); },
                   {.blocking = false});
        router.Add("GET", "/odd-throw-blocking", [](const Request&) -> Response { throw 42; });
        ServerOptions options;
        options.port = 0;
        options.body_limit = 1024;
        options.header_limit = 2048;
        options.read_timeout = 300ms;
        options.idle_timeout = 300ms;
        options.access_log = false;
        server = std::make_unique<Server>(options, router, &metrics);
        server->Start();
        port = server->port();
    }
    Router router;
    core::Metrics metrics;
    std::unique_ptr<Server> server;
    std::uint16_t port = 0;
    std::promise<void> slow_started;
};

TEST(PercentDecode, RejectsNulBytesRawOrEncodedAndBadEscapes) {
    EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
    EXPECT_EQ(PercentDecode("a+b", false), "a+b");
    EXPECT_FALSE(PercentDecode("a%00b", true));
    EXPECT_FALSE(PercentDecode(std::string("\x04\0A]", 4), true));  // found by fuzz/query_fuzz.cpp
    EXPECT_FALSE(PercentDecode("%4", true));
    EXPECT_FALSE(PercentDecode("%zz", true));
    Request r;
    r.query = std::string("status=op\0en&x=1", 16);
    EXPECT_FALSE(r.QueryParam("status"));
    EXPECT_EQ(r.QueryParam("x"), "1");
}

TEST_F(HttpServerTest, RoutesWithDecodedPathParametersAndQuery) {
    auto r = HttpRequest(port, "GET", "/hello/Ren%C3%A9?q=a+b%21");
    EXPECT_EQ(r.status, 200);
    auto json = boost::json::parse(r.body);
    EXPECT_EQ(json.at("hello"), "René");
    EXPECT_EQ(json.at("q"), "a b!");
    EXPECT_EQ(r.Header("content-type"), "application/json");
    ExpectSecurityHeaders(r);
}

TEST_F(HttpServerTest, UnknownPathIs404WithJsonErrorAndHeaders) {
    auto r = HttpRequest(port, "GET", "/nope");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(ErrorCode(r), "not_found");
    ExpectSecurityHeaders(r);
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
    auto r = HttpRequest(port, "DELETE", "/echo");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.Header("allow"), "POST");
    EXPECT_EQ(ErrorCode(r), "method_not_allowed");
    ExpectSecurityHeaders(r);
}

TEST_F(HttpServerTest, HeadIsServedByGetWithoutBody) {
    HttpConnection c(port);
    c.WriteRaw("HEAD /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    auto head = c.ReadResponse(10s, /*head=*/true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->Header("content-length"), "2");
    EXPECT_EQ(head->body, "");
    ExpectSecurityHeaders(*head);
    // Had the HEAD response carried a body, it would be read here instead of the GET's response.
    auto get = c.ReadResponse();
    ASSERT_TRUE(get);
    EXPECT_EQ(get->body, "ok");
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413) {
    auto r = HttpRequest(port, "POST", "/echo", std::string(2000, 'x'));
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(ErrorCode(r), "payload_too_large");
    ExpectSecurityHeaders(r);
    EXPECT_EQ(HttpRequest(port, "POST", "/echo", std::string(1000, 'x')).status, 201);
}

TEST_F(HttpServerTest, HeadersOverTheLimitAre431) {
    auto r = HttpRequest(port, "GET", "/fast", "", {{"X-Big", std::string(4000, 'a')}});
    EXPECT_EQ(r.status, 431);
    ExpectSecurityHeaders(r);
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
    HttpConnection c(port);
    c.WriteRaw("NOT HTTP AT ALL\r\n\r\n");
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    ExpectSecurityHeaders(*r);
}

TEST_F(HttpServerTest, HandlerExceptionIs500WithReferenceAndNoDetail) {
    auto r = HttpRequest(port, "GET", "/boom");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(ErrorCode(r), "internal");
    EXPECT_EQ(r.body.find("secret detail"), std::string::npos);
    EXPECT_NE(r.body.find("ref "), std::string::npos);
    ExpectSecurityHeaders(r);
}

TEST_F(HttpServerTest, DomainErrorsMapToStatus) {
    auto r = HttpRequest(port, "GET", "/missing");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(ErrorCode(r), "not_found");
    EXPECT_EQ(HttpStatus(core::ErrorCode::kLimitReached), 429);
    EXPECT_EQ(HttpStatus(core::ErrorCode::kUnauthenticated), 401);
    EXPECT_EQ(HttpStatus(core::ErrorCode::kConflict), 409);
    EXPECT_EQ(HttpStatus(core::ErrorCode::kInvalidArgument), 400);
    EXPECT_EQ(HttpStatus(core::ErrorCode::kForbidden), 403);
    EXPECT_EQ(HttpStatus(core::ErrorCode::kUnavailable), 503);
}

TEST(ErrorResponse, CarriesTheReasonsKeyOnlyWhenItHasOne) {
    auto keyed = boost::json::parse(
        Response::FromError(core::Error(core::ErrorCode::kUnauthenticated, "wrong code", "panel.wrong_code")).body);
    EXPECT_EQ(keyed.at("error").at("key"), "panel.wrong_code");
    EXPECT_EQ(keyed.at("error").at("message"), "wrong code");
    auto plain = boost::json::parse(Response::FromError(core::Error(core::ErrorCode::kNotFound, "not found")).body);
    EXPECT_FALSE(plain.at("error").as_object().contains("key"));
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    HttpConnection c(port);
    for (int i = 0; i < 3; ++i) {
        auto r = c.Send("GET", "/hello/x" + std::to_string(i));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(std::string(boost::json::parse(r.body).at("hello").as_string()), "x" + std::to_string(i));
    }
}

TEST_F(HttpServerTest, PartialRequestIsDroppedAfterTheReadTimeout) {
    HttpConnection c(port);
    c.WriteRaw("GET /fast HTTP/1.1\r\nHost: x\r\n");  // never finished
    EXPECT_TRUE(c.WaitForClose(3s));
}

TEST_F(HttpServerTest, IdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
    HttpConnection c(port);
    EXPECT_EQ(c.Send("GET", "/fast").status, 200);
    EXPECT_TRUE(c.WaitForClose(3s));
}

TEST_F(HttpServerTest, MetricsCountRequestsByRouteTemplate) {
    HttpRequest(port, "GET", "/hello/a");
    HttpRequest(port, "GET", "/hello/b");
    HttpRequest(port, "GET", "/nope");
    auto text = metrics.RenderPrometheus();
    EXPECT_NE(text.find("maxis_http_requests_total{route=\"/hello/{name}\",method=\"GET\",status=\"200\"} 2"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("maxis_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("maxis_http_request_duration_seconds_count{route=\"/hello/{name}\"} 2"), std::string::npos);
}

// The request from the issue that aborted the process (a trailer field over 65,533 bytes): now a 431, and the
// server goes on serving.
TEST_F(HttpServerTest, HugeTrailerIs431AndTheServerServesOn) {
    HttpConnection c(port);
    c.WriteRaw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " +
               std::string(65534, 'a') + "\r\n\r\n");
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
    EXPECT_EQ(r->Header("connection"), "close");
    ExpectSecurityHeaders(*r);
    EXPECT_EQ(HttpRequest(port, "GET", "/fast").status, 200);
}

// Chunk extensions are framing, not body: they count against the header limit, so a client cannot make the
// server hold an unbounded line.
TEST_F(HttpServerTest, ChunkExtensionFloodIs431) {
    HttpConnection c(port);
    c.WriteRaw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;e=" + std::string(200000, 'e'));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
    EXPECT_TRUE(c.WaitForClose(5s));
    EXPECT_EQ(HttpRequest(port, "POST", "/echo", "still here").body, "still here");
}

TEST_F(HttpServerTest, Http11WithoutHostIs400) {
    HttpConnection c(port);
    c.WriteRaw("GET /fast HTTP/1.1\r\n\r\n");
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(r->body.find("Host"), std::string::npos);
    ExpectSecurityHeaders(*r);
}

TEST_F(HttpServerTest, ExpectContinueIsAnswered) {
    HttpConnection c(port);
    c.WriteRaw("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    auto interim = c.ReadResponse();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    c.WriteRaw("abc");
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->body, "abc");
}

// Methods are a metrics label: invented ones all count as "other", so clients cannot grow /metrics.
TEST_F(HttpServerTest, InventedMethodsShareOneMetricsLabel) {
    HttpConnection c(port);
    for (int i = 0; i < 300; ++i) {
        c.WriteRaw("M" + std::to_string(i) + "X /fast HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = c.ReadResponse();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 405);
    }
    auto text = metrics.RenderPrometheus();
    EXPECT_NE(text.find("maxis_http_requests_total{route=\"unmatched\",method=\"other\",status=\"405\"} 300"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("M17X"), std::string::npos);
    std::size_t series = 0;
    for (auto at = text.find("\nmaxis_http_requests_total{"); at != std::string::npos;
         at = text.find("\nmaxis_http_requests_total{", at + 1)) {
        ++series;
    }
    EXPECT_EQ(series, 1U);
}

// Whatever a handler throws, on the I/O thread or a worker, the client gets a 500 with a reference and the
// server keeps serving.
TEST_F(HttpServerTest, AnythingAHandlerThrowsIsA500) {
    for (const char* path : {"/odd-throw", "/odd-throw-blocking"}) {
        auto r = HttpRequest(port, "GET", path);
        EXPECT_EQ(r.status, 500) << path;
        EXPECT_NE(r.body.find("ref "), std::string::npos);
    }
    EXPECT_EQ(HttpRequest(port, "GET", "/fast").status, 200);
}

// A 204 carries no body on the wire, whatever the handler put in it: the next response on the connection is
// read as itself.
TEST_F(HttpServerTest, NoContentSendsNoBody) {
    HttpConnection c(port);
    c.WriteRaw("GET /no-content HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    auto first = c.ReadResponse();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 204);
    EXPECT_EQ(first->body, "");
    auto second = c.ReadResponse();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 200);
    EXPECT_EQ(second->body, "ok");
}

// After a refusal the connection is closed: a request pipelined behind a malformed one is never served.
TEST_F(HttpServerTest, NothingIsServedAfterARefusal) {
    HttpConnection c(port);
    c.WriteRaw("GET /fast HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_FALSE(c.ReadResponse(2s));
}

TEST_F(HttpServerTest, Http10KeepAliveIsHonoured) {
    HttpConnection c(port);
    for (int i = 0; i < 2; ++i) {
        c.WriteRaw("GET /fast HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        auto r = c.ReadResponse();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->Header("connection"), "keep-alive");
    }
}

// The read timeout covers the whole request: a client sending a byte now and then cannot stretch it.
TEST_F(HttpServerTest, TricklingClientIsCutOffByTheReadTimeout) {
    HttpConnection c(port);
    std::string request = "GET /fast HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 's') + "\r\n\r\n";
    std::size_t sent = 0;
    try {
        for (; sent < request.size(); ++sent) {
            c.WriteRaw(request.substr(sent, 1));
            std::this_thread::sleep_for(20ms);
        }
    } catch (const std::exception&) {
    }
    // 300 ms of read timeout: the server closed long before the 4 s the whole request would take.
    EXPECT_LT(sent, request.size());
}

TEST_F(HttpServerTest, GracefulShutdownFinishesInFlightRequestsAndRefusesNewOnes) {
    auto in_flight = std::async(std::launch::async, [&] { return HttpRequest(port, "GET", "/slow"); });
    slow_started.get_future().wait();
    HttpConnection idle(port);  // an idle kept-alive connection must not hold the shutdown up
    auto started = std::chrono::steady_clock::now();
    server->Shutdown();
    auto took = std::chrono::steady_clock::now() - started;
    auto r = in_flight.get();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "finished");
    EXPECT_EQ(r.Header("connection"), "close");
    EXPECT_LT(took, 5s);  // well within the 10 s grace: it waited for the request, not for the idle client
    EXPECT_TRUE(idle.WaitForClose(1s));
    EXPECT_THROW(HttpRequest(port, "GET", "/fast"), std::exception);
}

}  // namespace
}  // namespace maxis::http
