#pragma once
#include "domain/coins/coin_service.hpp"
#include "http/api/tickets_api.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// /api/v1/coins/leaderboard?period=week|month|all: who earned most (anyone signed in).
/// /api/v1/coins/{member}: a member's balance and ledger, newest first (?cursor= from next_cursor, ?limit=), "me" for
/// oneself; a member asking for another member gets 404. POST /api/v1/coins/{member}/give and /take (staff):
/// {"amount": 125, "reason": "..."}. No route buys or withdraws coins.
void AddCoinRoutes(Router& router, coins::CoinService& coins, Authenticator authenticate);

}  // namespace maxis::http
