#include <gtest/gtest.h>

#include "crypto/crypto.hpp"
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
    auto two = "t=" + std::to_string(kNow) + ",v1=" + std::string(64, '0') + "," + header.substr(header.find("v1=")) + ",v0=abc";
    EXPECT_TRUE(VerifySignature(two, kBody, {"whsec_old", kSecret}, kNow).ok);
    // The same signature computed by hand: HMAC-SHA256(secret, "t.body") in hex.
    EXPECT_EQ(header, "t=" + std::to_string(kNow) + ",v1=" +
                          crypto::HexEncode(crypto::HmacSha256(kSecret, std::to_string(kNow) + "." + kBody)));
}

TEST(Webhook, RefusesBadSignaturesStaleOrFutureTimestampsAndWrongSecrets) {
    auto header = SignatureHeader(kBody, kSecret, kNow);
    EXPECT_FALSE(VerifySignature(header, kBody + " ", {kSecret}, kNow).ok);  // body changed
    EXPECT_FALSE(VerifySignature(header, kBody, {"whsec_other"}, kNow).ok);
    EXPECT_TRUE(VerifySignature(header, kBody, {kSecret}, kNow + 300).ok);
    EXPECT_FALSE(VerifySignature(header, kBody, {kSecret}, kNow + 301).ok);   // stale (a replay)
    EXPECT_TRUE(VerifySignature(header, kBody, {kSecret}, kNow - 300).ok);
    EXPECT_FALSE(VerifySignature(header, kBody, {kSecret}, kNow - 301).ok);   // from the future
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
    f.Add("mode", "payment").Add("line_items[0][price_data][product_data][name]", "T-shirt « été »").Add("line_items[0][quantity]", 2);
    EXPECT_EQ(f.Encode(),
              "mode=payment&line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=T-shirt%20%C2%AB%20%C3%A9t%C3%A9%20%C2%BB"
              "&line_items%5B0%5D%5Bquantity%5D=2");
}

}  // namespace
}  // namespace maxis::stripe
