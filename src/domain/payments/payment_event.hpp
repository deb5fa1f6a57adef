#pragma once
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.hpp"

namespace maxis::payments {

/// The key-value pairs Maxis writes on the provider's objects (order_id, plan, user_id, promotion).
using Metadata = std::map<std::string, std::string, std::less<>>;

/// A hosted payment page (Checkout Session), with the fields Maxis uses. Absent or null fields are empty.
struct CheckoutSession {
    std::string id;
    std::string mode;            // payment, subscription, setup
    std::string payment_status;  // paid, unpaid, no_payment_required
    std::string payment_intent;
    std::string subscription;  // subscription mode, once paid
    std::string customer;
    std::string invoice;  // the invoice made after the payment, when asked for
    long long amount_total = 0;
    std::string currency;
    std::string promotion_code;  // the first of discounts[].promotion_code (a code the buyer typed), when any
    Metadata metadata;
};

/// An invoice; subscription is where the provider puts it for the API version the event was sent with
/// (top-level before 2025-03-31, parent.subscription_details after).
struct Invoice {
    std::string id;
    std::string customer;
    std::string subscription;
    std::string status;
    std::string hosted_invoice_url;
    long long amount_paid = 0;
    std::string currency;
    /// The PaymentIntent that paid it: top-level before 2025-03-31, else the first of payments.data[] when the
    /// list is included (it is not in events by default); empty otherwise.
    std::string payment_intent;
    /// The promotion code of its discount: discount.promotion_code before 2025-03-31's discounts[] (when expanded).
    std::string promotion_code;
    /// The subscription's metadata as copied on the invoice (subscription_details, or parent.subscription_details).
    Metadata subscription_metadata;
    Metadata metadata;
};

/// A subscription as read from the provider. current_period_end comes from the subscription itself
/// before API 2025-03-31 and from its first item after.
struct Subscription {
    std::string id;
    std::string customer;
    std::string status;  // active, trialing, past_due, unpaid, canceled, incomplete, incomplete_expired, paused
    bool cancel_at_period_end = false;
    std::optional<core::TimePoint> current_period_end;
    std::vector<std::string> price_ids;  // one per item, in order
    Metadata metadata;
};

/// A charge and what was refunded of it. first_refund_id is the newest refund when the charge lists them
/// (older API versions embed the list; newer ones do not).
struct Charge {
    std::string id;
    std::string payment_intent;
    long long amount = 0;
    long long amount_refunded = 0;
    bool refunded = false;  // fully refunded
    std::string currency;
    std::string first_refund_id;
    std::string customer;
    std::string card_fingerprint;  // payment_method_details.card.fingerprint, for a card
    Metadata metadata;             // copied from its PaymentIntent
};

/// A dispute (chargeback) opened on a payment.
struct Dispute {
    std::string id;
    std::string charge;
    std::string payment_intent;
    std::string reason;
    std::string status;
    long long amount = 0;
};

/// One provider event, parsed once at the edge. object is std::monostate for a type Maxis does not handle.
struct PaymentEvent {
    std::string id;
    std::string type;
    core::TimePoint created{};
    std::variant<std::monostate, CheckoutSession, Invoice, Subscription, Charge, Dispute> object;
};

/// A metadata value; empty when absent.
std::string MetaValue(const Metadata& metadata, std::string_view key);

}  // namespace maxis::payments
