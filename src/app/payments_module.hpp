#pragma once
#include "app/module.hpp"

namespace maxis::app {

class ShopModule;
class PlansModule;

/// Payments ([stripe]): the signed webhook that applies Stripe's events to the shop and to plans, and the
/// pages members return to from Stripe Checkout.
class PaymentsModule final : public FeatureModule {
public:
    PaymentsModule(const Infrastructure& infra, ShopModule& shop, PlansModule& plans);
    [[nodiscard]] std::string_view Name() const override { return "payments"; }
    void Serve(Runtime& runtime) override;

private:
    const Infrastructure& infra_;
    ShopModule& shop_;
    PlansModule& plans_;
};

}  // namespace maxis::app
