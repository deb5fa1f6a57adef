#pragma once
#include <memory>

#include "app/module.hpp"
#include "domain/shop/shop_service.hpp"

namespace maxis::storage {
class SqlShopRepository;
}
namespace maxis::stripe {
class StripeGateway;
}

namespace maxis::app {

/// The shop ([shop], [stripe]'s checkout return URLs): catalog, carts, checkout through Stripe, orders and refunds;
/// its commands and REST routes, and the sweep that gives back the stock of checkouts that ran out. The same
/// service serves Discord, the console, the API and the panel.
class ShopModule final : public FeatureModule {
public:
    explicit ShopModule(const Infrastructure& infra);
    ~ShopModule() override;
    [[nodiscard]] std::string_view Name() const override { return "shop"; }
    void RegisterCommands(commands::Engine& engine) override;
    void Serve(Runtime& runtime) override;

    [[nodiscard]] shop::ShopService& shop() { return *shop_; }

private:
    const Infrastructure& infra_;
    std::unique_ptr<storage::SqlShopRepository> store_;
    std::unique_ptr<stripe::StripeGateway> gateway_;
    std::unique_ptr<shop::ShopService> shop_;
};

}  // namespace maxis::app
