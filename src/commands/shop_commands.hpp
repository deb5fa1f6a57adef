#pragma once
#include "commands/engine.hpp"
#include "core/time_zone.hpp"
#include "domain/shop/shop_service.hpp"

namespace maxis::commands {

/// Declares the shop commands. Members: shop (pages with add-to-cart buttons), cart, cart_add, cart_set,
/// cart_remove, cart_empty, checkout (a payment link), orders and order (tracking). Staff: product_add,
/// product_edit, order_status, order_track, order_refund, and every order in orders/order. Times in zone.
void RegisterShopCommands(Engine& engine, shop::ShopService& service, const core::TimeZone& zone, int page_size);

}  // namespace maxis::commands
