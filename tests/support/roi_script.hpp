#pragma once
// A scripted month around a giveaway, for its return: joins, leaves, shop payments and plans bought, some inside its
// window and some not. The domain's unit test feeds these rows through an in-memory RoiSource; the storage suite
// writes them as SQL rows (member_events, payments, user_subscriptions) and reads them back through SqlRoiSource.
// Both expect the same figures (kExpected*), worked out by hand below.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "domain/giveaways/giveaway_stats.hpp"

namespace maxis::testing::roi_script {

using std::chrono::days;
using std::chrono::hours;

/// The giveaway starts at T0 (the fake clock's time when it starts), lasts 2 days and cost 10,00 €; its window
/// runs to T0 + 32 days.
inline constexpr auto kDuration = hours(48);
inline constexpr long long kCostCents = 1000;
inline const std::map<std::string, long long> kPlanPrices = {{"pro", 999}, {"founder", 4900}};

struct Event {
    long long user;
    bool joined;
    core::Millis at;  // from T0
};
struct Payment {
    long long user;
    long long amount_minor;  // a refund is negative
    std::string currency;
    core::Millis at;
};
struct Plan {
    long long user;
    std::string plan;
    bool revoked;
    core::Millis at;
};

inline const std::vector<Event> kEvents = {
    {3, true, -hours(1)},  // joined before the start: not gained
    {1, true, hours(1)},   // gained during the giveaway, stays
    {6, true, hours(2)},   // gained, pays only before joining
    {2, true, days(1)},    // gained, buys Pro, then leaves
    {2, false, days(5)},   //
    {4, true, days(31)},   // gained in the 30 days after the end
    {5, true, days(40)},   // after the window: not gained
    {7, false, days(3)},   // a leave of someone not gained: not counted
};
inline const std::vector<Payment> kPayments = {
    {1, 1500, "EUR", days(3)},             // counted
    {1, -500, "EUR", days(4)},             // its refund: counted, net 10,00 €
    {1, 700, "EUR", days(33)},             // after the window
    {3, 5000, "EUR", days(2)},             // not a gained member
    {6, 800, "EUR", hours(1)},             // before this member joined
    {4, 200, "USD", days(31) + hours(1)},  // another currency
    {4, 300, "EUR", days(31) + hours(2)},  // counted
};
inline const std::vector<Plan> kPlans = {
    {2, "pro", false, days(2)},                 // counted at 9,99 € although they left later
    {4, "founder", true, days(31) + hours(3)},  // revoked (refunded): not counted
};

inline constexpr int kExpectedJoined = 4;  // 1, 6, 2, 4
inline constexpr int kExpectedLeft = 1;    // 2
inline constexpr int kExpectedPaying = 3;  // 1, 2, 4
inline constexpr long long kExpectedShop = 1300;
inline constexpr long long kExpectedPlans = 999;

}  // namespace maxis::testing::roi_script
