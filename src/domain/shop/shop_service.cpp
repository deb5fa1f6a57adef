#include "domain/shop/shop_service.hpp"

#include <algorithm>
#include <chrono>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::shop {

using core::Error;
using core::ErrorCode;

bool Refundable(const Order& order) {
    switch (order.status) {
        case OrderStatus::kPaid:
        case OrderStatus::kFulfilled:
        case OrderStatus::kShipped:
        case OrderStatus::kDelivered:
            return !order.payment_intent_id.empty() && order.refunded_minor < order.total_minor;
        default:
            return false;
    }
}

CheckoutLink ShopService::Checkout(const core::Viewer& member, const std::string& locale) {
    if (!gateway_.configured()) {
        throw Error(ErrorCode::kUnavailable, "payments are not configured (MAXIS_STRIPE_SECRET_KEY is not set)",
                    "shop.payments_off");
    }
    // What the provider would refuse is said before anything is reserved.
    CheckPayableCart(repo_.Cart(member));
    auto life = SessionLife(options_.reservation);
    auto order = repo_.BeginCheckout(member, life, options_.max_pending_orders);
    // The page's expiry counts from now, just before the call, in whole seconds rounded down: the provider
    // wants it at least 30 minutes after it receives the request, and the headroom in SessionLife covers
    // the network and the client's retries (which send this same value with the same key).
    auto expires_at = std::chrono::floor<std::chrono::seconds>(clock_.Now() + life);
    PaymentGateway::Session session;
    try {
        session = gateway_.CreateCheckout(order, expires_at, locale);
    } catch (const std::exception& e) {
        // Nothing is owed and nothing stays reserved when the payment page could not be made.
        repo_.AbandonCheckout(order.id, std::string("payment page refused: ") + e.what());
        const auto* domain = dynamic_cast<const Error*>(&e);
        throw Error(domain != nullptr ? domain->code() : ErrorCode::kUnavailable,
                    std::string("the payment page could not be created: ") + e.what(), "shop.checkout_failed",
                    {{"number", order.number}});
    }
    repo_.AttachCheckoutSession(order.id, session.id, session.url, expires_at);
    order.reserved_until = expires_at;
    order.checkout_session_id = session.id;
    order.checkout_url = session.url;
    return CheckoutLink{std::move(order), session.url};
}

ProductId ShopService::CreateProduct(const core::Viewer& staff, const Product& product) {
    CheckPayablePrice(product);
    return repo_.CreateProduct(staff, product);
}

void ShopService::UpdateProduct(const core::Viewer& staff, const Product& product) {
    CheckPayablePrice(product);
    repo_.UpdateProduct(staff, product);
}

void ShopService::AddToCart(const core::Viewer& member, ProductId product, int quantity) {
    CheckCartRoom(repo_.Cart(member), product);
    repo_.AddToCart(member, product, quantity);
}

void ShopService::SetCartQuantity(const core::Viewer& member, ProductId product, int quantity) {
    if (quantity > 0) CheckCartRoom(repo_.Cart(member), product);
    repo_.SetCartQuantity(member, product, quantity);
}

Order ShopService::FindForStaffOrMember(const core::Viewer& viewer, const std::string& number_or_id) {
    std::optional<Order> found;
    auto text = core::Trim(number_or_id);
    if (auto id = core::ParseId(text)) {
        found = repo_.FindOrder(viewer, OrderId{*id});
    } else {
        found = repo_.FindOrderByNumber(viewer, std::string(text));
    }
    if (!found) {
        throw Error(ErrorCode::kNotFound, "order not found", "shop.order_not_found", {{"number", std::string(text)}});
    }
    return *found;
}

RefundRequest ShopService::Refund(const core::Viewer& staff, OrderId id, std::optional<long long> amount_minor) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "only staff refund orders");
    if (!gateway_.configured()) {
        throw Error(ErrorCode::kUnavailable, "payments are not configured (MAXIS_STRIPE_SECRET_KEY is not set)",
                    "shop.payments_off");
    }
    auto order = repo_.FindOrder(staff, id);
    if (!order)
        throw Error(ErrorCode::kNotFound, "order not found", "shop.order_not_found", {{"number", id.ToString()}});
    if (!Refundable(*order)) {
        throw Error(ErrorCode::kConflict,
                    "order " + order->number + " has nothing to refund (" + std::string(ToString(order->status)) + ")",
                    "shop.not_refundable", {{"number", order->number}});
    }
    long long left = order->total_minor - order->refunded_minor;
    if (amount_minor && (*amount_minor <= 0 || *amount_minor > left)) {
        throw Error(ErrorCode::kInvalidArgument, "the refund must be more than 0 and at most what is left",
                    "shop.bad_refund", {{"number", order->number}, {"left", std::to_string(left)}});
    }
    // The same request twice (a double click, a retry) gives the same key, so the provider refunds once;
    // once the first refund is recorded, a new request gets a new key.
    std::string key = "maxis-refund-" + order->number + "-" + std::to_string(core::ToEpochMillis(order->created_at)) +
                      "-" + (amount_minor ? std::to_string(*amount_minor) : "rest") + "-after-" +
                      std::to_string(order->refunded_minor);
    auto refund_id = gateway_.Refund(*order, amount_minor, key);
    long long amount = amount_minor.value_or(left);
    repo_.AddNote(staff, id,
                  "refund of " + std::to_string(amount) + " " + order->currency + " requested (" + refund_id + ")");
    return RefundRequest{refund_id, amount};
}

}  // namespace maxis::shop
