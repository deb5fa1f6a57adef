#include "domain/members/member.hpp"

#include "core/strings.hpp"

namespace maxis::members {

namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool AllDigits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

}  // namespace

std::string NameKey(std::string_view name) { return core::FoldForMatch(Trim(name)); }

std::optional<core::UserId> MentionedId(std::string_view text) {
    auto t = Trim(text);
    if (t.size() > 3 && t.substr(0, 2) == "<@" && t.back() == '>') {
        t = t.substr(2, t.size() - 3);
        if (!t.empty() && t.front() == '!') t.remove_prefix(1);
        if (!AllDigits(t)) return std::nullopt;
    }
    if (!AllDigits(t)) return std::nullopt;
    auto id = core::ParseId(t);
    if (!id) return std::nullopt;
    return core::UserId{*id};
}

std::string NamePart(std::string_view text) {
    auto t = Trim(text);
    if (!t.empty() && t.front() == '@') t.remove_prefix(1);
    return std::string(Trim(t));
}

std::string ShownName(const Person& person) {
    return !person.display_name.empty() ? person.display_name : person.username;
}

bool MatchesExactly(const Person& person, std::string_view key) {
    return !key.empty() && (NameKey(person.username) == key || NameKey(person.display_name) == key);
}

bool MatchesPrefix(const Person& person, std::string_view key) {
    return !key.empty() && (NameKey(person.username).starts_with(key) || NameKey(person.display_name).starts_with(key));
}

Person Merge(const Person& known, const Person& observed) {
    Person out = observed;
    if (out.username.empty()) out.username = known.username;
    if (out.display_name.empty()) out.display_name = known.display_name;
    return out;
}

}  // namespace maxis::members
