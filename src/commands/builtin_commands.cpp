#include "commands/builtin_commands.hpp"

namespace maxis::commands {

namespace {
constexpr std::uint32_t kBrandColor = 0x5865F2;
}

void RegisterBuiltinCommands(Engine& engine, std::string version) {
    engine.Register(CommandSpec{
        .name = "help",
        .args = {ArgSpec{.name = "command", .type = ArgType::kWord, .required = false}},
        .permission = core::Role::kMember,
        .handler =
            [&engine](const Invocation& inv) {
                Reply reply;
                Embed embed;
                embed.color = kBrandColor;
                auto wanted = inv.args.Optional<std::string>("command");
                if (!wanted) {
                    embed.title = inv.T("help.title");
                    embed.description = inv.T("help.intro", {{"prefix", engine.prefix()}});
                    for (const auto* spec : engine.VisibleTo(inv.viewer.role)) {
                        embed.fields.push_back(
                            {engine.Usage(*spec, inv.locale), inv.T("cmd." + spec->name + ".summary")});
                    }
                    embed.footer = inv.T("help.more", {{"prefix", engine.prefix()}});
                    reply.embeds.push_back(std::move(embed));
                    return reply;
                }
                std::string name = *wanted;
                if (name.starts_with(engine.prefix())) name = name.substr(engine.prefix().size());
                const CommandSpec* spec = engine.Find(name);
                if (spec == nullptr || !inv.viewer.AtLeast(spec->permission)) {
                    reply.is_error = true;
                    reply.text = inv.T("help.unknown_command", {{"command", name}, {"prefix", engine.prefix()}});
                    return reply;
                }
                embed.title = engine.prefix() + spec->name;
                embed.description = inv.T("cmd." + spec->name + ".summary");
                embed.fields.push_back({inv.T("help.usage"), engine.Usage(*spec, inv.locale)});
                for (const auto& arg : spec->args) {
                    std::string label = engine.ArgLabel(*spec, arg, inv.locale);
                    std::string text = inv.T("cmd." + spec->name + ".help." + arg.name);
                    if (!arg.required) text += " " + inv.T("help.optional");
                    embed.fields.push_back({label, text});
                }
                if (spec->permission != core::Role::kMember) {
                    embed.footer = inv.T("help.reserved",
                                         {{"role", inv.T("roles." + std::string(core::ToString(spec->permission)))}});
                }
                reply.embeds.push_back(std::move(embed));
                return reply;
            },
    });
    engine.Register(CommandSpec{
        .name = "ping",
        .args = {},
        .permission = core::Role::kMember,
        .handler =
            [version](const Invocation& inv) {
                Reply reply;
                reply.text = inv.T("ping.reply", {{"version", version}});
                return reply;
            },
    });
}

}  // namespace maxis::commands
