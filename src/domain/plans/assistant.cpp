#include "domain/plans/assistant.hpp"

#include <algorithm>
#include <limits>

#include "core/errors.hpp"

namespace maxis::plans {

namespace {

constexpr const char* kMessages = kUsageMessages;
constexpr const char* kImages = kUsageImages;
constexpr const char* kRate = kUsageRate;
const core::Viewer kSystem = core::Viewer::System();

/// The counter's ceiling: unlimited plans are counted too (usage on the user card and the dashboard).
int Cap(int per_day) { return per_day == kUnlimited ? std::numeric_limits<int>::max() : per_day; }

bool MoreMessages(const Entitlements& have, const Entitlements& offer) {
    if (have.messages_per_day == kUnlimited) return false;
    return offer.messages_per_day == kUnlimited || offer.messages_per_day > have.messages_per_day;
}
bool ImageInput(const Entitlements& have, const Entitlements& offer) { return !have.image_input && offer.image_input; }
bool ImageGeneration(const Entitlements& have, const Entitlements& offer) {
    return offer.image_generation && (!have.image_generation || offer.images_per_day > have.images_per_day);
}

std::size_t Utf8Length(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

/// What is refused before anything is counted: no provider, nothing to answer, too long.
std::optional<Answer> Refused(bool configured, const std::string& text, bool has_images, int max_chars) {
    if (!configured) return Answer{.kind = AnswerKind::kNoProvider};
    if (text.empty() && !has_images) return Answer{.kind = AnswerKind::kEmpty};
    if (Utf8Length(text) > static_cast<std::size_t>(max_chars))
        return Answer{.kind = AnswerKind::kTooLong, .limit = max_chars};
    return std::nullopt;
}

}  // namespace

std::string Assistant::DayOf(core::TimePoint t) const { return zone_.LocalDate(t); }

bool Assistant::TryUse(core::UserId user, const std::string& day, const char* kind, int limit) {
    if (limit <= 0) return false;
    bool counted = false;
    repo_.Write(kSystem, [&](PlanStore& store) { counted = store.TryUse(user, day, kind, limit); });
    return counted;
}

void Assistant::GiveBack(core::UserId user, const std::string& day, const char* kind) {
    repo_.Write(kSystem, [&](PlanStore& store) { store.GiveBack(user, day, kind); });
}

int Assistant::Used(core::UserId user, const std::string& day, const char* kind) {
    int used = 0;
    repo_.Read(kSystem, [&](PlanStore& store) { used = store.Used(user, day, kind); });
    return used;
}

void Assistant::Forget(core::UserId user) {
    repo_.Write(kSystem, [&](PlanStore& store) { store.DeleteTurns(user); });
}

std::string Assistant::Upgrade(const Standing& standing,
                               bool (*offers)(const Entitlements&, const Entitlements&)) const {
    // The first monthly plan that gives what is missing, else a one-time one.
    for (auto billing : {Billing::kMonthly, Billing::kOneTime}) {
        for (const auto& p : plans_.catalog().all()) {
            if (p.billing != billing || p.price_id.empty() || p.rank <= standing.plan->rank) continue;
            if (offers(standing.entitlements, p.entitlements)) return p.id;
        }
    }
    return {};
}

Usage Assistant::UsageOf(core::UserId user, const Standing& standing) {
    Usage u{.day = DayOf(plans_.clock().Now())};
    u.messages = Used(user, u.day, kMessages);
    u.messages_limit = standing.entitlements.messages_per_day;
    u.images = Used(user, u.day, kImages);
    u.images_limit = standing.entitlements.image_generation ? standing.entitlements.images_per_day : 0;
    return u;
}

Answer Assistant::Ask(core::UserId user, const std::string& question, const std::vector<std::string>& image_urls) {
    if (auto refused = Refused(model_.configured(), question, !image_urls.empty(), options_.max_prompt_chars))
        return *refused;
    Answer a;
    auto now = plans_.clock().Now();
    auto standing = plans_.StandingOf(user);
    a.plan = standing.plan->id;
    const auto& e = standing.entitlements;
    if (!image_urls.empty() && (!e.image_input || static_cast<int>(image_urls.size()) > options_.max_images)) {
        a.kind = AnswerKind::kNotInPlan;
        if (!e.image_input) a.upgrade = Upgrade(standing, &ImageInput);
        a.limit = options_.max_images;
        return a;
    }
    auto day = DayOf(now);
    a.limit = e.messages_per_day;
    // The quota first: a member who is out of messages is told so, whatever the minute.
    bool counted = TryUse(user, day, kMessages, Cap(e.messages_per_day));
    if (!counted) {
        a.kind = AnswerKind::kQuotaExhausted;
        a.used = e.messages_per_day;
        a.upgrade = Upgrade(standing, &MoreMessages);
        return a;
    }
    auto minute = core::FormatIso8601(now).substr(0, 16);  // one window per UTC minute
    if (!TryUse(user, minute, kRate, options_.per_minute)) {
        GiveBack(user, day, kMessages);
        a.kind = AnswerKind::kRateLimited;
        a.limit = options_.per_minute;
        return a;
    }
    std::vector<ChatMessage> messages;
    if (!options_.system_prompt.empty()) messages.push_back({"system", options_.system_prompt, {}});
    std::vector<Turn> turns;
    repo_.Read(kSystem,
               [&](PlanStore& store) { turns = store.Turns(user, now - options_.memory_ttl, options_.memory_turns); });
    // A conversation starts with the member's words.
    auto first = std::find_if(turns.begin(), turns.end(), [](const Turn& t) { return t.role == "user"; });
    for (auto it = first; it != turns.end(); ++it) messages.push_back({it->role, std::move(it->content), {}});
    messages.push_back({"user", question, image_urls});
    try {
        a.text = model_.Chat(messages);
    } catch (const std::exception&) {
        // The provider logs its own failures.
        GiveBack(user, day, kMessages);
        a.kind = AnswerKind::kFailed;
        return a;
    }
    std::vector<Turn> exchange{Turn{"user", question.empty() ? "(image)" : question, now},
                               Turn{"assistant", a.text, plans_.clock().Now()}};
    repo_.Write(kSystem, [&](PlanStore& store) { store.AddTurns(user, exchange, options_.memory_turns); });
    a.kind = AnswerKind::kAnswered;
    a.used = Used(user, day, kMessages);
    return a;
}

Answer Assistant::Imagine(core::UserId user, const std::string& prompt) {
    if (auto refused = Refused(model_.configured(), prompt, false, options_.max_prompt_chars)) return *refused;
    Answer a;
    auto now = plans_.clock().Now();
    auto standing = plans_.StandingOf(user);
    a.plan = standing.plan->id;
    const auto& e = standing.entitlements;
    if (!e.image_generation) {
        a.kind = AnswerKind::kNotInPlan;
        a.upgrade = Upgrade(standing, &ImageGeneration);
        return a;
    }
    auto day = DayOf(now);
    a.limit = e.images_per_day;
    if (!TryUse(user, day, kImages, Cap(e.images_per_day))) {
        a.kind = AnswerKind::kQuotaExhausted;
        a.used = e.images_per_day;
        a.upgrade = Upgrade(standing, &ImageGeneration);
        return a;
    }
    try {
        a.text = model_.Image(prompt);
    } catch (const std::exception&) {
        // The provider logs its own failures.
        GiveBack(user, day, kImages);
        a.kind = AnswerKind::kFailed;
        return a;
    }
    a.kind = AnswerKind::kAnswered;
    a.used = Used(user, day, kImages);
    return a;
}

}  // namespace maxis::plans
