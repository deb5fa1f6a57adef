#pragma once
#include <functional>
#include <optional>
#include <string>

#include "core/viewer.hpp"
#include "domain/tickets/ticket_service.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// The viewer an "Authorization: Bearer ..." token stands for, or nullopt.
using Authenticator = std::function<std::optional<core::Viewer>(const std::string& token)>;

/// /api/v1/tickets: list (filters, cursor pagination), create, view, add a message (internal for staff),
/// and change status, priority or assignee. Every route requires a bearer token; a member sees only
/// their own tickets, and another member's ticket answers 404 like a missing one.
void AddTicketRoutes(Router& router, tickets::TicketService& service, Authenticator authenticate);

}  // namespace maxis::http
