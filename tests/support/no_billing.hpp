#pragma once
// A payment provider that is not configured: plans are shown, never sold (tests and benchmarks that
// exercise plans without Stripe).
#include "domain/plans/plan_service.hpp"

namespace maxis::testing {

class NoBilling final : public plans::BillingGateway {
public:
    [[nodiscard]] bool configured() const override { return false; }
    std::string CreatePlanCheckout(const PlanCheckout&) override { return {}; }
    std::string PortalUrl(const std::string&, const std::string&) override { return {}; }
    void CreatePromotion(plans::Promotion&, const plans::Plan&) override {}
    void ExpirePromotion(const plans::Promotion&) override {}
};

}  // namespace maxis::testing
