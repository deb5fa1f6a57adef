#pragma once
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace maxis::giveaways {

/// Which member counts start a giveaway on their own, and that giveaway ([giveaways] milestone_* keys).
struct MilestonePlan {
    bool enabled = true;
    std::vector<long long> list{50, 100, 250, 500, 1000};  // ascending, each above zero
    long long every = 1000;                                // then every this many after the last; 0: none
    std::string prize = "Nitro ({milestone} membres)";     // {milestone}: the count reached
    core::Millis duration = std::chrono::hours(24);
    int winners = 1;
    long long prize_cost_cents = 0;
};

/// What Maxis knows of the member count: the count at the first observation (milestones at or below it never fire)
/// and the highest count seen since.
struct MilestoneState {
    long long baseline = 0;
    long long highest = 0;
    core::TimePoint created_at;
    core::TimePoint updated_at;
};

/// The plan's milestones m with after < m <= upto, ascending: those of the list, then every `every` after its
/// last (last + every, last + 2 * every...).
std::vector<long long> MilestonesBetween(const MilestonePlan& plan, long long after, long long upto);

/// The plan's prize for a milestone ({milestone} replaced by the count).
std::string MilestonePrize(const MilestonePlan& plan, long long milestone);

}  // namespace maxis::giveaways
