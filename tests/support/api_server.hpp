#pragma once
// The REST suites' common ground: the real HTTP server on a free port of 127.0.0.1, over a migrated
// in-memory SQLite database, with the real API tokens as its bearer authentication. A suite derives from
// ApiServerTest, builds its services on db and clock, adds its routes to router (authenticating with
// Bearer()), then calls Serve(). Header-only: the suites that use it link maxis_http and maxis_storage.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>

#include "core/viewer.hpp"
#include "http/api/tickets_api.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "storage/api_tokens.hpp"
#include "storage/database.hpp"
#include "storage/migrator.hpp"
#include "support/fake_clock.hpp"
#include "support/http_client.hpp"

namespace maxis::testing {

class ApiServerTest : public ::testing::Test {
protected:
    ApiServerTest() { storage::Migrator(db, clock).Apply(); }

    /// Stops the server before the suite's services (declared after this base's members) are destroyed.
    void TearDown() override {
        if (server) server->Shutdown();
    }

    /// A live API token for this person.
    std::string Token(long long user_id, core::Role role, const std::string& label) {
        return tokens.Create(core::Viewer{core::UserId{user_id}, role}, label);
    }
    /// The routes' authentication: a bearer token that ApiTokens knows and has not revoked.
    http::Authenticator Bearer() {
        return [this](const http::Request& r) {
            return http::BearerViewer(r, [this](const std::string& t) { return tokens.Authenticate(t); });
        };
    }
    /// Starts serving router's routes (call once they are all added).
    void Serve() {
        http::ServerOptions options;
        options.port = 0;
        options.access_log = false;
        server = std::make_unique<http::Server>(options, router);
        server->Start();
    }

    /// One request on a fresh connection, with the token as its bearer (none when empty) and a JSON body.
    HttpResult Call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = {}) {
        std::map<std::string, std::string> headers;
        if (!token.empty()) headers["Authorization"] = "Bearer " + token;
        if (!body.empty()) headers["Content-Type"] = "application/json";
        return HttpRequest(server->port(), method, target, body, headers);
    }
    static boost::json::value Json(const HttpResult& r) { return boost::json::parse(r.body); }
    /// The error's catalog key in a refusal's body (empty when it has none).
    static std::string Key(const HttpResult& r) {
        auto body = Json(r);
        const auto& e = body.at("error").as_object();
        return e.contains("key") ? std::string(e.at("key").as_string()) : std::string();
    }
    /// The single number a query returns, read as the system.
    long long Count(const std::string& sql) {
        return db.Read(core::Viewer::System(), [&](storage::Transaction& tx) {
            long long n = 0;
            tx.sql() << sql, soci::into(n);
            return n;
        });
    }

    FakeClock clock;
    storage::Database db{storage::DatabaseOptions{"sqlite::memory:", 1}};
    storage::ApiTokens tokens{db, clock};
    http::Router router;
    std::unique_ptr<http::Server> server;
};

}  // namespace maxis::testing
