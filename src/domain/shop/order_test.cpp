#include "domain/shop/order.hpp"

#include <gtest/gtest.h>

namespace maxis::shop {
namespace {

TEST(OrderStatus, TransitionsFollowTheTimeline) {
    using S = OrderStatus;
    EXPECT_TRUE(CanTransition(S::kPending, S::kPaid));
    EXPECT_TRUE(CanTransition(S::kPending, S::kCancelled));
    EXPECT_FALSE(CanTransition(S::kPending, S::kShipped));
    EXPECT_FALSE(CanTransition(S::kPending, S::kRefunded));  // nothing was paid
    EXPECT_TRUE(CanTransition(S::kPaid, S::kShipped));
    EXPECT_TRUE(CanTransition(S::kShipped, S::kDelivered));
    EXPECT_TRUE(CanTransition(S::kDelivered, S::kRefunded));
    EXPECT_FALSE(CanTransition(S::kDelivered, S::kShipped));
    EXPECT_FALSE(CanTransition(S::kRefunded, S::kPaid));
    EXPECT_FALSE(CanTransition(S::kCancelled, S::kPaid));
    EXPECT_TRUE(NextStatuses(S::kRefunded).empty());
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
