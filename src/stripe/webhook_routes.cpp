#include "stripe/webhook_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "stripe/events.hpp"
#include "stripe/webhook.hpp"

namespace maxis::stripe {

namespace json = boost::json;
using core::EventOutcome;

void AddWebhookRoute(http::Router& router, WebhookOptions options, const core::Clock& clock,
                     std::shared_ptr<payments::PaymentService> payments, core::Metrics* metrics) {
    if (metrics != nullptr) {
        metrics->DefineCounter("maxis_stripe_webhook_events_total",
                               "Stripe webhook deliveries by event type and outcome.");
    }
    router.Add(
        "POST", "/stripe/webhook",
        [options = std::move(options), &clock, payments = std::move(payments), metrics](const http::Request& req) {
            auto count = [metrics](const std::string& type, std::string_view outcome) {
                if (metrics != nullptr)
                    metrics->Inc("maxis_stripe_webhook_events_total",
                                 {{"type", type}, {"outcome", std::string(outcome)}});
            };
            if (options.secrets.empty()) {
                spdlog::error(
                    "stripe: a webhook arrived but MAXIS_STRIPE_WEBHOOK_SECRET is not set; answering 503 so Stripe "
                    "retries");
                return http::Response::Error(503, "unavailable", "the webhook signing secret is not configured");
            }
            if (req.body.size() > options.body_limit) {
                count("unknown", "too_large");
                return http::Response::Error(413, "too_large", "the event is larger than the webhook accepts");
            }
            auto now = std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
            auto check =
                VerifySignature(req.Header("stripe-signature"), req.body, options.secrets, now, options.tolerance);
            if (!check.ok) {
                spdlog::warn("stripe: webhook refused from {}: {}", req.remote_address, check.reason);
                count("unknown", "bad_signature");
                return http::Response::Error(400, "invalid_signature", check.reason);
            }
            payments::PaymentEvent event;
            try {
                event = ParseEvent(req.body);
            } catch (const core::Error& e) {
                spdlog::warn("stripe: a signed webhook is not an event Maxis can read: {}", e.what());
                count("unknown", "malformed");
                return http::Response::Error(400, "invalid_argument",
                                             std::string("not a Stripe event Maxis can read: ") + e.what());
            }
            const auto& id = event.id;
            const auto& type = event.type;
            spdlog::debug("stripe: event {} ({}) received, applying", id, type);
            try {
                auto result = payments->Apply(event);
                count(type, core::ToString(result.outcome));
                if (result.outcome == EventOutcome::kRetryLater) {
                    auto why = result.detail.empty() ? std::string("this event depends on one not received yet")
                                                     : result.detail;
                    spdlog::info("stripe: event {} ({}) not applied yet: {}; Stripe will deliver it again", id, type,
                                 why);
                    return http::Response::Error(503, "retry_later", why);
                }
                if (result.detail.empty()) {
                    spdlog::info("stripe: event {} ({}) {}", id, type, core::ToString(result.outcome));
                } else {
                    spdlog::info("stripe: event {} ({}) {}: {}", id, type, core::ToString(result.outcome),
                                 result.detail);
                }
                return http::Response::Json(
                    200, json::object{{"received", true}, {"outcome", core::ToString(result.outcome)}});
            } catch (const std::exception& e) {
                const auto* error = dynamic_cast<const core::Error*>(&e);
                if (error != nullptr && error->code() == core::ErrorCode::kUnavailable) {
                    // A busy or unreachable database: nothing was applied, Stripe delivers the event again.
                    count(type, "retry_later");
                    spdlog::warn("stripe: event {} ({}) not applied yet: {}", id, type, e.what());
                    return http::Response::FromError(*error);
                }
                auto ref = core::NewErrorReference();
                count(type, "error");
                spdlog::error("stripe: event {} ({}) failed (ref {}): {}", id, type, ref, e.what());
                return http::Response::Error(500, "internal", "the event could not be applied (ref " + ref + ")");
            }
        });
}

namespace {

std::string HtmlEscape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string ReturnPage(const std::string& community, const std::string& title, const std::string& french,
                       const std::string& english) {
    return "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
           "content=\"width=device-width, "
           "initial-scale=1\"><title>" +
           HtmlEscape(title + " · " + community) + "</title></head><body><main><h1>" + HtmlEscape(title) + "</h1><p>" +
           HtmlEscape(french) + "</p><p lang=\"en\">" + HtmlEscape(english) + "</p></main></body></html>";
}

}  // namespace

void AddCheckoutReturnPages(http::Router& router, const std::string& community_name) {
    auto success = ReturnPage(
        community_name, "Merci ! · Thank you!",
        "Votre paiement est en cours de confirmation. Vous recevrez votre reçu en message privé sur Discord ; "
        "suivez votre commande avec /orders.",
        "Your payment is being confirmed. Your receipt will arrive as a direct message on Discord; follow your "
        "order with /orders.");
    auto cancel =
        ReturnPage(community_name, "Paiement annulé · Payment cancelled",
                   "Rien n'a été débité. Votre commande reste réservée jusqu'à son expiration : reprenez le paiement "
                   "depuis /order sur Discord.",
                   "Nothing was charged. Your order stays reserved until it expires: resume the payment from /order on "
                   "Discord.");
    auto plan_success =
        ReturnPage(community_name, "Merci ! · Thank you!",
                   "Votre paiement est en cours de confirmation. Votre rôle et vos avantages arrivent sur Discord "
                   "dans un instant ; voyez /subscription.",
                   "Your payment is being confirmed. Your role and perks arrive on Discord in a moment; see "
                   "/subscription.");
    auto plan_cancel =
        ReturnPage(community_name, "Paiement annulé · Payment cancelled",
                   "Rien n'a été débité. Vous pouvez reprendre quand vous voulez avec /plans sur Discord.",
                   "Nothing was charged. Come back any time with /plans on Discord.");
    auto preorder_success =
        ReturnPage(community_name, "Merci ! · Thank you!",
                   "Votre paiement est en cours de confirmation. Votre place vous est confirmée en message privé sur "
                   "Discord ; voyez /preorders_mine.",
                   "Your payment is being confirmed. Your seat is confirmed by direct message on Discord; see "
                   "/preorders_mine.");
    auto preorder_cancel =
        ReturnPage(community_name, "Paiement annulé · Payment cancelled",
                   "Rien n'a été débité. Votre place reste réservée jusqu'à l'expiration du paiement ; reprenez-le "
                   "depuis le lien reçu sur Discord, ou laissez-la revenir aux autres.",
                   "Nothing was charged. Your seat stays held until the payment expires: resume it from the link you "
                   "got on Discord, or let it go back to others.");
    for (auto [path, page] : {std::pair<const char*, std::string>{"/shop/success", success},
                              {"/shop/cancel", cancel},
                              {"/plans/success", plan_success},
                              {"/plans/cancel", plan_cancel},
                              {"/preorders/success", preorder_success},
                              {"/preorders/cancel", preorder_cancel}}) {
        router.Add(
            "GET", path,
            [page](const http::Request&) { return http::Response::Text(200, page, "text/html; charset=utf-8"); },
            http::RouteOptions{.blocking = false});
    }
}

}  // namespace maxis::stripe
