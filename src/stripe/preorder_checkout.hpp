#pragma once
#include <string>

#include "domain/preorders/preorder_service.hpp"
#include "stripe/client.hpp"
#include "stripe/gateway.hpp"

namespace maxis::stripe {

/// The pre-orders' payment port on Stripe: one Checkout Session in payment mode per held seat (one line item, "item —
/// tier" at the purchase's price; `preorder_purchase`, `preorder_item` and `user_id` in the metadata of the session
/// and of its PaymentIntent, so the payment service routes its events to pre-orders), and whole refunds. Both carry an
/// idempotency key derived from the purchase, so a retry never makes a second page or a second refund.
class StripePreorderCheckout final : public preorders::PreorderCheckout {
public:
    StripePreorderCheckout(const Client& client, CheckoutUrls urls) : client_(client), urls_(std::move(urls)) {}
    [[nodiscard]] bool configured() const override { return client_.configured(); }
    Session CreateCheckout(const preorders::Purchase& purchase, const preorders::Item& item,
                           const preorders::Tier& tier, core::TimePoint expires_at, const std::string& locale) override;
    std::string Refund(const preorders::Purchase& purchase, const std::string& idempotency_key) override;

    /// The form CreateCheckout posts and its idempotency key (exposed for tests of their shape).
    [[nodiscard]] Form CheckoutForm(const preorders::Purchase& purchase, const preorders::Item& item,
                                    const preorders::Tier& tier, core::TimePoint expires_at,
                                    const std::string& locale) const;
    [[nodiscard]] static std::string CheckoutKey(const preorders::Purchase& purchase);
    [[nodiscard]] static Form RefundForm(const preorders::Purchase& purchase);

private:
    const Client& client_;
    CheckoutUrls urls_;
};

}  // namespace maxis::stripe
