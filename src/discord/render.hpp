#pragma once
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
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

}  // namespace maxis::discord
