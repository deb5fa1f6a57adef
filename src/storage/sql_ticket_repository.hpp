#pragma once
#include "core/clock.hpp"
#include "domain/tickets/ticket_store.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// Tickets, messages and the audit log in SQL, one transaction per call. Every read filters by the
/// viewer (members see their own tickets and no internal note); on PostgreSQL row-level security
/// enforces the same. Notifications become outbox rows ("notify.member" / "notify.staff") in the same
/// transaction.
class SqlTicketRepository final : public tickets::TicketRepository {
public:
    SqlTicketRepository(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
    void Write(const core::Viewer& viewer, const std::function<void(tickets::TicketStore&)>& work) override;
    void Read(const core::Viewer& viewer, const std::function<void(tickets::TicketStore&)>& work) override;

private:
    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
