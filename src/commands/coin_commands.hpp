#pragma once
#include "commands/engine.hpp"
#include "core/time_zone.hpp"
#include "domain/coins/coin_service.hpp"

namespace maxis::commands {

/// Declares the coin commands. Members: balance, coins (history, or the balance), leaderboard (week, month,
/// all time) and daily. Staff: coins_give and coins_take (a member, an amount, the reason). None buys or
/// withdraws coins: they are earned and spent inside the community only. Times in zone.
void RegisterCoinCommands(Engine& engine, coins::CoinService& service, const core::TimeZone& zone);

/// "125 pièces", "1 coin": an amount of coins in the reader's language.
std::string CoinAmount(const Invocation& inv, std::int64_t amount);

}  // namespace maxis::commands
