#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/people.hpp"
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
    core::Millis auto_close_warning{std::chrono::hours(48)};  // waiting on the member this long: warn
    core::Millis auto_close_after{std::chrono::hours(72)};    // then close this long after the warning
};

struct TicketView {
    Ticket ticket;
    std::vector<Message> messages;  // internal notes only for staff
    std::vector<AuditEntry> audit;  // staff only
};

struct Percentiles {
    int count = 0;
    std::optional<core::Millis> median;
    std::optional<core::Millis> p90;
};

/// Median and p90 (nearest rank) of a set of durations.
Percentiles ComputePercentiles(std::vector<core::Millis> values);

struct TicketStats {
    std::optional<core::Millis> period;  // nullopt: all time
    int created = 0;
    int resolved = 0;  // resolved or closed within the period's tickets
    Percentiles first_response;
    Percentiles resolution;
    std::map<std::string, Percentiles> first_response_by_agent;  // key: assignee id, or "unassigned"
    std::map<std::string, Percentiles> resolution_by_agent;
    std::map<std::string, Percentiles> first_response_by_category;
    std::map<std::string, Percentiles> resolution_by_category;
    int first_response_breaches = 0;
    int resolution_breaches = 0;
    int backlog = 0;  // active tickets now
    int backlog_unassigned = 0;
};

/// The support-ticket rules, whatever the transport (console, Discord, HTTP API). Every call runs in one
/// transaction through the repository; errors are core::Error with a message-catalog key:
/// not found (also for another member's ticket), limits, closed tickets, permissions.
/// Several changes to one ticket, made together or not at all (the REST API's PATCH).
struct TicketUpdate {
    std::optional<Priority> priority;      // staff only
    std::optional<core::UserId> assignee;  // staff only
    std::optional<Status> status;          // members: closed, or open / waiting_staff to reopen
    std::string close_reason;              // with status closed
    [[nodiscard]] bool empty() const { return !priority && !assignee && !status; }
};

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
    /// Priority, assignee and status in one transaction, each with the rule of its own call above: a member
    /// may only close or reopen their ticket. Nothing changes unless everything can.
    Ticket Update(const core::Viewer& viewer, TicketId id, const TicketUpdate& update);

    /// Staff only: response and resolution times over the period (nullopt: all time), backlog, breaches.
    TicketStats Stats(const core::Viewer& viewer, std::optional<core::Millis> period);
    /// Staff only: one CSV line per ticket created in the period (no message text, no internal note), with
    /// the owner's and the assignee's names from `names` beside their ids.
    std::string ExportCsv(const core::Viewer& viewer, std::optional<core::Millis> period,
                          const core::NameLookup& names = {});
    /// The conversation of a closed or resolved ticket as the member saw it (internal notes are never part of
    /// it, whoever asks; no history). Adapters write it out in the reader's language.
    TicketView Transcript(const core::Viewer& viewer, TicketId id);

    /// The SLA and auto-close sweep (a scheduled job): one alert per breach, warnings, closes. Returns
    /// how many tickets it changed.
    int Sweep();

    /// Runtime-changeable limits (the panel's settings): how many active tickets a member may have and how
    /// many they may open per hour. Thread-safe; applies to the next ticket opened.
    void SetCreationLimits(int max_active_per_member, int max_created_per_hour);

private:
    Ticket Load(TicketStore& store, TicketId id);
    /// Loads the ticket (not found for another member's), applies edit, saves it, in one transaction.
    Ticket Change(const core::Viewer& viewer, TicketId id,
                  const std::function<void(TicketStore&, Ticket&, core::TimePoint)>& edit);
    void RequireStaff(const core::Viewer& viewer) const;
    std::string CheckedReason(const std::string& reason) const;
    void ApplyClose(TicketStore& store, Ticket& t, const core::Viewer& viewer, const std::string& reason,
                    core::TimePoint now);
    void ApplyReopen(TicketStore& store, Ticket& t, const core::Viewer& viewer, core::TimePoint now);
    void ApplyPriority(TicketStore& store, Ticket& t, const core::Viewer& viewer, Priority priority,
                       const SlaTargets& targets, core::TimePoint now);
    void CheckMessage(const std::string& body) const;
    void Transition(Ticket& t, Status to, core::TimePoint now) const;
    void Audit(TicketStore& store, const Ticket& t, const core::Viewer& actor, const std::string& action,
               const std::string& before, const std::string& after, core::TimePoint now) const;

    TicketRepository& repo_;
    const core::Clock& clock_;
    TicketLimits limits_;
    SlaTargets sla_;
    std::shared_ptr<const SlaPolicy> policy_;
    std::atomic<int> max_active_;
    std::atomic<int> max_per_hour_;
};

}  // namespace maxis::tickets
