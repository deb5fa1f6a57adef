#include "http/wire.hpp"

#include <gtest/gtest.h>

#include "http/server.hpp"

namespace maxis::http {
namespace {

using Outcome = RequestParser::Outcome;

struct Parsed {
    Outcome outcome = Outcome::kNeedMore;
    std::size_t used = 0;
    Request request;
    std::string reason;
};

// Feeds the whole text at once, or one byte at a time when `trickle` (as a slow client would send it).
Parsed Parse(std::string_view text, WireLimits limits = {2048, 4096}, bool trickle = false) {
    Parsed p;
    RequestParser parser(p.request, limits);
    if (!trickle) {
        p.used = parser.Feed(text, p.outcome);
    } else {
        std::string pending;
        for (char c : text) {
            pending += c;
            auto n = parser.Feed(pending, p.outcome);
            p.used += n;
            pending.erase(0, n);
            if (p.outcome != Outcome::kNeedMore) break;
        }
    }
    p.reason = parser.reason();
    return p;
}

std::string Chunked(const std::string& trailer_or_ext_line, bool as_extension) {
    std::string r = "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    if (as_extension) return r + "5;" + trailer_or_ext_line + "\r\nhello\r\n0\r\n\r\n";
    return r + "5\r\nhello\r\n0\r\n" + trailer_or_ext_line + "\r\n\r\n";
}

TEST(RequestParser, ParsesMethodTargetHeadersAndBody) {
    std::string text =
        "POST /a/b?x=1&y=2 HTTP/1.1\r\nHost: example\r\nX-One: 1\r\nx-one: 2\r\nCookie: a=1\r\n"
        "Cookie: b=2\r\nContent-Length: 5\r\n\r\nhelloGET";
    for (bool trickle : {false, true}) {
        auto p = Parse(text, {2048, 4096}, trickle);
        ASSERT_EQ(p.outcome, Outcome::kComplete) << trickle;
        EXPECT_EQ(p.used, text.size() - 3);  // the next request's first bytes stay unparsed
        EXPECT_EQ(p.request.method, "POST");
        EXPECT_EQ(p.request.target, "/a/b?x=1&y=2");
        EXPECT_EQ(p.request.path, "/a/b");
        EXPECT_EQ(p.request.query, "x=1&y=2");
        EXPECT_EQ(p.request.Header("host"), "example");
        EXPECT_EQ(p.request.Header("X-ONE"), "1, 2");
        EXPECT_EQ(p.request.Header("cookie"), "a=1; b=2");
        EXPECT_EQ(p.request.body, "hello");
    }
}

TEST(RequestParser, AbsoluteFormTargetIsServedByItsPath) {
    auto p = Parse("GET http://example/healthz?q=1 HTTP/1.1\r\nHost: example\r\n\r\n");
    ASSERT_EQ(p.outcome, Outcome::kComplete);
    EXPECT_EQ(p.request.path, "/healthz");
    EXPECT_EQ(p.request.query, "q=1");
    EXPECT_EQ(Parse("GET nothing HTTP/1.1\r\nHost: x\r\n\r\n").outcome, Outcome::kBadRequest);
}

// RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request that lacks a Host header field, or has more
// than one.
TEST(RequestParser, Http11WithoutExactlyOneHostIsBadRequest) {
    auto none = Parse("GET /healthz HTTP/1.1\r\nAccept: */*\r\n\r\n");
    EXPECT_EQ(none.outcome, Outcome::kBadRequest);
    EXPECT_NE(none.reason.find("Host"), std::string::npos);
    EXPECT_EQ(Parse("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").outcome, Outcome::kBadRequest);
    EXPECT_EQ(Parse("GET /healthz HTTP/1.0\r\n\r\n").outcome, Outcome::kComplete);  // 1.0 has no such rule
}

// The request that aborted the process: a trailer field over 65,533 bytes. The parser stores no trailer, so
// nothing can throw, and with a limit large enough to let it through the request is simply complete.
TEST(RequestParser, HugeTrailerFieldNeitherThrowsNorEscapesTheLimit) {
    auto text = Chunked("X-T: " + std::string(65534, 'a'), false);
    auto refused = Parse(text, {16 * 1024, 1 << 20});
    EXPECT_EQ(refused.outcome, Outcome::kHeadersTooLarge);
    Parsed allowed;
    EXPECT_NO_THROW(allowed = Parse(text, {1 << 20, 1 << 20}));
    ASSERT_EQ(allowed.outcome, Outcome::kComplete);
    EXPECT_EQ(allowed.request.body, "hello");
    EXPECT_EQ(allowed.request.Header("x-t"), "");  // trailers are dropped, never merged into the headers
}

// The header limit covers the request line, the fields, the chunk extensions and the trailers together.
TEST(RequestParser, TrailersAndChunkExtensionsCountAgainstTheHeaderLimit) {
    auto within = Chunked("X-T: " + std::string(500, 'a'), false);
    EXPECT_EQ(Parse(within).outcome, Outcome::kComplete);
    auto headers_then_trailer = "POST /e HTTP/1.1\r\nHost: x\r\nX-A: " + std::string(1200, 'a') +
                                "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + std::string(1200, 'b') +
                                "\r\n\r\n";
    EXPECT_EQ(Parse(headers_then_trailer).outcome, Outcome::kHeadersTooLarge);
    EXPECT_EQ(Parse(Chunked("ext=" + std::string(100, 'e'), true)).outcome, Outcome::kComplete);
    EXPECT_EQ(Parse(Chunked("ext=" + std::string(3000, 'e'), true)).outcome, Outcome::kHeadersTooLarge);
    // Many small extensions over many chunks add up too.
    std::string many = "POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 40; ++i) many += "1;e=" + std::string(60, 'x') + "\r\na\r\n";
    EXPECT_EQ(Parse(many + "0\r\n\r\n", {2048, 1 << 20}, true).outcome, Outcome::kHeadersTooLarge);
}

// Framing must mean one thing to every hop: anything but a lone "chunked" on HTTP/1.1 could be read as another
// request by a proxy in front (request smuggling), so it is refused.
TEST(RequestParser, OnlyALoneChunkedTransferCodingIsTaken) {
    auto with = [](std::string_view version, std::string_view fields) {
        return Parse("POST /e HTTP/" + std::string(version) + "\r\nHost: h\r\n" + std::string(fields) +
                     "\r\n5\r\nhello\r\n0\r\n\r\n");
    };
    EXPECT_EQ(with("1.1", "Transfer-Encoding: chunked\r\n").outcome, Outcome::kComplete);
    EXPECT_EQ(with("1.1", "Transfer-Encoding:  Chunked \r\n").outcome, Outcome::kComplete);
    for (std::string_view bad :
         {"Transfer-Encoding: chunked, gzip\r\n", "Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: gzip\r\n",
          "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
          "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
          "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"}) {
        auto p = with("1.1", bad);
        EXPECT_EQ(p.outcome, Outcome::kBadRequest) << bad;
        EXPECT_FALSE(p.reason.empty());
    }
    EXPECT_EQ(with("1.0", "Transfer-Encoding: chunked\r\n").outcome, Outcome::kBadRequest);
    // The desync from the review: the "body" must never come out as a second request.
    auto smuggle = Parse(
        "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
        "GET /admin-panel/api/me HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(smuggle.outcome, Outcome::kBadRequest);
}

// TCP may cut a request anywhere: every cut into two reads gives the same request as one read.
TEST(RequestParser, EveryTwoPieceSplitParsesTheSame) {
    for (std::string text : {std::string("POST /a?b=c HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nContent-Length: 4\r\n\r\nbody"),
                             std::string("POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                                         "2;x=y\r\nab\r\n2\r\ncd\r\n0\r\nT: v\r\n\r\n")}) {
        for (std::size_t cut = 0; cut <= text.size(); ++cut) {
            Request req;
            RequestParser parser(req, {2048, 4096});
            Outcome outcome = Outcome::kNeedMore;
            std::string pending = text.substr(0, cut);
            pending.erase(0, parser.Feed(pending, outcome));
            if (outcome == Outcome::kNeedMore) {
                pending += text.substr(cut);
                pending.erase(0, parser.Feed(pending, outcome));
            }
            ASSERT_EQ(outcome, Outcome::kComplete) << "cut at " << cut;
            EXPECT_TRUE(pending.empty()) << cut;
            EXPECT_EQ(req.Header("host"), "h") << cut;
            EXPECT_TRUE(req.body == "body" || req.body == "abcd") << cut << ": " << req.body;
        }
    }
}

TEST(RequestParser, TheLastChunkMayArriveByteByByte) {
    auto p = Parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {}, true);
    EXPECT_EQ(p.outcome, Outcome::kComplete);
    EXPECT_EQ(p.request.body, "");
}

TEST(RequestParser, EmptyLinesBeforeTheRequestLineAreIgnored) {
    auto p = Parse("\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(p.outcome, Outcome::kComplete);
    EXPECT_EQ(p.request.path, "/healthz");
    EXPECT_EQ(Parse("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n").outcome, Outcome::kBadRequest);
}

TEST(RequestParser, BodyLimitHoldsForLengthAndChunks) {
    EXPECT_EQ(Parse("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n").outcome, Outcome::kBodyTooLarge);
    std::string chunked = "POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i) chunked += "3e8\r\n" + std::string(1000, 'z') + "\r\n";
    EXPECT_EQ(Parse(chunked + "0\r\n\r\n").outcome, Outcome::kBodyTooLarge);
}

TEST(RequestParser, MalformedInputIsAnOutcomeNotAnException) {
    for (std::string_view bad : {"NOT HTTP AT ALL\r\n\r\n", "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
                                 "GET / HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n",
                                 "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                                 "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}) {
        Parsed p;
        EXPECT_NO_THROW(p = Parse(bad)) << bad;
        EXPECT_EQ(p.outcome, Outcome::kBadRequest) << bad;
        EXPECT_FALSE(p.reason.empty());
    }
}

TEST(SerializeHead, CarriesTheSecurityHeadersOnceAndTheHandlersOverride) {
    auto res = Response::Text(200, "ok");
    std::string head;
    SerializeHead(res, 11, true, head);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\nServer: maxis\r\n"));
    EXPECT_NE(head.find("Content-Security-Policy: " + std::string(kDefaultCsp) + "\r\n"), std::string::npos);
    EXPECT_NE(head.find("Content-Length: 2\r\n"), std::string::npos);
    EXPECT_EQ(head.find("Connection:"), std::string::npos);
    EXPECT_TRUE(head.ends_with("\r\n\r\n"));

    res.With("content-security-policy", "default-src 'self'").With("Cache-Control", "max-age=60");
    head.clear();
    SerializeHead(res, 11, false, head);
    EXPECT_EQ(head.find(kDefaultCsp), std::string::npos);
    EXPECT_EQ(head.find("no-store"), std::string::npos);
    EXPECT_NE(head.find("content-security-policy: default-src 'self'\r\n"), std::string::npos);
    EXPECT_NE(head.find("X-Frame-Options: DENY\r\n"), std::string::npos);
    EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
}

TEST(SerializeHead, RefusesResponseSplittingAndKeepsFramingToItself) {
    auto res = Response::Text(302, "");
    res.With("Location", "/x\r\nSet-Cookie: evil=1").With("Content-Length", "99").With("X-Ok", "yes");
    std::string head;
    SerializeHead(res, 10, true, head);
    EXPECT_TRUE(head.starts_with("HTTP/1.0 302 Found\r\n"));
    EXPECT_EQ(head.find("evil"), std::string::npos);
    EXPECT_EQ(head.find("99"), std::string::npos);
    EXPECT_NE(head.find("X-Ok: yes\r\n"), std::string::npos);
    EXPECT_NE(head.find("Connection: keep-alive\r\n"), std::string::npos);
    head.clear();
    SerializeHead(Response::Text(204, ""), 11, true, head);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST(MethodLabel, IsAClosedSet) {
    EXPECT_EQ(MethodLabel("GET"), "GET");
    EXPECT_EQ(MethodLabel("PATCH"), "PATCH");
    EXPECT_EQ(MethodLabel("FOO"), "other");
    EXPECT_EQ(MethodLabel("get"), "other");
}

}  // namespace
}  // namespace maxis::http
