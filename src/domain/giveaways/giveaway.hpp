#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace maxis::giveaways {

using GiveawayId = core::Id<struct GiveawayIdTag>;

enum class Status { kRunning, kEnded, kCancelled };
std::string_view ToString(Status status);
std::optional<Status> ParseStatus(std::string_view text);

enum class Source { kManual, kMilestone };
std::string_view ToString(Source source);
std::optional<Source> ParseSource(std::string_view text);

struct Giveaway {
    GiveawayId id;
    std::string prize;
    int winners_count = 1;
    core::TimePoint starts_at;
    core::TimePoint ends_at;
    std::optional<core::TimePoint> ended_at;  // drawn or cancelled
    Status status = Status::kRunning;
    std::string seed_hash;  // hex SHA-256 of the seed, public from the start
    std::optional<core::ChannelId> channel;
    std::optional<long long> message_id;
    int posted_count = -1;  // the entrant count the post last showed (-1: never posted)
    core::UserId created_by;
    Source source = Source::kManual;
    std::optional<long long> milestone;  // the member count that started it (milestone giveaways)
    long long prize_cost_cents = 0;
    core::Millis min_account_age{0};  // 0: no minimum
    core::Millis min_member_age{0};   // time in the server; 0: no minimum
    core::TimePoint created_at;
    core::TimePoint updated_at;
};

/// Why an entrant was left out of the draw (recorded at the draw, shown in the proof).
inline constexpr const char* kExcludedBot = "bot";
inline constexpr const char* kExcludedAccountAge = "account_age";
inline constexpr const char* kExcludedMemberAge = "member_age";
inline constexpr const char* kExcludedLeft = "left";

struct Entry {
    GiveawayId giveaway;
    core::UserId user;
    core::TimePoint entered_at;
    std::optional<core::TimePoint> member_since;  // joined the server, as Discord said at entry
    std::string excluded;                         // set at the draw: empty when the entrant took part
};

/// An entrant of `entries` left out of a later round (a reroll or a replacement): eligibility is checked again at
/// every round. Round 0's exclusions are Entry::excluded.
struct RoundExclusion {
    int round = 1;
    core::UserId user;
    std::string reason;  // one of the kExcluded* reasons
};

struct Winner {
    GiveawayId giveaway;
    core::UserId user;
    int round = 0;     // 0: the draw; 1, 2...: rerolls and replacements
    int position = 0;  // which of the winners_count places
    bool replaced = false;
    core::TimePoint drawn_at;
};

/// What Discord knows of a person when they enter or at the draw.
struct MemberFacts {
    bool is_bot = false;
    bool in_guild = true;
    std::optional<core::TimePoint> joined_at;  // unknown outside Discord
};

/// Whether an entrant may take part at `now`: empty when yes, otherwise one of the kExcluded* reasons. An
/// unknown time in the server counts as not long enough when a minimum is set.
std::string Ineligibility(const Giveaway& giveaway, core::UserId user, const MemberFacts& facts, core::TimePoint now);

}  // namespace maxis::giveaways
