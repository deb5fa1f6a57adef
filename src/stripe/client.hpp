#pragma once
#include <boost/json/object.hpp>
#include <chrono>
#include <string>

#include "stripe/form.hpp"

namespace maxis::stripe {

struct ClientOptions {
    std::string api_base = "https://api.stripe.com";
    std::string api_version = "2024-06-20";  // sent as Stripe-Version
    std::string secret_key;                  // only from MAXIS_STRIPE_SECRET_KEY
    int max_attempts = 4;                    // network errors, 429 and 5xx are retried with the same idempotency key
    std::chrono::milliseconds backoff{400};  // doubled each retry, with jitter
    std::chrono::milliseconds timeout{20'000};
};

/// Stripe's REST API over libcurl: form-encoded bodies, Bearer authentication, an Idempotency-Key on
/// every creating POST, retries with backoff, and Stripe's errors mapped to core::Error with Stripe's
/// own message (never the key): invalid requests → kInvalidArgument, a refused key → kUnavailable with
/// what to check, card errors → kConflict, missing objects → kNotFound, outages → kUnavailable.
/// A string member of a Stripe object; empty when it is missing, null or not a string.
std::string Str(const boost::json::object& object, std::string_view key);

class Client {
public:
    explicit Client(ClientOptions options) : options_(std::move(options)) {}
    [[nodiscard]] bool configured() const { return !options_.secret_key.empty(); }

    boost::json::object Post(const std::string& path, const Form& form, const std::string& idempotency_key) const;
    boost::json::object Get(const std::string& path) const;

private:
    boost::json::object Call(const std::string& method, const std::string& path, const std::string* body,
                             const std::string& idempotency_key) const;
    ClientOptions options_;
};

}  // namespace maxis::stripe
