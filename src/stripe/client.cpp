#include "stripe/client.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>
#include <random>
#include <thread>

#include "core/errors.hpp"
#include "http/fetch.hpp"

namespace maxis::stripe {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

std::string Str(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

json::object Client::Post(const std::string& path, const Form& form, const std::string& idempotency_key) const {
    auto body = form.Encode();
    return Call("POST", path, &body, idempotency_key);
}

json::object Client::Get(const std::string& path) const { return Call("GET", path, nullptr, ""); }

json::object Client::Call(const std::string& method, const std::string& path, const std::string* body,
                          const std::string& idempotency_key) const {
    if (!configured())
        throw Error(ErrorCode::kUnavailable, "payments are not configured (set MAXIS_STRIPE_SECRET_KEY)");
    std::string url = options_.api_base + path;
    thread_local std::mt19937 rng{std::random_device{}()};
    http::FetchResult reply;
    for (int attempt = 1;; ++attempt) {
        http::FetchRequest request{method,
                                   url,
                                   {"Authorization: Bearer " + options_.secret_key,
                                    "Stripe-Version: " + options_.api_version, "Accept: application/json"},
                                   body,
                                   options_.timeout};
        if (body != nullptr) request.headers.push_back("Content-Type: application/x-www-form-urlencoded");
        if (!idempotency_key.empty()) request.headers.push_back("Idempotency-Key: " + idempotency_key);
        reply = http::Fetch(request);
        bool retryable = !reply.reached || reply.status == 429 || reply.status >= 500;
        if (!retryable || attempt >= options_.max_attempts) break;
        auto wait = options_.backoff * (1 << (attempt - 1));
        wait += std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, wait.count() / 2)(rng));
        spdlog::warn("stripe: {} {} {}; retry {} in {} ms", method, path,
                     reply.reached ? "HTTP " + std::to_string(reply.status) : reply.error, attempt, wait.count());
        std::this_thread::sleep_for(wait);
    }
    if (!reply.reached) {
        throw Error(ErrorCode::kUnavailable, "cannot reach Stripe at " + options_.api_base + ": " + reply.error);
    }
    json::error_code ec;
    auto parsed = json::parse(reply.body, ec);
    json::object object = !ec && parsed.is_object() ? parsed.as_object() : json::object{};
    if (reply.status >= 200 && reply.status < 300) {
        if (ec || !parsed.is_object())
            throw Error(ErrorCode::kUnavailable, "Stripe answered something that is not a JSON object");
        return object;
    }
    std::string message = "HTTP " + std::to_string(reply.status), type, code;
    if (auto it = object.find("error"); it != object.end() && it->value().is_object()) {
        const auto& e = it->value().as_object();
        if (auto m = Str(e, "message"); !m.empty()) message = m;
        type = Str(e, "type");
        code = Str(e, "code");
    }
    std::string what = "Stripe: " + message + (code.empty() ? "" : " (" + code + ")");
    switch (reply.status) {
        case 400:
            throw Error(ErrorCode::kInvalidArgument, what);
        case 401:
            throw Error(ErrorCode::kUnavailable,
                        "Stripe refused the API key: check MAXIS_STRIPE_SECRET_KEY (test or live mode)");
        case 402:
            throw Error(ErrorCode::kConflict, what);
        case 403:
            throw Error(ErrorCode::kUnavailable, "Stripe refused the request for this key's permissions: " + message);
        case 404:
            throw Error(ErrorCode::kNotFound, what);
        case 409:
            throw Error(ErrorCode::kConflict, what);
        default:
            throw Error(ErrorCode::kUnavailable, what);
    }
}

}  // namespace maxis::stripe
