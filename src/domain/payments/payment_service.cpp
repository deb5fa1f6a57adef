#include "domain/payments/payment_service.hpp"

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::payments {

std::string MetaValue(const Metadata& metadata, std::string_view key) {
    auto it = metadata.find(key);
    return it != metadata.end() ? it->second : std::string();
}

namespace {

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};

/// A member id written by Maxis in the metadata ("user_id"); nullopt for anything else.
std::optional<core::UserId> MemberOf(const Metadata& metadata) {
    auto id = core::ParseId(MetaValue(metadata, "user_id"));
    if (!id) return std::nullopt;
    return core::UserId{*id};
}

std::optional<long long> PromotionOf(const Metadata& metadata) {
    auto id = core::ParseId(MetaValue(metadata, "promotion"));
    if (!id) return std::nullopt;
    return *id;
}

bool Paid(const CheckoutSession& session) {
    return session.payment_status == "paid" || session.payment_status == "no_payment_required";
}

EventRef Ref(const PaymentEvent& event) { return EventRef{event.id, event.type}; }

PaymentResult Result(EventOutcome outcome) { return PaymentResult{outcome, {}}; }

bool Settled(const PaymentEvent& event) {
    return event.type == "checkout.session.completed" || event.type == "checkout.session.async_payment_succeeded";
}

/// What Maxis wrote on a pre-order's session and PaymentIntent.
bool IsPreorders(const Metadata& metadata) { return !MetaValue(metadata, "preorder_purchase").empty(); }

}  // namespace

PaymentResult PaymentService::Apply(const PaymentEvent& event) {
    return std::visit(Overloaded{
                          [&](const std::monostate&) { return Unhandled(event, "Maxis does not handle this type"); },
                          [&](const CheckoutSession& s) { return OnSession(event, s); },
                          [&](const Subscription& s) { return OnSubscriptionEvent(event, s); },
                          [&](const Invoice& i) { return OnInvoice(event, i); },
                          [&](const Charge& c) { return OnCharge(event, c); },
                          [&](const Dispute& d) { return OnDispute(event, d); },
                      },
                      event.object);
}

PaymentResult PaymentService::OnPreorderSession(const PaymentEvent& event, const CheckoutSession& session) {
    if (preorders_ == nullptr) return Unhandled(event, "a pre-order's session, and pre-orders are not wired");
    if (Settled(event)) {
        if (session.mode != "payment") return Unhandled(event, "a pre-order's session not in payment mode");
        return SessionSold(session,
                           Result(preorders_->OnCheckoutCompleted(event.id, session.id, Paid(session),
                                                                  session.payment_intent, session.amount_total)),
                           "preorder");
    }
    // A delayed payment that failed ends the purchase's checkout like an expiry: the seat is free again.
    if (event.type == "checkout.session.async_payment_failed" || event.type == "checkout.session.expired") {
        return Result(preorders_->OnCheckoutExpired(event.id, session.id));
    }
    return Unhandled(event, "Maxis does not handle this type");
}

PaymentResult PaymentService::OnSession(const PaymentEvent& event, const CheckoutSession& session) {
    if (IsPreorders(session.metadata)) return OnPreorderSession(event, session);
    bool settled = Settled(event);
    if (plans_ != nullptr && settled && !MetaValue(session.metadata, "plan").empty()) {
        if (session.mode == "subscription") {
            return Sync(event, session.subscription, SubscriptionNews{.promotion = PromotionOf(session.metadata)});
        }
        if (!Paid(session)) return Unhandled(event, "a plan's payment not paid yet");
        auto user = MemberOf(session.metadata);
        if (!user) return Unhandled(event, "a plan's session names no member");
        return SessionSold(
            session,
            Result(plans_->OnOneTimePaid(Ref(event), *user, MetaValue(session.metadata, "plan"), session.payment_intent,
                                         session.customer, PromotionOf(session.metadata))),
            "plan");
    }
    if (MetaValue(session.metadata, "order_id").empty()) return Unhandled(event, "not an order's session");
    if (settled) {
        if (session.mode != "payment") return Unhandled(event, "an order's session not in payment mode");
        bool paid = Paid(session);
        // The invoice is read from the provider only for an event not seen before: a duplicate needs nothing.
        std::string invoice_url;
        if (paid && !session.invoice.empty() && !journal_.Recorded(event.id)) {
            try {
                invoice_url = provider_.HostedInvoiceUrl(session.invoice);
            } catch (const core::Error& e) {
                return PaymentResult{EventOutcome::kRetryLater,
                                     std::string("the invoice could not be read: ") + e.what()};
            }
        }
        return SessionSold(session,
                           Result(shop_.OnCheckoutCompleted(event.id, session.id, paid, session.payment_intent,
                                                            session.amount_total, session.currency, invoice_url)),
                           "order");
    }
    if (event.type == "checkout.session.async_payment_failed") {
        return Result(shop_.OnCheckoutPaymentFailed(event.id, session.id, event.type));
    }
    if (event.type == "checkout.session.expired") return Result(shop_.OnCheckoutExpired(event.id, session.id));
    return Unhandled(event, "Maxis does not handle this type");
}

PaymentResult PaymentService::OnSubscriptionEvent(const PaymentEvent& event, const Subscription& subscription) {
    if (plans_ == nullptr || !PlanHolder(subscription)) {
        return Unhandled(event, "not a member's subscription to a plan sold");
    }
    return Sync(event, subscription.id, {});
}

PaymentResult PaymentService::OnInvoice(const PaymentEvent& event, const Invoice& invoice) {
    if (plans_ == nullptr || invoice.subscription.empty()) return Unhandled(event, "not a subscription's invoice");
    bool action = event.type == "invoice.payment_action_required";
    SubscriptionNews news{.payment_failed = event.type == "invoice.payment_failed" || action};
    // Strong customer authentication: the member confirms the renewal on the hosted invoice.
    if (action && invoice.hosted_invoice_url.starts_with("https://")) news.confirm_url = invoice.hosted_invoice_url;
    auto result = Sync(event, invoice.subscription, news);
    // A renewal paid is a plan's sale, the member named by the subscription's metadata copied on the invoice.
    auto buyer = MemberOf(invoice.subscription_metadata);
    if (event.type != "invoice.paid" || !buyer || invoice.amount_paid <= 0 ||
        (result.outcome != EventOutcome::kApplied && result.outcome != EventOutcome::kDuplicate)) {
        return result;
    }
    Sale sale{.source = "plan",
              .payment_ref = invoice.payment_intent.empty() ? invoice.id : invoice.payment_intent,
              .buyer = *buyer,
              .amount_minor = invoice.amount_paid,
              .currency = core::AsciiUpper(invoice.currency),
              .customer = invoice.customer,
              .card_fingerprint = {},
              .promotion_code = invoice.promotion_code,
              .paid_at = clock_.Now()};
    return ThenTell(result, [&](SaleListener& sales) { sales.OnSale(sale); });
}

PaymentResult PaymentService::OnCharge(const PaymentEvent& event, const Charge& charge) {
    auto result = RouteCharge(event, charge);
    if (charge.payment_intent.empty()) return result;
    return ThenTell(result, [&](SaleListener& sales) {
        sales.OnSaleRefunded(charge.payment_intent, charge.amount_refunded, charge.refunded);
    });
}

PaymentResult PaymentService::RouteCharge(const PaymentEvent& event, const Charge& charge) {
    // The charge carries its PaymentIntent's metadata, where Maxis wrote whose payment it is.
    if (IsPreorders(charge.metadata)) {
        if (preorders_ == nullptr) return Unhandled(event, "a pre-order's charge, and pre-orders are not wired");
        auto refund_id = charge.first_refund_id.empty() ? event.id + ".refund" : charge.first_refund_id;
        return Result(preorders_->OnRefunded(event.id, charge.payment_intent, refund_id, charge.refunded));
    }
    if (plans_ != nullptr && !MetaValue(charge.metadata, "plan").empty()) {
        if (!charge.refunded) return Unhandled(event, "a plan's payment partly refunded");
        return Result(plans_->OnOneTimeRevoked(Ref(event), charge.payment_intent, Reversal::kRefund, ""));
    }
    if (MetaValue(charge.metadata, "order_id").empty()) return Unhandled(event, "not an order's charge");
    auto refund_id = charge.first_refund_id.empty() ? event.id + ".refund" : charge.first_refund_id;
    return Result(
        shop_.OnRefunded(event.id, charge.payment_intent, refund_id, charge.amount_refunded, charge.refunded));
}

PaymentResult PaymentService::OnDispute(const PaymentEvent& event, const Dispute& dispute) {
    auto result = RouteDispute(event, dispute);
    if (dispute.payment_intent.empty()) return result;
    return ThenTell(result, [&](SaleListener& sales) { sales.OnSaleDisputed(dispute.payment_intent); });
}

PaymentResult PaymentService::RouteDispute(const PaymentEvent& event, const Dispute& dispute) {
    // A dispute names only the payment: plans, then pre-orders, say whether it is theirs; any other is the shop's.
    if (plans_ != nullptr && !dispute.payment_intent.empty() && plans_->OwnsPayment(dispute.payment_intent)) {
        return Result(plans_->OnOneTimeRevoked(Ref(event), dispute.payment_intent, Reversal::kDispute, dispute.reason));
    }
    if (preorders_ != nullptr && !dispute.payment_intent.empty() && preorders_->OwnsPayment(dispute.payment_intent)) {
        return Result(preorders_->OnDisputed(event.id, dispute.payment_intent, dispute.reason));
    }
    return Result(shop_.OnDisputed(event.id, dispute.payment_intent, dispute.reason));
}

PaymentResult PaymentService::Sync(const PaymentEvent& event, const std::string& subscription_id,
                                   const SubscriptionNews& news) {
    if (subscription_id.empty()) return Unhandled(event, "no subscription named");
    if (journal_.Recorded(event.id)) return Result(EventOutcome::kDuplicate);
    Subscription now;
    try {
        now = provider_.ReadSubscription(subscription_id);
    } catch (const core::Error& e) {
        return PaymentResult{EventOutcome::kRetryLater, std::string("the subscription could not be read: ") + e.what()};
    }
    auto observed = clock_.Now();
    auto holder = PlanHolder(now);
    if (!holder) {
        return Unhandled(
            event, "subscription " + subscription_id + " names no member or no plan sold (its price is not a plan's)");
    }
    return Result(plans_->OnSubscription(Ref(event), now, holder->first, holder->second, observed, news));
}

template <class Tell>
PaymentResult PaymentService::ThenTell(PaymentResult result, Tell tell) {
    if (sales_ == nullptr || result.outcome == EventOutcome::kRetryLater) return result;
    try {
        tell(*sales_);
    } catch (const std::exception& e) {
        return PaymentResult{EventOutcome::kRetryLater, std::string("the sale's listener failed: ") + e.what()};
    }
    return result;
}

PaymentResult PaymentService::SessionSold(const CheckoutSession& session, PaymentResult result, const char* source) {
    auto buyer = MemberOf(session.metadata);
    if (!Paid(session) || !buyer || session.payment_intent.empty() || session.amount_total <= 0 ||
        (result.outcome != EventOutcome::kApplied && result.outcome != EventOutcome::kDuplicate)) {
        return result;
    }
    Sale sale{.source = source,
              .payment_ref = session.payment_intent,
              .buyer = *buyer,
              .amount_minor = session.amount_total,
              .currency = core::AsciiUpper(session.currency),
              .customer = session.customer,
              .card_fingerprint = {},
              .promotion_code = session.promotion_code,
              .paid_at = clock_.Now()};
    return ThenTell(result, [&](SaleListener& sales) { sales.OnSale(sale); });
}

PaymentResult PaymentService::Unhandled(const PaymentEvent& event, std::string why) {
    return PaymentResult{journal_.RecordUnhandled(event.id, event.type), std::move(why)};
}

std::optional<std::pair<core::UserId, std::string>> PaymentService::PlanHolder(const Subscription& subscription) {
    auto user = MemberOf(subscription.metadata);
    if (!user) return std::nullopt;
    for (const auto& price : subscription.price_ids) {
        if (auto plan = plans_->PlanAtPrice(price)) return std::pair{*user, *plan};
    }
    auto named = MetaValue(subscription.metadata, "plan");
    if (!named.empty() && plans_->Sells(named)) return std::pair{*user, named};
    return std::nullopt;
}

}  // namespace maxis::payments
