#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "domain/payments/payment_service.hpp"
#include "http/router.hpp"

namespace maxis::stripe {

struct WebhookOptions {
    std::vector<std::string> secrets;  // endpoint signing secrets (several during a rotation)
    std::chrono::seconds tolerance{300};
    std::size_t body_limit = 256 * 1024;  // Stripe's events are far smaller
};

/// POST /stripe/webhook: the raw body's Stripe-Signature is verified first (400 and nothing changed when
/// it fails), then the body is parsed once into a typed event (400 naming the field when it cannot be
/// read: nothing applied), which the payment service applies: 200 when applied, a duplicate or not ours
/// (unknown types are acknowledged once), 503 when it must come again later (an event that overtook its
/// payment, the subscription or invoice not readable yet, a busy database: with Retry-After) or no secret is
/// configured, 500 with a reference on anything unexpected; Stripe delivers again on anything but 2xx.
void AddWebhookRoute(http::Router& router, WebhookOptions options, const core::Clock& clock,
                     std::shared_ptr<payments::PaymentService> payments, core::Metrics* metrics);

/// GET /shop/success and /shop/cancel (and /plans/..., /preorders/...): where Stripe Checkout sends the member back (a
/// short page in French and English that points back to Discord; nothing is decided from these visits, only from
/// webhooks).
void AddCheckoutReturnPages(http::Router& router, const std::string& community_name);

}  // namespace maxis::stripe
