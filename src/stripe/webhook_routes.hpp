#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "domain/plans/plan_service.hpp"
#include "domain/shop/shop_service.hpp"
#include "http/router.hpp"
#include "stripe/client.hpp"

namespace maxis::stripe {

struct WebhookOptions {
    std::vector<std::string> secrets;  // endpoint signing secrets (several during a rotation)
    std::chrono::seconds tolerance{300};
    std::size_t body_limit = 256 * 1024;  // Stripe's events are far smaller
};

/// POST /stripe/webhook: the raw body's Stripe-Signature is verified first (400 and nothing changed when
/// it fails), then the event is applied once through the shop service: 200 when applied, a duplicate or
/// not ours (unknown types are acknowledged and logged), 503 when it must come again later (an event that
/// overtook its payment, the invoice not readable yet) or no secret is configured, 500 on a database
/// failure; Stripe delivers again on anything but 2xx. client reads the hosted invoice of a paid session.
/// Plans' events (subscriptions, their invoices, Founder's payment, refund and dispute) go to plans when
/// given; a subscription event reads the subscription from Stripe so that any order of delivery ends in
/// its latest state.
void AddWebhookRoute(http::Router& router, WebhookOptions options, const core::Clock& clock, shop::ShopService& shop,
                     plans::PlanService* plans, const Client& client, core::Metrics* metrics);

/// GET /shop/success and /shop/cancel: where Stripe Checkout sends the member back (a short page in French
/// and English that points back to Discord; nothing is decided from these visits, only from webhooks).
void AddCheckoutReturnPages(http::Router& router, const std::string& community_name);

}  // namespace maxis::stripe
