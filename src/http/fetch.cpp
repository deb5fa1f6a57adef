#include "http/fetch.hpp"

#include <curl/curl.h>

#include <memory>

namespace maxis::http {

namespace {
std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}
}  // namespace

FetchResult Fetch(const FetchRequest& request) {
    FetchResult result;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), &curl_easy_cleanup);
    if (!c) {
        result.error = "cannot start an HTTP client";
        return result;
    }
    curl_slist* list = nullptr;
    for (const auto& h : request.headers) list = curl_slist_append(list, h.c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> guard(list, &curl_slist_free_all);
    curl_easy_setopt(c.get(), CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &result.body);
    curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT_MS, 5'000L);
    curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c.get(), CURLOPT_USERAGENT, "Maxis/" MAXIS_VERSION);
    if (request.body != nullptr) {
        curl_easy_setopt(c.get(), CURLOPT_POST, 1L);
        curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, request.body->c_str());
        curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body->size()));
    }
    if (request.method != "GET" && request.method != "POST") {
        curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    CURLcode rc = curl_easy_perform(c.get());
    if (rc != CURLE_OK) {
        result.error = curl_easy_strerror(rc);
        return result;
    }
    result.reached = true;
    curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &result.status);
    return result;
}

std::string UrlEscape(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace maxis::http
