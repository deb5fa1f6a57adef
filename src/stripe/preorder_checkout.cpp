#include "stripe/preorder_checkout.hpp"

namespace maxis::stripe {

Form StripePreorderCheckout::CheckoutForm(const preorders::Purchase& purchase, const preorders::Item& item,
                                          const preorders::Tier& tier, core::TimePoint expires_at,
                                          const std::string& locale) const {
    Form form;
    form.Add("mode", "payment");
    // Cards only: a seat is held for the session's life, and a payment that clears days later (a bank debit) would
    // always arrive after its hold, as a late payment refunded once the tier has filled.
    form.Add("payment_method_types[0]", "card");
    AddLineItem(form, 0, 1, purchase.price.currency, purchase.price.minor, item.name + " — " + tier.name);
    auto id = purchase.id.ToString();
    form.Add("client_reference_id", "preorder-" + id);
    AddPaymentPageFields(
        form,
        {{"preorder_purchase", id}, {"preorder_item", item.id.ToString()}, {"user_id", purchase.buyer.ToString()}},
        {{"preorder_purchase", id}}, expires_at, urls_, locale);
    return form;
}

std::string StripePreorderCheckout::CheckoutKey(const preorders::Purchase& purchase) {
    // The purchase's creation time keeps the key unique even if ids start again (a new database on the same Stripe
    // account); a retry of this one call reuses it, so Stripe makes one session.
    return "maxis-preorder-checkout-" + purchase.id.ToString() + "-" +
           std::to_string(core::ToEpochMillis(purchase.created_at));
}

Form StripePreorderCheckout::RefundForm(const preorders::Purchase& purchase) {
    Form form;
    form.Add("payment_intent", purchase.payment_intent).Add("metadata[preorder_purchase]", purchase.id.ToString());
    return form;
}

preorders::PreorderCheckout::Session StripePreorderCheckout::CreateCheckout(const preorders::Purchase& purchase,
                                                                            const preorders::Item& item,
                                                                            const preorders::Tier& tier,
                                                                            core::TimePoint expires_at,
                                                                            const std::string& locale) {
    auto session = CreateSession(client_, CheckoutForm(purchase, item, tier, expires_at, locale), CheckoutKey(purchase),
                                 "pre-order purchase " + purchase.id.ToString());
    return Session{std::move(session.id), std::move(session.url)};
}

std::string StripePreorderCheckout::Refund(const preorders::Purchase& purchase, const std::string& idempotency_key) {
    return CreateRefund(client_, RefundForm(purchase), idempotency_key);
}

}  // namespace maxis::stripe
