#pragma once
#include <memory>

#include "core/clock.hpp"
#include "domain/marketing/commission_service.hpp"
#include "domain/payments/payment_service.hpp"
#include "domain/plans/plan_service.hpp"
#include "domain/preorders/preorder_service.hpp"
#include "domain/shop/shop_service.hpp"
#include "stripe/client.hpp"

namespace maxis::app {

/// The payment service with its ports: the shop, plans and pre-orders services (plans and pre-orders may be null),
/// the event journal, Stripe as the provider, and who hears of sales (the marketing ledger; may be null). The returned
/// pointer owns the adapters it uses; the services and the client must outlive it. This is the one place that names the
/// features' methods for payment events.
std::shared_ptr<payments::PaymentService> WirePayments(shop::ShopService& shop, plans::PlanService* plans,
                                                       const stripe::Client& client, const core::Clock& clock,
                                                       preorders::PreorderService* preorders = nullptr,
                                                       payments::SaleListener* sales = nullptr);

/// The payments' sales, refunds and disputes told to the commissions ledger (CommissionService::OnSale, OnRefunded,
/// OnDisputed), each idempotent there; with new_sales false (marketing disabled), only refunds and disputes, so the
/// commissions already made follow them and no new one is made. The service must outlive it.
std::unique_ptr<payments::SaleListener> SalesToCommissions(marketing::CommissionService& commissions,
                                                           bool new_sales = true);

}  // namespace maxis::app
