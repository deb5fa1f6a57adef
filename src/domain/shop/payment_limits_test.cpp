#include "domain/shop/payment_limits.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "support/error_key.hpp"

namespace maxis::shop {

using testing::KeyOf;
namespace {

using namespace std::chrono_literals;

CartLine Line(long long id, long long price, int quantity, std::string currency = "EUR") {
    return CartLine{.product = Product{.id = ProductId{id},
                                       .name = "p" + std::to_string(id),
                                       .price_minor = price,
                                       .currency = std::move(currency)},
                    .quantity = quantity};
}

TEST(PaymentLimits, ProductPricesFitTheProvidersEightDigits) {
    EXPECT_EQ(KeyOf([] { CheckPayablePrice(Product{.price_minor = 99'999'999}); }), "accepted");
    // 1 000 000,00 EUR: nine digits of cents, which the provider's unit_amount refuses.
    EXPECT_EQ(KeyOf([] { CheckPayablePrice(Product{.price_minor = 100'000'000}); }), "shop.price_too_high");
    EXPECT_EQ(KeyOf([] { CheckPayablePrice(Product{.price_minor = 500, .currency = "XYZ"}); }),
              "shop.currency_unsupported");
    EXPECT_EQ(KeyOf([] { CheckPayablePrice(Product{.price_minor = 500, .currency = "gbp"}); }), "accepted");
    // A limit is the member's input refused, never a failure of Maxis.
    try {
        CheckPayablePrice(Product{.price_minor = 100'000'000});
        ADD_FAILURE() << "accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::ErrorCode::kInvalidArgument);
    }
}

TEST(PaymentLimits, CartTotalsRespectTheCurrencysMinimumAndTheMaximum) {
    EXPECT_EQ(MinimumCharge("EUR"), 50);
    EXPECT_EQ(MinimumCharge("gbp"), 30);
    EXPECT_FALSE(MinimumCharge("JPY"));  // zero-decimal: prices are not written that way here
    // A 0,20 EUR cart is below the 0,50 EUR minimum; 0,50 is fine; 0,30 GBP is fine.
    EXPECT_EQ(KeyOf([] { CheckPayableCart({Line(1, 20, 1)}); }), "shop.total_too_low");
    EXPECT_EQ(KeyOf([] { CheckPayableCart({Line(1, 25, 2)}); }), "accepted");
    EXPECT_EQ(KeyOf([] { CheckPayableCart({Line(1, 30, 1, "GBP")}); }), "accepted");
    EXPECT_EQ(KeyOf([] { CheckPayableCart({Line(1, 29, 1, "GBP")}); }), "shop.total_too_low");
    // Lines each within the limit can add up above it.
    EXPECT_EQ(KeyOf([] { CheckPayableCart({Line(1, 60'000'000, 1), Line(2, 40'000'000, 1)}); }), "shop.total_too_high");
    try {
        CheckPayableCart({Line(1, 20, 1)});
    } catch (const core::Error& e) {
        EXPECT_EQ(e.params().at("total"), "0.20 EUR");
        EXPECT_EQ(e.params().at("min"), "0.50 EUR");
    }
}

TEST(PaymentLimits, AHundredDifferentProductsAtMost) {
    std::vector<CartLine> lines;
    for (int i = 1; i <= 99; ++i) lines.push_back(Line(i, 100, 1));
    EXPECT_EQ(KeyOf([&] { CheckCartRoom(lines, ProductId{100}); }), "accepted");
    lines.push_back(Line(100, 100, 1));
    EXPECT_EQ(KeyOf([&] { CheckPayableCart(lines); }), "accepted");
    EXPECT_EQ(KeyOf([&] { CheckCartRoom(lines, ProductId{101}); }), "shop.cart_full");
    EXPECT_EQ(KeyOf([&] { CheckCartRoom(lines, ProductId{42}); }), "accepted");  // more of one already there
    lines.push_back(Line(101, 100, 1));
    EXPECT_EQ(KeyOf([&] { CheckPayableCart(lines); }), "shop.too_many_lines");
}

TEST(PaymentLimits, PaymentPagesLiveLongerThanTheProvidersMinimumWithHeadroom) {
    EXPECT_EQ(SessionLife(30min), 35min);
    EXPECT_EQ(SessionLife(2h), 2h);
    EXPECT_EQ(SessionLife(24h), 24h - 5min);
    EXPECT_GE(SessionLife(0ms), limits::kMinSessionLife + 1min);
}

}  // namespace
}  // namespace maxis::shop
