#pragma once
#include "core/clock.hpp"
#include "domain/shop/shop_service.hpp"
#include "http/api/tickets_api.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// /api/v1/orders: list (status, user, cursor pagination), view (by id or number), PATCH (staff: status with
/// a note, or tracking), POST /refund (staff: asks Stripe; the order changes when its event arrives).
/// /api/v1/products: list (inactive ones for staff), create and change (staff). /api/v1/shop/revenue
/// (staff): charges and refunds per day. A member sees only their own orders; another member's answers 404.
void AddShopRoutes(Router& router, shop::ShopService& service, const core::Clock& clock, Authenticator authenticate);

}  // namespace maxis::http
