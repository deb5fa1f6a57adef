#pragma once
#include <cstdint>
#include <optional>
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

/// The one parser for whole numbers that come from outside (query strings, JSON strings, path segments,
/// command arguments, the command line, Discord payloads): ASCII digits only, with a leading '-' only when
/// min < 0; no '+', no spaces, no overflow. nullopt when text is not a number in [min, max].
std::optional<std::int64_t> ParseInteger(std::string_view text, std::int64_t min, std::int64_t max);
/// An id (Discord snowflake, user, ticket, order, token...): digits only, from 1 to 2^63-1.
std::optional<std::int64_t> ParseId(std::string_view text);

/// Whether stored text may span lines: newline and tab are allowed in multi-line text only.
enum class TextLines { kSingle, kMulti };
/// Why text may not be stored, or nullopt when it may: "not valid UTF-8", or the first control
/// character (C0, DEL, C1; newline and tab allowed in multi-line text) as "U+001B".
std::optional<std::string> StoredTextProblem(std::string_view text, TextLines lines);
/// The domain's rule for every member-supplied text it stores: refuses what StoredTextProblem names with
/// core::Error(kInvalidArgument, "<field>: ...") keyed "text.control.<field>" (placeholder {char}) or
/// "text.utf8.<field>" for the chat's catalogs. Nothing is stripped: the sender sees what to fix.
void RequireStorableText(std::string_view text, std::string_view field, TextLines lines);
/// Text made safe to print on a terminal or in a log line: control characters (but newline and tab),
/// DEL, C1 controls and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
/// U+2066-U+2069) are shown escaped as "\u001B"; bytes that are not UTF-8 as "\xFF".
std::string EscapeForTerminal(std::string_view text);

}  // namespace maxis::core
