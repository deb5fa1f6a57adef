#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "commands/reply.hpp"
#include "core/ids.hpp"
#include "core/viewer.hpp"

namespace maxis::commands {

class Catalog;

/// The argument kinds a command can declare.
enum class ArgType {
    kWord,      // one token (quotes allowed)
    kString,    // one token, usually "quoted text"
    kRest,      // the rest of the line, as typed
    kInteger,   // -12, 42 (bounded by min/max)
    kEnum,      // one of the choices, matched on value or alias, case- and accent-insensitive
    kDuration,  // 48h, 3d, 1h30m
    kPercent,   // 20% or 20, 1..100
    kMoney,     // 9.99, 9,99, 9,99€ -> minor units
    kUser,      // <@123>, <@!123>, a bare id, or a name (@sam, sam, moi/me) the engine resolves before the
                // handler runs, so handlers always receive a core::UserId
    kChannel,   // <#123> or a bare id
    kImage,     // an image's https URL: a slash command's attachment option, or an image attached to a chat
                // line (never a word of the line, so it may follow a kRest argument)
};

struct EnumChoice {
    std::string value;                 // canonical, English (what the handler receives)
    std::vector<std::string> aliases;  // the French name first (shown in French), then other accepted spellings
};

/// The name a choice is shown by in a locale: its French name in French, its value otherwise.
inline const std::string& ChoiceName(const EnumChoice& choice, std::string_view locale) {
    return locale == "fr" && !choice.aliases.empty() ? choice.aliases.front() : choice.value;
}

struct ArgSpec {
    std::string name;  // identifier; its label is "cmd.<command>.arg.<name>" in the catalogs
    ArgType type = ArgType::kWord;
    bool required = true;
    std::vector<EnumChoice> choices;  // kEnum
    std::int64_t min = INT64_MIN;     // kInteger
    std::int64_t max = INT64_MAX;     // kInteger
    bool staff_only = false;          // kUser: a name designates a staff member (staff first, a member refused)
};

using ArgValue = std::variant<std::string, std::int64_t, std::chrono::seconds, core::UserId, core::ChannelId>;

/// Parsed arguments by name. Money and integers and percents are std::int64_t (money in minor units),
/// enums and text are std::string (enum: the canonical value).
class Args {
public:
    void Set(const std::string& name, ArgValue value) { values_[name] = std::move(value); }
    [[nodiscard]] bool Has(const std::string& name) const { return values_.contains(name); }
    template <class T>
    [[nodiscard]] bool Holds(const std::string& name) const {
        auto it = values_.find(name);
        return it != values_.end() && std::holds_alternative<T>(it->second);
    }
    template <class T>
    [[nodiscard]] const T& Get(const std::string& name) const {
        return std::get<T>(values_.at(name));
    }
    template <class T>
    [[nodiscard]] std::optional<T> Optional(const std::string& name) const {
        auto it = values_.find(name);
        if (it == values_.end()) return std::nullopt;
        return std::get<T>(it->second);
    }

private:
    std::map<std::string, ArgValue> values_;
};

/// Everything a handler needs about the call.
struct Invocation {
    core::Viewer viewer;
    std::string locale;  // resolved: always a catalog the engine knows
    const Catalog& catalog;
    Args args;
    /// Shortcut for catalog.Text(locale, key, params).
    [[nodiscard]] std::string T(std::string_view key, const std::map<std::string, std::string>& params = {}) const;
};

using Handler = std::function<Reply(const Invocation&)>;

/// A command declared once: the prefix form, the slash form and the help all derive from this.
struct CommandSpec {
    std::string name;  // lowercase, [a-z0-9_-], at most 32 characters (Discord's rule)
    std::vector<ArgSpec> args;
    core::Role permission = core::Role::kMember;
    Handler handler;
    /// Whether the reply should be visible only to the caller where the transport can do that.
    bool ephemeral = false;
    /// Where the transport has forms (a Discord modal): the arguments a slash command asks for in a form before it
    /// runs, given the options already chosen (by name, as typed); empty: it runs at once. Those already given are
    /// not asked again; at most five. Submitting the form runs the command with the options and the form's values.
    std::function<std::vector<std::string>(const std::map<std::string, std::string>& options)> form_args;
};

}  // namespace maxis::commands
