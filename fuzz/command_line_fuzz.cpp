// Any chat line: the engine answers (or ignores it) without crashing, and a parse error never runs a handler.
#include <cstddef>
#include <cstdint>
#include <string>

#include "commands/builtin_commands.hpp"
#include "commands/engine.hpp"

using namespace maxis;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static commands::Engine* engine = [] {
        auto* e = new commands::Engine(commands::Catalog::Builtin(), "!");
        commands::RegisterBuiltinCommands(*e, "fuzz");
        e->Register(
            commands::CommandSpec{.name = "all_types",
                                  .args = {{.name = "s", .type = commands::ArgType::kString},
                                           {.name = "e",
                                            .type = commands::ArgType::kEnum,
                                            .choices = {{"general", {"général"}}, {"bug", {}}}},
                                           {.name = "i", .type = commands::ArgType::kInteger, .min = 1, .max = 1000},
                                           {.name = "d", .type = commands::ArgType::kDuration},
                                           {.name = "p", .type = commands::ArgType::kPercent},
                                           {.name = "m", .type = commands::ArgType::kMoney},
                                           {.name = "u", .type = commands::ArgType::kUser},
                                           {.name = "c", .type = commands::ArgType::kChannel},
                                           {.name = "w", .type = commands::ArgType::kWord, .required = false},
                                           {.name = "r", .type = commands::ArgType::kRest, .required = false}},
                                  .handler = [](const commands::Invocation& inv) {
                                      // Reached only with every required argument parsed and typed.
                                      if (inv.args.Get<std::int64_t>("i") < 1 || inv.args.Get<std::int64_t>("p") > 100)
                                          __builtin_trap();
                                      return commands::Reply{.text = "ok"};
                                  }});
        return e;
    }();
    std::string line(reinterpret_cast<const char*>(data), size);
    core::Viewer viewer{core::UserId{1}, core::Role::kMember};
    auto reply = engine->HandleLine(viewer, "fr", line);
    if (reply && reply->text.empty() && reply->embeds.empty()) __builtin_trap();
    auto with_name = engine->HandleLine(viewer, "en", "!all_types " + line);
    if (!with_name) __builtin_trap();
    return 0;
}
