#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "core/viewer.hpp"

namespace maxis::members {

/// One person of the community as last seen (on Discord, or in the console): the directory's row.
struct Person {
    core::UserId id;
    std::string username;      // the account's unique name ("sam_42")
    std::string display_name;  // server nickname, else global name, else username
    std::string avatar_url;    // full CDN URL (guild avatar first, else user avatar); empty: none
    core::Role role = core::Role::kMember;
    bool is_bot = false;
    bool in_guild = true;
};

/// The key names are matched on: trimmed, lower-cased, Latin letters without their diacritics ("Émile" ->
/// "emile"). Stored beside each name so that lookups use an index.
std::string NameKey(std::string_view name);

/// The id a reference names outright: a mention `<@id>` or `<@!id>`, or digits alone (digits are an id,
/// never a name). nullopt for anything else (a name, "@name").
std::optional<core::UserId> MentionedId(std::string_view text);

/// The name part of "@name" or "name" (trimmed, the one leading '@' removed).
std::string NamePart(std::string_view text);

/// The name to show: the display name, else the username; empty when neither is known.
std::string ShownName(const Person& person);

/// Whether the person answers to a name key: exactly (matches) or by prefix (starts), on the username or the
/// display name.
bool MatchesExactly(const Person& person, std::string_view key);
bool MatchesPrefix(const Person& person, std::string_view key);

/// The observed person merged over what is known: a known username or display name is never replaced by an
/// empty one; the avatar (removed on Discord: none), role, bot flag and presence are the observation's.
Person Merge(const Person& known, const Person& observed);

}  // namespace maxis::members
