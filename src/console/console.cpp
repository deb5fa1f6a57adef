#include "console/console.hpp"

#include <istream>
#include <ostream>

#include "core/strings.hpp"

namespace maxis::console {

namespace {

std::string WithoutBold(std::string text) {
    for (std::size_t pos = text.find("**"); pos != std::string::npos; pos = text.find("**", pos)) text.erase(pos, 2);
    return text;
}

}  // namespace

std::string NamePeople(const std::string& text, const core::NameLookup& lookup, const std::string& unknown) {
    auto pieces = commands::SplitMentions(text);
    std::vector<core::UserId> ids;
    for (const auto& piece : pieces)
        if (piece.person) ids.push_back(*piece.person);
    if (ids.empty()) return text;
    auto names = lookup ? lookup(ids) : std::map<core::UserId, std::string>{};
    std::string out;
    for (const auto& piece : pieces) {
        if (!piece.person) {
            out += piece.text;
            continue;
        }
        auto it = names.find(*piece.person);
        out += "@" + (it != names.end() ? it->second : unknown);
    }
    return out;
}

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
    return WithoutBold(std::move(out));
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
    const std::string unknown = catalog.Text(options.locale, "console.unknown_member");
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
        out << core::EscapeForTerminal(NamePeople(RenderText(*reply), options.names, unknown));
        if (options.notices) {
            for (const auto& notice : options.notices()) {
                out << "🔔 " << core::EscapeForTerminal(NamePeople(notice, options.names, unknown)) << "\n";
            }
        }
        if (!options.interactive) out << "\n";
        out << std::flush;
    }
    if (options.interactive) out << "\n" << catalog.Text(options.locale, "console.bye") << "\n";
    return errors;
}

}  // namespace maxis::console
