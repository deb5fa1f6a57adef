#pragma once
#include "app/module.hpp"
#include "domain/payments/payment_service.hpp"

namespace maxis::app {

class ShopModule;
class PlansModule;
class PreordersModule;

/// Payments ([stripe]): the signed webhook that applies Stripe's events to the shop, plans and pre-orders, and the
/// pages members return to from Stripe Checkout.
class PaymentsModule final : public FeatureModule {
public:
    PaymentsModule(const Infrastructure& infra, ShopModule& shop, PlansModule& plans, PreordersModule& preorders);
    [[nodiscard]] std::string_view Name() const override { return "payments"; }
    void Serve(Runtime& runtime) override;
    /// Who hears of sales, refunds and disputes (the marketing ledger, built after this module); null: nobody.
    void ListenToSales(payments::SaleListener* sales) { sales_ = sales; }

private:
    const Infrastructure& infra_;
    ShopModule& shop_;
    PlansModule& plans_;
    PreordersModule& preorders_;
    payments::SaleListener* sales_ = nullptr;
};

}  // namespace maxis::app
