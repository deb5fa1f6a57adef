#include "domain/preorders/preorder.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "support/error_key.hpp"

namespace maxis::preorders {

using testing::KeyOf;
namespace {

Tier MakeTier(int position, std::optional<int> seats, int sold, int held) {
    Tier t;
    t.id = TierId{position + 1};
    t.position = position;
    t.seats = seats;
    t.sold = sold;
    t.held = held;
    return t;
}

TEST(Preorder, TierPricesRoundHalfUp) {
    EXPECT_EQ(TierPrice(4999, 30), 3499);  // 34.993 -> 34.99
    EXPECT_EQ(TierPrice(4999, 20), 3999);  // 39.992
    EXPECT_EQ(TierPrice(4999, 10), 4499);  // 44.991
    EXPECT_EQ(TierPrice(4999, 0), 4999);
    EXPECT_EQ(TierPrice(1005, 50), 503);  // 5.025 -> 5.03
}

TEST(Preorder, TheCheapestTierWithASeatOpenIsTheOneABuyerGets) {
    std::vector<Tier> tiers{MakeTier(0, 20, 19, 1), MakeTier(1, 50, 10, 0), MakeTier(2, std::nullopt, 0, 0)};
    EXPECT_EQ(CheapestOpen(tiers)->position, 1) << "a held seat is not open";
    tiers[0].held = 0;
    EXPECT_EQ(CheapestOpen(tiers)->position, 0);
    tiers = {MakeTier(0, 1, 1, 0)};
    EXPECT_FALSE(CheapestOpen(tiers));
    EXPECT_EQ(*SeatsOpen(MakeTier(0, 20, 12, 3)), 5);
    EXPECT_EQ(*SeatsUnsold(MakeTier(0, 20, 12, 3)), 8) << "what is announced counts only what is sold";
    EXPECT_FALSE(SeatsOpen(MakeTier(0, std::nullopt, 5, 5)));
}

TEST(Preorder, TiersAreChecked) {
    EXPECT_EQ(KeyOf([] { ValidateTiers(DefaultTiers()); }), "accepted");
    EXPECT_EQ(KeyOf([] { ValidateTiers({}); }), "preorders.tier_count");
    EXPECT_EQ(KeyOf([] { ValidateTiers({{"A", 100, 5}}); }), "preorders.tier_discount");
    EXPECT_EQ(KeyOf([] { ValidateTiers({{"A", -1, 5}}); }), "preorders.tier_discount");
    EXPECT_EQ(KeyOf([] { ValidateTiers({{"A", 10, 0}}); }), "preorders.tier_seats");
    EXPECT_EQ(KeyOf([] { ValidateTiers({{" ", 10, 3}}); }), "preorders.tier_name");
    EXPECT_EQ(KeyOf([] { ValidateTiers({{"A", 10, 3}, {"B", 20, 3}}); }), "preorders.tier_order");
    EXPECT_EQ(KeyOf([] { ValidateTiers({{"A", 10, std::nullopt}, {"B", 0, 3}}); }), "preorders.tier_unlimited");
}

TEST(Preorder, StatusesRoundTrip) {
    for (auto s :
         {ItemStatus::kDraft, ItemStatus::kOpen, ItemStatus::kClosed, ItemStatus::kReleased, ItemStatus::kCancelled}) {
        EXPECT_EQ(ParseItemStatus(ToString(s)), s);
    }
    for (auto s : {PurchaseStatus::kHeld, PurchaseStatus::kPaid, PurchaseStatus::kFulfilled, PurchaseStatus::kReleased,
                   PurchaseStatus::kRefunding, PurchaseStatus::kRefunded}) {
        EXPECT_EQ(ParsePurchaseStatus(ToString(s)), s);
    }
    EXPECT_FALSE(ParseItemStatus("sold"));
}

}  // namespace
}  // namespace maxis::preorders
