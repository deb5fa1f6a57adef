#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/people.hpp"

namespace maxis::commands {

/// The transport-free reply model: Discord renders it as a message with embeds and components, the
/// console as text, the web API as JSON.
struct EmbedField {
    std::string name;
    std::string value;
    bool inline_field = false;
};

struct Embed {
    std::string title;
    std::string description;
    std::vector<EmbedField> fields;
    std::string image_url;
    std::optional<std::uint32_t> color;  // 0xRRGGBB
    std::string footer;
};

enum class ButtonStyle { kPrimary = 1, kSecondary = 2, kSuccess = 3, kDanger = 4, kLink = 5 };

/// An interactive button runs `action`, a command line without the prefix ("ticket_close 42"), as the
/// member who clicks it: their permissions apply, exactly as if they had typed it. With `asks_input`, the
/// member is asked for the command's last argument first (a Discord modal labelled from the command's
/// declaration) and what they type is appended to the line. Transports seal the action so that it cannot be altered.
struct Button {
    std::string label;
    std::string action;  // empty for links
    ButtonStyle style = ButtonStyle::kPrimary;
    std::string url;  // for kLink
    bool disabled = false;
    bool asks_input = false;
};

struct SelectOption {
    std::string label;
    std::string value;
    std::string description;
};

/// A menu that runs `action` with the chosen option's value appended.
struct SelectMenu {
    std::string placeholder;
    std::string action;
    std::vector<SelectOption> options;
};

struct Reply {
    std::string text;
    std::vector<Embed> embeds;
    std::vector<Button> buttons;
    std::vector<SelectMenu> menus;
    bool ephemeral = false;
    /// True when the reply reports a refusal or an error (parse error, permission, domain error).
    bool is_error = false;
};

/// A person as Discord shows them: a mention, which Discord renders as their name.
inline std::string Mention(core::UserId id) { return "<@" + id.ToString() + ">"; }

/// Text cut at its mentions (<@id>, <@!id>): the words between them and the people they name, in order. Text
/// without a mention is one piece; "<@x>" (not an id) stays words.
std::vector<core::TextPiece> SplitMentions(std::string_view text);

}  // namespace maxis::commands
