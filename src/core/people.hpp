#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"

namespace maxis::core {

/// People's names for text read outside Discord (the console, transcripts, exports), where a mention would
/// show a raw id. A person the lookup does not know is absent from its answer. It opens its own read, so it
/// is never called inside another transaction.
using NameLookup = std::function<std::map<UserId, std::string>(const std::vector<UserId>& ids)>;

/// One piece of text that names people: words, or one person (text then empty) that each surface shows its
/// own way (a mention on Discord, a name in the console, a name linked to their card in the panel).
struct TextPiece {
    std::string text;
    std::optional<UserId> person;
};

/// The one person a name designates ("@sam", "sam": case and accents aside), among staff first when staff_only
/// (a member is then refused). Throws core::Error with a catalog key when nobody or several people match.
using PersonResolver = std::function<UserId(const std::string& name, bool staff_only)>;

}  // namespace maxis::core
