#include "stripe/client.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>
#include <random>
#include <thread>

#include "core/errors.hpp"

namespace maxis::stripe {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

namespace {

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

struct Reply {
    CURLcode curl = CURLE_OK;
    long status = 0;
    std::string body;
};

std::string Str(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

}  // namespace

json::object Client::Post(const std::string& path, const Form& form, const std::string& idempotency_key) const {
    auto body = form.Encode();
    return Call("POST", path, &body, idempotency_key);
}

json::object Client::Get(const std::string& path) const { return Call("GET", path, nullptr, ""); }

json::object Client::Call(const std::string& method, const std::string& path, const std::string* body,
                          const std::string& idempotency_key) const {
    if (!configured()) throw Error(ErrorCode::kUnavailable, "payments are not configured (set MAXIS_STRIPE_SECRET_KEY)");
    std::string url = options_.api_base + path;
    thread_local std::mt19937 rng{std::random_device{}()};
    Reply reply;
    for (int attempt = 1;; ++attempt) {
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), &curl_easy_cleanup);
        if (!c) throw Error(ErrorCode::kInternal, "cannot start an HTTP client");
        std::vector<std::string> headers = {"Authorization: Bearer " + options_.secret_key, "Stripe-Version: " + options_.api_version,
                                            "Accept: application/json"};
        if (body != nullptr) headers.push_back("Content-Type: application/x-www-form-urlencoded");
        if (!idempotency_key.empty()) headers.push_back("Idempotency-Key: " + idempotency_key);
        curl_slist* list = nullptr;
        for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
        std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> guard(list, &curl_slist_free_all);
        reply = Reply{};
        curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
        curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, list);
        curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, &Collect);
        curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &reply.body);
        curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
        curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT_MS, 5'000L);
        curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c.get(), CURLOPT_USERAGENT, "Maxis/" MAXIS_VERSION);
        if (body != nullptr) {
            curl_easy_setopt(c.get(), CURLOPT_POST, 1L);
            curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body->c_str());
            curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
        }
        reply.curl = curl_easy_perform(c.get());
        curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &reply.status);
        bool retryable = reply.curl != CURLE_OK || reply.status == 429 || reply.status >= 500;
        if (!retryable || attempt >= options_.max_attempts) break;
        auto wait = options_.backoff * (1 << (attempt - 1));
        wait += std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, wait.count() / 2)(rng));
        spdlog::warn("stripe: {} {} {}; retry {} in {} ms", method, path,
                     reply.curl != CURLE_OK ? std::string(curl_easy_strerror(reply.curl)) : "HTTP " + std::to_string(reply.status),
                     attempt, wait.count());
        std::this_thread::sleep_for(wait);
    }
    if (reply.curl != CURLE_OK) {
        throw Error(ErrorCode::kUnavailable, "cannot reach Stripe at " + options_.api_base + ": " + curl_easy_strerror(reply.curl));
    }
    json::error_code ec;
    auto parsed = json::parse(reply.body, ec);
    json::object object = !ec && parsed.is_object() ? parsed.as_object() : json::object{};
    if (reply.status >= 200 && reply.status < 300) {
        if (ec || !parsed.is_object()) throw Error(ErrorCode::kUnavailable, "Stripe answered something that is not a JSON object");
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
        case 400: throw Error(ErrorCode::kInvalidArgument, what);
        case 401: throw Error(ErrorCode::kUnavailable, "Stripe refused the API key: check MAXIS_STRIPE_SECRET_KEY (test or live mode)");
        case 402: throw Error(ErrorCode::kConflict, what);
        case 403: throw Error(ErrorCode::kUnavailable, "Stripe refused the request for this key's permissions: " + message);
        case 404: throw Error(ErrorCode::kNotFound, what);
        case 409: throw Error(ErrorCode::kConflict, what);
        default: throw Error(ErrorCode::kUnavailable, what);
    }
}

}  // namespace maxis::stripe
