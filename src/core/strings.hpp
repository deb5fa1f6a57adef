#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace maxis::core {

std::string_view Trim(std::string_view s);
std::vector<std::string> Split(std::string_view s, char sep);
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);

/// True when s is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);
/// Number of code points in well-formed UTF-8.
std::size_t Utf8Length(std::string_view s);

/// Folds for forgiving keyword matching: lower-case, and Latin letters with diacritics reduced to
/// their base letter ("Général" -> "general", "CRITIQUE" -> "critique").
std::string FoldForMatch(std::string_view s);

}  // namespace maxis::core
