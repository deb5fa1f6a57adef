#include "app/payments_module.hpp"

#include "app/payment_wiring.hpp"
#include "app/plans_module.hpp"
#include "app/preorders_module.hpp"
#include "app/shop_module.hpp"
#include "core/strings.hpp"
#include "stripe/webhook_routes.hpp"

namespace maxis::app {

PaymentsModule::PaymentsModule(const Infrastructure& infra, ShopModule& shop, PlansModule& plans,
                               PreordersModule& preorders)
    : infra_(infra), shop_(shop), plans_(plans), preorders_(preorders) {}

void PaymentsModule::Serve(Runtime& runtime) {
    const auto& config = infra_.config;
    std::vector<std::string> secrets;
    for (const auto& part : core::Split(config.secrets.stripe_webhook_secret.Reveal(), ',')) {
        if (auto t = core::Trim(part); !t.empty()) secrets.emplace_back(t);
    }
    stripe::AddWebhookRoute(
        runtime.router,
        stripe::WebhookOptions{.secrets = std::move(secrets),
                               .tolerance = std::chrono::seconds(config.stripe.webhook_tolerance_seconds)},
        infra_.clock,
        WirePayments(shop_.shop(), &plans_.plans(), infra_.stripe, infra_.clock, &preorders_.preorders(), sales_),
        &infra_.metrics);
    stripe::AddCheckoutReturnPages(runtime.router, config.community.name);
}

}  // namespace maxis::app
