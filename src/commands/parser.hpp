#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "commands/command.hpp"

namespace maxis::commands {

enum class ParseErrorKind { kMissing, kInvalid, kTooMany, kUnterminatedQuote };

struct ParseError {
    ParseErrorKind kind;
    std::string arg;    // the argument concerned (empty for kTooMany)
    std::string token;  // what was typed (for kInvalid and kTooMany)
    /// For kInvalid: the text argument just before, when it was typed without quotes (its name and its
    /// word), since a text with spaces then spills into the next argument.
    std::string unquoted_arg;
    std::string unquoted_token;
};

/// A line split into the command name and the raw text after it. nullopt when the line does not start
/// with the prefix or has no name after it.
struct CommandLine {
    std::string name;  // lower-cased
    std::string rest;  // raw, untrimmed text after the name
};
std::optional<CommandLine> SplitCommandLine(std::string_view line, std::string_view prefix);

/// Parses one value for a declared argument (shared by the prefix parser and slash-command options).
std::optional<ArgValue> ParseArgValue(const ArgSpec& spec, std::string_view token);

/// Parses the text after the command name against the declared arguments: quotes ("..." “...” «...»
/// „...“) with \" and \\ escapes group words; kRest takes the remainder as typed.
/// Arguments from a line's text; kImage arguments take the line's attached images (URLs), in order.
std::variant<Args, ParseError> ParseArguments(const std::vector<ArgSpec>& specs, std::string_view text,
                                              const std::vector<std::string>& images = {});

}  // namespace maxis::commands
