#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/giveaways/giveaway.hpp"
#include "domain/giveaways/giveaway_service.hpp"

namespace maxis::giveaways {

/// How long after a giveaway's end the members it brought and their money still count.
inline constexpr core::Millis kRoiFollowUp = std::chrono::hours(24 * 30);

/// A join or a leave, as the member log recorded it.
struct MemberEventRow {
    core::UserId user;
    bool joined = true;
    core::TimePoint at;
};

/// A shop payment: a charge (positive) or a refund (negative, as the shop records it).
struct ShopPaymentRow {
    core::UserId user;
    long long amount_minor = 0;
    std::string currency;
    core::TimePoint at;
};

/// A plan bought (a subscription started or a one-time purchase; temporary grants are not bought).
struct PlanPurchaseRow {
    core::UserId user;
    std::string plan;
    bool revoked = false;  // taken back after a refund or a dispute
    core::TimePoint at;
};

/// The rows a giveaway's ROI is computed from, every one within [from, to): each join and leave, and the shop
/// payments and plan purchases of the people who joined in that window.
struct RoiRows {
    std::vector<MemberEventRow> events;
    std::vector<ShopPaymentRow> payments;
    std::vector<PlanPurchaseRow> plans;
};

/// Port: reads the rows (the member log, the shop's payments, the plans' grants) for a staff viewer.
class RoiSource {
public:
    virtual ~RoiSource() = default;
    virtual RoiRows Rows(const core::Viewer& viewer, core::TimePoint from, core::TimePoint to) = 0;
};

/// One UTC day of the window: joins, leaves of the members gained, and their revenue. `counted` is false for a day
/// that has not begun yet (the window is still open).
struct RoiDay {
    std::string day;  // 2026-11-30
    int joins = 0;
    int leaves = 0;
    long long revenue_minor = 0;
    bool counted = true;
};

/// A giveaway's return: what the prize cost, the members it brought (joins from its start to 30 days after its
/// end, less those of them who left again), and what those members paid in that window (shop payments net of
/// refunds, plans bought and not revoked, at their catalog price). In one currency.
struct GiveawayStats {
    GiveawayId giveaway;
    std::string currency;
    long long prize_cost_minor = 0;
    core::TimePoint from;           // the giveaway's start
    core::TimePoint to;             // its end (or planned end while it runs) plus 30 days
    core::TimePoint counted_until;  // to, or now while the window is open
    bool open = false;              // the window has not closed: the figures are "so far"
    int joined = 0;                 // people who joined in the window
    int left = 0;                   // of them, those out of the server at the last event counted
    int gained = 0;                 // joined - left
    int paying = 0;                 // of the joiners, those who paid something counted
    long long shop_minor = 0;
    long long plans_minor = 0;
    long long revenue_minor = 0;                     // shop + plans
    long long net_minor = 0;                         // revenue - prize cost
    std::optional<long long> roi_percent;            // net / cost, rounded toward zero; none without a cost
    std::optional<long long> cost_per_member_minor;  // cost / gained; none without a member gained
    std::vector<RoiDay> days;
};

struct RoiOptions {
    std::string currency = "EUR";                  // payments in another currency are not counted
    std::map<std::string, long long> plan_prices;  // a plan's catalog price, in minor units
};

/// The rule, a pure function: the window of `g` at `now`, and the figures from its rows (rows outside the window
/// are ignored). A person counts as gained from their first join in the window; only their payments from then on
/// count, even if they left again.
GiveawayStats ComputeStats(const Giveaway& g, const RoiRows& rows, const RoiOptions& options, core::TimePoint now);

/// The window [start, end + 30 days) of a giveaway (its planned end while it runs).
std::pair<core::TimePoint, core::TimePoint> RoiWindow(const Giveaway& g);

/// Staff's view of each giveaway's return (`!giveaway_stats`, the API, the panel).
class GiveawayStatsService {
public:
    /// The currency is the giveaways' (GiveawayOptions::currency); plan_prices the plans' catalog.
    GiveawayStatsService(GiveawayService& giveaways, RoiSource& source, const core::Clock& clock,
                         std::map<std::string, long long> plan_prices)
        : giveaways_(giveaways),
          source_(source),
          clock_(clock),
          options_{giveaways.options().currency, std::move(plan_prices)} {}
    /// Staff only (giveaways.staff_only); giveaways.not_found for an unknown id.
    GiveawayStats Stats(const core::Viewer& staff, GiveawayId id);
    [[nodiscard]] const RoiOptions& options() const { return options_; }

private:
    GiveawayService& giveaways_;
    RoiSource& source_;
    const core::Clock& clock_;
    RoiOptions options_;
};

}  // namespace maxis::giveaways
