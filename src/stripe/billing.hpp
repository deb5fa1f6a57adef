#pragma once
#include <boost/json/object.hpp>
#include <string>

#include "domain/plans/plan_service.hpp"
#include "stripe/client.hpp"
#include "stripe/gateway.hpp"

namespace maxis::stripe {

struct BillingUrls {
    std::string success_url;  // where Checkout returns after a plan's payment
    std::string cancel_url;
    std::string portal_return_url;  // where the Customer Portal's "back" link goes
};

/// Plans on Stripe: Checkout Sessions in subscription mode (monthly plans: the price, the member in
/// subscription_data.metadata) or payment mode (one-time plans: the member in the PaymentIntent's
/// metadata, an invoice), the member's Stripe customer reused, a promotion code applied (or the
/// promotion-code field offered); Customer Portal sessions; coupons and promotion codes that expire.
class StripeBilling final : public plans::BillingGateway {
public:
    StripeBilling(const Client& client, BillingUrls urls) : client_(client), urls_(std::move(urls)) {}
    [[nodiscard]] bool configured() const override { return client_.configured(); }
    std::string CreatePlanCheckout(const PlanCheckout& checkout) override;
    std::string PortalUrl(const std::string& customer, const std::string& locale) override;
    void CreatePromotion(plans::Promotion& promotion, const plans::Plan& plan) override;
    void ExpirePromotion(const plans::Promotion& promotion) override;

    /// The form CreatePlanCheckout posts (exposed for tests of its shape).
    [[nodiscard]] Form CheckoutForm(const PlanCheckout& checkout) const;

private:
    const Client& client_;
    BillingUrls urls_;
};

}  // namespace maxis::stripe
