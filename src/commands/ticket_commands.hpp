#pragma once
#include "commands/engine.hpp"
#include "core/time_zone.hpp"
#include "domain/tickets/ticket_service.hpp"

namespace maxis::commands {

/// Declares the support-ticket commands (members: create, list, view, reply, close, reopen; staff: assign,
/// note, priority, status, and the list filters all, mine, unassigned, breached). Times are shown in zone.
void RegisterTicketCommands(Engine& engine, tickets::TicketService& service, const core::TimeZone& zone);

}  // namespace maxis::commands
