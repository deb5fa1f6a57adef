#include "discord/render.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

namespace maxis::discord {

namespace json = boost::json;
using commands::Reply;

namespace {

/// Byte length of the UTF-8 sequence that starts with c (1 for a stray continuation byte).
std::size_t SequenceLength(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return 1;
}

constexpr std::string_view kEllipsis = "…";

}  // namespace

std::size_t DiscordLength(std::string_view text) {
    std::size_t units = 0;
    for (std::size_t i = 0; i < text.size();) {
        auto n = SequenceLength(static_cast<unsigned char>(text[i]));
        units += n == 4 ? 2 : 1;
        i += n;
    }
    return units;
}

std::string Truncate(std::string_view text, std::size_t max) {
    if (DiscordLength(text) <= max) return std::string(text);
    if (max == 0) return {};
    std::size_t units = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        auto n = SequenceLength(static_cast<unsigned char>(text[i]));
        std::size_t u = n == 4 ? 2 : 1;
        if (units + u > max - 1) break;  // keep one unit for the ellipsis
        units += u;
        i += n;
    }
    return std::string(text.substr(0, i)) + std::string(kEllipsis);
}

std::vector<std::string> SplitText(std::string_view text, std::size_t max) {
    std::vector<std::string> out;
    while (DiscordLength(text) > max) {
        // The longest prefix that fits, in bytes.
        std::size_t units = 0;
        std::size_t i = 0;
        while (i < text.size()) {
            auto n = SequenceLength(static_cast<unsigned char>(text[i]));
            std::size_t u = n == 4 ? 2 : 1;
            if (units + u > max) break;
            units += u;
            i += n;
        }
        std::size_t cut = text.substr(0, i).rfind('\n');
        if (cut == std::string_view::npos || cut < i / 2) cut = text.substr(0, i).rfind(' ');
        if (cut == std::string_view::npos || cut < i / 2) cut = i;
        out.emplace_back(text.substr(0, cut));
        text = text.substr(cut);
        if (!text.empty() && (text.front() == '\n' || text.front() == ' ')) text.remove_prefix(1);
    }
    if (!text.empty() || out.empty()) out.emplace_back(text);
    return out;
}

namespace {

std::size_t EmbedLength(const json::object& e) {
    std::size_t n = 0;
    auto add = [&n](const json::object& o, const char* key) {
        if (auto* v = o.if_contains(key)) n += DiscordLength(v->as_string());
    };
    add(e, "title");
    add(e, "description");
    if (auto* f = e.if_contains("footer")) add(f->as_object(), "text");
    if (auto* fields = e.if_contains("fields")) {
        for (const auto& field : fields->as_array()) {
            add(field.as_object(), "name");
            add(field.as_object(), "value");
        }
    }
    return n;
}

/// One reply embed becomes one or more Discord embeds of at most 25 fields each.
std::vector<json::object> RenderEmbed(const commands::Embed& embed) {
    std::vector<json::object> out;
    json::object first;
    if (!embed.title.empty()) first["title"] = Truncate(embed.title, Limits::kTitle);
    if (!embed.description.empty()) first["description"] = Truncate(embed.description, Limits::kDescription);
    if (embed.color) first["color"] = *embed.color;
    if (!embed.image_url.empty()) first["image"] = json::object{{"url", embed.image_url}};
    out.push_back(std::move(first));
    // The footer goes on the last embed: keep room for it in every one.
    auto footer = embed.footer.empty() ? std::string() : Truncate(embed.footer, Limits::kFooter);
    std::size_t length = EmbedLength(out.back()) + DiscordLength(footer);
    json::array fields;
    for (const auto& f : embed.fields) {
        json::object field{{"name", f.name.empty() ? "\u200b" : Truncate(f.name, Limits::kFieldName)},
                           {"value", f.value.empty() ? "\u200b" : Truncate(f.value, Limits::kFieldValue)},
                           {"inline", f.inline_field}};
        auto size = DiscordLength(field.at("name").as_string()) + DiscordLength(field.at("value").as_string());
        if (!fields.empty() && (fields.size() == Limits::kFields || length + size > Limits::kEmbedTotal)) {
            out.back()["fields"] = std::move(fields);
            fields = json::array();
            json::object next;
            if (embed.color) next["color"] = *embed.color;
            out.push_back(std::move(next));
            length = DiscordLength(footer);
        }
        length += size;
        fields.push_back(std::move(field));
    }
    if (!fields.empty()) out.back()["fields"] = std::move(fields);
    if (!footer.empty()) out.back()["footer"] = json::object{{"text", footer}};
    // An embed needs some content; a lone colour would be refused.
    std::erase_if(out, [](const json::object& e) { return EmbedLength(e) == 0 && !e.contains("image"); });
    return out;
}

json::object ButtonJson(const commands::Button& b, const ActionSealer& sealer) {
    json::object o{
        {"type", 2}, {"label", Truncate(b.label, Limits::kButtonLabel)}, {"style", static_cast<int>(b.style)}};
    if (b.disabled) o["disabled"] = true;
    if (b.style == commands::ButtonStyle::kLink) {
        o["url"] = b.url;
        return o;
    }
    auto id = sealer.Seal(b.asks_input ? ActionKind::kInput : ActionKind::kButton, b.action);
    if (!id) return {};
    o["custom_id"] = *id;
    return o;
}

json::array Components(const Reply& reply, const ActionSealer& sealer) {
    json::array rows;
    json::array row;
    for (const auto& b : reply.buttons) {
        auto button = ButtonJson(b, sealer);
        if (button.empty()) {
            spdlog::warn("discord: button '{}' dropped: its action is too long to seal in a custom_id", b.label);
            continue;
        }
        if (row.size() == Limits::kButtonsPerRow) {
            rows.push_back(json::object{{"type", 1}, {"components", std::move(row)}});
            row = json::array();
        }
        row.push_back(std::move(button));
    }
    if (!row.empty()) rows.push_back(json::object{{"type", 1}, {"components", std::move(row)}});
    for (const auto& menu : reply.menus) {
        auto id = sealer.Seal(ActionKind::kSelect, menu.action);
        if (!id || menu.options.empty()) continue;
        // More than 25 options: further menus, as long as rows remain.
        for (std::size_t start = 0; start < menu.options.size(); start += Limits::kSelectOptions) {
            json::array options;
            for (std::size_t i = start; i < std::min(menu.options.size(), start + Limits::kSelectOptions); ++i) {
                const auto& o = menu.options[i];
                json::object opt{{"label", Truncate(o.label, Limits::kSelectText)},
                                 {"value", Truncate(o.value, Limits::kSelectText)}};
                if (!o.description.empty()) opt["description"] = Truncate(o.description, Limits::kSelectText);
                options.push_back(std::move(opt));
            }
            // Each menu of a message needs its own custom_id; the page number keeps them apart.
            std::string custom_id =
                start == 0 ? *id : *sealer.Seal(ActionKind::kSelect, menu.action + "\x1f" + std::to_string(start));
            json::object select{{"type", 3},
                                {"custom_id", custom_id},
                                {"placeholder", Truncate(menu.placeholder, Limits::kPlaceholder)},
                                {"options", std::move(options)}};
            rows.push_back(json::object{{"type", 1}, {"components", json::array{std::move(select)}}});
        }
    }
    if (rows.size() > Limits::kRows) {
        spdlog::warn("discord: {} component row(s) dropped (at most {} per message)", rows.size() - Limits::kRows,
                     Limits::kRows);
        rows.resize(Limits::kRows);
    }
    return rows;
}

}  // namespace

std::vector<json::object> RenderMessages(const Reply& reply, const ActionSealer& sealer) {
    std::vector<json::object> messages;
    for (auto& piece : SplitText(reply.text, Limits::kContent)) {
        if (piece.empty()) continue;
        messages.push_back(json::object{{"content", std::move(piece)}});
    }
    std::vector<json::object> embeds;
    for (const auto& e : reply.embeds) {
        for (auto& rendered : RenderEmbed(e)) embeds.push_back(std::move(rendered));
    }
    // Embeds go with the last text message while they fit, then on messages of their own.
    std::size_t total = 0;
    json::array current;
    auto flush = [&] {
        if (current.empty()) return;
        if (!messages.empty() && !messages.back().contains("embeds")) {
            messages.back()["embeds"] = std::move(current);
        } else {
            messages.push_back(json::object{{"embeds", std::move(current)}});
        }
        current = json::array();
        total = 0;
    };
    for (auto& e : embeds) {
        auto len = EmbedLength(e);
        if (current.size() == Limits::kEmbedsPerMessage || total + len > Limits::kEmbedTotal) flush();
        total += len;
        current.push_back(std::move(e));
    }
    flush();
    auto rows = Components(reply, sealer);
    if (messages.empty()) messages.push_back(json::object{{"content", "\u200b"}});
    if (!rows.empty()) messages.back()["components"] = std::move(rows);
    for (auto& m : messages) {
        // Only users may be pinged, never @everyone, @here or roles.
        m["allowed_mentions"] = json::object{{"parse", json::array{"users"}}};
        if (reply.ephemeral) m["flags"] = 64;
    }
    return messages;
}

json::object RenderModal(std::string_view title, std::string_view label, std::string_view action,
                         const ActionSealer& sealer) {
    return RenderForm(title, {FormField{"value", std::string(label), true}}, action, sealer);
}

json::object RenderForm(std::string_view title, const std::vector<FormField>& fields, std::string_view action,
                        const ActionSealer& sealer) {
    auto id = sealer.Seal(ActionKind::kModal, action);
    json::array rows;
    for (const auto& f : fields) {
        if (rows.size() == 5) break;  // Discord's limit: five rows of one input each
        json::object text{{"type", 4},
                          {"custom_id", f.id},
                          {"label", Truncate(f.label, Limits::kInputLabel)},
                          {"style", 2},
                          {"max_length", Limits::kInputMax},
                          {"required", f.required}};
        if (f.required) text["min_length"] = 1;
        rows.push_back(json::object{{"type", 1}, {"components", json::array{std::move(text)}}});
    }
    return json::object{
        {"custom_id", id.value_or("")}, {"title", Truncate(title, Limits::kModalTitle)}, {"components", rows}};
}

namespace {
constexpr char kFormSeparator = '\x1e';
}

std::string FormAction(const std::string& command, const std::map<std::string, std::string>& options) {
    std::string out = command;
    for (const auto& [name, value] : options) out += kFormSeparator + name + "=" + value;
    return out;
}

std::optional<std::pair<std::string, std::map<std::string, std::string>>> ParseFormAction(std::string_view action) {
    auto first = action.find(kFormSeparator);
    if (first == std::string_view::npos) return std::nullopt;
    std::pair<std::string, std::map<std::string, std::string>> out{std::string(action.substr(0, first)), {}};
    while (first != std::string_view::npos) {
        auto next = action.find(kFormSeparator, first + 1);
        auto part =
            action.substr(first + 1, next == std::string_view::npos ? std::string_view::npos : next - first - 1);
        auto eq = part.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        out.second[std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
        first = next;
    }
    return out;
}

}  // namespace maxis::discord
