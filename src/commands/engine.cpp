#include "commands/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::commands {

using core::Error;
using core::ErrorCode;

namespace {

bool ValidDiscordName(std::string_view name) {
    if (name.empty() || name.size() > 32) return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    }
    return true;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string TypeHintKey(ArgType type) {
    switch (type) {
        case ArgType::kInteger:
            return "types.integer";
        case ArgType::kDuration:
            return "types.duration";
        case ArgType::kPercent:
            return "types.percent";
        case ArgType::kMoney:
            return "types.money";
        case ArgType::kUser:
            return "types.user";

        case ArgType::kChannel:
            return "types.channel";
        case ArgType::kImage:
            return "types.image";
        case ArgType::kEnum:
            return "types.enum";
        default:
            return "types.text";
    }
}

std::string Truncate(std::string s, std::size_t max_code_points) {
    if (core::Utf8Length(s) <= max_code_points) return s;
    std::size_t count = 0, i = 0;
    for (; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++count == max_code_points) break;
    }
    return s.substr(0, i) + "…";
}

int DiscordOptionType(ArgType type) {
    switch (type) {
        case ArgType::kInteger:
        case ArgType::kPercent:
            return 4;  // INTEGER
        case ArgType::kUser:
            return 6;  // USER
        case ArgType::kChannel:
            return 7;  // CHANNEL
        case ArgType::kImage:
            return 11;  // ATTACHMENT
        default:
            return 3;  // STRING
    }
}

}  // namespace

std::string Invocation::T(std::string_view key, const std::map<std::string, std::string>& params) const {
    return catalog.Text(locale, key, params);
}

Engine::Engine(const Catalog& catalog, std::string prefix) : catalog_(catalog), prefix_(std::move(prefix)) {}

void Engine::Register(CommandSpec spec) {
    if (!ValidDiscordName(spec.name)) throw Error(ErrorCode::kInternal, "invalid command name '" + spec.name + "'");
    if (commands_.contains(spec.name)) throw Error(ErrorCode::kInternal, "command '" + spec.name + "' declared twice");
    bool optional_seen = false;
    for (std::size_t i = 0; i < spec.args.size(); ++i) {
        const auto& a = spec.args[i];
        if (!ValidDiscordName(a.name)) throw Error(ErrorCode::kInternal, "invalid argument name '" + a.name + "'");
        if (a.required && optional_seen) {
            throw Error(ErrorCode::kInternal, spec.name + ": required argument '" + a.name + "' after an optional one");
        }
        // Images come from attachments, never from the line's words: they may follow the rest of the line.
        if (a.type == ArgType::kRest &&
            std::any_of(spec.args.begin() + static_cast<std::ptrdiff_t>(i) + 1, spec.args.end(),
                        [](const ArgSpec& b) { return b.type != ArgType::kImage; })) {
            throw Error(ErrorCode::kInternal, spec.name + ": rest-of-line argument '" + a.name + "' must be last");
        }
        if (a.type == ArgType::kEnum && (a.choices.empty() || a.choices.size() > 25)) {
            throw Error(ErrorCode::kInternal, spec.name + ": enum '" + a.name + "' needs 1 to 25 choices");
        }
        optional_seen |= !a.required;
    }
    if (!spec.handler) throw Error(ErrorCode::kInternal, spec.name + ": no handler");
    std::string name = spec.name;
    commands_.emplace(std::move(name), std::move(spec));
}

const CommandSpec* Engine::Find(std::string_view name) const {
    auto it = commands_.find(name);
    return it == commands_.end() ? nullptr : &it->second;
}

std::vector<const CommandSpec*> Engine::VisibleTo(core::Role role) const {
    std::vector<const CommandSpec*> out;
    core::Viewer probe{core::UserId{0}, role};
    for (const auto& [_, spec] : commands_) {
        if (probe.AtLeast(spec.permission)) out.push_back(&spec);
    }
    return out;
}

std::string Engine::ArgLabel(const CommandSpec& spec, const ArgSpec& arg, std::string_view locale) const {
    std::string key = "cmd." + spec.name + ".args." + arg.name;
    return catalog_.Has(catalog_.Resolve(locale), key) || catalog_.Has(catalog_.default_locale(), key)
               ? catalog_.Text(locale, key)
               : arg.name;
}

std::string Engine::Usage(const CommandSpec& spec, std::string_view locale) const {
    std::string out = prefix_ + spec.name;
    for (const auto& arg : spec.args) {
        std::string label = ArgLabel(spec, arg, locale);
        if (arg.type == ArgType::kString)
            label = "\"<" + label + ">\"";
        else if (arg.type == ArgType::kEnum) {
            std::string choices;
            for (const auto& c : arg.choices) choices += (choices.empty() ? "" : "|") + ChoiceName(c, locale);
            label = "<" + label + ": " + choices + ">";
        } else
            label = "<" + label + ">";
        out += " " + (arg.required ? label : "[" + label + "]");
    }
    return out;
}

Reply Engine::Refusal(std::string text) const {
    Reply r;
    r.text = std::move(text);
    r.ephemeral = true;
    r.is_error = true;
    return r;
}

Reply Engine::ParseFailure(const CommandSpec& spec, const std::string& locale, const ParseError& error) const {
    std::string label;
    const ArgSpec* arg = nullptr;
    for (const auto& a : spec.args) {
        if (a.name == error.arg) arg = &a;
    }
    if (arg != nullptr) label = ArgLabel(spec, *arg, locale);
    std::string message;
    switch (error.kind) {
        case ParseErrorKind::kMissing:
            message = catalog_.Text(locale, "errors.missing", {{"arg", label}});
            break;
        case ParseErrorKind::kUnterminatedQuote:
            message = catalog_.Text(locale, "errors.unterminated_quote", {{"arg", label}});
            break;
        case ParseErrorKind::kTooMany:
            message = catalog_.Text(locale, "errors.too_many", {{"value", error.token}});
            break;
        case ParseErrorKind::kInvalid: {
            std::string hint;
            if (arg != nullptr && arg->type == ArgType::kEnum) {
                std::string choices;
                for (const auto& c : arg->choices) choices += (choices.empty() ? "" : ", ") + ChoiceName(c, locale);
                hint = catalog_.Text(locale, "types.enum", {{"choices", choices}});
            } else if (arg != nullptr && arg->type == ArgType::kInteger &&
                       (arg->min != INT64_MIN || arg->max != INT64_MAX)) {
                hint = catalog_.Text(locale, "types.integer_range",
                                     {{"min", std::to_string(arg->min)}, {"max", std::to_string(arg->max)}});
            } else if (arg != nullptr) {
                hint = catalog_.Text(locale, TypeHintKey(arg->type));
            }
            message = catalog_.Text(locale, "errors.invalid", {{"arg", label}, {"value", error.token}, {"hint", hint}});
            // "Sans guillemets général…": the subject's second word was read as the category.
            for (const auto& a : spec.args) {
                if (!error.unquoted_arg.empty() && a.name == error.unquoted_arg) {
                    message = catalog_.Text(locale, "errors.needs_quotes",
                                            {{"arg", ArgLabel(spec, a, locale)},
                                             {"example", error.unquoted_token + " " + error.token},
                                             {"value", error.token},
                                             {"next", label}});
                }
            }
            break;
        }
    }
    return Refusal(message + "\n" + catalog_.Text(locale, "errors.usage", {{"usage", Usage(spec, locale)}}));
}

bool Engine::Blocks(const core::Viewer& viewer, std::optional<bool> known) const {
    if (!blocked_ || viewer.IsStaff()) return false;
    return known ? *known : blocked_(viewer.user_id);
}

std::optional<Reply> Engine::RefuseIfBlocked(const core::Viewer& viewer, const std::string& locale) const {
    if (!Blocks(viewer)) return std::nullopt;
    return Refusal(catalog_.Text(locale, "errors.blocked"));
}

Reply Engine::Run(const CommandSpec& spec, const core::Viewer& viewer, const std::string& locale, Args args) const {
    try {
        if (auto refusal = RefuseIfBlocked(viewer, locale)) return *refusal;
        // People typed by name become ids here, by one rule for every command (errors name who was not found).
        for (const auto& arg : spec.args) {
            if (arg.type != ArgType::kUser || !args.Holds<std::string>(arg.name)) continue;
            const auto name = args.Get<std::string>(arg.name);
            auto folded = core::FoldForMatch(name);
            if (folded == "moi" || folded == "me") {
                args.Set(arg.name, viewer.user_id);
            } else if (people_) {
                args.Set(arg.name, people_(name, arg.staff_only));
            } else {
                return ParseFailure(spec, locale, ParseError{ParseErrorKind::kInvalid, arg.name, name});
            }
        }
        Invocation inv{viewer, locale, catalog_, std::move(args)};
        Reply reply = spec.handler(inv);
        reply.ephemeral = reply.ephemeral || spec.ephemeral;
        return reply;
    } catch (const Error& e) {
        if (e.code() == ErrorCode::kInternal) {
            auto ref = core::NewErrorReference();
            spdlog::error("command {} failed (ref {}): {}", spec.name, ref, e.what());
            return Refusal(catalog_.Text(locale, "errors.internal", {{"ref", ref}}));
        }
        if (!e.key().empty()) return Refusal(catalog_.Text(locale, e.key(), e.params()));
        return Refusal(catalog_.Text(locale, "errors." + std::string(core::ToString(e.code()))));
    } catch (const std::exception& e) {
        auto ref = core::NewErrorReference();
        spdlog::error("command {} failed (ref {}): {}", spec.name, ref, e.what());
        return Refusal(catalog_.Text(locale, "errors.internal", {{"ref", ref}}));
    }
}

std::optional<Reply> Engine::HandleLine(const core::Viewer& viewer, std::string_view requested_locale,
                                        std::string_view line, const std::vector<std::string>& images) const {
    auto parsed = SplitCommandLine(line, prefix_);
    if (!parsed) return std::nullopt;
    std::string locale = catalog_.Resolve(requested_locale);
    const CommandSpec* spec = Find(parsed->name);
    if (spec == nullptr) {
        std::string text =
            catalog_.Text(locale, "errors.unknown_command", {{"command", prefix_ + parsed->name}, {"prefix", prefix_}});
        const CommandSpec* best = nullptr;
        std::size_t best_distance = 3;
        for (const auto* candidate : VisibleTo(viewer.role)) {
            auto d = EditDistance(parsed->name, candidate->name);
            if (d < best_distance) {
                best_distance = d;
                best = candidate;
            }
        }
        if (best != nullptr)
            text += "\n" + catalog_.Text(locale, "errors.did_you_mean", {{"command", prefix_ + best->name}});
        return Refusal(text);
    }
    if (!viewer.AtLeast(spec->permission)) {
        return Refusal(
            catalog_.Text(locale, "errors.reserved",
                          {{"role", catalog_.Text(locale, "roles." + std::string(core::ToString(spec->permission)))}}));
    }
    auto result = ParseArguments(spec->args, parsed->rest, images);
    if (auto* error = std::get_if<ParseError>(&result)) return ParseFailure(*spec, locale, *error);
    return Run(*spec, viewer, locale, std::move(std::get<Args>(result)));
}

Reply Engine::HandleOptions(const core::Viewer& viewer, std::string_view requested_locale, std::string_view name,
                            const std::map<std::string, std::string>& options) const {
    std::string locale = catalog_.Resolve(requested_locale);
    const CommandSpec* spec = Find(name);
    if (spec == nullptr) {
        return Refusal(catalog_.Text(locale, "errors.unknown_command",
                                     {{"command", "/" + std::string(name)}, {"prefix", prefix_}}));
    }
    if (!viewer.AtLeast(spec->permission)) {
        return Refusal(
            catalog_.Text(locale, "errors.reserved",
                          {{"role", catalog_.Text(locale, "roles." + std::string(core::ToString(spec->permission)))}}));
    }
    Args args;
    for (const auto& arg : spec->args) {
        auto it = options.find(arg.name);
        if (it == options.end() || core::Trim(it->second).empty()) {
            if (arg.required) return ParseFailure(*spec, locale, ParseError{ParseErrorKind::kMissing, arg.name, ""});
            continue;
        }
        auto value = ParseArgValue(arg, core::Trim(it->second));
        if (!value) return ParseFailure(*spec, locale, ParseError{ParseErrorKind::kInvalid, arg.name, it->second});
        args.Set(arg.name, std::move(*value));
    }
    for (const auto& [key, value] : options) {
        bool known = false;
        for (const auto& arg : spec->args) known |= arg.name == key;
        if (!known) return ParseFailure(*spec, locale, ParseError{ParseErrorKind::kTooMany, "", value});
    }
    return Run(*spec, viewer, locale, std::move(args));
}

boost::json::array Engine::SlashDefinitions() const {
    boost::json::array out;
    const std::string en = "en", fr = "fr";
    for (const auto& [name, spec] : commands_) {
        boost::json::object cmd;
        cmd["name"] = name;
        cmd["type"] = 1;
        cmd["description"] = Truncate(catalog_.Text(en, "cmd." + name + ".summary"), 100);
        cmd["description_localizations"] = {{"fr", Truncate(catalog_.Text(fr, "cmd." + name + ".summary"), 100)}};
        if (spec.permission >= core::Role::kStaff) {
            cmd["default_member_permissions"] =
                0;  // hidden until the server grants it (Integrations); Maxis checks roles anyway
            cmd["dm_permission"] = false;
        }
        boost::json::array options;
        for (const auto& arg : spec.args) {
            boost::json::object opt;
            opt["type"] = DiscordOptionType(arg.type);
            opt["name"] = arg.name;
            std::string fr_label = core::AsciiLower(ArgLabel(spec, arg, fr));
            if (fr_label != arg.name && fr_label.find(' ') == std::string::npos && core::Utf8Length(fr_label) <= 32) {
                opt["name_localizations"] = {{"fr", fr_label}};
            }
            std::string help_key = "cmd." + name + ".help." + arg.name;
            opt["description"] = Truncate(catalog_.Text(en, help_key), 100);
            opt["description_localizations"] = {{"fr", Truncate(catalog_.Text(fr, help_key), 100)}};
            opt["required"] = arg.required;
            if (arg.type == ArgType::kEnum) {
                boost::json::array choices;
                for (const auto& c : arg.choices) {
                    boost::json::object choice{{"name", c.value}, {"value", c.value}};
                    if (!c.aliases.empty()) choice["name_localizations"] = {{"fr", c.aliases.front()}};
                    choices.push_back(std::move(choice));
                }
                opt["choices"] = std::move(choices);
            }
            if (arg.type == ArgType::kInteger) {
                if (arg.min != INT64_MIN) opt["min_value"] = arg.min;
                if (arg.max != INT64_MAX) opt["max_value"] = arg.max;
            }
            if (arg.type == ArgType::kPercent) {
                opt["min_value"] = 1;
                opt["max_value"] = 100;
            }
            options.push_back(std::move(opt));
        }
        if (!options.empty()) cmd["options"] = std::move(options);
        out.push_back(std::move(cmd));
    }
    return out;
}

}  // namespace maxis::commands
