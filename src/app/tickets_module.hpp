#pragma once
#include <memory>

#include "app/module.hpp"
#include "domain/tickets/ticket_service.hpp"

namespace maxis::storage {
class SqlTicketRepository;
}

namespace maxis::app {

/// Support tickets ([tickets]): limits and SLA targets, the service, its commands and REST routes, the SLA
/// sweep, and the creation limits an admin may change from the panel.
class TicketsModule final : public FeatureModule {
public:
    /// sla: the targets each member gets (priority support halves them for some plans).
    TicketsModule(const Infrastructure& infra, std::shared_ptr<tickets::SlaPolicy> sla);
    ~TicketsModule() override;
    [[nodiscard]] std::string_view Name() const override { return "tickets"; }
    void RegisterCommands(commands::Engine& engine) override;
    void AddSettings(std::vector<panel::RuntimeSetting>& settings) override;
    void Serve(Runtime& runtime) override;

    [[nodiscard]] tickets::TicketService& tickets() { return *tickets_; }

private:
    const Infrastructure& infra_;
    std::unique_ptr<storage::SqlTicketRepository> repo_;
    std::unique_ptr<tickets::TicketService> tickets_;
};

}  // namespace maxis::app
