#include "domain/giveaways/milestone.hpp"

namespace maxis::giveaways {

std::vector<long long> MilestonesBetween(const MilestonePlan& plan, long long after, long long upto) {
    std::vector<long long> out;
    for (auto m : plan.list) {
        if (m > after && m <= upto) out.push_back(m);
    }
    if (plan.every <= 0) return out;
    long long last = plan.list.empty() ? 0 : plan.list.back();
    // last + k * every, from the first one above `after`.
    long long k = after < last ? 1 : (after - last) / plan.every + 1;
    for (long long m = last + k * plan.every; m <= upto; m += plan.every) out.push_back(m);
    return out;
}

std::string MilestonePrize(const MilestonePlan& plan, long long milestone) {
    std::string out = plan.prize;
    const std::string tag = "{milestone}";
    for (auto at = out.find(tag); at != std::string::npos; at = out.find(tag, at)) {
        auto count = std::to_string(milestone);
        out.replace(at, tag.size(), count);
        at += count.size();
    }
    return out;
}

}  // namespace maxis::giveaways
