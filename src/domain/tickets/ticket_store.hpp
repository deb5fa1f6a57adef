#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/viewer.hpp"
#include "domain/scheduling/notice.hpp"
#include "domain/tickets/ticket.hpp"

namespace maxis::tickets {

enum class ListScope { kMine, kAll, kAssignedToMe, kUnassigned, kBreached };

struct TicketQuery {
    ListScope scope = ListScope::kMine;
    std::optional<Status> status;
    std::optional<Category> category;
    std::optional<Priority> priority;
    std::optional<core::UserId> assignee;
    std::string text;               // matched in the subject
    std::optional<TicketId> after;  // cursor: tickets with a smaller id (newest first)
    int limit = 25;
};

/// One transaction's view of the tickets, bound to a viewer: a member's store never returns another
/// member's ticket, message or audit entry, whatever is asked (and on PostgreSQL, row-level security
/// enforces the same underneath).
class TicketStore {
public:
    virtual ~TicketStore() = default;
    virtual std::optional<Ticket> Find(TicketId id) = 0;
    virtual TicketId Insert(const Ticket& ticket) = 0;
    virtual void Update(const Ticket& ticket) = 0;
    virtual void AddMessage(const Message& message) = 0;
    virtual void AddAudit(const AuditEntry& entry) = 0;
    virtual int CountActiveByOwner(core::UserId owner) = 0;
    virtual int CountCreatedSince(core::UserId owner, core::TimePoint since) = 0;
    virtual std::vector<Ticket> List(const TicketQuery& query) = 0;
    virtual std::vector<Message> Messages(TicketId id, bool include_internal) = 0;
    virtual std::vector<AuditEntry> Audit(TicketId id) = 0;
    /// Active tickets the SLA sweep may have to act on at now: a due time passed without its alert, or
    /// waiting on the member since before waiting_since.
    virtual std::vector<Ticket> SweepCandidates(core::TimePoint now, core::TimePoint waiting_since) = 0;
    /// Every ticket created at or after since (staff transactions only), for statistics and exports.
    virtual std::vector<Ticket> CreatedSince(core::TimePoint since) = 0;
    /// Active tickets now, and how many of them nobody is assigned to.
    virtual std::pair<int, int> Backlog() = 0;
    /// The person's role in the member directory (as last seen on Discord or in the console); nullopt for
    /// someone the directory does not know. Read in staff transactions.
    virtual std::optional<core::Role> DirectoryRole(core::UserId person) = 0;
    /// Written to the outbox in this same transaction.
    virtual void Notify(const scheduling::Notice& notice) = 0;
};

class TicketRepository {
public:
    virtual ~TicketRepository() = default;
    virtual void Write(const core::Viewer& viewer, const std::function<void(TicketStore&)>& work) = 0;
    virtual void Read(const core::Viewer& viewer, const std::function<void(TicketStore&)>& work) = 0;
};

}  // namespace maxis::tickets
