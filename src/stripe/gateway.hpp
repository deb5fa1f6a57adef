#pragma once
#include <string>
#include <utility>
#include <vector>

#include "domain/shop/shop_service.hpp"
#include "stripe/client.hpp"

namespace maxis::stripe {

struct CheckoutUrls {
    std::string success_url;  // Stripe replaces {CHECKOUT_SESSION_ID}
    std::string cancel_url;
    bool allow_promotion_codes = false;  // the page offers the promotion-code field (referral codes exist)
};

/// Metadata pairs in the order they are written.
using MetadataFields = std::vector<std::pair<std::string, std::string>>;

/// One line item priced inline (price_data): quantity, currency (lower case for Stripe), unit amount and name.
void AddLineItem(Form& form, std::size_t index, long long quantity, const std::string& currency,
                 long long unit_amount_minor, const std::string& name);

/// What every payment-mode Checkout Session Maxis creates ends with, whatever it sells: `metadata` on the session and
/// on its PaymentIntent (so the charge and its refunds carry it too), an invoice with `invoice_metadata`, the expiry,
/// the return URLs, the promotion-code field when `urls` allow it, and the page's language (fr, en, else auto).
void AddPaymentPageFields(Form& form, const MetadataFields& metadata, const MetadataFields& invoice_metadata,
                          core::TimePoint expires_at, const CheckoutUrls& urls, const std::string& locale);

/// Creates a Checkout Session from `form` with the idempotency key; throws core::Error when Stripe refuses, or answers
/// without an id or a URL. `what` names the purchase in the log.
shop::PaymentGateway::Session CreateSession(const Client& client, const Form& form, const std::string& idempotency_key,
                                            const std::string& what);

/// Posts a refund (POST /v1/refunds) and returns its id; throws core::Error.
std::string CreateRefund(const Client& client, const Form& form, const std::string& idempotency_key);

/// The shop's payment port on Stripe: Checkout Sessions in payment mode (line items with price_data, the
/// order in client_reference_id and metadata, on the session and on its PaymentIntent, an invoice, an
/// expiry) and refunds, each with an idempotency key derived from the order so a retry never pays or
/// refunds twice.
class StripeGateway final : public shop::PaymentGateway {
public:
    StripeGateway(const Client& client, CheckoutUrls urls) : client_(client), urls_(std::move(urls)) {}
    [[nodiscard]] bool configured() const override { return client_.configured(); }
    Session CreateCheckout(const shop::Order& order, core::TimePoint expires_at, const std::string& locale) override;
    std::string Refund(const shop::Order& order, std::optional<long long> amount_minor,
                       const std::string& idempotency_key) override;

    /// The form CreateCheckout posts (exposed for tests of its shape).
    [[nodiscard]] Form CheckoutForm(const shop::Order& order, core::TimePoint expires_at,
                                    const std::string& locale) const;

private:
    const Client& client_;
    CheckoutUrls urls_;
};

}  // namespace maxis::stripe
