#pragma once
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/tickets/ticket_store.hpp"

namespace maxis::tickets {

/// Targets per priority, indexed by Priority (critical, high, medium, low).
struct SlaTargets {
    std::array<core::Millis, 4> first_response{std::chrono::hours(1), std::chrono::hours(4), std::chrono::hours(24),
                                               std::chrono::hours(72)};
    std::array<core::Millis, 4> resolution{std::chrono::hours(4), std::chrono::hours(24), std::chrono::hours(72),
                                           std::chrono::hours(7 * 24)};
};

/// The seam for plans: paying members get tighter targets. The default leaves them as they are.
class SlaPolicy {
public:
    virtual ~SlaPolicy() = default;
    [[nodiscard]] virtual SlaTargets For(core::UserId owner, const SlaTargets& base) const {
        (void)owner;
        return base;
    }
};

struct TicketLimits {
    int max_active_per_member = 3;
    int max_created_per_hour = 5;
    std::size_t max_subject = 100;   // characters
    std::size_t max_message = 4000;  // characters
    core::Millis reopen_window{std::chrono::hours(7 * 24)};
    core::Millis auto_close_warning{std::chrono::hours(48)};   // waiting on the member this long: warn
    core::Millis auto_close_after{std::chrono::hours(72)};     // then close this long after the warning
};

struct TicketView {
    Ticket ticket;
    std::vector<Message> messages;  // internal notes only for staff
    std::vector<AuditEntry> audit;  // staff only
};

/// The support-ticket rules, whatever the transport (console, Discord, HTTP API). Every call runs in one
/// transaction through the repository; errors are core::Error with a message-catalog key:
/// not found (also for another member's ticket), limits, closed tickets, permissions.
class TicketService {
public:
    TicketService(TicketRepository& repo, const core::Clock& clock, TicketLimits limits = {}, SlaTargets sla = {},
                  std::shared_ptr<const SlaPolicy> policy = std::make_shared<SlaPolicy>());

    Ticket Open(const core::Viewer& viewer, const std::string& subject, Category category, Priority priority,
                const std::string& description);
    std::vector<Ticket> List(const core::Viewer& viewer, TicketQuery query);
    TicketView View(const core::Viewer& viewer, TicketId id);
    Ticket Reply(const core::Viewer& viewer, TicketId id, const std::string& body);
    /// Staff only: an internal note the member never sees.
    Ticket Note(const core::Viewer& viewer, TicketId id, const std::string& body);
    Ticket Close(const core::Viewer& viewer, TicketId id, const std::string& reason);
    Ticket Reopen(const core::Viewer& viewer, TicketId id);
    Ticket Assign(const core::Viewer& viewer, TicketId id, core::UserId assignee);
    Ticket SetPriority(const core::Viewer& viewer, TicketId id, Priority priority);
    Ticket SetStatus(const core::Viewer& viewer, TicketId id, Status status);

    /// The SLA and auto-close sweep (a scheduled job): one alert per breach, warnings, closes. Returns
    /// how many tickets it changed.
    int Sweep();

private:
    Ticket Load(TicketStore& store, TicketId id);
    void RequireStaff(const core::Viewer& viewer) const;
    void CheckMessage(const std::string& body) const;
    void Transition(Ticket& t, Status to, core::TimePoint now) const;
    void Audit(TicketStore& store, const Ticket& t, const core::Viewer& actor, const std::string& action,
               const std::string& before, const std::string& after, core::TimePoint now) const;

    TicketRepository& repo_;
    const core::Clock& clock_;
    TicketLimits limits_;
    SlaTargets sla_;
    std::shared_ptr<const SlaPolicy> policy_;
};

}  // namespace maxis::tickets
