#include "core/strings.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>

#include "core/errors.hpp"

namespace maxis::core {

std::string_view Trim(std::string_view s) {
    const auto is_space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::vector<std::string> Split(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            out.emplace_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

std::string AsciiLower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string AsciiUpper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

namespace {

// Decodes one code point; returns the byte count, or 0 when the sequence is malformed.
std::size_t DecodeUtf8(std::string_view s, std::size_t i, char32_t& cp) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b0 = byte(i);
    std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return 0;
    if (len == 1) {
        cp = b0;
        return 1;
    }
    cp = b0 & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

void AppendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

char32_t FoldCodePoint(char32_t cp) {
    if (cp >= 'A' && cp <= 'Z') return cp - 'A' + 'a';
    if (cp < 0xC0 || cp > 0x17F) return cp;
    // Latin-1 Supplement and Latin Extended-A letters used by French and its neighbours.
    static constexpr std::u32string_view kFrom = U"ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿŒœ";
    static constexpr std::u32string_view kTo = U"aaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooouuuuuuuuyyyœœ";
    auto pos = kFrom.find(cp);
    return pos == std::u32string_view::npos ? cp : kTo[pos];
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp;
        std::size_t n = DecodeUtf8(s, i, cp);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::size_t Utf8Length(std::string_view s) {
    std::size_t count = 0;
    for (unsigned char c : s) count += (c & 0xC0) != 0x80;
    return count;
}

std::string FoldForMatch(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp;
        std::size_t n = DecodeUtf8(s, i, cp);
        if (n == 0) {
            out += s[i++];
            continue;
        }
        AppendUtf8(out, FoldCodePoint(cp));
        i += n;
    }
    return out;
}

std::optional<std::int64_t> ParseInteger(std::string_view text, std::int64_t min, std::int64_t max) {
    std::string_view digits = text;
    if (min < 0 && StartsWith(digits, "-")) digits.remove_prefix(1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) return std::nullopt;
    return value;
}

std::optional<std::int64_t> ParseId(std::string_view text) { return ParseInteger(text, 1, INT64_MAX); }

namespace {

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }
bool IsBidiControl(char32_t cp) { return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069); }

std::string Escaped(const char* format, unsigned value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, format, value);
    return buf;
}

}  // namespace

std::optional<std::string> StoredTextProblem(std::string_view text, TextLines lines) {
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp;
        std::size_t n = DecodeUtf8(text, i, cp);
        if (n == 0) return "not valid UTF-8";
        // A line break may come as "\r\n" (pasted text, HTTP clients); a lone carriage return may not.
        bool line_break = cp == '\n' || cp == '\t' || (cp == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
        if (IsControl(cp) && !(lines == TextLines::kMulti && line_break))
            return Escaped("U+%04X", static_cast<unsigned>(cp));
        i += n;
    }
    return std::nullopt;
}

void RequireStorableText(std::string_view text, std::string_view field, TextLines lines) {
    auto problem = StoredTextProblem(text, lines);
    if (!problem) return;
    std::string name(field);
    if (*problem == "not valid UTF-8")
        throw Error(ErrorCode::kInvalidArgument, name + ": not valid UTF-8", "text.utf8." + name);
    throw Error(ErrorCode::kInvalidArgument,
                name + ": contains a control character (" + *problem + "), which cannot be stored",
                "text.control." + name, {{"char", *problem}});
}

std::string EscapeForTerminal(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp;
        std::size_t n = DecodeUtf8(text, i, cp);
        if (n == 0) {
            out += Escaped("\\x%02X", static_cast<unsigned char>(text[i++]));
            continue;
        }
        if ((IsControl(cp) && cp != '\n' && cp != '\t') || IsBidiControl(cp)) {
            out += Escaped("\\u%04X", static_cast<unsigned>(cp));
        } else {
            out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

}  // namespace maxis::core
