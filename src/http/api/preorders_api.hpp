#pragma once
#include "core/people.hpp"
#include "domain/preorders/preorder_service.hpp"
#include "http/api/tickets_api.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// /api/v1/preorders: the items (open ones for everyone; staff also drafts, closed, and with ?all=1 finished ones),
/// staff's create, edit, tiers, open, close and cancel, a member's buy (the payment page, or 409
/// preorders.price_changed with the tier they would get now) and cancel after a moved release, the viewer's own
/// purchases, and staff's statistics, buyers (JSON and CSV) and early adopters. Each route calls one
/// PreorderService method. names gives the buyers' names in the CSV export (its column stays empty without it).
void AddPreorderRoutes(Router& router, preorders::PreorderService& service, Authenticator authenticate,
                       core::NameLookup names = {});

}  // namespace maxis::http
