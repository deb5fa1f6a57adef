#include "domain/giveaways/giveaway_stats.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "core/errors.hpp"
#include "core/time_zone.hpp"

namespace maxis::giveaways {

namespace {

constexpr long long kDayMs = 86'400'000;

long long DayOf(core::TimePoint t) { return core::ToEpochMillis(t) / kDayMs; }

bool Within(core::TimePoint t, core::TimePoint from, core::TimePoint to) { return t >= from && t < to; }

}  // namespace

std::pair<core::TimePoint, core::TimePoint> RoiWindow(const Giveaway& g) {
    auto end = g.ended_at ? *g.ended_at : g.ends_at;
    return {g.starts_at, std::max(end, g.starts_at) + kRoiFollowUp};
}

GiveawayStats ComputeStats(const Giveaway& g, const RoiRows& rows, const RoiOptions& options, core::TimePoint now) {
    GiveawayStats s;
    s.giveaway = g.id;
    s.currency = options.currency;
    s.prize_cost_minor = g.prize_cost_cents;
    std::tie(s.from, s.to) = RoiWindow(g);
    s.open = now < s.to;
    s.counted_until = s.open ? std::max(now, s.from) : s.to;

    auto first = DayOf(s.from), last = DayOf(s.to - core::Millis(1));
    for (auto d = first; d <= last; ++d) {
        s.days.push_back(RoiDay{.day = core::FormatIso8601(core::FromEpochMillis(d * kDayMs)).substr(0, 10),
                                .counted = d <= DayOf(s.counted_until)});
    }
    auto day = [&](core::TimePoint t) -> RoiDay& { return s.days[static_cast<std::size_t>(DayOf(t) - first)]; };

    // Each person's first join in the window, and whether their last event there left them out of the server.
    auto events = rows.events;
    std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    std::map<core::UserId, core::TimePoint> joined_at;
    std::map<core::UserId, bool> out_now;
    for (const auto& e : events) {
        if (!Within(e.at, s.from, s.counted_until)) continue;
        if (e.joined) {
            ++day(e.at).joins;
            joined_at.emplace(e.user, e.at);
            out_now[e.user] = false;
        } else if (joined_at.contains(e.user)) {
            ++day(e.at).leaves;
            out_now[e.user] = true;
        }
    }
    s.joined = static_cast<int>(joined_at.size());
    s.left = static_cast<int>(std::count_if(out_now.begin(), out_now.end(), [](const auto& p) { return p.second; }));
    s.gained = s.joined - s.left;

    // Money counts from the person's first join in the window on.
    std::set<core::UserId> paying;
    auto counts = [&](core::UserId user, core::TimePoint at) {
        auto it = joined_at.find(user);
        return it != joined_at.end() && at >= it->second && at < s.counted_until;
    };
    for (const auto& p : rows.payments) {
        if (p.currency != options.currency || !counts(p.user, p.at)) continue;
        s.shop_minor += p.amount_minor;
        day(p.at).revenue_minor += p.amount_minor;
        if (p.amount_minor > 0) paying.insert(p.user);
    }
    for (const auto& p : rows.plans) {
        if (p.revoked || !counts(p.user, p.at)) continue;
        auto price = options.plan_prices.find(p.plan);
        if (price == options.plan_prices.end() || price->second <= 0) continue;
        s.plans_minor += price->second;
        day(p.at).revenue_minor += price->second;
        paying.insert(p.user);
    }
    s.paying = static_cast<int>(paying.size());
    s.revenue_minor = s.shop_minor + s.plans_minor;
    s.net_minor = s.revenue_minor - s.prize_cost_minor;
    if (s.prize_cost_minor > 0) s.roi_percent = s.net_minor * 100 / s.prize_cost_minor;
    if (s.gained > 0) s.cost_per_member_minor = s.prize_cost_minor / s.gained;
    return s;
}

GiveawayStats GiveawayStatsService::Stats(const core::Viewer& staff, GiveawayId id) {
    if (!staff.IsStaff()) {
        throw core::Error(core::ErrorCode::kForbidden, "only staff see a giveaway's return", "giveaways.staff_only");
    }
    auto g = giveaways_.Get(staff, id).giveaway;
    auto now = clock_.Now();
    auto [from, to] = RoiWindow(g);
    auto rows = source_.Rows(staff, from, std::clamp(now, from, to));
    return ComputeStats(g, rows, options_, now);
}

}  // namespace maxis::giveaways
