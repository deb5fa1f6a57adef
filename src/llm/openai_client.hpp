#pragma once
#include <chrono>
#include <string>

#include "domain/plans/assistant.hpp"

namespace maxis::llm {

struct OpenAiOptions {
    std::string api_base;  // ".../v1"; empty: not configured
    std::string api_key;   // sent as a Bearer token when set (local servers need none)
    std::string model;
    std::string image_model;
    std::string image_size = "1024x1024";
    int max_tokens = 800;
    std::chrono::milliseconds timeout{60'000};
};

/// The assistant's model over the OpenAI-compatible HTTP API: POST {api_base}/chat/completions (text and
/// image_url parts) and POST {api_base}/images/generations (response_format url). Works with OpenAI,
/// Mistral, Ollama and llama.cpp's server. Errors become core::Error with the provider's own message,
/// never the key.
class OpenAiClient final : public plans::LanguageModel {
public:
    explicit OpenAiClient(OpenAiOptions options) : options_(std::move(options)) {}
    [[nodiscard]] bool configured() const override { return !options_.api_base.empty(); }
    std::string Chat(const std::vector<plans::ChatMessage>& messages) override;
    std::string Image(const std::string& prompt) override;

    /// The JSON body Chat posts (exposed for tests of its shape).
    [[nodiscard]] std::string ChatBody(const std::vector<plans::ChatMessage>& messages) const;

private:
    [[nodiscard]] std::string ChatOnce(const std::vector<plans::ChatMessage>& messages) const;
    [[nodiscard]] std::string ImageOnce(const std::string& prompt) const;
    std::string Post(const std::string& path, const std::string& body) const;
    OpenAiOptions options_;
};

}  // namespace maxis::llm
