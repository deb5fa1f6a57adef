#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace maxis::commands {

using Params = std::map<std::string, std::string>;

/// Message catalogs, one per locale, with {name} placeholders. Built from TOML tables whose nested keys
/// flatten with dots ([help] title = ... gives "help.title"). Lookups fall back to the default locale,
/// then to the key itself, so a missing translation shows something rather than nothing. Thread-safe
/// after construction.
class Catalog {
public:
    /// Parses one TOML document per locale; throws core::Error(kInvalidArgument) naming the locale and the
    /// parse error.
    Catalog(const std::map<std::string, std::string>& toml_by_locale, std::string default_locale);
    /// The catalogs compiled into the binary (src/commands/locales/*.toml); default locale "fr".
    static const Catalog& Builtin();

    [[nodiscard]] std::string Text(std::string_view locale, std::string_view key, const Params& params = {}) const;
    [[nodiscard]] bool Has(std::string_view locale, std::string_view key) const;
    [[nodiscard]] std::vector<std::string> Locales() const;
    [[nodiscard]] std::vector<std::string> Keys(std::string_view locale) const;
    [[nodiscard]] const std::string& default_locale() const { return default_locale_; }
    /// The locale to use for a requested one: itself when known, else the default.
    [[nodiscard]] std::string Resolve(std::string_view locale) const;

private:
    std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> texts_;
    std::string default_locale_;
};

/// Replaces each {name} with params[name]; unknown placeholders stay as written. "{{" gives "{".
std::string Substitute(std::string_view text, const Params& params);

}  // namespace maxis::commands
