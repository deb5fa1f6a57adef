// What the "people" object costs: GET /api/v1/tickets?limit=50 as staff, 50 tickets from 50 members, each
// assigned to one of 5 staff (55 people named, all in the member directory), served by two real HTTP servers
// of the same process over the same SQLite file and services: one with the member routes added (and so the
// router's response filter that names people, as `maxis serve` always has it), one without them. Then the
// filter alone, in-process, on that same answer: with its directory read, and with the names given from
// memory (the JSON work alone). wrk -t2 -c64 --latency against each server in turn, ROUNDS times.
//   maxis_people_bench --database sqlite:/tmp/people.db [--rows 50] [--wrk-duration 10s] [--rounds 2]
//                      [--calls 5000]
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "domain/members/member_directory.hpp"
#include "http/api/api_util.hpp"
#include "http/api/members_api.hpp"
#include "http/api/tickets_api.hpp"
#include "http/server.hpp"
#include "report.hpp"
#include "storage/api_tokens.hpp"
#include "storage/member_store.hpp"
#include "storage/sql_ticket_repository.hpp"
#include "support/http_client.hpp"

using namespace maxis;
using bench::Report;
using Clock = std::chrono::steady_clock;

namespace {

/// wrk's figures for one run: requests/s, and the 50th and 99th percentiles of latency as wrk prints them.
struct Load {
    std::string rps = "?", p50 = "?", p99 = "?";
};

Load RunWrk(std::uint16_t port, const std::string& path, const std::string& token, const std::string& duration) {
    std::string command = "wrk -t2 -c64 -d" + duration + " --latency -H 'Authorization: Bearer " + token +
                          "' 'http://127.0.0.1:" + std::to_string(port) + path + "' 2>&1";
    std::fflush(stdout);
    Load load;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run wrk");
    char line[512];
    bool failed = false;
    while (std::fgets(line, sizeof line, pipe) != nullptr) {
        std::string l(line);
        char value[64];
        if (std::sscanf(line, " Requests/sec: %63s", value) == 1) load.rps = value;
        if (std::sscanf(line, " 50%% %63s", value) == 1) load.p50 = value;
        if (std::sscanf(line, " 99%% %63s", value) == 1) load.p99 = value;
        if (l.find("Non-2xx") != std::string::npos || l.find("Socket errors") != std::string::npos) {
            std::fputs(line, stderr);
            failed = true;
        }
    }
    if (::pclose(pipe) != 0 || failed || load.rps == "?") throw std::runtime_error("wrk failed: " + command);
    return load;
}

http::Server StartServer(const http::Router& router) {
    http::ServerOptions options;
    options.port = 0;
    options.access_log = false;
    options.worker_threads = 8;  // as `maxis serve`
    return http::Server(options, router);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"The cost of naming people in JSON answers"};
    bench::DatabaseUrls urls;
    urls.AddTo(cli);
    int rows = 50, rounds = 2, calls = 5000;
    std::string duration = "10s";
    cli.add_option("--rows", rows, "tickets in the list, each from its own member")->check(CLI::Range(1, 100));
    cli.add_option("--wrk-duration", duration);
    cli.add_option("--rounds", rounds, "times each server is loaded, alternately")->check(CLI::Range(1, 10));
    cli.add_option("--calls", calls, "in-process calls of the filter")->check(CLI::Range(100, 1'000'000));
    CLI11_PARSE(cli, argc, argv);

    try {
        core::SystemClock clock;
        bench::Databases dbs(urls, 8, clock);
        storage::Database& db = dbs.service;
        storage::SqlTicketRepository repo(db, clock);
        tickets::TicketService service(repo, clock);
        storage::SqlMemberRepository member_repo(db);
        members::MemberDirectory directory(member_repo, clock);
        storage::ApiTokens tokens(db, clock);

        // 5 staff and `rows` members, all named in the directory; one ticket per member, assigned round-robin.
        constexpr long long kFirstStaff = 9001, kStaffCount = 5, kFirstMember = 1001;
        std::vector<members::Person> people;
        for (long long i = 0; i < kStaffCount; ++i) {
            people.push_back({.id = core::UserId{kFirstStaff + i},
                              .username = "staff_" + std::to_string(i),
                              .display_name = "Équipe " + std::to_string(i),
                              .role = core::Role::kStaff});
        }
        directory.Observe(people);  // the service assigns only those the directory knows as staff
        for (long long i = 0; i < rows; ++i) {
            auto id = kFirstMember + i;
            people.push_back({.id = core::UserId{id},
                              .username = "member_" + std::to_string(i),
                              .display_name = "Membre " + std::to_string(i),
                              .avatar_url = "https://cdn.discordapp.com/avatars/" + std::to_string(id) + "/a.png"});
            core::Viewer member{core::UserId{id}, core::Role::kMember};
            auto t = service.Open(member, "Ticket " + std::to_string(i), tickets::Category::kGeneral,
                                  tickets::Priority::kMedium, "details");
            service.Assign(core::Viewer{core::UserId{kFirstStaff}, core::Role::kStaff}, t.id,
                           core::UserId{kFirstStaff + i % kStaffCount});
        }
        directory.Observe(people);
        auto staff = tokens.Create(core::Viewer{core::UserId{kFirstStaff}, core::Role::kStaff}, "bench");
        http::Authenticator authenticate = [&tokens](const http::Request& r) {
            return http::BearerViewer(r, [&tokens](const std::string& t) { return tokens.Authenticate(t); });
        };

        http::Router with_people, without_people;
        http::AddTicketRoutes(with_people, service, authenticate, http::TicketDocuments{});
        http::AddMemberRoutes(with_people, directory, authenticate);
        http::AddTicketRoutes(without_people, service, authenticate, http::TicketDocuments{});
        auto on = StartServer(with_people);
        auto off = StartServer(without_people);
        on.Start();
        off.Start();

        // Both answer the same list; only one of them names the people in it.
        const std::string path = "/api/v1/tickets?limit=" + std::to_string(rows);
        auto get = [&](const http::Server& server) {
            auto r = testing::HttpRequest(server.port(), "GET", path, "", {{"Authorization", "Bearer " + staff}});
            if (r.status != 200) throw std::runtime_error("GET " + path + " answered " + std::to_string(r.status));
            return boost::json::parse(r.body);
        };
        auto named = get(on), plain = get(off);
        std::vector<core::UserId> ids;
        for (const auto& p : people) ids.push_back(p.id);
        if (plain.at("items").as_array().size() != static_cast<std::size_t>(rows) ||
            plain.as_object().contains("people") || named.at("people").as_object().size() != people.size() ||
            named.at("people").at("1001").at("name") != "Membre 0" || named.at("items") != plain.at("items")) {
            std::cerr << "the two servers do not answer as expected\n";
            return 1;
        }
        std::printf("one answer: %zu tickets, %zu people; %zu bytes without people, %zu with\n",
                    plain.at("items").as_array().size(), ids.size(), boost::json::serialize(plain).size(),
                    boost::json::serialize(named).size());

        // The filter alone, on that answer: as served (the directory read included), then the JSON work alone.
        const std::string body = boost::json::serialize(plain);
        auto by_directory = [&directory](const std::vector<core::UserId>& wanted) { return directory.People(wanted); };
        auto known = directory.People(ids);
        auto from_memory = [&known](const std::vector<core::UserId>&) { return known; };
        auto time_filter = [&](const auto& find, const std::string& what) {
            std::vector<double> micros;
            for (int i = 0; i < calls; ++i) {
                http::Response response = http::Response::Json(200, boost::json::value());
                response.body = body;
                auto t0 = Clock::now();
                http::AddPeople(response, find);
                micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
                if (response.body.size() <= body.size()) throw std::runtime_error("the filter added no people");
            }
            Report(what, micros);
        };
        time_filter(by_directory, "filter in-process, directory read");
        time_filter(from_memory, "filter in-process, names from memory");
        std::vector<double> read_micros;
        for (int i = 0; i < calls; ++i) {
            auto t0 = Clock::now();
            auto found = directory.People(ids);
            read_micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            if (found.size() != ids.size()) throw std::runtime_error("the directory lost people");
        }
        Report("directory read alone (People)", read_micros);

        for (int round = 1; round <= rounds; ++round) {
            auto without = RunWrk(off.port(), path, staff, duration);
            std::printf("round %d, GET %s without people: %s requests/s, p50 %s, p99 %s\n", round, path.c_str(),
                        without.rps.c_str(), without.p50.c_str(), without.p99.c_str());
            auto with = RunWrk(on.port(), path, staff, duration);
            std::printf("round %d, GET %s with people:    %s requests/s, p50 %s, p99 %s\n", round, path.c_str(),
                        with.rps.c_str(), with.p50.c_str(), with.p99.c_str());
        }
        on.Shutdown();
        off.Shutdown();
    } catch (const std::exception& e) {
        std::cerr << "benchmark failed: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
