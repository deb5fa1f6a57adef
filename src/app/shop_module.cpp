#include "app/shop_module.hpp"

#include <spdlog/spdlog.h>

#include "commands/shop_commands.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "http/api/shop_api.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/shop_store.hpp"
#include "stripe/gateway.hpp"

namespace maxis::app {

ShopModule::ShopModule(const Infrastructure& infra) : infra_(infra) {
    const auto& st = infra.config.stripe;
    const auto& sh = infra.config.shop;
    store_ = std::make_unique<storage::SqlShopRepository>(infra.db, infra.clock);
    gateway_ = std::make_unique<stripe::StripeGateway>(
        infra.stripe,
        stripe::CheckoutUrls{
            st.success_url.empty() ? infra.origin + "/shop/success?session_id={CHECKOUT_SESSION_ID}" : st.success_url,
            st.cancel_url.empty() ? infra.origin + "/shop/cancel" : st.cancel_url,
            ReferralCodesAtCheckout(infra.config)});
    shop_ = std::make_unique<shop::ShopService>(*store_, *gateway_, infra.clock,
                                                shop::ShopOptions{.reservation = sh.reservation,
                                                                  .release_grace = sh.release_grace,
                                                                  .max_pending_orders = sh.max_pending_orders,
                                                                  .restock_on_refund = sh.restock_on_refund});
}

ShopModule::~ShopModule() = default;

void ShopModule::RegisterCommands(commands::Engine& engine) {
    commands::RegisterShopCommands(engine, *shop_, infra_.zone, infra_.config.shop.page_size);
}

void ShopModule::Serve(Runtime& runtime) {
    if (infra_.config.secrets.stripe_secret_key.empty()) {
        spdlog::info("shop: MAXIS_STRIPE_SECRET_KEY is not set; the shop can be browsed but checkout is closed");
    }
    http::AddShopRoutes(runtime.router, *shop_, infra_.clock, runtime.api_viewer);
    runtime.scheduler.Register("shop.sweep", [this](const scheduling::Job&) {
        if (int released = shop_->ReleaseExpired(); released > 0) {
            spdlog::info("shop: released the stock of {} checkout(s) that ran out", released);
        }
    });
    runtime.scheduler.AddRecurring("shop.sweep", "shop.sweep",
                                   *scheduling::Recurrence::Parse(infra_.config.shop.sweep_schedule));
}

}  // namespace maxis::app
