#include "domain/shop/order.hpp"

#include <gtest/gtest.h>

namespace maxis::shop {
namespace {

TEST(OrderStatus, TransitionsFollowTheTimelineAndSayWhoMayMove) {
    using S = OrderStatus;
    constexpr auto kStaff = Mover::kStaff, kProvider = Mover::kProvider, kMaxis = Mover::kMaxis;
    EXPECT_TRUE(CanTransition(S::kPending, S::kPaid, kProvider));
    EXPECT_FALSE(CanTransition(S::kPending, S::kPaid, kStaff));  // paid comes from the provider only
    for (auto by : {kStaff, kProvider, kMaxis}) EXPECT_TRUE(CanTransition(S::kPending, S::kCancelled, by));
    EXPECT_FALSE(CanTransition(S::kPending, S::kShipped, kStaff));
    EXPECT_FALSE(CanTransition(S::kPending, S::kRefunded, kProvider));  // nothing was paid
    EXPECT_TRUE(CanTransition(S::kPaid, S::kShipped, kStaff));
    EXPECT_FALSE(CanTransition(S::kPaid, S::kShipped, kProvider));
    EXPECT_TRUE(CanTransition(S::kShipped, S::kDelivered, kStaff));
    EXPECT_TRUE(CanTransition(S::kDelivered, S::kRefunded, kProvider));
    EXPECT_FALSE(CanTransition(S::kDelivered, S::kRefunded, kStaff));  // a refund goes through the provider
    EXPECT_FALSE(CanTransition(S::kDelivered, S::kShipped, kStaff));
    EXPECT_FALSE(CanTransition(S::kPaid, S::kCancelled, kStaff));  // a paid order is refunded, not cancelled
    // Cancelled is terminal but for a late payment, which only the provider reports.
    EXPECT_TRUE(CanTransition(S::kCancelled, S::kPaid, kProvider));
    EXPECT_FALSE(CanTransition(S::kCancelled, S::kPaid, kStaff));
    EXPECT_FALSE(CanTransition(S::kCancelled, S::kPending, kMaxis));
    EXPECT_TRUE(NextStatuses(S::kCancelled, kStaff).empty());
    for (auto by : {kStaff, kProvider, kMaxis}) {
        EXPECT_TRUE(NextStatuses(S::kRefunded, by).empty());
        EXPECT_FALSE(CanTransition(S::kRefunded, S::kPaid, by));
    }
    EXPECT_EQ(NextStatuses(S::kPaid, kStaff), (std::vector<S>{S::kFulfilled, S::kShipped}));
    for (auto s : {"pending", "paid", "fulfilled", "shipped", "delivered", "cancelled", "refunded"}) {
        EXPECT_EQ(ToString(*ParseOrderStatus(s)), s);
    }
    EXPECT_FALSE(ParseOrderStatus("lost"));
}

TEST(OrderNumber, FormatsAndParsesAsMembersTypeIt) {
    EXPECT_EQ(FormatOrderNumber(2026, 123), "MX-2026-000123");
    EXPECT_EQ(FormatOrderNumber(2026, 1234567), "MX-2026-1234567");
    EXPECT_EQ(ParseOrderNumber("MX-2026-000123"), std::make_pair(2026, 123LL));
    EXPECT_EQ(ParseOrderNumber("mx-2026-123"), std::make_pair(2026, 123LL));
    EXPECT_EQ(ParseOrderNumber("2026-000123"), std::make_pair(2026, 123LL));
    EXPECT_FALSE(ParseOrderNumber("MX-26-1"));
    EXPECT_FALSE(ParseOrderNumber("MX-2026-"));
    EXPECT_FALSE(ParseOrderNumber("MX-2026-12a"));
    EXPECT_FALSE(ParseOrderNumber("MX-2026-99999999999999999999"));
    EXPECT_FALSE(ParseOrderNumber(""));
}

}  // namespace
}  // namespace maxis::shop
