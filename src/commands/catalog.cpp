#include "commands/catalog.hpp"

#include <toml++/toml.h>

#include "core/errors.hpp"

namespace maxis::commands::embedded {
const std::vector<std::pair<std::string_view, std::string_view>>& Files();
}

namespace maxis::commands {

namespace {

void Flatten(const toml::table& table, const std::string& prefix, std::map<std::string, std::string, std::less<>>& out,
             const std::string& locale) {
    for (const auto& [key, node] : table) {
        std::string full = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
        if (const auto* sub = node.as_table()) {
            Flatten(*sub, full, out, locale);
        } else if (const auto* text = node.as_string()) {
            out[full] = text->get();
        } else {
            throw core::Error(core::ErrorCode::kInvalidArgument,
                              "message catalog '" + locale + "': key '" + full + "' must be a string");
        }
    }
}

}  // namespace

std::string Substitute(std::string_view text, const Params& params) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '{') {
            out += '{';
            ++i;
            continue;
        }
        if (text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
            out += '}';
            ++i;
            continue;
        }
        if (text[i] == '{') {
            auto close = text.find('}', i);
            if (close != std::string_view::npos) {
                auto it = params.find(std::string(text.substr(i + 1, close - i - 1)));
                if (it != params.end()) {
                    out += it->second;
                    i = close;
                    continue;
                }
            }
        }
        out += text[i];
    }
    return out;
}

Catalog::Catalog(const std::map<std::string, std::string>& toml_by_locale, std::string default_locale)
    : default_locale_(std::move(default_locale)) {
    for (const auto& [locale, source] : toml_by_locale) {
        try {
            auto table = toml::parse(source, "locales/" + locale + ".toml");
            Flatten(table, "", texts_[locale], locale);
        } catch (const toml::parse_error& e) {
            throw core::Error(core::ErrorCode::kInvalidArgument,
                              "message catalog '" + locale + "': " + std::string(e.description()));
        }
    }
    if (!texts_.contains(default_locale_)) {
        throw core::Error(core::ErrorCode::kInvalidArgument,
                          "no message catalog for default locale '" + default_locale_ + "'");
    }
}

const Catalog& Catalog::Builtin() {
    static const Catalog catalog = [] {
        std::map<std::string, std::string> sources;
        for (const auto& [path, content] : embedded::Files()) {
            std::string name(path.substr(path.rfind('/') + 1));
            sources[name.substr(0, name.find('.'))] = std::string(content);
        }
        return Catalog(sources, "fr");
    }();
    return catalog;
}

std::string Catalog::Resolve(std::string_view locale) const {
    return texts_.contains(locale) ? std::string(locale) : default_locale_;
}

bool Catalog::Has(std::string_view locale, std::string_view key) const {
    auto it = texts_.find(locale);
    return it != texts_.end() && it->second.find(key) != it->second.end();
}

std::string Catalog::Text(std::string_view locale, std::string_view key, const Params& params) const {
    for (std::string_view l : {locale, std::string_view(default_locale_)}) {
        auto it = texts_.find(l);
        if (it == texts_.end()) continue;
        auto t = it->second.find(key);
        if (t != it->second.end()) return Substitute(t->second, params);
    }
    return std::string(key);
}

std::vector<std::string> Catalog::Locales() const {
    std::vector<std::string> out;
    for (const auto& [l, _] : texts_) out.push_back(l);
    return out;
}

std::vector<std::string> Catalog::Keys(std::string_view locale) const {
    std::vector<std::string> out;
    auto it = texts_.find(locale);
    if (it == texts_.end()) return out;
    for (const auto& [k, _] : it->second) out.push_back(k);
    return out;
}

}  // namespace maxis::commands
