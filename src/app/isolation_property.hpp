#pragma once
// Isolation property: a random sequence of operations by 20 members and 3 staff, through chat commands
// and the REST API. After every step, nothing a member received mentions another member's ticket,
// message, internal note or audit entry; periodically, every member's list is exactly their own tickets
// and staff see all of them. Used on SQLite (unit) and on PostgreSQL through the login role.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <set>

#include "commands/builtin_commands.hpp"
#include "commands/engine.hpp"
#include "commands/ticket_commands.hpp"
#include "console/console.hpp"
#include "domain/tickets/ticket_service.hpp"
#include "http/api/tickets_api.hpp"
#include "http/server.hpp"
#include "storage/api_tokens.hpp"
#include "storage/sql_ticket_repository.hpp"
#include "support/fake_clock.hpp"
#include "support/http_client.hpp"

namespace maxis::app::property {

struct Actor {
    core::Viewer viewer;
    std::string token;
};

// Markers put in every text a member writes, so a leak is a substring: "[s:<owner>:" for subjects,
// "[m:<owner>:" for messages, "[n:" for internal notes (staff only).
inline std::string Marker(char kind, long long owner, int n) {
    return "[" + std::string(1, kind) + ":" + std::to_string(owner) + ":" + std::to_string(n) + "]";
}

inline void RunIsolationProperty(storage::Database& db, int steps, std::uint64_t seed) {
    testing::FakeClock clock;
    storage::SqlTicketRepository repo(db, clock);
    tickets::TicketLimits limits;
    limits.max_active_per_member = 1000;  // exercise isolation, not the limits (tested elsewhere)
    limits.max_created_per_hour = 1000;
    tickets::TicketService service(repo, clock, limits);
    auto zone = core::TimeZone::Load("Europe/Paris");
    commands::Engine engine(commands::Catalog::Builtin(), "!");
    commands::RegisterBuiltinCommands(engine, "test");
    commands::RegisterTicketCommands(engine, service, zone, {});
    storage::ApiTokens tokens(db, clock);
    http::Router router;
    http::AddTicketRoutes(
        router, service,
        [&tokens](const http::Request& r) {
            return http::BearerViewer(r, [&tokens](const std::string& t) { return tokens.Authenticate(t); });
        },
        http::TicketDocuments{});
    http::ServerOptions options;
    options.port = 0;
    options.access_log = false;
    http::Server server(options, router);
    server.Start();

    std::vector<Actor> members, staff;
    for (int i = 0; i < 20; ++i) {
        core::Viewer v{core::UserId{100 + i}, core::Role::kMember};
        members.push_back({v, tokens.Create(v, "m")});
    }
    for (int i = 0; i < 3; ++i) {
        core::Viewer v{core::UserId{900 + i}, core::Role::kStaff};
        staff.push_back({v, tokens.Create(v, "s")});
    }
    std::map<long long, long long> owner_of;  // ticket id -> owner
    std::mt19937_64 rng(seed);
    auto pick = [&](auto& v) -> auto& { return v[rng() % v.size()]; };
    auto any_ticket = [&]() -> long long {
        if (owner_of.empty() || rng() % 10 == 0) return static_cast<long long>(rng() % 50 + 1);  // maybe missing
        auto it = owner_of.begin();
        std::advance(it, static_cast<long>(rng() % owner_of.size()));
        return it->first;
    };
    int counter = 0;

    auto check_member_output = [&](const Actor& a, const std::string& out, int step, const std::string& what) {
        for (const auto& other : members) {
            if (other.viewer.user_id == a.viewer.user_id) continue;
            for (char kind : {'s', 'm'}) {
                std::string prefix = "[" + std::string(1, kind) + ":" + other.viewer.user_id.ToString() + ":";
                ASSERT_EQ(out.find(prefix), std::string::npos) << "step " << step << ": " << a.viewer.user_id.value
                                                               << " received " << prefix << " via " << what << "\n"
                                                               << out;
            }
            ASSERT_EQ(out.find("\"owner\":\"" + other.viewer.user_id.ToString() + "\""), std::string::npos)
                << "step " << step << " via " << what;
        }
        ASSERT_EQ(out.find("[n:"), std::string::npos) << "step " << step << ": internal note leaked via " << what;
        ASSERT_EQ(out.find("\"audit\""), std::string::npos) << "step " << step << ": audit leaked via " << what;
    };

    for (int step = 0; step < steps; ++step) {
        clock.Advance(std::chrono::minutes(static_cast<int>(rng() % 30)));
        bool is_staff = rng() % 4 == 0;
        const Actor& a = is_staff ? pick(staff) : pick(members);
        bool via_api = rng() % 2 == 0;
        long long owner = a.viewer.user_id.value;
        std::string out;
        int op = static_cast<int>(rng() % (is_staff ? 9 : 6));
        long long id = any_ticket();
        std::string ids = std::to_string(id);
        ++counter;
        if (!via_api) {
            std::string line;
            switch (op) {
                case 0:
                    line = "!ticket_create \"" + Marker('s', owner, counter) + "\" bug basse " +
                           Marker('m', owner, counter);
                    break;
                case 1:
                    line = "!ticket_list" + std::string(is_staff ? " all" : "");
                    break;
                case 2:
                    line = "!ticket_view " + ids;
                    break;
                case 3:
                    line = "!ticket_reply " + ids + " " + Marker('m', owner, counter);
                    break;
                case 4:
                    line = "!ticket_close " + ids + " " + Marker('m', owner, counter);
                    break;
                case 5:
                    line = "!ticket_reopen " + ids;
                    break;
                case 6:
                    line = "!ticket_note " + ids + " " + Marker('n', owner, counter);
                    break;
                case 7:
                    line = "!ticket_assign " + ids + " <@" + pick(staff).viewer.user_id.ToString() + ">";
                    break;
                default:
                    line = "!ticket_status " + ids + " attente_membre";
                    break;
            }
            auto reply = engine.HandleLine(a.viewer, "fr", line);
            ASSERT_TRUE(reply.has_value());
            out = console::RenderText(*reply);
            if (op == 0 && !reply->is_error) {
                auto pos = out.find("Ticket #");
                long long created = std::stoll(out.substr(pos + 8));
                owner_of[created] = owner;
            }
        } else {
            std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + a.token}};
            testing::HttpResult r;
            auto port = server.port();
            switch (op) {
                case 0:
                    r = testing::HttpRequest(port, "POST", "/api/v1/tickets",
                                             R"({"subject":")" + Marker('s', owner, counter) +
                                                 R"(","category":"bug","priority":"low","description":")" +
                                                 Marker('m', owner, counter) + R"("})",
                                             headers);
                    if (r.status == 201) owner_of[boost::json::parse(r.body).at("id").as_int64()] = owner;
                    break;
                case 1:
                    r = testing::HttpRequest(port, "GET", "/api/v1/tickets?limit=100", "", headers);
                    break;
                case 2:
                    r = testing::HttpRequest(port, "GET", "/api/v1/tickets/" + ids, "", headers);
                    break;
                case 3:
                case 6:
                    r = testing::HttpRequest(port, "POST", "/api/v1/tickets/" + ids + "/messages",
                                             R"({"body":")" + Marker(op == 3 ? 'm' : 'n', owner, counter) +
                                                 R"(","internal":)" + (op == 6 ? "true" : "false") + "}",
                                             headers);
                    break;
                case 4:
                    r = testing::HttpRequest(port, "PATCH", "/api/v1/tickets/" + ids, R"({"status":"closed"})",
                                             headers);
                    break;
                case 5:
                    r = testing::HttpRequest(port, "PATCH", "/api/v1/tickets/" + ids, R"({"status":"open"})", headers);
                    break;
                case 7:
                    r = testing::HttpRequest(port, "PATCH", "/api/v1/tickets/" + ids,
                                             R"({"assignee":")" + pick(staff).viewer.user_id.ToString() + R"("})",
                                             headers);
                    break;
                default:
                    r = testing::HttpRequest(port, "PATCH", "/api/v1/tickets/" + ids, R"({"priority":"high"})",
                                             headers);
                    break;
            }
            ASSERT_NE(r.status, 500) << r.body;
            out = r.body;
        }
        if (!is_staff) {
            check_member_output(a, out, step, via_api ? "api" : "command");
            if (::testing::Test::HasFatalFailure()) return;
        }
        if (step % 1000 == 999 || step == steps - 1) {
            for (const auto& m : members) {
                tickets::TicketQuery q;
                q.limit = 100;
                std::set<long long> listed, expected;
                tickets::TicketId after{0};
                for (;;) {
                    if (after.value) q.after = after;
                    auto page = service.List(m.viewer, q);
                    for (const auto& t : page) listed.insert(t.id.value);
                    if (static_cast<int>(page.size()) < q.limit) break;
                    after = page.back().id;
                }
                for (const auto& [tid, o] : owner_of) {
                    if (o == m.viewer.user_id.value) expected.insert(tid);
                }
                ASSERT_EQ(listed, expected) << "member " << m.viewer.user_id.value << " at step " << step;
            }
            tickets::TicketQuery all;
            all.scope = tickets::ListScope::kAll;
            all.limit = 100;
            std::size_t staff_sees = 0;
            tickets::TicketId after{0};
            for (;;) {
                if (after.value) all.after = after;
                auto page = service.List(staff[0].viewer, all);
                staff_sees += page.size();
                if (static_cast<int>(page.size()) < all.limit) break;
                after = page.back().id;
            }
            ASSERT_EQ(staff_sees, owner_of.size()) << "staff at step " << step;
        }
    }
    server.Shutdown();
}

}  // namespace maxis::app::property
