#pragma once
#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/reply.hpp"
#include "discord/sealed_action.hpp"

namespace maxis::discord {

/// Discord's message limits (https://discord.com/developers/docs/resources/message), counted as Discord
/// counts them: in UTF-16 code units.
struct Limits {
    static constexpr std::size_t kContent = 2000;
    static constexpr std::size_t kEmbedsPerMessage = 10;
    static constexpr std::size_t kEmbedTotal = 6000;
    static constexpr std::size_t kTitle = 256;
    static constexpr std::size_t kDescription = 4096;
    static constexpr std::size_t kFields = 25;
    static constexpr std::size_t kFieldName = 256;
    static constexpr std::size_t kFieldValue = 1024;
    static constexpr std::size_t kFooter = 2048;
    static constexpr std::size_t kRows = 5;
    static constexpr std::size_t kButtonsPerRow = 5;
    static constexpr std::size_t kButtonLabel = 80;
    static constexpr std::size_t kSelectOptions = 25;
    static constexpr std::size_t kSelectText = 100;
    static constexpr std::size_t kPlaceholder = 150;
    static constexpr std::size_t kModalTitle = 45;
    static constexpr std::size_t kInputLabel = 45;
    static constexpr std::size_t kInputMax = 4000;
};

/// Length as Discord counts it (UTF-16 code units) of well-formed UTF-8.
std::size_t DiscordLength(std::string_view text);
/// Cuts at a code point boundary so that the result, with "…" when cut, fits in max units.
std::string Truncate(std::string_view text, std::size_t max);
/// Splits text into pieces of at most max units, preferring line breaks, then spaces.
std::vector<std::string> SplitText(std::string_view text, std::size_t max);

/// Renders a reply as the bodies of one or more messages (POST /channels/{id}/messages or an
/// interaction response's data), each within every limit: long text is split over several messages,
/// long fields truncated with "…", extra fields and embeds carried to the next message, components
/// placed on the last message (those beyond five rows are dropped and logged). Interactive components
/// carry sealed actions. Mentions in the text never ping anyone but users named in the reply
/// (allowed_mentions), so nobody can make Maxis ping @everyone.
std::vector<boost::json::object> RenderMessages(const commands::Reply& reply, const ActionSealer& sealer);

/// A modal asking for one text input before a sealed action runs (the input is appended to the action).
boost::json::object RenderModal(std::string_view title, std::string_view label, std::string_view action,
                                const ActionSealer& sealer);

/// One text input of a form: its custom_id (the argument's name), label, and whether it must be filled.
struct FormField {
    std::string id;
    std::string label;
    bool required = true;
};
/// A modal with several text inputs (at most five, one per row) before a sealed action runs; `action` is a form
/// action (FormAction) that the submitted values complete.
boost::json::object RenderForm(std::string_view title, const std::vector<FormField>& fields, std::string_view action,
                               const ActionSealer& sealer);
/// A command with named options, as a form's sealed action ("name\x1eoption=value\x1e..."), and back.
std::string FormAction(const std::string& command, const std::map<std::string, std::string>& options);
std::optional<std::pair<std::string, std::map<std::string, std::string>>> ParseFormAction(std::string_view action);

}  // namespace maxis::discord
