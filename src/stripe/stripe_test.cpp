#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/crypto.hpp"
#include "stripe/billing.hpp"
#include "stripe/form.hpp"
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

}  // namespace
}  // namespace maxis::stripe
