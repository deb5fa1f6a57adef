#pragma once
#include <memory>

#include "app/module.hpp"
#include "domain/plans/assistant.hpp"
#include "domain/plans/plan_service.hpp"
#include "domain/tickets/ticket_service.hpp"

namespace maxis::llm {
class OpenAiClient;
}
namespace maxis::storage {
class SqlPlanRepository;
}
namespace maxis::stripe {
class StripeBilling;
}

namespace maxis::app {

/// Plans and the assistant ([plans], [assistant]): the catalog, subscriptions and grants, the metered
/// assistant, their commands and REST routes, the sweep that ends grants and the role reconciler.
class PlansModule final : public FeatureModule {
public:
    explicit PlansModule(const Infrastructure& infra);
    ~PlansModule() override;
    [[nodiscard]] std::string_view Name() const override { return "plans"; }
    void RegisterCommands(commands::Engine& engine) override;
    void Serve(Runtime& runtime) override;

    [[nodiscard]] plans::PlanService& plans() { return *plans_; }
    [[nodiscard]] plans::Assistant& assistant() { return *assistant_; }
    /// Priority support for the tickets: every target halved for members whose plan includes it.
    [[nodiscard]] std::shared_ptr<tickets::SlaPolicy> SlaPolicy();

private:
    const Infrastructure& infra_;
    std::unique_ptr<plans::PlanCatalog> catalog_;
    std::unique_ptr<storage::SqlPlanRepository> repo_;
    std::unique_ptr<stripe::StripeBilling> billing_;
    std::unique_ptr<plans::PlanService> plans_;
    std::unique_ptr<llm::OpenAiClient> model_;
    std::unique_ptr<plans::Assistant> assistant_;
};

/// The plan catalog from [plans] (Free, Founder, Pro, Ultra).
plans::PlanCatalog CatalogFrom(const PlansConfig& c);

}  // namespace maxis::app
