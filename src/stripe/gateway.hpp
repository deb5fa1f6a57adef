#pragma once
#include <string>

#include "domain/shop/shop_service.hpp"
#include "stripe/client.hpp"

namespace maxis::stripe {

struct CheckoutUrls {
    std::string success_url;  // Stripe replaces {CHECKOUT_SESSION_ID}
    std::string cancel_url;
};

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
