#include "app/payment_wiring.hpp"

#include "stripe/events.hpp"

namespace maxis::app {

namespace {

using core::EventOutcome;

class ShopAdapter final : public payments::ShopPayments, public payments::EventJournal {
public:
    explicit ShopAdapter(shop::ShopService& shop) : shop_(shop) {}

    EventOutcome OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                     const std::string& payment_intent, long long amount_minor,
                                     const std::string& currency, const std::string& invoice_url) override {
        return shop_.OnCheckoutCompleted(event_id, session_id, paid, payment_intent, amount_minor, currency,
                                         invoice_url);
    }
    EventOutcome OnCheckoutPaymentFailed(const std::string& event_id, const std::string& session_id,
                                         const std::string& type) override {
        return shop_.OnCheckoutPaymentFailed(event_id, session_id, type);
    }
    EventOutcome OnCheckoutExpired(const std::string& event_id, const std::string& session_id) override {
        return shop_.OnCheckoutExpired(event_id, session_id);
    }
    EventOutcome OnRefunded(const std::string& event_id, const std::string& payment_intent,
                            const std::string& refund_id, long long amount_refunded, bool fully) override {
        return shop_.OnRefunded(event_id, payment_intent, refund_id, amount_refunded, fully);
    }
    EventOutcome OnDisputed(const std::string& event_id, const std::string& payment_intent,
                            const std::string& reason) override {
        return shop_.OnDisputed(event_id, payment_intent, reason);
    }

    // Events are recorded in one journal for every feature; the shop's store keeps it today.
    bool Recorded(const std::string& event_id) override { return shop_.EventRecorded(event_id); }
    EventOutcome RecordUnhandled(const std::string& event_id, const std::string& type) override {
        return shop_.OnUnhandled(event_id, type);
    }

private:
    shop::ShopService& shop_;
};

class PlanAdapter final : public payments::PlanPayments {
public:
    explicit PlanAdapter(plans::PlanService& plans) : plans_(plans) {}

    std::optional<std::string> PlanAtPrice(std::string_view price_id) override {
        const auto* plan = plans_.catalog().ByPrice(price_id);
        return plan != nullptr ? std::optional<std::string>(plan->id) : std::nullopt;
    }
    bool Sells(std::string_view plan) override { return plans_.catalog().Find(plan) != nullptr; }
    EventOutcome OnSubscription(const payments::EventRef& event, const payments::Subscription& s, core::UserId user,
                                const std::string& plan, core::TimePoint observed_at,
                                const payments::SubscriptionNews& news) override {
        plans::SubscriptionState state{.id = s.id,
                                       .customer = s.customer,
                                       .user = user,
                                       .plan = plan,
                                       .status = s.status,
                                       .period_end = s.current_period_end,
                                       .cancel_at_period_end = s.cancel_at_period_end};
        return plans_.OnSubscription(
            Event(event), state, observed_at,
            plans::SyncOptions{
                .payment_failed = news.payment_failed, .promotion = news.promotion, .confirm_url = news.confirm_url});
    }
    EventOutcome OnOneTimePaid(const payments::EventRef& event, core::UserId user, const std::string& plan,
                               const std::string& payment_ref, const std::string& customer,
                               std::optional<long long> promotion) override {
        return plans_.OnOneTimePaid(Event(event), user, plan, payment_ref, customer, promotion);
    }
    EventOutcome OnOneTimeRevoked(const payments::EventRef& event, const std::string& payment_ref,
                                  payments::Reversal how, const std::string& detail) override {
        return plans_.OnOneTimeRevoked(
            Event(event), payment_ref,
            how == payments::Reversal::kRefund ? plans::GrantEnd::kRefunded : plans::GrantEnd::kDisputed, detail);
    }
    bool OwnsPayment(const std::string& payment_ref) override { return plans_.OwnsPayment(payment_ref); }

private:
    static plans::PlanEvent Event(const payments::EventRef& e) { return plans::PlanEvent{e.id, e.type}; }
    plans::PlanService& plans_;
};

class PreorderAdapter final : public payments::PreorderPayments {
public:
    explicit PreorderAdapter(preorders::PreorderService& preorders) : preorders_(preorders) {}

    EventOutcome OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                     const std::string& payment_intent, long long amount_minor) override {
        return preorders_.OnCheckoutCompleted(event_id, session_id, paid, payment_intent, amount_minor);
    }
    EventOutcome OnCheckoutExpired(const std::string& event_id, const std::string& session_id) override {
        return preorders_.OnCheckoutExpired(event_id, session_id);
    }
    EventOutcome OnRefunded(const std::string& event_id, const std::string& payment_intent,
                            const std::string& refund_id, bool fully) override {
        return preorders_.OnRefunded(event_id, payment_intent, refund_id, fully);
    }
    bool OwnsPayment(const std::string& payment_intent) override { return preorders_.OwnsPayment(payment_intent); }
    EventOutcome OnDisputed(const std::string& event_id, const std::string& payment_intent,
                            const std::string& reason) override {
        return preorders_.OnDisputed(event_id, payment_intent, reason);
    }

private:
    preorders::PreorderService& preorders_;
};

class CommissionsOfSales final : public payments::SaleListener {
public:
    CommissionsOfSales(marketing::CommissionService& commissions, bool new_sales)
        : commissions_(commissions), new_sales_(new_sales) {}

    void OnSale(const payments::Sale& sale) override {
        if (!new_sales_) return;
        commissions_.OnSale(marketing::SaleFacts{.source = sale.source,
                                                 .payment_ref = sale.payment_ref,
                                                 .buyer = sale.buyer,
                                                 .amount = core::Money{sale.amount_minor, sale.currency},
                                                 .customer = sale.customer,
                                                 .card_fingerprint = sale.card_fingerprint,
                                                 .promotion_code = sale.promotion_code,
                                                 .paid_at = sale.paid_at});
    }
    void OnSaleRefunded(const std::string& payment_ref, long long refunded_minor, bool fully) override {
        commissions_.OnRefunded(payment_ref, refunded_minor, fully);
    }
    void OnSaleDisputed(const std::string& payment_ref) override { commissions_.OnDisputed(payment_ref); }

private:
    marketing::CommissionService& commissions_;
    bool new_sales_;
};

/// The service and everything it points to, kept alive together.
struct Wiring {
    Wiring(shop::ShopService& shop, plans::PlanService* plans, const stripe::Client& client, const core::Clock& clock,
           preorders::PreorderService* preorders, payments::SaleListener* sales)
        : shop_adapter(shop),
          plan_adapter(plans != nullptr ? std::make_unique<PlanAdapter>(*plans) : nullptr),
          preorder_adapter(preorders != nullptr ? std::make_unique<PreorderAdapter>(*preorders) : nullptr),
          provider(client),
          service(shop_adapter, plan_adapter.get(), shop_adapter, provider, clock, preorder_adapter.get(), sales) {}
    ShopAdapter shop_adapter;
    std::unique_ptr<PlanAdapter> plan_adapter;
    std::unique_ptr<PreorderAdapter> preorder_adapter;
    stripe::StripePaymentProvider provider;
    payments::PaymentService service;
};

}  // namespace

std::shared_ptr<payments::PaymentService> WirePayments(shop::ShopService& shop, plans::PlanService* plans,
                                                       const stripe::Client& client, const core::Clock& clock,
                                                       preorders::PreorderService* preorders,
                                                       payments::SaleListener* sales) {
    auto wiring = std::make_shared<Wiring>(shop, plans, client, clock, preorders, sales);
    return std::shared_ptr<payments::PaymentService>(wiring, &wiring->service);
}

std::unique_ptr<payments::SaleListener> SalesToCommissions(marketing::CommissionService& commissions, bool new_sales) {
    return std::make_unique<CommissionsOfSales>(commissions, new_sales);
}

}  // namespace maxis::app
