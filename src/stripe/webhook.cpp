#include "stripe/webhook.hpp"

#include <cstdlib>

#include "core/strings.hpp"
#include "crypto/crypto.hpp"

namespace maxis::stripe {

SignatureCheck VerifySignature(std::string_view header, std::string_view body, const std::vector<std::string>& secrets,
                               long long now_unix, std::chrono::seconds tolerance) {
    if (header.empty()) return {false, "missing Stripe-Signature header"};
    if (header.size() > 4096) return {false, "Stripe-Signature header too long"};
    long long t = -1;
    std::vector<std::string> signatures;
    for (const auto& part : core::Split(header, ',')) {
        auto item = core::Trim(part);
        auto eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        auto key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "t") {
            auto parsed = core::ParseInteger(value, 0, 999'999'999'999);
            if (!parsed) return {false, "malformed timestamp in Stripe-Signature"};
            t = *parsed;
        } else if (key == "v1") {
            signatures.emplace_back(value);
        }
    }
    if (t < 0) return {false, "no timestamp in Stripe-Signature"};
    if (signatures.empty()) return {false, "no v1 signature in Stripe-Signature"};
    if (std::llabs(now_unix - t) > tolerance.count())
        return {false, "timestamp outside the tolerance (replayed or clock skew)"};
    std::string payload = std::to_string(t) + "." + std::string(body);
    bool match = false;
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        auto expected = crypto::HexEncode(crypto::HmacSha256(secret, payload));
        // Every candidate is compared, so that timing says nothing about which one matched.
        for (const auto& s : signatures) match |= crypto::ConstantTimeEquals(expected, s);
    }
    if (!match) return {false, "no signature matches the endpoint secret"};
    return {true, ""};
}

std::string SignatureHeader(std::string_view body, std::string_view secret, long long t) {
    return "t=" + std::to_string(t) +
           ",v1=" + crypto::HexEncode(crypto::HmacSha256(secret, std::to_string(t) + "." + std::string(body)));
}

}  // namespace maxis::stripe
