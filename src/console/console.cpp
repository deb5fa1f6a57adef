#include "console/console.hpp"

#include <cctype>
#include <cmath>
#include <istream>
#include <ostream>

#include "core/strings.hpp"

namespace maxis::console {

namespace {

std::string WithoutBold(std::string text) {
    for (std::size_t pos = text.find("**"); pos != std::string::npos; pos = text.find("**", pos)) text.erase(pos, 2);
    return text;
}

/// "3 jours", "une heure": how far an instant is, as Discord rounds a countdown (a few seconds, then minutes, hours,
/// days, months, years).
std::string Distance(std::chrono::seconds gap, const commands::Catalog& catalog, const std::string& locale) {
    const double s = std::abs(static_cast<double>(gap.count()));
    if (s < 45) return catalog.Text(locale, "console.time.seconds");
    struct Unit {
        const char* name;
        double seconds;
        double until;  // the next unit takes over from here
    };
    constexpr Unit kUnits[] = {{"minute", 60, 45 * 60},
                               {"hour", 3600, 22 * 3600},
                               {"day", 86400, 26 * 86400},
                               {"month", 30.44 * 86400, 320 * 86400},
                               {"year", 365.25 * 86400, INFINITY}};
    for (const auto& unit : kUnits) {
        if (s >= unit.until) continue;
        auto n = std::max<long long>(1, std::llround(s / unit.seconds));
        std::string key = std::string("console.time.") + unit.name + (n == 1 ? "_one" : "_many");
        return catalog.Text(locale, key, {{"n", std::to_string(n)}});
    }
    return {};
}

}  // namespace

std::string WordTimestamps(const std::string& text, const commands::Catalog& catalog, const std::string& locale,
                           core::TimePoint now, const core::TimeZone& zone) {
    std::string out;
    std::size_t from = 0;
    for (auto at = text.find("<t:"); at != std::string::npos; at = text.find("<t:", at + 1)) {
        // <t:UNIX> or <t:UNIX:STYLE>, as Discord writes them.
        std::size_t i = at + 3;
        std::size_t digits = i + (i < text.size() && text[i] == '-' ? 1 : 0);
        std::size_t end = digits;
        while (end < text.size() && end - digits < 12 && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
        if (end == digits) continue;
        const auto unix = std::stoll(text.substr(i, end - i));
        char style = 'f';  // Discord's default
        if (end + 2 < text.size() && text[end] == ':' && text[end + 2] == '>' &&
            std::string_view("tTdDfFR").find(text[end + 1]) != std::string_view::npos) {
            style = text[end + 1];
            end += 2;
        } else if (end >= text.size() || text[end] != '>') {
            continue;
        }
        auto when = core::FromEpochMillis(unix * 1000);
        out += text.substr(from, at - from);
        if (style == 'R') {
            auto gap = std::chrono::duration_cast<std::chrono::seconds>(when - now);
            out += catalog.Text(locale, gap.count() >= 0 ? "console.time.future" : "console.time.past",
                                {{"amount", Distance(gap, catalog, locale)}});
        } else {
            out += zone.Format(when, locale);
        }
        from = end + 1;
    }
    return out + text.substr(from);
}

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
    auto InWords = [&](const std::string& text) {
        if (options.zone == nullptr || options.clock == nullptr) return text;
        return WordTimestamps(text, catalog, options.locale, options.clock->Now(), *options.zone);
    };
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
        out << core::EscapeForTerminal(InWords(NamePeople(RenderText(*reply), options.names, unknown)));
        if (options.notices) {
            for (const auto& notice : options.notices()) {
                out << "🔔 " << core::EscapeForTerminal(InWords(NamePeople(notice, options.names, unknown))) << "\n";
            }
        }
        if (!options.interactive) out << "\n";
        out << std::flush;
    }
    if (options.interactive) out << "\n" << catalog.Text(options.locale, "console.bye") << "\n";
    return errors;
}

}  // namespace maxis::console
