#include "stripe/gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::stripe {

void AddLineItem(Form& form, std::size_t index, long long quantity, const std::string& currency,
                 long long unit_amount_minor, const std::string& name) {
    std::string p = "line_items[" + std::to_string(index) + "]";
    form.Add(p + "[quantity]", quantity)
        .Add(p + "[price_data][currency]", core::AsciiLower(currency))
        .Add(p + "[price_data][unit_amount]", unit_amount_minor)
        .Add(p + "[price_data][product_data][name]", name);
}

void AddPaymentPageFields(Form& form, const MetadataFields& metadata, const MetadataFields& invoice_metadata,
                          core::TimePoint expires_at, const CheckoutUrls& urls, const std::string& locale) {
    for (const auto& [key, value] : metadata) form.Add("metadata[" + key + "]", value);
    for (const auto& [key, value] : metadata) form.Add("payment_intent_data[metadata][" + key + "]", value);
    form.Add("invoice_creation[enabled]", "true");
    for (const auto& [key, value] : invoice_metadata) {
        form.Add("invoice_creation[invoice_data][metadata][" + key + "]", value);
    }
    form.Add("expires_at", std::chrono::duration_cast<std::chrono::seconds>(expires_at.time_since_epoch()).count())
        .Add("success_url", urls.success_url)
        .Add("cancel_url", urls.cancel_url);
    if (urls.allow_promotion_codes) form.Add("allow_promotion_codes", "true");
    form.Add("locale", locale == "fr" ? "fr" : locale == "en" ? "en" : "auto");
}

shop::PaymentGateway::Session CreateSession(const Client& client, const Form& form, const std::string& idempotency_key,
                                            const std::string& what) {
    boost::json::object session;
    try {
        session = client.Post("/v1/checkout/sessions", form, idempotency_key);
    } catch (const core::Error& e) {
        spdlog::error("stripe: no Checkout Session for {}: {}", what, e.what());
        throw;
    }
    shop::PaymentGateway::Session out{Str(session, "id"), Str(session, "url")};
    if (out.id.empty() || out.url.empty()) {
        throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered a Checkout Session without an id or a URL");
    }
    return out;
}

std::string CreateRefund(const Client& client, const Form& form, const std::string& idempotency_key) {
    auto refund = client.Post("/v1/refunds", form, idempotency_key);
    auto id = Str(refund, "id");
    if (id.empty()) throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered a refund without an id");
    return id;
}

Form StripeGateway::CheckoutForm(const shop::Order& order, core::TimePoint expires_at,
                                 const std::string& locale) const {
    Form form;
    form.Add("mode", "payment");
    for (std::size_t i = 0; i < order.items.size(); ++i) {
        const auto& item = order.items[i];
        AddLineItem(form, i, item.quantity, order.currency, item.unit_price_minor, item.name);
    }
    auto user = order.owner.ToString();
    form.Add("client_reference_id", order.number);
    AddPaymentPageFields(form, {{"order_id", order.id.ToString()}, {"order_number", order.number}, {"user_id", user}},
                         {{"order_number", order.number}}, expires_at, urls_, locale);
    return form;
}

shop::PaymentGateway::Session StripeGateway::CreateCheckout(const shop::Order& order, core::TimePoint expires_at,
                                                            const std::string& locale) {
    // The order's creation time keeps the key unique even if numbers start again (a new database on the same
    // Stripe account); retries of this one call reuse it, so Stripe makes one session.
    return CreateSession(client_, CheckoutForm(order, expires_at, locale),
                         "maxis-checkout-" + order.number + "-" + std::to_string(core::ToEpochMillis(order.created_at)),
                         "order " + order.number);
}

std::string StripeGateway::Refund(const shop::Order& order, std::optional<long long> amount_minor,
                                  const std::string& idempotency_key) {
    Form form;
    form.Add("payment_intent", order.payment_intent_id);
    if (amount_minor) form.Add("amount", *amount_minor);
    form.Add("metadata[order_number]", order.number);
    return CreateRefund(client_, form, idempotency_key);
}

}  // namespace maxis::stripe
