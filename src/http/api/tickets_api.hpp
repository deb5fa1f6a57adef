#pragma once
#include <functional>
#include <optional>
#include <string>

#include "core/people.hpp"
#include "core/viewer.hpp"
#include "domain/tickets/ticket_service.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// The viewer a request stands for (a bearer token, or the admin panel's session cookie with its CSRF
/// checks), or nullopt for no credentials at all. Throws core::Error for credentials that are refused.
using Authenticator = std::function<std::optional<core::Viewer>(const Request& request)>;

/// The viewer of an "Authorization: Bearer <token>" header: nullopt without one; throws
/// core::Error(kUnauthenticated) when lookup does not know the token.
std::optional<core::Viewer> BearerViewer(const Request& request,
                                         const std::function<std::optional<core::Viewer>(const std::string&)>& lookup);

/// /api/v1/tickets: list (filters, cursor pagination), create, view, add a message (internal for staff),
/// and change status, priority or assignee. Every route requires a bearer token; a member sees only
/// their own tickets, and another member's ticket answers 404 like a missing one.
/// What the ticket routes write out in words, in a language (the community's unless the request asks
/// `?locale=fr|en`): the transcript, each history entry as the sentence the chat says (its words and the people
/// it names, for the reader), and people's names for the CSV export.
struct TicketDocuments {
    std::function<std::string(const tickets::TicketView& transcript, std::string_view locale)> transcript;
    core::NameLookup names;
    std::string default_locale = "fr";
    std::function<std::vector<core::TextPiece>(const tickets::AuditEntry& entry, std::string_view locale,
                                               const core::Viewer& reader)>
        history;
};

void AddTicketRoutes(Router& router, tickets::TicketService& service, Authenticator authenticate,
                     TicketDocuments documents);

}  // namespace maxis::http
