#pragma once
#include <string>
#include <vector>

#include "core/time_zone.hpp"
#include "domain/plans/plan_service.hpp"

namespace maxis::plans {

/// One message sent to a language model.
struct ChatMessage {
    std::string role;  // system, user, assistant
    std::string text;
    std::vector<std::string> image_urls;  // user messages only
};

/// Port: an OpenAI-compatible model (chat completions and image generations). Throws core::Error on
/// failure (kUnavailable: the provider is down or timed out; kInvalidArgument: it refused the request).
class LanguageModel {
public:
    virtual ~LanguageModel() = default;
    [[nodiscard]] virtual bool configured() const = 0;
    virtual std::string Chat(const std::vector<ChatMessage>& messages) = 0;
    /// One generated image; returns its URL.
    virtual std::string Image(const std::string& prompt) = 0;
};

struct AssistantOptions {
    std::string system_prompt;
    int max_prompt_chars = 2000;
    int max_images = 4;    // per message
    int memory_turns = 6;  // earlier turns sent with a question
    core::Millis memory_ttl{std::chrono::minutes(30)};
    int per_minute = 6;  // messages per member per minute, whatever the plan
};

enum class AnswerKind {
    kAnswered,
    kNoProvider,      // no model configured: nothing counted
    kTooLong,         // prompt over max_prompt_chars: nothing counted
    kEmpty,           // nothing to answer
    kNotInPlan,       // image input or generation the plan does not include
    kQuotaExhausted,  // today's quota is used up (upgrade offered)
    kRateLimited,     // too many in the last minute
    kFailed,          // the provider failed: the use was given back
};

struct Answer {
    AnswerKind kind = AnswerKind::kFailed;
    std::string text;     // the model's answer, or the image URL
    std::string plan;     // the member's plan
    int used = 0;         // today's uses of this kind, after this one
    int limit = 0;        // kUnlimited or the plan's quota
    std::string upgrade;  // the plan to offer when kQuotaExhausted or kNotInPlan; empty: none better
};

/// Today's usage for /subscription and the panel.
struct Usage {
    std::string day;
    int messages = 0;
    int messages_limit = 0;
    int images = 0;
    int images_limit = 0;
};

/// The metered assistant: quotas per plan and local day (counted before the model is asked, given back
/// if it fails, so concurrent messages never exceed the quota), short per-member memory, prompt length
/// and per-minute limits.
class Assistant {
public:
    /// Plans give the member's standing; the repository holds the usage counters and the conversation memory.
    Assistant(PlanService& plans, PlanRepository& repo, LanguageModel& model, const core::TimeZone& zone,
              AssistantOptions options)
        : plans_(plans), repo_(repo), model_(model), zone_(zone), options_(std::move(options)) {}

    [[nodiscard]] bool configured() const { return model_.configured(); }
    [[nodiscard]] const AssistantOptions& options() const { return options_; }
    Answer Ask(core::UserId user, const std::string& question, const std::vector<std::string>& image_urls);
    Answer Imagine(core::UserId user, const std::string& prompt);
    /// Today's usage against the limits of the member's standing (read by the caller, who shows it too).
    [[nodiscard]] Usage UsageOf(core::UserId user, const Standing& standing);
    [[nodiscard]] Usage UsageOf(core::UserId user) { return UsageOf(user, plans_.StandingOf(user)); }
    /// The local day ("2026-11-25") a moment belongs to in the community's time zone.
    [[nodiscard]] std::string DayOf(core::TimePoint t) const;
    void Forget(core::UserId user);

private:
    std::string Upgrade(const Standing& standing, bool (*offers)(const Entitlements&, const Entitlements&)) const;
    bool TryUse(core::UserId user, const std::string& day, const char* kind, int limit);
    void GiveBack(core::UserId user, const std::string& day, const char* kind);
    int Used(core::UserId user, const std::string& day, const char* kind);
    PlanService& plans_;
    PlanRepository& repo_;
    LanguageModel& model_;
    const core::TimeZone& zone_;
    AssistantOptions options_;
};

}  // namespace maxis::plans
