#include "commands/giveaway_commands.hpp"

#include <algorithm>
#include <cstring>

#include "commands/parser.hpp"
#include "core/errors.hpp"
#include "core/money.hpp"

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

/// An amount in the giveaways' currency, as the reader's locale writes it (9,99 € in French).
std::string Money(const Invocation& inv, const GiveawayService& service, long long minor) {
    return core::FormatMoney(core::Money{minor, service.options().currency}, inv.locale);
}

/// A prize cost as staff type it: "25", "25,00", "25.5 €", "25 EUR".
long long PrizeCost(const std::string& typed) {
    std::string v = typed;
    for (const char* unit : {"€", "EUR", "eur", "\xC2\xA0"}) {
        for (auto at = v.find(unit); at != std::string::npos; at = v.find(unit)) v.erase(at, std::strlen(unit));
    }
    v.erase(std::remove(v.begin(), v.end(), ' '), v.end());
    auto cents = core::ParseMinorUnits(v);
    if (!cents) {
        throw core::Error(core::ErrorCode::kInvalidArgument, "not an amount", "giveaways.bad_cost_value",
                          {{"value", typed}});
    }
    return *cents;
}

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

Reply GiveawayProofMessage(const GiveawayView& view, int round, const std::string& file, std::size_t bytes,
                           bool attached, const std::string& where, const Catalog& catalog, const std::string& locale) {
    std::map<std::string, std::string> params{{"id", view.giveaway.id.ToString()},
                                              {"prize", view.giveaway.prize},
                                              {"round", std::to_string(round)},
                                              {"file", file},
                                              {"size", std::to_string((bytes + 1023) / 1024) + " KiB"},
                                              {"where", where}};
    return Reply{.text =
                     catalog.Text(locale, attached ? "giveaways.proof.attached" : "giveaways.proof.too_large", params)};
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
                 {.name = "field",
                  .type = ArgType::kEnum,
                  .choices = {{"end", {"fin"}}, {"prize", {"lot", "prix"}}, {"cost", {"cout", "coût"}}}},
                 {.name = "value", .type = ArgType::kRest}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                const auto& field = inv.args.Get<std::string>("field");
                const auto& value = inv.args.Get<std::string>("value");
                if (field == "cost") {
                    auto g = service.SetPrizeCost(inv.viewer, IdOf(inv), PrizeCost(value));
                    return Reply{
                        .text = inv.T("giveaways.cost_set",
                                      {{"id", g.id.ToString()}, {"cost", Money(inv, service, g.prize_cost_cents)}})};
                }
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

void RegisterGiveawayStatsCommands(Engine& engine, GiveawayStatsService& stats, GiveawayService& service,
                                   const core::TimeZone& zone) {
    engine.Register(CommandSpec{
        .name = "giveaway_stats",
        .args = {IdArg()},
        .permission = core::Role::kStaff,
        .handler =
            [&stats, &service, &zone](const Invocation& inv) {
                auto s = stats.Stats(inv.viewer, IdOf(inv));
                auto g = service.Get(inv.viewer, IdOf(inv)).giveaway;
                auto count = [](int n) { return std::to_string(n); };
                std::string text = inv.T("giveaways.stats.title", {{"id", g.id.ToString()},
                                                                   {"prize", g.prize},
                                                                   {"from", zone.Format(s.from, inv.locale)},
                                                                   {"to", zone.Format(s.to, inv.locale)}});
                if (s.open) {
                    text += " " + inv.T("giveaways.stats.so_far", {{"date", zone.Format(s.counted_until, inv.locale)}});
                }
                text += "\n" + (s.prize_cost_minor > 0
                                    ? inv.T("giveaways.stats.cost", {{"cost", Money(inv, service, s.prize_cost_minor)}})
                                    : inv.T("giveaways.stats.no_cost", {{"id", g.id.ToString()}}));
                text +=
                    "\n" + inv.T("giveaways.stats.members",
                                 {{"gained", count(s.gained)}, {"joined", count(s.joined)}, {"left", count(s.left)}});
                text += "\n" + inv.T("giveaways.stats.revenue", {{"revenue", Money(inv, service, s.revenue_minor)},
                                                                 {"shop", Money(inv, service, s.shop_minor)},
                                                                 {"plans", Money(inv, service, s.plans_minor)},
                                                                 {"paying", count(s.paying)}});
                if (s.roi_percent) {
                    text += "\n" + inv.T("giveaways.stats.net", {{"net", Money(inv, service, s.net_minor)},
                                                                 {"roi", std::to_string(*s.roi_percent)}});
                }
                if (s.cost_per_member_minor) {
                    text += "\n" + inv.T("giveaways.stats.per_member",
                                         {{"cost", Money(inv, service, *s.cost_per_member_minor)}});
                }
                return Reply{.text = text, .ephemeral = true};
            },
        .ephemeral = true,
    });
}

}  // namespace maxis::commands
