#pragma once
// 64 members opening a ticket at the same moment through the REST API of a running 'maxis serve'.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace maxis::testing {

/// One API token per member, from 'maxis token create' (args and env name the database).
inline std::vector<std::string> MemberTokens(int members, const std::vector<std::string>& database_args,
                                             const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> tokens;
    for (int i = 1; i <= members; ++i) {
        std::vector<std::string> argv = {BinaryPath("maxis"), "token", "create", "--as", std::to_string(7000 + i)};
        argv.insert(argv.end(), database_args.begin(), database_args.end());
        auto r = Run(argv, {}, env);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        tokens.push_back(r.out.substr(0, r.out.find('\n')));
    }
    return tokens;
}

/// Every member posts one ticket at once (all threads released together); returns each answer's status
/// and, for anything but 201, the body.
inline std::vector<HttpResult> CreateTicketsAtOnce(std::uint16_t port, const std::vector<std::string>& tokens) {
    std::vector<HttpResult> results(tokens.size());
    std::vector<std::unique_ptr<HttpConnection>> connections;
    for (std::size_t i = 0; i < tokens.size(); ++i) connections.push_back(std::make_unique<HttpConnection>(port));
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        threads.emplace_back([&, i] {
            ready.fetch_add(1);
            while (ready.load() < static_cast<int>(tokens.size())) std::this_thread::yield();
            results[i] = connections[i]->Send(
                "POST", "/api/v1/tickets",
                R"({"subject":"Paiement refusé","category":"billing","priority":"high","description":"La carte est refusée"})",
                {{"Authorization", "Bearer " + tokens[i]}, {"Content-Type", "application/json"}});
        });
    }
    for (auto& t : threads) t.join();
    return results;
}

inline void ExpectAllCreated(const std::vector<HttpResult>& results) {
    int created = 0;
    for (const auto& r : results) {
        if (r.status == 201) {
            ++created;
        } else {
            ADD_FAILURE() << "status " << r.status << ": " << r.body;
        }
    }
    EXPECT_EQ(created, static_cast<int>(results.size()));
}

}  // namespace maxis::testing
