#pragma once
#include <boost/json/array.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/catalog.hpp"
#include "commands/command.hpp"
#include "commands/parser.hpp"
#include "core/people.hpp"

namespace maxis::commands {

/// Holds the declared commands and runs them: from a chat line (prefix form) or from named options
/// (slash form). Parse errors, permission refusals and domain errors become replies in the caller's
/// language; nothing is changed when parsing fails because the handler never runs. Register everything
/// before serving; dispatch is then thread-safe.
class Engine {
public:
    Engine(const Catalog& catalog, std::string prefix);

    /// Throws core::Error(kInternal) for a name Discord would refuse, a duplicate, or a required argument
    /// declared after an optional one.
    void Register(CommandSpec spec);

    [[nodiscard]] const CommandSpec* Find(std::string_view name) const;
    /// Commands the role may run, in name order.
    [[nodiscard]] std::vector<const CommandSpec*> VisibleTo(core::Role role) const;
    /// Members for whom blocked() is true get a refusal instead of any command (staff never do). Set before
    /// serving; blocked() must be thread-safe.
    void SetBlockedCheck(std::function<bool(core::UserId)> blocked) { blocked_ = std::move(blocked); }
    /// How a person typed by name (`sam`, `@sam`) in a member argument is found. Without it, only mentions,
    /// ids and « moi »/« me » are understood.
    void SetPeople(core::PersonResolver people) { people_ = std::move(people); }
    /// The one rule for blocked members, for every door: commands here, the assistant's conversations on
    /// Discord, the REST API (the app asks it). Staff are never blocked. A caller that already read the
    /// member's blocked flag (with their API token) passes it as known, and no other read is made.
    [[nodiscard]] bool Blocks(const core::Viewer& viewer, std::optional<bool> known = std::nullopt) const;
    /// The reply a blocked member gets instead of anything they asked, or nullopt when they may go on.
    [[nodiscard]] std::optional<Reply> RefuseIfBlocked(const core::Viewer& viewer, const std::string& locale) const;
    [[nodiscard]] const std::string& prefix() const { return prefix_; }
    [[nodiscard]] const Catalog& catalog() const { return catalog_; }

    /// Runs a chat line, with the URLs of the images attached to it (for image arguments). nullopt when the
    /// line is not addressed to Maxis (no prefix).
    [[nodiscard]] std::optional<Reply> HandleLine(const core::Viewer& viewer, std::string_view locale,
                                                  std::string_view line,
                                                  const std::vector<std::string>& images = {}) const;
    /// Runs a command whose arguments arrive as named strings (slash-command options).
    [[nodiscard]] Reply HandleOptions(const core::Viewer& viewer, std::string_view locale, std::string_view name,
                                      const std::map<std::string, std::string>& options) const;

    /// "!ticket_create "<sujet>" <catégorie> ..." in the locale.
    [[nodiscard]] std::string Usage(const CommandSpec& spec, std::string_view locale) const;
    [[nodiscard]] std::string ArgLabel(const CommandSpec& spec, const ArgSpec& arg, std::string_view locale) const;

    /// Discord application-command definitions (bulk-overwrite body) derived from the declarations:
    /// descriptions in English with French localizations, typed options, enum choices.
    [[nodiscard]] boost::json::array SlashDefinitions() const;

private:
    Reply Run(const CommandSpec& spec, const core::Viewer& viewer, const std::string& locale, Args args) const;
    Reply ParseFailure(const CommandSpec& spec, const std::string& locale, const ParseError& error) const;
    Reply Refusal(std::string text) const;

    const Catalog& catalog_;
    std::string prefix_;
    std::map<std::string, CommandSpec, std::less<>> commands_;
    std::function<bool(core::UserId)> blocked_;
    core::PersonResolver people_;
};

}  // namespace maxis::commands
