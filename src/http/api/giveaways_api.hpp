#pragma once
#include "domain/giveaways/giveaway_service.hpp"
#include "domain/giveaways/giveaway_stats.hpp"
#include "http/api/tickets_api.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// /api/v1/giveaways: the list and one giveaway (with its entrant count and, once ended, its winners) for every
/// authenticated viewer, the proof once it has ended (anyone may recompute the draw), and staff's start, end,
/// cancel and reroll. Each route calls one GiveawayService method.
void AddGiveawayRoutes(Router& router, giveaways::GiveawayService& service, Authenticator authenticate);

/// Staff: GET /api/v1/giveaways/{id}/stats (the giveaway's return, with its days for a chart; "open" while the
/// window runs) and PATCH /api/v1/giveaways/{id} {"prize_cost_cents"} (what the prize cost, at any time).
void AddGiveawayStatsRoutes(Router& router, giveaways::GiveawayStatsService& stats, giveaways::GiveawayService& service,
                            Authenticator authenticate);

}  // namespace maxis::http
