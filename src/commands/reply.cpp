#include "commands/reply.hpp"

#include "core/strings.hpp"

namespace maxis::commands {

std::vector<core::TextPiece> SplitMentions(std::string_view text) {
    std::vector<core::TextPiece> out;
    std::size_t at = 0;
    for (std::size_t pos = text.find("<@"); pos != std::string_view::npos; pos = text.find("<@", pos + 2)) {
        std::size_t start = pos + 2 + (text.substr(pos + 2, 1) == "!" ? 1 : 0);
        std::size_t end = text.find('>', start);
        if (end == std::string_view::npos) break;
        auto id = core::ParseId(text.substr(start, end - start));
        if (!id) continue;
        if (pos > at) out.push_back({std::string(text.substr(at, pos - at)), std::nullopt});
        out.push_back({"", core::UserId{*id}});
        at = end + 1;
        pos = end - 1;
    }
    if (at < text.size() || out.empty()) out.push_back({std::string(text.substr(at)), std::nullopt});
    return out;
}

}  // namespace maxis::commands
