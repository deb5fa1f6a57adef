#pragma once
#include "commands/engine.hpp"
#include "core/people.hpp"
#include "core/time_zone.hpp"
#include "domain/tickets/ticket_service.hpp"

namespace maxis::commands {

/// Declares the support-ticket commands (members: create, list, view, reply, close, reopen; staff: assign,
/// note, priority, status, and the list filters all, mine, unassigned, breached). Times are shown in zone.
/// names gives people's names where a mention would not render (the transcript).
void RegisterTicketCommands(Engine& engine, tickets::TicketService& service, const core::TimeZone& zone,
                            core::NameLookup names);

/// A closed ticket's conversation as a text document in the reader's language: the subject, then the
/// category, priority and status by their names, then each message with its author's name (from names;
/// « membre inconnu » for someone it does not know, never an id) and its local time in zone.
std::string TranscriptText(const tickets::TicketView& transcript, const Catalog& catalog, std::string_view locale,
                           const core::TimeZone& zone, const core::NameLookup& names);

/// One entry of a ticket's history as a sentence in the reader's language, the one every surface shows (the chat,
/// the console, the panel): people as mentions, values by their names as viewer reads them
/// ("<@7> a passé la priorité de moyenne à critique"; Maxis itself by its name).
std::string HistorySentence(const tickets::AuditEntry& entry, const Catalog& catalog, std::string_view locale,
                            const core::Viewer& viewer);

}  // namespace maxis::commands
