#pragma once
#include "domain/giveaways/giveaway_service.hpp"
#include "http/api/tickets_api.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// /api/v1/giveaways: the list and one giveaway (with its entrant count and, once ended, its winners) for every
/// authenticated viewer, the proof once it has ended (anyone may recompute the draw), and staff's start, end,
/// cancel and reroll. Each route calls one GiveawayService method.
void AddGiveawayRoutes(Router& router, giveaways::GiveawayService& service, Authenticator authenticate);

}  // namespace maxis::http
