#include "commands/coin_commands.hpp"

#include "commands/catalog.hpp"
#include "core/strings.hpp"

namespace maxis::commands {

namespace {

using coins::CoinReason;
using coins::LedgerEntry;

constexpr std::uint32_t kColorCoins = 0xF1C40F;
constexpr int kHistoryPage = 10;

/// A movement as a line: "+25 pièces · réclamation du jour · 18/11/2026 12:00 CET (solde : 40 pièces)".
std::string Line(const Invocation& inv, const LedgerEntry& e, const core::TimeZone& zone) {
    auto amount = (e.amount > 0 ? "+" : "-") + CoinAmount(inv, e.amount > 0 ? e.amount : -e.amount);
    auto line =
        inv.T("coins.history_line", {{"amount", amount},
                                     {"reason", inv.T("coins.reason." + std::string(coins::ToString(e.reason)))},
                                     {"date", zone.Format(e.at, inv.locale)},
                                     {"balance", CoinAmount(inv, e.balance_after)}});
    if (!e.note.empty()) line += inv.T("coins.history_note", {{"actor", Mention(e.actor)}, {"note", e.note}});
    return line;
}

Reply BalanceReply(const Invocation& inv, coins::CoinService& service, core::UserId member) {
    auto balance = service.Balance(inv.viewer, member);
    auto key = member == inv.viewer.user_id ? "coins.balance_own" : "coins.balance_of";
    return Reply{.text = inv.T(key, {{"member", Mention(member)}, {"amount", CoinAmount(inv, balance)}}),
                 .ephemeral = true};
}

std::vector<EnumChoice> Periods() {
    return {{"week", {"semaine", "hebdo", "hebdomadaire"}},
            {"month", {"mois", "mensuel"}},
            {"all", {"tout", "toujours", "all-time"}}};
}

}  // namespace

std::string CoinAmount(const Invocation& inv, std::int64_t amount) {
    return inv.T(amount == 1 ? "coins.amount_one" : "coins.amount", {{"count", std::to_string(amount)}});
}

void RegisterCoinCommands(Engine& engine, coins::CoinService& service, const core::TimeZone& zone) {
    engine.Register(CommandSpec{
        .name = "balance",
        .args = {{.name = "member", .type = ArgType::kUser, .required = false}},
        .handler =
            [&service](const Invocation& inv) {
                return BalanceReply(inv, service,
                                    inv.args.Optional<core::UserId>("member").value_or(inv.viewer.user_id));
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "coins",
        .args = {{.name = "view",
                  .type = ArgType::kEnum,
                  .required = false,
                  .choices = {{"history", {"historique", "mouvements"}}, {"balance", {"solde"}}}},
                 {.name = "member", .type = ArgType::kUser, .required = false},
                 {.name = "page", .type = ArgType::kInteger, .required = false, .min = 1, .max = 50}},
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto member = inv.args.Optional<core::UserId>("member").value_or(inv.viewer.user_id);
                if (inv.args.Optional<std::string>("view").value_or("history") == "balance") {
                    return BalanceReply(inv, service, member);
                }
                // Pages by cursor: page n follows the n-1 before it.
                auto wanted = inv.args.Optional<std::int64_t>("page").value_or(1);
                coins::HistoryPage page = service.History(inv.viewer, member, 0, kHistoryPage);
                for (std::int64_t n = 1; n < wanted && page.next_before != 0; ++n) {
                    page = service.History(inv.viewer, member, page.next_before, kHistoryPage);
                }
                Embed embed{.title = inv.T("coins.history_title", {{"amount", CoinAmount(inv, page.balance)}}),
                            .color = kColorCoins};
                if (page.entries.empty()) {
                    embed.description = inv.T("coins.history_empty");
                } else {
                    for (const auto& e : page.entries) embed.description += Line(inv, e, zone) + "\n";
                    if (page.next_before != 0) {
                        embed.footer = inv.T("coins.history_more", {{"page", std::to_string(wanted + 1)}});
                    }
                }
                embed.description = std::string(core::Trim(embed.description));
                return Reply{.text = member == inv.viewer.user_id ? "" : Mention(member),
                             .embeds = {std::move(embed)},
                             .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "leaderboard",
        .args = {{.name = "period", .type = ArgType::kEnum, .required = false, .choices = Periods()}},
        .handler =
            [&service](const Invocation& inv) {
                auto name = inv.args.Optional<std::string>("period").value_or("week");
                auto period = coins::ParsePeriod(name).value_or(coins::Period::kWeek);
                auto rows = service.Leaderboard(period);
                Embed embed{.title = inv.T("coins.leaderboard_title." + name), .color = kColorCoins};
                if (rows.empty()) embed.description = inv.T("coins.leaderboard_empty");
                int rank = 0;
                for (const auto& r : rows) {
                    embed.description += inv.T("coins.leaderboard_line", {{"rank", std::to_string(++rank)},
                                                                          {"member", Mention(r.user)},
                                                                          {"amount", CoinAmount(inv, r.earned)}}) +
                                         "\n";
                }
                embed.description = std::string(core::Trim(embed.description));
                return Reply{.embeds = {std::move(embed)}};
            },
    });

    engine.Register(CommandSpec{
        .name = "daily",
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto claim = service.ClaimDaily(inv.viewer.user_id);
                auto next = zone.Format(claim.next, inv.locale);
                if (!claim.claimed) {
                    return Reply{
                        .text = inv.T("coins.daily_claimed", {{"next", next}}), .ephemeral = true, .is_error = true};
                }
                return Reply{.text = inv.T("coins.daily_done", {{"amount", CoinAmount(inv, claim.entry.amount)},
                                                                {"balance", CoinAmount(inv, claim.entry.balance_after)},
                                                                {"next", next}}),
                             .ephemeral = true};
            },
        .ephemeral = true,
    });

    auto staff_move = [&service](bool give) {
        return [&service, give](const Invocation& inv) {
            auto member = inv.args.Get<core::UserId>("member");
            auto amount = inv.args.Get<std::int64_t>("amount");
            const auto& why = inv.args.Get<std::string>("reason");
            auto e =
                give ? service.Give(inv.viewer, member, amount, why) : service.Take(inv.viewer, member, amount, why);
            return Reply{
                .text = inv.T(give ? "coins.given" : "coins.taken", {{"member", Mention(member)},
                                                                     {"amount", CoinAmount(inv, amount)},
                                                                     {"balance", CoinAmount(inv, e.balance_after)},
                                                                     {"reason", e.note}}),
                .ephemeral = true};
        };
    };
    for (bool give : {true, false}) {
        engine.Register(CommandSpec{
            .name = give ? "coins_give" : "coins_take",
            .args = {{.name = "member", .type = ArgType::kUser},
                     {.name = "amount", .type = ArgType::kInteger, .min = 1, .max = coins::kMaxAmount},
                     {.name = "reason", .type = ArgType::kRest}},
            .permission = core::Role::kStaff,
            .handler = staff_move(give),
            .ephemeral = true,
        });
    }
}

}  // namespace maxis::commands
