#pragma once
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace maxis::stripe {

/// Why a webhook was refused (empty when accepted). Never contains a secret or a signature.
struct SignatureCheck {
    bool ok = false;
    std::string reason;
};

/// Verifies a `Stripe-Signature` header ("t=...,v1=...,v1=...") over the raw body: HMAC-SHA256 with each
/// endpoint secret over "t.body", every v1 tried, compared in constant time, and |now - t| at most
/// tolerance in either direction (a replayed or pre-dated event is refused).
SignatureCheck VerifySignature(std::string_view header, std::string_view body, const std::vector<std::string>& secrets,
                               long long now_unix, std::chrono::seconds tolerance = std::chrono::seconds(300));

/// The header Stripe would send for body at time t (tests and the simulator's counterpart).
std::string SignatureHeader(std::string_view body, std::string_view secret, long long t);

}  // namespace maxis::stripe
