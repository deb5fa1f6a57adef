#include "console/console.hpp"

#include <istream>
#include <ostream>

#include "core/strings.hpp"

namespace maxis::console {

std::string RenderText(const commands::Reply& reply) {
    std::string out;
    if (!reply.text.empty()) out += reply.text + "\n";
    for (const auto& embed : reply.embeds) {
        if (!embed.title.empty()) out += "== " + embed.title + " ==\n";
        if (!embed.description.empty()) out += embed.description + "\n";
        for (const auto& field : embed.fields) {
            out += "* " + field.name + "\n";
            for (const auto& line : core::Split(field.value, '\n')) out += "    " + line + "\n";
        }
        if (!embed.image_url.empty()) out += "[image] " + embed.image_url + "\n";
        if (!embed.footer.empty()) out += "-- " + embed.footer + "\n";
    }
    if (!reply.buttons.empty()) {
        std::string row;
        for (const auto& b : reply.buttons) {
            row += (row.empty() ? "" : "  ") + std::string("[") + b.label + "]";
            if (!b.url.empty()) row += " " + b.url;
            if (!b.action.empty()) row += " !" + b.action + (b.asks_input ? " …" : "");
        }
        out += row + "\n";
    }
    for (const auto& menu : reply.menus) {
        out += menu.placeholder + ":\n";
        for (const auto& o : menu.options) out += "  !" + menu.action + " " + o.value + "  " + o.label + "\n";
    }
    return out;
}

int RunConsole(const commands::Engine& engine, const ConsoleOptions& options, std::istream& in, std::ostream& out) {
    const auto& catalog = engine.catalog();
    if (options.interactive) {
        out << catalog.Text(options.locale, "console.welcome",
                            {{"version", options.version},
                             {"user", core::EscapeForTerminal(options.user_label)},
                             {"role", catalog.Text(options.locale,
                                                   "roles." + std::string(core::ToString(options.viewer.role)))}})
            << "\n";
    }
    int errors = 0;
    std::string line;
    while (true) {
        if (options.interactive) out << "maxis> " << std::flush;
        if (!std::getline(in, line)) break;
        auto trimmed = core::Trim(line);
        if (trimmed.empty() || trimmed.front() == '#') continue;
        if (trimmed == "quit" || trimmed == "exit") break;
        std::string command(trimmed);
        // At the console everything typed is meant for Maxis: the prefix is optional.
        if (!core::StartsWith(command, engine.prefix())) command = engine.prefix() + command;
        auto reply = engine.HandleLine(options.viewer, options.locale, command);
        if (!reply) continue;
        errors += reply->is_error ? 1 : 0;
        // Stored text may come from anyone (and from rows older than the text rule): nothing it holds may
        // move the cursor, clear the screen or reorder the line on the staff's terminal.
        out << core::EscapeForTerminal(RenderText(*reply));
        if (options.notices) {
            for (const auto& notice : options.notices()) out << "🔔 " << core::EscapeForTerminal(notice) << "\n";
        }
        if (!options.interactive) out << "\n";
        out << std::flush;
    }
    if (options.interactive) out << "\n" << catalog.Text(options.locale, "console.bye") << "\n";
    return errors;
}

}  // namespace maxis::console
