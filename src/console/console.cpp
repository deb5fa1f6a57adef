#include "console/console.hpp"

#include <istream>
#include <ostream>

#include "core/strings.hpp"

namespace maxis::console {

namespace {

// Each mention in text: where it starts, how long it is, and whose it is.
struct MentionAt {
    std::size_t pos, size;
    core::UserId id;
};

std::vector<MentionAt> FindMentions(const std::string& text) {
    std::vector<MentionAt> out;
    for (std::size_t pos = text.find("<@"); pos != std::string::npos; pos = text.find("<@", pos + 2)) {
        std::size_t start = pos + 2 + (text.compare(pos + 2, 1, "!") == 0 ? 1 : 0);
        std::size_t end = text.find('>', start);
        if (end == std::string::npos) break;
        if (auto id = core::ParseId(std::string_view(text).substr(start, end - start))) {
            out.push_back({pos, end + 1 - pos, core::UserId{*id}});
        }
    }
    return out;
}

std::string WithoutBold(std::string text) {
    for (std::size_t pos = text.find("**"); pos != std::string::npos; pos = text.find("**", pos)) text.erase(pos, 2);
    return text;
}

}  // namespace

std::string NamePeople(const std::string& text, const core::NameLookup& lookup, const std::string& unknown) {
    auto mentions = FindMentions(text);
    if (mentions.empty()) return text;
    std::vector<core::UserId> ids;
    for (const auto& m : mentions) ids.push_back(m.id);
    auto names = lookup ? lookup(ids) : std::map<core::UserId, std::string>{};
    std::string out;
    std::size_t at = 0;
    for (const auto& m : mentions) {
        auto it = names.find(m.id);
        out += text.substr(at, m.pos - at) + "@" + (it != names.end() ? it->second : unknown);
        at = m.pos + m.size;
    }
    return out + text.substr(at);
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
