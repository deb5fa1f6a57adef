#pragma once
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "commands/engine.hpp"
#include "commands/reply.hpp"
#include "core/clock.hpp"
#include "core/people.hpp"
#include "core/time_zone.hpp"
#include "core/viewer.hpp"

namespace maxis::console {

/// Renders a reply as plain text for a terminal: the text, then each embed (title, description, fields,
/// image, footer), then the buttons. Discord's bold markers (**) are dropped.
std::string RenderText(const commands::Reply& reply);

/// Writes each mention (<@id>, <@!id>) in text as @name, with names from lookup; someone it does not know
/// reads as @unknown (a terminal shows no raw id for a person).
std::string NamePeople(const std::string& text, const core::NameLookup& lookup, const std::string& unknown);

/// Writes each Discord timestamp in text (<t:X:R>, <t:X:f>, <t:X>, any style) in words for the reader, as Discord
/// would show it: R as a countdown from now ("dans 3 jours", "in 3 days", "il y a 2 heures"), every other style as
/// the date and time in the community's zone. A malformed one stays as written.
std::string WordTimestamps(const std::string& text, const commands::Catalog& catalog, const std::string& locale,
                           core::TimePoint now, const core::TimeZone& zone);

struct ConsoleOptions {
    core::Viewer viewer;
    std::string user_label;  // shown in the welcome line
    std::string locale = "fr";
    std::string version;
    bool interactive = false;  // a prompt and a welcome line; otherwise one command per input line
    /// Notifications for this user that arrived since the last call, already in their language; printed
    /// after each reply.
    std::function<std::vector<std::string>()> notices;
    /// People's names, for the mentions in replies and notices.
    core::NameLookup names;
    /// The community's zone and the clock, for the Discord timestamps in replies and notices (WordTimestamps);
    /// without both they stay as written.
    const core::TimeZone* zone = nullptr;
    const core::Clock* clock = nullptr;
};

/// Runs commands read from in through the engine and writes the replies to out, until end of input or
/// "quit"/"exit". Replies and notices are written through core::EscapeForTerminal: control characters and
/// bidirectional overrides appear escaped ("\u001B"), never raw. Blank lines and lines starting with '#' are skipped.
/// Returns the number of commands whose reply was an error (parse error, refusal, failure), so scripts can check it.
int RunConsole(const commands::Engine& engine, const ConsoleOptions& options, std::istream& in, std::ostream& out);

}  // namespace maxis::console
