#include "app/coins_module.hpp"

#include <spdlog/spdlog.h>

#include "app/discord_runtime.hpp"
#include "commands/coin_commands.hpp"
#include "core/strings.hpp"
#include "http/api/coins_api.hpp"
#include "panel/routes.hpp"
#include "storage/coin_store.hpp"

namespace maxis::app {

coins::CoinOptions CoinOptionsFrom(const CoinsConfig& c) {
    return coins::CoinOptions{.daily_amount = c.daily_amount,
                              .activity = {.per_message = c.per_message,
                                           .cooldown = c.cooldown,
                                           .daily_cap = c.daily_cap,
                                           .min_length = c.min_length,
                                           .excluded_channels = c.excluded_channel_ids},
                              .leaderboard_size = c.leaderboard_size};
}

CoinsModule::CoinsModule(const Infrastructure& infra) : infra_(infra) {
    repo_ = std::make_unique<storage::SqlCoinRepository>(infra.db);
    coins_ = std::make_unique<coins::CoinService>(*repo_, infra.clock, infra.zone, CoinOptionsFrom(infra.config.coins));
}

CoinsModule::~CoinsModule() = default;

void CoinsModule::RegisterCommands(commands::Engine& engine) {
    commands::RegisterCoinCommands(engine, *coins_, infra_.zone);
}

void CoinsModule::AddSettings(std::vector<panel::RuntimeSetting>& settings) {
    auto& service = *coins_;
    // Each setting changes one rule of the activity earning (or the daily claim) while Maxis runs.
    auto activity = [&service](const std::function<void(coins::ActivityRules&, long long)>& set) {
        return [&service, set](const std::string& v) {
            auto rules = service.activity();
            set(rules, *core::ParseInteger(v, 0, 1'000'000'000));
            service.SetActivity(std::move(rules));
        };
    };
    settings.push_back(
        {"coins.daily_amount",
         panel::RuntimeSetting::Kind::kInteger,
         0,
         1'000'000,
         [&service] { return std::to_string(service.daily_amount()); },
         [&service](const std::string& v) { service.SetDailyAmount(*core::ParseInteger(v, 0, 1'000'000)); },
         {"Pièces de /daily", "Coins from /daily"},
         {"Ce qu'un membre reçoit une fois par jour avec /daily (0 : désactivé).",
          "What a member receives once a day with /daily (0: off)."},
         panel::RuntimeSetting::Unit::kCount});
    settings.push_back({"coins.per_message",
                        panel::RuntimeSetting::Kind::kInteger,
                        0,
                        1'000'000,
                        [&service] { return std::to_string(service.activity().per_message); },
                        activity([](coins::ActivityRules& r, long long v) { r.per_message = v; }),
                        {"Pièces par message", "Coins per message"},
                        {"Ce qu'un message gagne, au plus un message par délai (0 : la discussion ne rapporte rien).",
                         "What a message earns, at most one message per cooldown (0: chatting earns nothing)."},
                        panel::RuntimeSetting::Unit::kCount});
    settings.push_back({"coins.daily_cap",
                        panel::RuntimeSetting::Kind::kInteger,
                        1,
                        1'000'000'000,
                        [&service] { return std::to_string(service.activity().daily_cap); },
                        activity([](coins::ActivityRules& r, long long v) { r.daily_cap = v; }),
                        {"Plafond quotidien de l'activité", "Daily activity cap"},
                        {"Pièces qu'un membre peut gagner en discutant sur une journée.",
                         "Coins a member may earn by chatting in one day."},
                        panel::RuntimeSetting::Unit::kCount});
    settings.push_back({"coins.cooldown_minutes",
                        panel::RuntimeSetting::Kind::kInteger,
                        0,
                        1440,
                        [&service] {
                            return std::to_string(
                                std::chrono::duration_cast<std::chrono::minutes>(service.activity().cooldown).count());
                        },
                        activity([](coins::ActivityRules& r, long long v) { r.cooldown = std::chrono::minutes(v); }),
                        {"Délai entre deux gains", "Cooldown between earnings"},
                        {"Après un message qui rapporte, les messages suivants ne rapportent rien pendant ce délai.",
                         "After an earning message, the next ones earn nothing for this long."},
                        panel::RuntimeSetting::Unit::kMinutes});
    settings.push_back(
        {"coins.min_length",
         panel::RuntimeSetting::Kind::kInteger,
         0,
         4000,
         [&service] { return std::to_string(service.activity().min_length); },
         activity([](coins::ActivityRules& r, long long v) { r.min_length = static_cast<int>(v); }),
         {"Longueur minimale d'un message", "Minimum message length"},
         {"En caractères : un message plus court ne rapporte rien.", "In characters: a shorter message earns nothing."},
         panel::RuntimeSetting::Unit::kCount});
}

void CoinsModule::Serve(Runtime& runtime) {
    http::AddCoinRoutes(runtime.router, *coins_, runtime.api_viewer);
    if (auto* discord = runtime.discord) {
        discord->OnMemberMessage(
            [this](core::UserId author, const std::string& channel, const std::string& message, std::size_t length) {
                // Bots never reach this hook (the bot drops their messages first).
                if (auto earned = coins_->OnMessage(author, false, channel, length, message); earned > 0) {
                    spdlog::debug("coins: member {} earned {} for message {}", author.value, earned, message);
                }
            });
    }
}

}  // namespace maxis::app
