#include "commands/giveaway_commands.hpp"

#include <algorithm>

#include "commands/parser.hpp"
#include "core/errors.hpp"

namespace maxis::commands {

namespace {

using namespace giveaways;

constexpr std::uint32_t kColorRunning = 0xEB459E;
constexpr std::uint32_t kColorEnded = 0x57F287;
constexpr std::uint32_t kColorStopped = 0x99AAB5;

GiveawayId IdOf(const Invocation& inv) { return GiveawayId{inv.args.Get<std::int64_t>("id")}; }

std::string Ids(const std::vector<Winner>& winners) {
    std::string out;
    for (const auto& w : winners) out += (out.empty() ? "" : ", ") + Mention(w.user);
    return out;
}

ArgSpec IdArg() { return ArgSpec{.name = "id", .type = ArgType::kInteger, .min = 1}; }

}  // namespace

Reply GiveawayPost(const GiveawayView& view, const Catalog& catalog, const std::string& locale,
                   const core::TimeZone& zone) {
    const auto& g = view.giveaway;
    auto T = [&](const std::string& key, const std::map<std::string, std::string>& params = {}) {
        return catalog.Text(locale, key, params);
    };
    auto unix = std::to_string(core::ToEpochMillis(g.ends_at) / 1000);
    Embed e{.title = "🎉 " + g.prize, .footer = "#" + g.id.ToString() + " · SHA-256(seed) " + g.seed_hash};
    e.fields.push_back({T("giveaways.field.entrants"), std::to_string(view.entries), true});
    e.fields.push_back({T("giveaways.field.winners"), std::to_string(g.winners_count), true});
    Reply reply;
    switch (g.status) {
        case Status::kRunning:
            e.color = kColorRunning;
            e.description = T("giveaways.post.running",
                              {{"relative", "<t:" + unix + ":R>"}, {"date", zone.Format(g.ends_at, locale)}});
            reply.buttons.push_back({.label = T("giveaways.button.enter"),
                                     .action = "giveaway_enter " + g.id.ToString(),
                                     .style = ButtonStyle::kSuccess});
            reply.buttons.push_back({.label = T("giveaways.button.leave"),
                                     .action = "giveaway_leave " + g.id.ToString(),
                                     .style = ButtonStyle::kSecondary});
            break;
        case Status::kEnded:
            e.color = kColorEnded;
            e.description = view.winners.empty() ? T("giveaways.post.no_winner")
                                                 : T("giveaways.post.ended", {{"winners", Ids(view.winners)}});
            break;
        case Status::kCancelled:
            e.color = kColorStopped;
            e.description = T("giveaways.post.cancelled");
            break;
    }
    reply.embeds.push_back(std::move(e));
    return reply;
}

void RegisterGiveawayCommands(Engine& engine, GiveawayService& service, const core::TimeZone& zone) {
    auto list = [&service, &zone](const Invocation& inv) {
        auto running = service.ListRunning(inv.viewer, 10);
        Reply reply{.ephemeral = true};
        if (running.empty()) {
            reply.text = inv.T("giveaways.none_running");
            return reply;
        }
        reply.text = inv.T("giveaways.running_title", {{"count", std::to_string(running.size())}});
        for (const auto& v : running) {
            auto post = GiveawayPost(v, inv.catalog, inv.locale, zone);
            for (auto& e : post.embeds) reply.embeds.push_back(std::move(e));
            // One Enter or Leave button each, as fits the member (five rows of buttons at most on Discord).
            if (reply.buttons.size() < 25) {
                reply.buttons.push_back(v.entered ? post.buttons[1] : post.buttons[0]);
                reply.buttons.back().label += " #" + v.giveaway.id.ToString();
            }
        }
        return reply;
    };
    engine.Register(CommandSpec{.name = "giveaway", .handler = list, .ephemeral = true});
    engine.Register(
        CommandSpec{.name = "giveaway_list", .permission = core::Role::kStaff, .handler = list, .ephemeral = true});

    engine.Register(CommandSpec{
        .name = "giveaway_start",
        .args = {{.name = "duration", .type = ArgType::kDuration},
                 {.name = "winners", .type = ArgType::kInteger, .min = 1, .max = 1000},
                 {.name = "prize", .type = ArgType::kRest}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto d = std::chrono::duration_cast<core::Millis>(inv.args.Get<std::chrono::seconds>("duration"));
                auto g = service.Start(inv.viewer,
                                       StartRequest{.duration = d,
                                                    .winners = static_cast<int>(inv.args.Get<std::int64_t>("winners")),
                                                    .prize = inv.args.Get<std::string>("prize")});
                return Reply{.text = inv.T("giveaways.started", {{"id", g.id.ToString()},
                                                                 {"prize", g.prize},
                                                                 {"date", zone.Format(g.ends_at, inv.locale)},
                                                                 {"hash", g.seed_hash}})};
            },
    });

    // The supervisor's (Shellia's) `!maxis giveaway 100`: the milestone's giveaway through the same call as the
    // member count's, so it starts once whoever asks first.
    engine.Register(CommandSpec{
        .name = "maxis",
        .args = {{.name = "action", .type = ArgType::kEnum, .choices = {{"giveaway", {"concours"}}}},
                 {.name = "milestone", .type = ArgType::kInteger, .min = 1, .max = 10'000'000}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto milestone = inv.args.Get<std::int64_t>("milestone");
                auto run = service.StartMilestone(inv.viewer, milestone);
                const auto& g = run.giveaway;
                std::map<std::string, std::string> params{{"id", g.id.ToString()},
                                                          {"milestone", std::to_string(milestone)},
                                                          {"prize", g.prize},
                                                          {"date", zone.Format(g.ends_at, inv.locale)},
                                                          {"hash", g.seed_hash}};
                return Reply{
                    .text = inv.T(run.started ? "giveaways.milestone.started" : "giveaways.milestone.already", params)};
            },
    });

    engine.Register(CommandSpec{
        .name = "giveaway_enter",
        .args = {IdArg()},
        .handler =
            [&service](const Invocation& inv) {
                service.Enter(inv.viewer, IdOf(inv));
                return Reply{.text = inv.T("giveaways.entered", {{"id", IdOf(inv).ToString()}}), .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "giveaway_leave",
        .args = {IdArg()},
        .handler =
            [&service](const Invocation& inv) {
                service.Leave(inv.viewer, IdOf(inv));
                return Reply{.text = inv.T("giveaways.left", {{"id", IdOf(inv).ToString()}}), .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "giveaway_end",
        .args = {IdArg()},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto winners = service.EndEarly(inv.viewer, IdOf(inv));
                if (winners.empty())
                    return Reply{.text = inv.T("giveaways.ended_none", {{"id", IdOf(inv).ToString()}})};
                return Reply{.text =
                                 inv.T("giveaways.ended", {{"id", IdOf(inv).ToString()}, {"winners", Ids(winners)}})};
            },
    });

    engine.Register(CommandSpec{
        .name = "giveaway_cancel",
        .args = {IdArg()},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                service.Cancel(inv.viewer, IdOf(inv));
                return Reply{.text = inv.T("giveaways.cancelled", {{"id", IdOf(inv).ToString()}})};
            },
    });

    engine.Register(CommandSpec{
        .name = "giveaway_edit",
        .args = {IdArg(),
                 {.name = "field", .type = ArgType::kEnum, .choices = {{"end", {"fin"}}, {"prize", {"lot", "prix"}}}},
                 {.name = "value", .type = ArgType::kRest}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                const auto& field = inv.args.Get<std::string>("field");
                const auto& value = inv.args.Get<std::string>("value");
                std::optional<core::Millis> ends_in;
                std::optional<std::string> prize;
                if (field == "end") {
                    auto d = ParseArgValue(ArgSpec{.name = "value", .type = ArgType::kDuration}, value);
                    if (!d) {
                        throw core::Error(core::ErrorCode::kInvalidArgument, "not a duration", "giveaways.bad_end",
                                          {{"value", value}});
                    }
                    ends_in = std::chrono::duration_cast<core::Millis>(std::get<std::chrono::seconds>(*d));
                } else {
                    prize = value;
                }
                auto g = service.Edit(inv.viewer, IdOf(inv), ends_in, prize);
                return Reply{.text = inv.T("giveaways.edited", {{"id", g.id.ToString()},
                                                                {"prize", g.prize},
                                                                {"date", zone.Format(g.ends_at, inv.locale)}})};
            },
    });

    engine.Register(CommandSpec{
        .name = "giveaway_reroll",
        .args = {IdArg()},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto winners = service.Reroll(inv.viewer, IdOf(inv));
                return Reply{
                    .text = inv.T("giveaways.rerolled", {{"id", IdOf(inv).ToString()}, {"winners", Ids(winners)}})};
            },
    });

    engine.Register(CommandSpec{
        .name = "giveaway_replace",
        .args = {IdArg(), {.name = "winner", .type = ArgType::kUser}},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto old = inv.args.Get<core::UserId>("winner");
                auto w = service.ReplaceWinner(inv.viewer, IdOf(inv), old);
                return Reply{
                    .text = inv.T("giveaways.replaced",
                                  {{"id", IdOf(inv).ToString()}, {"old", Mention(old)}, {"winner", Mention(w.user)}})};
            },
    });
}

}  // namespace maxis::commands
