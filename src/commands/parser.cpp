#include "commands/parser.hpp"

#include "core/duration.hpp"
#include "core/money.hpp"
#include "core/strings.hpp"

namespace maxis::commands {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Opening quote -> accepted closing quotes. Typographic quotes come from phones and French keyboards.
struct QuotePair {
    std::string_view open;
    std::vector<std::string_view> close;
};
const std::vector<QuotePair>& Quotes() {
    static const std::vector<QuotePair> kQuotes = {
        {"\"", {"\"", "\u201D"}}, {"\u201C", {"\u201D", "\"", "\u201C"}}, {"\u201D", {"\u201D"}},
        {"\u00AB", {"\u00BB"}},   {"\u201E", {"\u201C", "\u201D"}},
    };
    return kQuotes;
}

std::string_view TrimNbsp(std::string_view s) {
    // French typography puts a (narrow) no-break space inside « ».
    for (std::string_view nbsp : {"\u00A0", "\u202F"}) {
        while (core::StartsWith(s, nbsp)) s.remove_prefix(nbsp.size());
        while (s.size() >= nbsp.size() && s.substr(s.size() - nbsp.size()) == nbsp) s.remove_suffix(nbsp.size());
    }
    return core::Trim(s);
}

struct Token {
    std::string text;
    bool ok = true;  // false: unterminated quote
    bool quoted = false;
};

// Reads the next token at pos (skipping spaces); returns nullopt at end of input.
std::optional<Token> NextToken(std::string_view s, std::size_t& pos) {
    while (pos < s.size() && IsSpace(s[pos])) ++pos;
    if (pos >= s.size()) return std::nullopt;
    for (const auto& q : Quotes()) {
        if (s.substr(pos, q.open.size()) != q.open) continue;
        std::size_t i = pos + q.open.size();
        std::string text;
        while (i < s.size()) {
            if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
                text += s[i + 1];
                i += 2;
                continue;
            }
            for (auto close : q.close) {
                if (s.substr(i, close.size()) == close) {
                    pos = i + close.size();
                    return Token{std::string(TrimNbsp(text)), true, true};
                }
            }
            text += s[i++];
        }
        pos = s.size();
        return Token{text, false, true};
    }
    std::size_t start = pos;
    while (pos < s.size() && !IsSpace(s[pos])) ++pos;
    return Token{std::string(s.substr(start, pos - start))};
}

std::optional<std::int64_t> ParseSnowflake(std::string_view t, std::string_view open) {
    if (core::StartsWith(t, open) && !t.empty() && t.back() == '>') {
        t = t.substr(open.size(), t.size() - open.size() - 1);
        if (open == "<@" && core::StartsWith(t, "!")) t.remove_prefix(1);
    }
    return core::ParseId(t);
}

}  // namespace

std::optional<CommandLine> SplitCommandLine(std::string_view line, std::string_view prefix) {
    line = core::Trim(line);
    if (!core::StartsWith(line, prefix)) return std::nullopt;
    line.remove_prefix(prefix.size());
    std::size_t end = 0;
    while (end < line.size() && !IsSpace(line[end])) ++end;
    if (end == 0) return std::nullopt;
    return CommandLine{core::AsciiLower(line.substr(0, end)), std::string(line.substr(end))};
}

std::optional<ArgValue> ParseArgValue(const ArgSpec& spec, std::string_view token) {
    if (!core::IsValidUtf8(token)) return std::nullopt;
    switch (spec.type) {
        case ArgType::kWord:
        case ArgType::kString:
        case ArgType::kRest:
            if (core::Trim(token).empty()) return std::nullopt;
            return std::string(token);
        case ArgType::kInteger: {
            if (core::StartsWith(token, "#")) token.remove_prefix(1);  // "#12", as ids are shown
            auto v = core::ParseInteger(token, spec.min, spec.max);
            if (!v) return std::nullopt;
            return *v;
        }
        case ArgType::kEnum: {
            std::string folded = core::FoldForMatch(token);
            for (const auto& choice : spec.choices) {
                if (core::FoldForMatch(choice.value) == folded) return choice.value;
                for (const auto& alias : choice.aliases) {
                    if (core::FoldForMatch(alias) == folded) return choice.value;
                }
            }
            return std::nullopt;
        }
        case ArgType::kDuration: {
            auto d = core::ParseDuration(token);
            if (!d) return std::nullopt;
            return *d;
        }
        case ArgType::kPercent: {
            if (!token.empty() && token.back() == '%') token.remove_suffix(1);
            auto v = core::ParseInteger(token, 1, 100);
            if (!v) return std::nullopt;
            return *v;
        }
        case ArgType::kMoney: {
            for (std::string_view suffix : {"\u20AC", "EUR", "eur"}) {
                if (token.size() > suffix.size() && token.substr(token.size() - suffix.size()) == suffix) {
                    token.remove_suffix(suffix.size());
                    break;
                }
            }
            auto v = core::ParseMinorUnits(core::Trim(token));
            if (!v) return std::nullopt;
            return *v;
        }
        case ArgType::kUser: {
            if (auto v = ParseSnowflake(token, "<@")) return core::UserId{*v};
            // A name, for the engine to resolve: anything but a broken mention or a number that is no id.
            if (core::StartsWith(token, "<") || token.empty() || core::ParseInteger(token, INT64_MIN, INT64_MAX)) {
                return std::nullopt;
            }
            return std::string(token);
        }
        case ArgType::kImage: {
            // Discord's CDN and any https image; never a local or plain-http address.
            if (!core::StartsWith(token, "https://") || token.size() > 2048 ||
                token.find_first_of(" \t\r\n") != std::string_view::npos) {
                return std::nullopt;
            }
            return std::string(token);
        }
        case ArgType::kChannel: {
            auto v = ParseSnowflake(token, "<#");
            if (!v) return std::nullopt;
            return core::ChannelId{*v};
        }
    }
    return std::nullopt;
}

std::variant<Args, ParseError> ParseArguments(const std::vector<ArgSpec>& specs, std::string_view text,
                                              const std::vector<std::string>& images) {
    Args args;
    std::size_t pos = 0;
    std::size_t image = 0;
    const ArgSpec* unquoted = nullptr;  // the text argument just read without quotes
    std::string unquoted_token;
    for (const auto& spec : specs) {
        if (spec.type == ArgType::kImage) {
            if (image == images.size()) {
                if (spec.required) return ParseError{ParseErrorKind::kMissing, spec.name, ""};
                continue;
            }
            auto value = ParseArgValue(spec, images[image]);
            if (!value) return ParseError{ParseErrorKind::kInvalid, spec.name, images[image]};
            ++image;
            args.Set(spec.name, std::move(*value));
            continue;
        }
        if (spec.type == ArgType::kRest) {
            auto rest = core::Trim(text.substr(std::min(pos, text.size())));
            pos = text.size();
            if (rest.empty()) {
                if (spec.required) return ParseError{ParseErrorKind::kMissing, spec.name, ""};
                continue;
            }
            auto value = ParseArgValue(spec, rest);
            if (!value) return ParseError{ParseErrorKind::kInvalid, spec.name, std::string(rest)};
            args.Set(spec.name, std::move(*value));
            continue;
        }
        auto token = NextToken(text, pos);
        if (!token) {
            if (spec.required) return ParseError{ParseErrorKind::kMissing, spec.name, ""};
            continue;
        }
        if (!token->ok) return ParseError{ParseErrorKind::kUnterminatedQuote, spec.name, token->text};
        auto value = ParseArgValue(spec, token->text);
        if (!value) {
            ParseError error{ParseErrorKind::kInvalid, spec.name, token->text};
            if (unquoted != nullptr) {
                error.unquoted_arg = unquoted->name;
                error.unquoted_token = unquoted_token;
            }
            return error;
        }
        args.Set(spec.name, std::move(*value));
        unquoted = spec.type == ArgType::kString && !token->quoted ? &spec : nullptr;
        unquoted_token = token->text;
    }
    if (auto extra = NextToken(text, pos)) {
        return ParseError{ParseErrorKind::kTooMany, "", extra->text};
    }
    return args;
}

}  // namespace maxis::commands
