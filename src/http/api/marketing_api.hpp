#pragma once
#include "core/people.hpp"
#include "domain/marketing/commission_service.hpp"
#include "domain/marketing/invite_service.hpp"
#include "domain/marketing/marketing_service.hpp"
#include "http/api/tickets_api.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// /api/v1/marketing (staff only): the roles' configuration, applications (approve, reject), holders (revoke),
/// invite leaderboards, one member's invites and staff's bonuses, marketers' monthly statements (JSON, and CSV for
/// every marketer), rewards, payouts and events staff record. Each route calls one service method. Persons are named
/// in `user` and `actor` fields (the answer gains `people`); names gives the marketers' names in the CSV export (its
/// column stays empty without it).
void AddMarketingRoutes(Router& router, const Authenticator& authenticate, marketing::MarketingService& roles,
                        marketing::InviteService& invites, marketing::CommissionService& commissions,
                        core::NameLookup names = {});

}  // namespace maxis::http
