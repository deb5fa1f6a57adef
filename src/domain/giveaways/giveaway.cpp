#include "domain/giveaways/giveaway.hpp"

#include "core/snowflake.hpp"

namespace maxis::giveaways {

std::string_view ToString(Status status) {
    switch (status) {
        case Status::kRunning:
            return "running";
        case Status::kEnded:
            return "ended";
        case Status::kCancelled:
            return "cancelled";
    }
    return "running";
}

std::optional<Status> ParseStatus(std::string_view text) {
    for (auto s : {Status::kRunning, Status::kEnded, Status::kCancelled}) {
        if (ToString(s) == text) return s;
    }
    return std::nullopt;
}

std::string_view ToString(Source source) { return source == Source::kMilestone ? "milestone" : "manual"; }

std::optional<Source> ParseSource(std::string_view text) {
    if (text == "manual") return Source::kManual;
    if (text == "milestone") return Source::kMilestone;
    return std::nullopt;
}

std::string Ineligibility(const Giveaway& giveaway, core::UserId user, const MemberFacts& facts, core::TimePoint now) {
    if (facts.is_bot) return kExcludedBot;
    if (!facts.in_guild) return kExcludedLeft;
    if (giveaway.min_account_age.count() > 0 && now - core::AccountCreatedAt(user) < giveaway.min_account_age) {
        return kExcludedAccountAge;
    }
    if (giveaway.min_member_age.count() > 0 && (!facts.joined_at || now - *facts.joined_at < giveaway.min_member_age)) {
        return kExcludedMemberAge;
    }
    return {};
}

}  // namespace maxis::giveaways
