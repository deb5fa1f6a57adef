#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "core/ids.hpp"
#include "domain/payments/payment_event.hpp"

namespace maxis::payments {

using core::EventOutcome;

/// An event as features record it: its id (applied once) and its type.
struct EventRef {
    std::string id;
    std::string type;
};

/// Port: the shop's side of payments (orders named by order_id in the metadata Maxis put on the session
/// and its PaymentIntent). Each call applies the event once, with its effect, in one transaction.
class ShopPayments {
public:
    virtual ~ShopPayments() = default;
    virtual EventOutcome OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                             const std::string& payment_intent, long long amount_minor,
                                             const std::string& currency, const std::string& invoice_url) = 0;
    virtual EventOutcome OnCheckoutPaymentFailed(const std::string& event_id, const std::string& session_id,
                                                 const std::string& type) = 0;
    virtual EventOutcome OnCheckoutExpired(const std::string& event_id, const std::string& session_id) = 0;
    virtual EventOutcome OnRefunded(const std::string& event_id, const std::string& payment_intent,
                                    const std::string& refund_id, long long amount_refunded, bool fully) = 0;
    /// Any dispute that is not a plan's: the shop applies it to the order paid by payment_intent, if any.
    virtual EventOutcome OnDisputed(const std::string& event_id, const std::string& payment_intent,
                                    const std::string& reason) = 0;
};

/// Port: pre-orders' side of payments (a purchase named by preorder_purchase in the metadata Maxis put on the session
/// and its PaymentIntent). Each call applies the event once, with its effect, in one transaction.
class PreorderPayments {
public:
    virtual ~PreorderPayments() = default;
    /// A session completed (paid, or unpaid while an asynchronous method clears) or its delayed payment succeeded.
    virtual EventOutcome OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                             const std::string& payment_intent, long long amount_minor) = 0;
    /// The session expired unpaid, or its delayed payment failed: the held seat goes back.
    virtual EventOutcome OnCheckoutExpired(const std::string& event_id, const std::string& session_id) = 0;
    virtual EventOutcome OnRefunded(const std::string& event_id, const std::string& payment_intent,
                                    const std::string& refund_id, bool fully) = 0;
    /// Whether a payment paid a pre-order (a dispute names only the payment).
    [[nodiscard]] virtual bool OwnsPayment(const std::string& payment_intent) = 0;
    virtual EventOutcome OnDisputed(const std::string& event_id, const std::string& payment_intent,
                                    const std::string& reason) = 0;
};

/// What an event says about a subscription besides its state.
struct SubscriptionNews {
    bool payment_failed = false;         // a renewal failed (the member is told)
    std::optional<long long> promotion;  // a promotion used at checkout (counted once)
    std::string confirm_url;             // the renewal awaits the member's confirmation on this hosted invoice
};

/// How a one-time plan's payment was taken back.
enum class Reversal { kRefund, kDispute };

/// Port: plans' side of payments (subscriptions and one-time plans, named by plan and user_id in the
/// metadata). Each On* call applies the event once.
class PlanPayments {
public:
    virtual ~PlanPayments() = default;
    /// The plan sold at a provider price, if any (a plan changed in the portal changes the price only).
    [[nodiscard]] virtual std::optional<std::string> PlanAtPrice(std::string_view price_id) = 0;
    /// Whether a plan of that id is sold.
    [[nodiscard]] virtual bool Sells(std::string_view plan) = 0;
    /// Brings the member's grant to the subscription as observed at observed_at.
    virtual EventOutcome OnSubscription(const EventRef& event, const Subscription& subscription, core::UserId user,
                                        const std::string& plan, core::TimePoint observed_at,
                                        const SubscriptionNews& news) = 0;
    virtual EventOutcome OnOneTimePaid(const EventRef& event, core::UserId user, const std::string& plan,
                                       const std::string& payment_ref, const std::string& customer,
                                       std::optional<long long> promotion) = 0;
    /// kRetryLater when the payment was not seen yet. `detail` is the dispute's reason (empty for a refund).
    virtual EventOutcome OnOneTimeRevoked(const EventRef& event, const std::string& payment_ref, Reversal how,
                                          const std::string& detail) = 0;
    /// Whether a payment bought a one-time plan (a dispute names only the payment).
    [[nodiscard]] virtual bool OwnsPayment(const std::string& payment_ref) = 0;
};

/// Port: where events are recorded once, whichever feature they concern.
class EventJournal {
public:
    virtual ~EventJournal() = default;
    [[nodiscard]] virtual bool Recorded(const std::string& event_id) = 0;
    /// Records an event nothing applies (acknowledged once): kIgnored, or kDuplicate.
    virtual EventOutcome RecordUnhandled(const std::string& event_id, const std::string& type) = 0;
};

/// Port: what must be read from the provider as it is now. Both throw core::Error when the provider
/// cannot answer (unreachable, refused, an unreadable answer): the event is then applied later.
class PaymentProvider {
public:
    virtual ~PaymentProvider() = default;
    [[nodiscard]] virtual Subscription ReadSubscription(const std::string& id) = 0;
    /// The invoice's hosted page; empty when it has none or the provider is not configured.
    [[nodiscard]] virtual std::string HostedInvoiceUrl(const std::string& invoice_id) = 0;
};

/// A payment Maxis was paid, as the payments see it once the feature applied it: whose it is and how it was paid.
struct Sale {
    std::string source;       // "order", "preorder", "plan"
    std::string payment_ref;  // the PaymentIntent; a subscription's invoice when its PaymentIntent is not said
    core::UserId buyer;
    long long amount_minor = 0;
    std::string currency;          // upper case (EUR)
    std::string customer;          // the provider's customer, when known
    std::string card_fingerprint;  // the card's fingerprint, when known
    std::string promotion_code;    // the provider's promotion code applied (promo_...), when any
    core::TimePoint paid_at{};
};

/// Port: what else follows sales (the marketing ledger). Called after the feature applied the event (or had already):
/// each call must be idempotent, and one that throws makes the event be delivered again.
class SaleListener {
public:
    virtual ~SaleListener() = default;
    virtual void OnSale(const Sale& sale) = 0;
    /// refunded_minor is the payment's cumulative refunded amount.
    virtual void OnSaleRefunded(const std::string& payment_ref, long long refunded_minor, bool fully) = 0;
    virtual void OnSaleDisputed(const std::string& payment_ref) = 0;
};

/// What applying an event did; detail says why it was not applied (a retry later's reason, an event
/// acknowledged without effect), for the log and the provider's dashboard.
struct PaymentResult {
    EventOutcome outcome = EventOutcome::kIgnored;
    std::string detail;
};

/// Receives parsed provider events, decides which feature each concerns and applies it there:
/// - the shop's: sessions, refunds and disputes of an order (order_id in the metadata);
/// - pre-orders': sessions and refunds of a purchase (preorder_purchase in the metadata);
/// - plans': sessions and refunds with a plan in the metadata, subscriptions of a member on a plan
///   sold, invoices of a subscription, disputes of a payment plans own. A subscription event never
///   trusts the payload's order: the subscription is read from the provider as it is now (once per new
///   event), and plans keep the newest state observed;
/// - anything else is recorded once, unhandled.
/// plans and preorders may be null (not wired): their events are then unhandled.
/// Once a feature applied a payment (or had already), the sale listener, when set, hears of it: paid sessions of
/// orders, pre-orders and one-time plans, paid subscription invoices (invoice.paid), refunds and disputes of any
/// payment; a listener that throws makes the event retried later (kRetryLater, its reason in detail).
class PaymentService {
public:
    PaymentService(ShopPayments& shop, PlanPayments* plans, EventJournal& journal, PaymentProvider& provider,
                   const core::Clock& clock, PreorderPayments* preorders = nullptr, SaleListener* sales = nullptr)
        : shop_(shop),
          plans_(plans),
          preorders_(preorders),
          sales_(sales),
          journal_(journal),
          provider_(provider),
          clock_(clock) {}

    PaymentResult Apply(const PaymentEvent& event);

private:
    PaymentResult OnSession(const PaymentEvent& event, const CheckoutSession& session);
    PaymentResult OnPreorderSession(const PaymentEvent& event, const CheckoutSession& session);
    PaymentResult OnSubscriptionEvent(const PaymentEvent& event, const Subscription& subscription);
    PaymentResult OnInvoice(const PaymentEvent& event, const Invoice& invoice);
    PaymentResult OnCharge(const PaymentEvent& event, const Charge& charge);
    PaymentResult RouteCharge(const PaymentEvent& event, const Charge& charge);
    PaymentResult OnDispute(const PaymentEvent& event, const Dispute& dispute);
    PaymentResult RouteDispute(const PaymentEvent& event, const Dispute& dispute);
    PaymentResult Sync(const PaymentEvent& event, const std::string& subscription, const SubscriptionNews& news);
    PaymentResult Unhandled(const PaymentEvent& event, std::string why);
    /// Tells the listener once the feature's outcome is final (applied, a duplicate, or acknowledged as unhandled).
    template <class Tell>
    PaymentResult ThenTell(PaymentResult result, Tell tell);
    PaymentResult SessionSold(const CheckoutSession& session, PaymentResult result, const char* source);
    /// The member and plan of a subscription, when it is a member's subscription to a plan sold.
    std::optional<std::pair<core::UserId, std::string>> PlanHolder(const Subscription& subscription);

    ShopPayments& shop_;
    PlanPayments* plans_;
    PreorderPayments* preorders_;
    SaleListener* sales_;
    EventJournal& journal_;
    PaymentProvider& provider_;
    const core::Clock& clock_;
};

}  // namespace maxis::payments
