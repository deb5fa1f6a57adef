// Chat-command throughput: split, parse against the declared arguments, check permissions, dispatch.
#include <benchmark/benchmark.h>

#include "commands/builtin_commands.hpp"
#include "commands/engine.hpp"

namespace {

using namespace maxis;

commands::Engine& Engine() {
    static commands::Engine engine = [] {
        commands::Engine e(commands::Catalog::Builtin(), "!");
        commands::RegisterBuiltinCommands(e, "bench");
        e.Register(commands::CommandSpec{.name = "ticket_create",
                                         .args = {{.name = "subject", .type = commands::ArgType::kString},
                                                  {.name = "category",
                                                   .type = commands::ArgType::kEnum,
                                                   .choices = {{"general", {"général"}},
                                                               {"billing", {"facturation"}},
                                                               {"technical", {"technique"}},
                                                               {"bug", {"bug"}},
                                                               {"account", {"compte"}},
                                                               {"suggestion", {"suggestion"}}}},
                                                  {.name = "priority",
                                                   .type = commands::ArgType::kEnum,
                                                   .choices = {{"critical", {"critique"}},
                                                               {"high", {"haute"}},
                                                               {"medium", {"moyenne"}},
                                                               {"low", {"basse"}}}},
                                                  {.name = "description", .type = commands::ArgType::kRest}},
                                         .handler = [](const commands::Invocation& inv) {
                                             return commands::Reply{.text = inv.args.Get<std::string>("subject")};
                                         }});
        e.Register(commands::CommandSpec{
            .name = "promo",
            .args = {{.name = "percent", .type = commands::ArgType::kPercent},
                     {.name = "plan", .type = commands::ArgType::kWord},
                     {.name = "duration", .type = commands::ArgType::kDuration}},
            .permission = core::Role::kStaff,
            .handler = [](const commands::Invocation&) { return commands::Reply{.text = "ok"}; }});
        return e;
    }();
    return engine;
}

void Dispatch(benchmark::State& state, const char* line, core::Role role) {
    auto& engine = Engine();
    core::Viewer viewer{core::UserId{123456789012345678}, role};
    for (auto _ : state) {
        auto reply = engine.HandleLine(viewer, "fr", line);
        benchmark::DoNotOptimize(reply);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_TicketCreate(benchmark::State& state) {
    Dispatch(state, "!ticket_create \"Paiement refusé\" facturation haute La carte est refusée depuis ce matin",
             core::Role::kMember);
}
void BM_Promo(benchmark::State& state) { Dispatch(state, "!promo 20% pro 48h", core::Role::kStaff); }
void BM_ParseErrorWithUsage(benchmark::State& state) {
    Dispatch(state, "!ticket_create \"Sujet\" cuisine haute texte", core::Role::kMember);
}
void BM_Help(benchmark::State& state) { Dispatch(state, "!help", core::Role::kMember); }

BENCHMARK(BM_TicketCreate);
BENCHMARK(BM_Promo);
BENCHMARK(BM_ParseErrorWithUsage);
BENCHMARK(BM_Help);

}  // namespace

BENCHMARK_MAIN();
