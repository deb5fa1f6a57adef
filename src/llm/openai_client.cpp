#include "llm/openai_client.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "http/fetch.hpp"

namespace maxis::llm {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

std::string OpenAiClient::ChatBody(const std::vector<plans::ChatMessage>& messages) const {
    json::array list;
    for (const auto& m : messages) {
        if (m.image_urls.empty()) {
            list.push_back(json::object{{"role", m.role}, {"content", m.text}});
            continue;
        }
        json::array parts;
        if (!m.text.empty()) parts.push_back(json::object{{"type", "text"}, {"text", m.text}});
        for (const auto& url : m.image_urls) {
            parts.push_back(json::object{{"type", "image_url"}, {"image_url", json::object{{"url", url}}}});
        }
        list.push_back(json::object{{"role", m.role}, {"content", std::move(parts)}});
    }
    return json::serialize(
        json::object{{"model", options_.model}, {"messages", std::move(list)}, {"max_tokens", options_.max_tokens}});
}

std::string OpenAiClient::Post(const std::string& path, const std::string& body) const {
    if (!configured()) throw Error(ErrorCode::kUnavailable, "no assistant provider is configured");
    http::FetchRequest request{
        .method = "POST", .url = options_.api_base + path, .body = &body, .timeout = options_.timeout};
    request.headers.push_back("Content-Type: application/json");
    request.headers.push_back("Accept: application/json");
    if (!options_.api_key.empty()) request.headers.push_back("Authorization: Bearer " + options_.api_key);
    auto r = http::Fetch(request);
    if (!r.reached) throw Error(ErrorCode::kUnavailable, "the assistant provider did not answer: " + r.error);
    boost::system::error_code ec;
    auto value = json::parse(r.body, ec);
    if (r.status < 200 || r.status >= 300) {
        std::string message;
        if (!ec && value.is_object()) {
            if (const auto* e = value.as_object().if_contains("error")) {
                if (e->is_object() && e->as_object().contains("message") && e->as_object().at("message").is_string()) {
                    message = std::string(e->as_object().at("message").as_string());
                } else if (e->is_string()) {
                    message = std::string(e->as_string());
                }
            }
        }
        auto what =
            "the assistant provider answered " + std::to_string(r.status) + (message.empty() ? "" : ": " + message);
        throw Error(r.status == 400 ? ErrorCode::kInvalidArgument : ErrorCode::kUnavailable, what);
    }
    if (ec || !value.is_object()) throw Error(ErrorCode::kUnavailable, "the assistant provider's answer is not JSON");
    return r.body;
}

namespace {

/// Runs a provider call; a failure is logged (never the key: only the provider's status and message) and
/// passed on, for the assistant to give the use back and tell the member.
template <typename Call>
std::string Logged(const char* what, Call&& call) {
    try {
        return call();
    } catch (const std::exception& ex) {
        spdlog::warn("assistant: {} failed: {}", what, ex.what());
        throw;
    }
}

}  // namespace

std::string OpenAiClient::Chat(const std::vector<plans::ChatMessage>& messages) {
    return Logged("a chat completion", [&] { return ChatOnce(messages); });
}

std::string OpenAiClient::Image(const std::string& prompt) {
    return Logged("an image generation", [&] { return ImageOnce(prompt); });
}

std::string OpenAiClient::ChatOnce(const std::vector<plans::ChatMessage>& messages) const {
    auto value = json::parse(Post("/chat/completions", ChatBody(messages))).as_object();
    const auto* choices = value.if_contains("choices");
    if (choices != nullptr && choices->is_array() && !choices->as_array().empty()) {
        const auto& first = choices->as_array().front();
        if (first.is_object()) {
            if (const auto* m = first.as_object().if_contains("message"); m && m->is_object()) {
                if (const auto* c = m->as_object().if_contains("content");
                    c && c->is_string() && !c->as_string().empty()) {
                    return std::string(c->as_string());
                }
            }
        }
    }
    throw Error(ErrorCode::kUnavailable, "the assistant provider's answer has no message");
}

std::string OpenAiClient::ImageOnce(const std::string& prompt) const {
    auto body = json::serialize(json::object{{"model", options_.image_model},
                                             {"prompt", prompt},
                                             {"n", 1},
                                             {"size", options_.image_size},
                                             {"response_format", "url"}});
    auto value = json::parse(Post("/images/generations", body)).as_object();
    const auto* data = value.if_contains("data");
    if (data != nullptr && data->is_array() && !data->as_array().empty() && data->as_array().front().is_object()) {
        const auto& first = data->as_array().front().as_object();
        if (const auto* u = first.if_contains("url"); u && u->is_string() && u->as_string().starts_with("http")) {
            return std::string(u->as_string());
        }
    }
    throw Error(ErrorCode::kUnavailable, "the image provider's answer has no image URL");
}

}  // namespace maxis::llm
