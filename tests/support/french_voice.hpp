#pragma once
// One French voice: « vous » everywhere. The one list of « tu » forms that the voice tests apply to every French
// text Maxis shows (the chat's catalog, the panel's texts).
#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "core/strings.hpp"

namespace maxis::testing {

/// The « tu » forms in text, each as its folded word: words of « tu » (pronouns, possessives, the elided « t' »),
/// imperatives of the second person singular with a pronoun after them (« retire-le », but « retirez-le » is
/// fine) and singular imperatives that no other form spells the same way, alone or joined to what follows
/// (« préviens-nous »). Words are compared without case or
/// accents (« Écris » is « ecris ») and end at spaces and punctuation, French ones included.
inline std::vector<std::string> TuForms(const std::string& text) {
    static const std::set<std::string> folded_tu = [] {
        std::set<std::string> out;
        for (const char* w : {"tu",       "ton",   "ta",       "tes",     "te",      "toi",  "préviens", "vois",
                              "reprends", "mets",  "réessaie", "attends", "choisis", "fais", "dis",      "prends",
                              "réponds",  "viens", "reviens",  "écris",   "rejoins", "gère", "suis-la",  "suis-le"}) {
            out.insert(core::FoldForMatch(w));
        }
        return out;
    }();
    static const std::vector<std::string> pronouns_after = {"-le", "-la", "-les", "-en", "-toi", "-moi"};
    // Spaces and punctuation outside ASCII, which end a word like a space: no-break spaces, « », …, dashes and
    // double quotes (the typographic apostrophe belongs to the word).
    static const std::vector<std::string> separators = {"\u00A0", "\u202F", "\u00AB", "\u00BB", "\u2026",
                                                        "\u2013", "\u2014", "\u201C", "\u201D"};
    std::vector<std::string> found;
    std::string word;
    auto check = [&] {
        if (word.empty()) return;
        word = core::FoldForMatch(word);
        bool tu = folded_tu.count(word) > 0 || folded_tu.count(word.substr(0, word.find('-'))) > 0 ||
                  word.rfind("t'", 0) == 0 || word.rfind("t\xE2\x80\x99", 0) == 0;
        for (const auto& p : pronouns_after) {
            auto at = word.size() >= p.size() ? word.size() - p.size() : std::string::npos;
            if (at != std::string::npos && at > 2 && word.compare(at, p.size(), p) == 0 &&
                word.compare(at - 2, 2, "ez") != 0 && word.rfind("au-", 0) != 0) {
                tu = true;
            }
        }
        if (tu) found.push_back(word);
        word.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto separator = std::find_if(separators.begin(), separators.end(),
                                      [&](const std::string& sep) { return text.compare(i, sep.size(), sep) == 0; });
        if (separator != separators.end()) {
            check();
            i += separator->size() - 1;
            continue;
        }
        unsigned char c = static_cast<unsigned char>(text[i]);
        bool letter = std::isalpha(c) || c >= 0x80 || c == '-' || c == '\'';
        if (letter) {
            word += static_cast<char>(c);
        } else {
            check();
        }
    }
    check();
    return found;
}

}  // namespace maxis::testing
