#include "stripe/gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::stripe {

Form StripeGateway::CheckoutForm(const shop::Order& order, core::TimePoint expires_at,
                                 const std::string& locale) const {
    Form form;
    form.Add("mode", "payment");
    for (std::size_t i = 0; i < order.items.size(); ++i) {
        const auto& item = order.items[i];
        std::string p = "line_items[" + std::to_string(i) + "]";
        form.Add(p + "[quantity]", item.quantity)
            .Add(p + "[price_data][currency]", core::AsciiLower(order.currency))
            .Add(p + "[price_data][unit_amount]", item.unit_price_minor)
            .Add(p + "[price_data][product_data][name]", item.name);
    }
    auto user = order.owner.ToString();
    form.Add("client_reference_id", order.number)
        .Add("metadata[order_id]", order.id.ToString())
        .Add("metadata[order_number]", order.number)
        .Add("metadata[user_id]", user)
        .Add("payment_intent_data[metadata][order_id]", order.id.ToString())
        .Add("payment_intent_data[metadata][order_number]", order.number)
        .Add("payment_intent_data[metadata][user_id]", user)
        .Add("invoice_creation[enabled]", "true")
        .Add("invoice_creation[invoice_data][metadata][order_number]", order.number)
        .Add("expires_at", std::chrono::duration_cast<std::chrono::seconds>(expires_at.time_since_epoch()).count())
        .Add("success_url", urls_.success_url)
        .Add("cancel_url", urls_.cancel_url)
        .Add("locale", locale == "fr"   ? "fr"
                       : locale == "en" ? "en"
                                        : "auto");
    return form;
}

shop::PaymentGateway::Session StripeGateway::CreateCheckout(const shop::Order& order, core::TimePoint expires_at,
                                                            const std::string& locale) {
    // The order's creation time keeps the key unique even if numbers start again (a new database on the same
    // Stripe account); retries of this one call reuse it, so Stripe makes one session.
    boost::json::object session;
    try {
        session = client_.Post(
            "/v1/checkout/sessions", CheckoutForm(order, expires_at, locale),
            "maxis-checkout-" + order.number + "-" + std::to_string(core::ToEpochMillis(order.created_at)));
    } catch (const core::Error& e) {
        spdlog::error("stripe: no Checkout Session for order {}: {}", order.number, e.what());
        throw;
    }
    Session out{Str(session, "id"), Str(session, "url")};
    if (out.id.empty() || out.url.empty()) {
        throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered a Checkout Session without an id or a URL");
    }
    return out;
}

std::string StripeGateway::Refund(const shop::Order& order, std::optional<long long> amount_minor,
                                  const std::string& idempotency_key) {
    Form form;
    form.Add("payment_intent", order.payment_intent_id);
    if (amount_minor) form.Add("amount", *amount_minor);
    form.Add("metadata[order_number]", order.number);
    auto refund = client_.Post("/v1/refunds", form, idempotency_key);
    auto id = Str(refund, "id");
    if (id.empty()) throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered a refund without an id");
    return id;
}

}  // namespace maxis::stripe
