#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "crypto/crypto.hpp"
#include "stripe/billing.hpp"
#include "stripe/form.hpp"
#include "stripe/gateway.hpp"
#include "stripe/preorder_checkout.hpp"
#include "stripe/referral_codes.hpp"
#include "stripe/webhook.hpp"

namespace maxis::stripe {
namespace {

const std::string kSecret = "whsec_test_secret";
const std::string kBody = R"({"id":"evt_1","type":"checkout.session.completed"})";
constexpr long long kNow = 1'790'000'000;

TEST(Webhook, AcceptsAMatchingV1AmongSeveralAndSeveralSecrets) {
    auto header = SignatureHeader(kBody, kSecret, kNow);
    EXPECT_TRUE(VerifySignature(header, kBody, {kSecret}, kNow).ok);
    // Stripe sends one v1 per active secret while rolling; any match is enough, with any of our secrets.
    auto two = "t=" + std::to_string(kNow) + ",v1=" + std::string(64, '0') + "," + header.substr(header.find("v1=")) +
               ",v0=abc";
    EXPECT_TRUE(VerifySignature(two, kBody, {"whsec_old", kSecret}, kNow).ok);
    // The same signature computed by hand: HMAC-SHA256(secret, "t.body") in hex.
    EXPECT_EQ(header, "t=" + std::to_string(kNow) +
                          ",v1=" + crypto::HexEncode(crypto::HmacSha256(kSecret, std::to_string(kNow) + "." + kBody)));
}

TEST(Webhook, RefusesBadSignaturesStaleOrFutureTimestampsAndWrongSecrets) {
    auto header = SignatureHeader(kBody, kSecret, kNow);
    EXPECT_FALSE(VerifySignature(header, kBody + " ", {kSecret}, kNow).ok);  // body changed
    EXPECT_FALSE(VerifySignature(header, kBody, {"whsec_other"}, kNow).ok);
    EXPECT_TRUE(VerifySignature(header, kBody, {kSecret}, kNow + 300).ok);
    EXPECT_FALSE(VerifySignature(header, kBody, {kSecret}, kNow + 301).ok);  // stale (a replay)
    EXPECT_TRUE(VerifySignature(header, kBody, {kSecret}, kNow - 300).ok);
    EXPECT_FALSE(VerifySignature(header, kBody, {kSecret}, kNow - 301).ok);  // from the future
    EXPECT_FALSE(VerifySignature("", kBody, {kSecret}, kNow).ok);
    EXPECT_FALSE(VerifySignature("v1=abc", kBody, {kSecret}, kNow).ok);
    EXPECT_FALSE(VerifySignature("t=abc,v1=abc", kBody, {kSecret}, kNow).ok);
    EXPECT_FALSE(VerifySignature("t=" + std::to_string(kNow), kBody, {kSecret}, kNow).ok);
    EXPECT_FALSE(VerifySignature(header, kBody, {""}, kNow).ok);  // an empty secret matches nothing
    auto reason = VerifySignature(header, kBody, {"whsec_other"}, kNow).reason;
    EXPECT_EQ(reason.find("whsec"), std::string::npos);  // never the secret
}

TEST(Form, EncodesBracketedKeysInOrder) {
    Form f;
    f.Add("mode", "payment")
        .Add("line_items[0][price_data][product_data][name]", "T-shirt « été »")
        .Add("line_items[0][quantity]", 2);
    EXPECT_EQ(f.Encode(),
              "mode=payment&line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=T-shirt%20%C2%AB%20%C3%A9t%"
              "C3%A9%20%C2%BB"
              "&line_items%5B0%5D%5Bquantity%5D=2");
}

plans::PlanCatalog BillingCatalog() {
    return plans::PlanCatalog(
        {{.id = "pro", .rank = 2, .billing = plans::Billing::kMonthly, .price_id = "price_pro"},
         {.id = "ultra", .rank = 3, .billing = plans::Billing::kMonthly, .price_id = "price_ultra"},
         {.id = "founder", .rank = 1, .billing = plans::Billing::kOneTime, .price_id = "price_f"}});
}

std::map<std::string, std::string> Fields(const Form& f) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : f.fields()) out[k] = v;
    return out;
}

TEST(StripeBilling, SubscriptionAndOneTimeCheckoutsCarryTheMemberWhereStripeKeepsIt) {
    auto catalog = BillingCatalog();
    Client client(ClientOptions{});
    StripeBilling billing(client, BillingUrls{"https://x/ok", "https://x/no", "https://x/back"});
    plans::BillingGateway::PlanCheckout c{.user = core::UserId{42}, .plan = catalog.Find("pro"), .locale = "fr"};
    auto sub = Fields(billing.CheckoutForm(c));
    EXPECT_EQ(sub["mode"], "subscription");
    EXPECT_EQ(sub["line_items[0][price]"], "price_pro");
    EXPECT_EQ(sub["subscription_data[metadata][user_id]"], "42");
    EXPECT_EQ(sub["subscription_data[metadata][plan]"], "pro");
    EXPECT_EQ(sub["allow_promotion_codes"], "true");
    EXPECT_FALSE(sub.contains("customer_creation"));  // subscription mode always makes a customer
    c.plan = catalog.Find("founder");
    c.customer = "cus_1";
    c.promotion = plans::Promotion{.id = 7, .promotion_code_id = "promo_7"};
    auto once = Fields(billing.CheckoutForm(c));
    EXPECT_EQ(once["mode"], "payment");
    EXPECT_EQ(once["payment_intent_data[metadata][user_id]"], "42");
    EXPECT_EQ(once["customer"], "cus_1");
    EXPECT_EQ(once["discounts[0][promotion_code]"], "promo_7");
    EXPECT_EQ(once["metadata[promotion]"], "7");
    EXPECT_FALSE(once.contains("allow_promotion_codes"));  // Stripe refuses both together
}

preorders::Purchase HeldPurchase() {
    preorders::Purchase p;
    p.id = preorders::PurchaseId{17};
    p.item = preorders::ItemId{3};
    p.tier = preorders::TierId{9};
    p.buyer = core::UserId{42};
    p.price = core::Money{1400, "EUR"};
    p.created_at = core::FromEpochMillis(1'790'000'000'123);
    return p;
}

TEST(StripePreorderCheckout, OneLineAtThePurchasesPriceAndThePurchaseWhereTheWebhookReadsIt) {
    Client client(ClientOptions{});
    StripePreorderCheckout checkout(client, CheckoutUrls{"https://x/ok?s={CHECKOUT_SESSION_ID}", "https://x/no"});
    preorders::Item item;
    item.id = preorders::ItemId{3};
    item.name = "Artbook";
    item.price = core::Money{2000, "EUR"};
    preorders::Tier tier;
    tier.id = preorders::TierId{9};
    tier.name = "Early Bird";
    tier.price_minor = 1400;
    auto purchase = HeldPurchase();
    purchase.price = core::Money{1399, "EUR"};  // the purchase's price is what is charged, not the tier's today
    auto expires = core::FromEpochMillis(1'790'001'800'000);
    auto f = Fields(checkout.CheckoutForm(purchase, item, tier, expires, "fr"));
    EXPECT_EQ(f["mode"], "payment");
    EXPECT_EQ(f["payment_method_types[0]"], "card");  // no method that clears after the hold
    EXPECT_FALSE(f.contains("payment_method_types[1]"));
    EXPECT_EQ(f["line_items[0][quantity]"], "1");
    EXPECT_EQ(f["line_items[0][price_data][currency]"], "eur");
    EXPECT_EQ(f["line_items[0][price_data][unit_amount]"], "1399");
    EXPECT_EQ(f["line_items[0][price_data][product_data][name]"], "Artbook — Early Bird");
    EXPECT_FALSE(f.contains("line_items[1][quantity]"));
    for (const std::string prefix : {"metadata", "payment_intent_data[metadata]"}) {
        EXPECT_EQ(f[prefix + "[preorder_purchase]"], "17") << prefix;
        EXPECT_EQ(f[prefix + "[preorder_item]"], "3") << prefix;
        EXPECT_EQ(f[prefix + "[user_id]"], "42") << prefix;
        EXPECT_FALSE(f.contains(prefix + "[order_id]")) << prefix;  // never routed to the shop
    }
    EXPECT_EQ(f["invoice_creation[enabled]"], "true");
    EXPECT_EQ(f["expires_at"], "1790001800");
    EXPECT_EQ(f["success_url"], "https://x/ok?s={CHECKOUT_SESSION_ID}");
    EXPECT_EQ(f["cancel_url"], "https://x/no");
    EXPECT_EQ(f["locale"], "fr");
    EXPECT_EQ(Fields(checkout.CheckoutForm(purchase, item, tier, expires, "de"))["locale"], "auto");
    // The key is the purchase's: the same on a retry, another for another purchase or a new database's purchase 17.
    EXPECT_EQ(StripePreorderCheckout::CheckoutKey(purchase), "maxis-preorder-checkout-17-1790000000123");
    auto other = purchase;
    other.created_at += std::chrono::milliseconds(1);
    EXPECT_NE(StripePreorderCheckout::CheckoutKey(other), StripePreorderCheckout::CheckoutKey(purchase));
}

TEST(StripePreorderCheckout, RefundsTheWholePaymentOfThePurchase) {
    auto purchase = HeldPurchase();
    purchase.payment_intent = "pi_123";
    auto f = Fields(StripePreorderCheckout::RefundForm(purchase));
    EXPECT_EQ(f["payment_intent"], "pi_123");
    EXPECT_EQ(f["metadata[preorder_purchase]"], "17");
    EXPECT_FALSE(f.contains("amount"));  // whole
}

TEST(StripeGateway, TheShopsSessionKeepsItsOrderInTheMetadata) {
    Client client(ClientOptions{});
    StripeGateway gateway(client, CheckoutUrls{"https://x/ok", "https://x/no"});
    shop::Order order;
    order.id = shop::OrderId{5};
    order.number = "2026-0005";
    order.owner = core::UserId{42};
    order.currency = "EUR";
    order.items.push_back(shop::OrderItem{.name = "Mug", .unit_price_minor = 900, .quantity = 2});
    auto f = Fields(gateway.CheckoutForm(order, core::FromEpochMillis(1'790'001'800'000), "en"));
    EXPECT_EQ(f["line_items[0][quantity]"], "2");
    EXPECT_EQ(f["line_items[0][price_data][unit_amount]"], "900");
    EXPECT_EQ(f["client_reference_id"], "2026-0005");
    EXPECT_EQ(f["metadata[order_id]"], "5");
    EXPECT_EQ(f["payment_intent_data[metadata][order_number]"], "2026-0005");
    EXPECT_EQ(f["invoice_creation[invoice_data][metadata][order_number]"], "2026-0005");
    EXPECT_FALSE(f.contains("metadata[preorder_purchase]"));
    EXPECT_EQ(f["locale"], "en");
    EXPECT_FALSE(f.contains("allow_promotion_codes"));
}

TEST(StripeGateway, ThePromotionCodeFieldIsOfferedWhenReferralCodesExist) {
    Client client(ClientOptions{});
    shop::Order order;
    order.id = shop::OrderId{5};
    order.number = "2026-0005";
    order.owner = core::UserId{42};
    order.items.push_back(shop::OrderItem{.name = "Mug", .unit_price_minor = 900, .quantity = 1});
    StripeGateway gateway(client, CheckoutUrls{"https://x/ok", "https://x/no", true});
    auto f = Fields(gateway.CheckoutForm(order, core::FromEpochMillis(1'790'001'800'000), "en"));
    EXPECT_EQ(f["allow_promotion_codes"], "true");
    EXPECT_EQ(f["metadata[user_id]"], "42");                   // the buyer, for the sale's listener
    EXPECT_FALSE(f.contains("discounts[0][promotion_code]"));  // Stripe refuses both together

    StripePreorderCheckout checkout(client, CheckoutUrls{"https://x/ok", "https://x/no", true});
    preorders::Item item;
    item.id = preorders::ItemId{3};
    item.name = "Artbook";
    preorders::Tier tier;
    tier.id = preorders::TierId{9};
    tier.name = "Early Bird";
    auto pre =
        Fields(checkout.CheckoutForm(HeldPurchase(), item, tier, core::FromEpochMillis(1'790'001'800'000), "fr"));
    EXPECT_EQ(pre["allow_promotion_codes"], "true");
}

TEST(StripeReferralProvider, OneCouponOfTheDiscountAndACodePerMarketerNamingThem) {
    Client unconfigured(ClientOptions{});
    StripeReferralProvider provider(unconfigured, 5);
    EXPECT_EQ(provider.CouponId(), "maxis-referral-5");
    auto coupon = Fields(provider.CouponForm());
    EXPECT_EQ(coupon["id"], "maxis-referral-5");
    EXPECT_EQ(coupon["percent_off"], "5");
    EXPECT_EQ(coupon["duration"], "once");
    auto promo = Fields(provider.PromotionCodeForm(core::UserId{42}, "ALICE42"));
    EXPECT_EQ(promo["coupon"], "maxis-referral-5");
    EXPECT_EQ(promo["code"], "ALICE42");
    EXPECT_EQ(promo["metadata[referrer]"], "42");

    // Without Stripe's key, or without a discount, no promotion code is made (the code still attributes).
    EXPECT_FALSE(provider.promotions_configured());
    EXPECT_THROW(provider.CreatePromotionCode(core::UserId{42}, "ALICE42"), core::Error);
    Client configured(ClientOptions{.api_base = "http://127.0.0.1:9", .secret_key = "sk_test_x"});
    EXPECT_TRUE(StripeReferralProvider(configured, 5).promotions_configured());
    EXPECT_FALSE(StripeReferralProvider(configured, 0).promotions_configured());
    provider.DeactivatePromotionCode("promo_1");  // nothing to reach without a key: no call, no error
}

TEST(StripeReferralProvider, TheInviteLinkIsDiscordsWhenItRunsElseNone) {
    Client client(ClientOptions{});
    StripeReferralProvider provider(client, 5);
    EXPECT_EQ(provider.CreateInviteLink(core::UserId{42}), "");
    std::vector<core::UserId> asked;
    provider.SetInviteMaker([&](core::UserId marketer) {
        asked.push_back(marketer);
        return std::string("abcDEF");
    });
    EXPECT_EQ(provider.CreateInviteLink(core::UserId{42}), "abcDEF");
    EXPECT_EQ(asked, std::vector<core::UserId>{core::UserId{42}});
}

}  // namespace
}  // namespace maxis::stripe
