#pragma once
#include <memory>

#include "app/module.hpp"
#include "domain/preorders/preorder_service.hpp"

namespace maxis::storage {
class SqlPreorderRepository;
}
namespace maxis::stripe {
class StripePreorderCheckout;
}

namespace maxis::app {

/// Pre-orders ([preorders]): items sold in tiers before their release, each seat held while the member pays on Stripe
/// Checkout (payment mode, the shop's webhook: the payments module routes a purchase's events here); their commands
/// and REST routes, and one recurring sweep: holds that ended, refunds owed, the release day, the reminders before it
/// and the social proof. With enabled = false no command or route is offered, while payments already taken are still
/// applied and the sweep still runs (refunds owed, the release day).
class PreordersModule final : public FeatureModule {
public:
    explicit PreordersModule(const Infrastructure& infra);
    ~PreordersModule() override;
    [[nodiscard]] std::string_view Name() const override { return "preorders"; }
    void RegisterCommands(commands::Engine& engine) override;
    void Serve(Runtime& runtime) override;

    [[nodiscard]] preorders::PreorderService& preorders() { return *service_; }
    /// One run of the sweep: each step in its own try, so one failing does not stop the others.
    void Sweep();

private:
    const Infrastructure& infra_;
    std::unique_ptr<storage::SqlPreorderRepository> repo_;
    std::unique_ptr<stripe::StripePreorderCheckout> checkout_;
    std::unique_ptr<preorders::PreorderService> service_;
};

}  // namespace maxis::app
