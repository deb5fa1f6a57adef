#include "stripe/webhook_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "stripe/billing.hpp"
#include "stripe/webhook.hpp"

namespace maxis::stripe {

namespace json = boost::json;
using shop::EventOutcome;

namespace {

long long Int(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_int64() ? v->as_int64() : 0;
}

std::string Meta(const json::object& o, const char* key) {
    const auto* m = o.if_contains("metadata");
    return m != nullptr && m->is_object() ? Str(m->as_object(), key) : std::string();
}

/// Thrown when the event cannot be applied yet for a reason outside the database (Stripe is asked to retry).
struct NotYet {
    std::string why;
};

/// The subscription an invoice belongs to (top-level before API 2025-03-31, under parent after).
std::string InvoiceSubscription(const json::object& invoice) {
    if (auto id = Str(invoice, "subscription"); !id.empty()) return id;
    if (const auto* parent = invoice.if_contains("parent"); parent && parent->is_object()) {
        if (const auto* d = parent->as_object().if_contains("subscription_details"); d && d->is_object()) {
            return Str(d->as_object(), "subscription");
        }
    }
    return {};
}

std::optional<long long> PromotionOf(const json::object& session) {
    auto id = core::ParseId(Meta(session, "promotion"));
    if (!id) return std::nullopt;
    return *id;
}

class Dispatcher {
public:
    Dispatcher(shop::ShopService& shop, plans::PlanService* plans, const Client& client, const core::Clock& clock)
        : shop_(shop), plans_(plans), client_(client), clock_(clock) {}

    EventOutcome Apply(const std::string& id, const std::string& type, const json::object& object) {
        if (plans_ != nullptr) {
            if (auto outcome = ApplyPlan(id, type, object)) return *outcome;
        }
        bool shop_object = !Meta(object, "order_id").empty();
        if (type == "checkout.session.completed" || type == "checkout.session.async_payment_succeeded") {
            if (!shop_object || Str(object, "mode") != "payment") return shop_.OnUnhandled(id, type);
            auto status = Str(object, "payment_status");
            bool paid = status == "paid" || status == "no_payment_required";
            // The invoice is read from Stripe only for an event not seen before: a duplicate needs nothing.
            std::string invoice = paid && !shop_.EventRecorded(id) ? InvoiceUrl(Str(object, "invoice")) : std::string();
            return shop_.OnCheckoutCompleted(id, Str(object, "id"), paid, Str(object, "payment_intent"),
                                             Int(object, "amount_total"), Str(object, "currency"), invoice);
        }
        if (type == "checkout.session.async_payment_failed") {
            if (!shop_object) return shop_.OnUnhandled(id, type);
            return shop_.OnCheckoutPaymentFailed(id, Str(object, "id"), type);
        }
        if (type == "checkout.session.expired") {
            if (!shop_object) return shop_.OnUnhandled(id, type);
            return shop_.OnCheckoutExpired(id, Str(object, "id"));
        }
        if (type == "charge.refunded") {
            // The charge carries its PaymentIntent's metadata: a charge that is not an order's is not ours.
            if (!shop_object) return shop_.OnUnhandled(id, type);
            std::string refund_id = id + ".refund";
            if (const auto* refunds = object.if_contains("refunds"); refunds && refunds->is_object()) {
                if (const auto* data = refunds->as_object().if_contains("data");
                    data && data->is_array() && !data->as_array().empty() && data->as_array().front().is_object()) {
                    if (auto first = Str(data->as_array().front().as_object(), "id"); !first.empty()) refund_id = first;
                }
            }
            const auto* refunded = object.if_contains("refunded");
            return shop_.OnRefunded(id, Str(object, "payment_intent"), refund_id, Int(object, "amount_refunded"),
                                    refunded != nullptr && refunded->is_bool() && refunded->as_bool());
        }
        if (type == "charge.dispute.created") {
            return shop_.OnDisputed(id, Str(object, "payment_intent"), Str(object, "reason"));
        }
        spdlog::info("stripe: event {} of type {} is not handled; acknowledged", id, type);
        return shop_.OnUnhandled(id, type);
    }

private:
    /// Plans' events; nullopt for an event that is not about a plan (the shop's, or nobody's).
    std::optional<EventOutcome> ApplyPlan(const std::string& id, const std::string& type, const json::object& object) {
        plans::PlanEvent event{id, type};
        bool plan_object = !Meta(object, "plan").empty();
        if (type == "checkout.session.completed" || type == "checkout.session.async_payment_succeeded") {
            if (!plan_object) return std::nullopt;
            if (Str(object, "mode") == "subscription") {
                return Sync(event, Str(object, "subscription"), plans::SyncOptions{.promotion = PromotionOf(object)});
            }
            auto status = Str(object, "payment_status");
            if (status != "paid" && status != "no_payment_required") return plans_->store().Unhandled(event);
            auto user = MemberId(Meta(object, "user_id"));
            if (!user) return plans_->store().Unhandled(event);
            return plans_->store().OneTimePaid(event, *user, Meta(object, "plan"), Str(object, "payment_intent"),
                                               Str(object, "customer"), PromotionOf(object));
        }
        if (type.starts_with("customer.subscription.")) {
            auto state = ParseSubscription(object, plans_->catalog());
            if (plans_->catalog().Find(state.plan) == nullptr || state.user.value == 0) return std::nullopt;
            return Sync(event, state.id, {});
        }
        if (type == "invoice.paid" || type == "invoice.payment_failed" || type == "invoice.payment_succeeded" ||
            type == "invoice.payment_action_required") {
            auto subscription = InvoiceSubscription(object);
            if (subscription.empty()) return std::nullopt;
            plans::SyncOptions options{.payment_failed = type == "invoice.payment_failed" ||
                                                         type == "invoice.payment_action_required"};
            // Strong customer authentication: the member confirms the renewal on the hosted invoice.
            if (type == "invoice.payment_action_required" &&
                Str(object, "hosted_invoice_url").starts_with("https://")) {
                options.confirm_url = Str(object, "hosted_invoice_url");
            }
            return Sync(event, subscription, options);
        }
        if (type == "charge.refunded") {
            if (!plan_object) return std::nullopt;
            const auto* refunded = object.if_contains("refunded");
            if (refunded == nullptr || !refunded->is_bool() || !refunded->as_bool())
                return plans_->store().Unhandled(event);
            return plans_->store().OneTimeRevoked(event, Str(object, "payment_intent"), "refunded");
        }
        if (type == "charge.dispute.created") {
            auto pi = Str(object, "payment_intent");
            if (pi.empty() || !plans_->store().OwnsPayment(pi)) return std::nullopt;
            return plans_->store().OneTimeRevoked(event, pi, "disputed: " + Str(object, "reason"));
        }
        return std::nullopt;
    }

    /// Reads the subscription as it is now (any event about it, in any order, brings the grant to the
    /// latest state; the store refuses a read older than one already applied).
    EventOutcome Sync(const plans::PlanEvent& event, const std::string& subscription,
                      const plans::SyncOptions& options) {
        if (subscription.empty()) return plans_->store().Unhandled(event);
        if (shop_.EventRecorded(event.id)) return EventOutcome::kDuplicate;
        json::object object;
        try {
            object = client_.Get("/v1/subscriptions/" + subscription);
        } catch (const core::Error& e) {
            throw NotYet{"the subscription could not be read: " + std::string(e.what())};
        }
        auto observed = clock_.Now();
        auto state = ParseSubscription(object, plans_->catalog());
        if (state.user.value == 0 || plans_->catalog().Find(state.plan) == nullptr) {
            spdlog::warn("stripe: subscription {} names no member or no known plan (price not in [plans]); ignored",
                         subscription);
            return plans_->store().Unhandled(event);
        }
        return plans_->OnSubscription(event, state, observed, options);
    }

    /// The hosted invoice of a paid session, read from Stripe (the session only names it).
    std::string InvoiceUrl(const std::string& invoice_id) {
        if (invoice_id.empty() || !client_.configured()) return {};
        try {
            return Str(client_.Get("/v1/invoices/" + invoice_id), "hosted_invoice_url");
        } catch (const core::Error& e) {
            throw NotYet{std::string("the invoice could not be read: ") + e.what()};
        }
    }

    shop::ShopService& shop_;
    plans::PlanService* plans_;
    const Client& client_;
    const core::Clock& clock_;
};

}  // namespace

void AddWebhookRoute(http::Router& router, WebhookOptions options, const core::Clock& clock, shop::ShopService& shop,
                     plans::PlanService* plans, const Client& client, core::Metrics* metrics) {
    if (metrics != nullptr) {
        metrics->DefineCounter("maxis_stripe_webhook_events_total",
                               "Stripe webhook deliveries by event type and outcome.");
    }
    auto dispatcher = std::make_shared<Dispatcher>(shop, plans, client, clock);
    router.Add(
        "POST", "/stripe/webhook",
        [options = std::move(options), &clock, dispatcher, metrics](const http::Request& req) {
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
            boost::system::error_code ec;
            auto value = json::parse(req.body, ec);
            const json::object* event = !ec && value.is_object() ? &value.as_object() : nullptr;
            const json::object* object = nullptr;
            if (event != nullptr) {
                if (const auto* data = event->if_contains("data"); data && data->is_object()) {
                    if (const auto* o = data->as_object().if_contains("object"); o && o->is_object())
                        object = &o->as_object();
                }
            }
            std::string id = event != nullptr ? Str(*event, "id") : std::string();
            std::string type = event != nullptr ? Str(*event, "type") : std::string();
            if (object == nullptr || id.empty() || id.size() > 255 || type.empty() || type.size() > 100) {
                count("unknown", "malformed");
                return http::Response::Error(400, "invalid_argument",
                                             "the body is not a Stripe event (id, type, data.object)");
            }
            spdlog::debug("stripe: event {} ({}) received, applying", id, type);
            try {
                auto outcome = dispatcher->Apply(id, type, *object);
                count(type, core::ToString(outcome));
                if (outcome == EventOutcome::kRetryLater) {
                    spdlog::info("stripe: event {} ({}) came before what it depends on; Stripe will deliver it again",
                                 id, type);
                    return http::Response::Error(503, "retry_later", "this event depends on one not received yet");
                }
                spdlog::info("stripe: event {} ({}) {}", id, type, core::ToString(outcome));
                return http::Response::Json(200,
                                            json::object{{"received", true}, {"outcome", core::ToString(outcome)}});
            } catch (const NotYet& e) {
                count(type, "retry_later");
                spdlog::warn("stripe: event {} ({}) not applied yet: {}", id, type, e.why);
                return http::Response::Error(503, "retry_later", e.why);
            } catch (const std::exception& e) {
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
        "Ton paiement est en cours de confirmation. Tu recevras ton reçu en message privé sur Discord ; suis ta "
        "commande avec /orders.",
        "Your payment is being confirmed. Your receipt will arrive as a direct message on Discord; follow your "
        "order with /orders.");
    auto cancel = ReturnPage(
        community_name, "Paiement annulé · Payment cancelled",
        "Rien n'a été débité. Ta commande reste réservée jusqu'à son expiration : reprends le paiement depuis "
        "/order sur Discord.",
        "Nothing was charged. Your order stays reserved until it expires: resume the payment from /order on "
        "Discord.");
    auto plan_success =
        ReturnPage(community_name, "Merci ! · Thank you!",
                   "Ton paiement est en cours de confirmation. Ton rôle et tes avantages arrivent sur Discord dans "
                   "un instant ; vois /subscription.",
                   "Your payment is being confirmed. Your role and perks arrive on Discord in a moment; see "
                   "/subscription.");
    auto plan_cancel = ReturnPage(community_name, "Paiement annulé · Payment cancelled",
                                  "Rien n'a été débité. Tu peux reprendre quand tu veux avec /plans sur Discord.",
                                  "Nothing was charged. Come back any time with /plans on Discord.");
    for (auto [path, page] : {std::pair<const char*, std::string>{"/shop/success", success},
                              {"/shop/cancel", cancel},
                              {"/plans/success", plan_success},
                              {"/plans/cancel", plan_cancel}}) {
        router.Add(
            "GET", path,
            [page](const http::Request&) { return http::Response::Text(200, page, "text/html; charset=utf-8"); },
            http::RouteOptions{.blocking = false});
    }
}

}  // namespace maxis::stripe
