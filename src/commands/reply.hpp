#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

struct Button {
    std::string label;
    std::string custom_id;  // opaque state for interactive buttons; empty for links
    ButtonStyle style = ButtonStyle::kPrimary;
    std::string url;        // for kLink
    bool disabled = false;
};

struct Reply {
    std::string text;
    std::vector<Embed> embeds;
    std::vector<Button> buttons;
    bool ephemeral = false;
    /// True when the reply reports a refusal or an error (parse error, permission, domain error).
    bool is_error = false;
};

}  // namespace maxis::commands
