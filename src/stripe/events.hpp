#pragma once
#include <boost/json/object.hpp>
#include <string_view>

#include "domain/payments/payment_event.hpp"
#include "domain/payments/payment_service.hpp"
#include "stripe/client.hpp"

namespace maxis::stripe {

/// Parses a webhook body, once, into a typed event: id, type, created, and data.object read as the type
/// says (checkout.session.*, customer.subscription.*, invoice.paid / payment_succeeded / payment_failed /
/// payment_action_required, charge.refunded, charge.dispute.created; any other type's object is not
/// read). Fields Maxis does not use are ignored and absent or null ones are empty; a field of the wrong
/// type, a missing id or an object of another kind throws core::Error (kInvalidArgument) naming the field,
/// e.g. "data.object.metadata: not an object".
payments::PaymentEvent ParseEvent(std::string_view body);

/// The same objects, read from API answers (path names the object in errors).
payments::CheckoutSession ParseCheckoutSession(const boost::json::object& object, const std::string& path = "");
payments::Invoice ParseInvoice(const boost::json::object& object, const std::string& path = "");
payments::Subscription ParseSubscription(const boost::json::object& object, const std::string& path = "");
payments::Charge ParseCharge(const boost::json::object& object, const std::string& path = "");
payments::Dispute ParseDispute(const boost::json::object& object, const std::string& path = "");

/// The payment service's view of Stripe: GET /v1/subscriptions/{id} and /v1/invoices/{id}, parsed into
/// the same types as the events. Errors are the client's core::Error, or kUnavailable for an answer
/// that is not the object asked for.
class StripePaymentProvider final : public payments::PaymentProvider {
public:
    explicit StripePaymentProvider(const Client& client) : client_(client) {}
    [[nodiscard]] payments::Subscription ReadSubscription(const std::string& id) override;
    /// Empty when no API key is configured (nothing can be read) or the invoice has no hosted page.
    [[nodiscard]] std::string HostedInvoiceUrl(const std::string& invoice_id) override;

private:
    const Client& client_;
};

}  // namespace maxis::stripe
