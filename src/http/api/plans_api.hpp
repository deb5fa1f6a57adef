#pragma once
#include "domain/plans/assistant.hpp"
#include "domain/plans/plan_service.hpp"
#include "http/api/tickets_api.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// /api/v1/plans: the catalog (anyone signed in). /api/v1/plans/subscribers (staff): members, payment
/// pending, cancelling, granted and monthly recurring revenue per plan. /api/v1/plans/history (staff):
/// members per plan at the end of each local day. /api/v1/plans/usage (staff): the assistant's use per
/// local day. /api/v1/members/{id}/plan: a member's plan, its grants and today's
/// usage; "me" for oneself; a member asking for another member gets 404.
void AddPlanRoutes(Router& router, plans::PlanService& plans, plans::Assistant& assistant, const core::TimeZone& zone,
                   Authenticator authenticate);

}  // namespace maxis::http
