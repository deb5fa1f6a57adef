#include "stripe/billing.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "crypto/crypto.hpp"

namespace maxis::stripe {

namespace json = boost::json;

namespace {

std::string Locale(const std::string& locale) { return locale == "fr" ? "fr" : locale == "en" ? "en" : "auto"; }

long long Seconds(core::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

Form StripeBilling::CheckoutForm(const PlanCheckout& c) const {
    const auto& plan = *c.plan;
    bool monthly = plan.billing == plans::Billing::kMonthly;
    auto user = c.user.ToString();
    Form form;
    form.Add("mode", monthly ? "subscription" : "payment")
        .Add("line_items[0][price]", plan.price_id)
        .Add("line_items[0][quantity]", 1)
        .Add("client_reference_id", user)
        .Add("metadata[user_id]", user)
        .Add("metadata[plan]", plan.id);
    if (c.promotion) form.Add("metadata[promotion]", std::to_string(c.promotion->id));
    if (monthly) {
        form.Add("subscription_data[metadata][user_id]", user).Add("subscription_data[metadata][plan]", plan.id);
    } else {
        form.Add("payment_intent_data[metadata][user_id]", user)
            .Add("payment_intent_data[metadata][plan]", plan.id)
            .Add("invoice_creation[enabled]", "true");
    }
    if (!c.customer.empty()) {
        form.Add("customer", c.customer);
    } else if (!monthly) {
        form.Add("customer_creation", "always");  // so that the portal can show the invoice later
    }
    if (c.promotion) {
        form.Add("discounts[0][promotion_code]", c.promotion->promotion_code_id);
    } else {
        form.Add("allow_promotion_codes", "true");
    }
    form.Add("success_url", urls_.success_url).Add("cancel_url", urls_.cancel_url).Add("locale", Locale(c.locale));
    return form;
}

std::string StripeBilling::CreatePlanCheckout(const PlanCheckout& c) {
    // One session per member, plan, minute and parameters: a double click opens the same page, and a request
    // that differs in anything (another locale, a promotion) never reuses a key Stripe saw with other
    // parameters (it would answer idempotency_error).
    auto form = CheckoutForm(c);
    auto key = "maxis-plan-" + c.user.ToString() + "-" + c.plan->id + "-" +
               std::to_string(core::ToEpochMillis(c.at) / 60'000) + "-" +
               crypto::HexEncode(crypto::Sha256(form.Encode())).substr(0, 24);
    json::object session;
    try {
        session = client_.Post("/v1/checkout/sessions", form, key);
    } catch (const core::Error& e) {
        spdlog::error("stripe: no Checkout Session for plan {} of member {}: {}", c.plan->id, c.user.value, e.what());
        throw core::Error(core::ErrorCode::kUnavailable, e.what(), "plans.checkout_failed");
    }
    auto url = Str(session, "url");
    if (url.empty())
        throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered a session without a URL",
                          "plans.checkout_failed");
    return url;
}

std::string StripeBilling::PortalUrl(const std::string& customer, const std::string& locale) {
    Form form;
    form.Add("customer", customer).Add("return_url", urls_.portal_return_url).Add("locale", Locale(locale));
    json::object session;
    try {
        session = client_.Post("/v1/billing_portal/sessions", form, "maxis-portal-" + crypto::RandomHex(12));
    } catch (const core::Error& e) {
        spdlog::error("stripe: no Customer Portal session for {}: {}", customer, e.what());
        throw core::Error(core::ErrorCode::kUnavailable, e.what(), "plans.portal_failed");
    }
    auto url = Str(session, "url");
    if (url.empty())
        throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered a portal session without a URL",
                          "plans.portal_failed");
    return url;
}

void StripeBilling::CreatePromotion(plans::Promotion& p, const plans::Plan& plan) {
    auto code = core::AsciiUpper(p.plan) + std::to_string(p.percent_off) + "-" + core::AsciiUpper(crypto::RandomHex(3));
    auto expires = Seconds(p.expires_at);
    Form promo;
    try {
        // The coupon applies to the plan's product only, so a code made for one plan is refused on another.
        auto product = Str(client_.Get("/v1/prices/" + plan.price_id), "product");
        if (product.empty())
            throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered a price without a product");
        Form coupon;
        coupon.Add("percent_off", p.percent_off)
            .Add("duration", "once")
            .Add("redeem_by", expires)
            .Add("name", std::to_string(p.percent_off) + "% " + p.plan)
            .Add("applies_to[products][0]", product)
            .Add("metadata[plan]", p.plan);
        auto c = client_.Post("/v1/coupons", coupon, "maxis-coupon-" + code);
        p.coupon_id = Str(c, "id");
        promo.Add("coupon", p.coupon_id).Add("code", code).Add("expires_at", expires).Add("metadata[plan]", p.plan);
        auto pc = client_.Post("/v1/promotion_codes", promo, "maxis-promotion-" + code);
        p.promotion_code_id = Str(pc, "id");
        p.code = Str(pc, "code").empty() ? code : Str(pc, "code");
    } catch (const core::Error& e) {
        spdlog::error("stripe: promotion {}% on {} not created: {}", p.percent_off, p.plan, e.what());
        throw core::Error(core::ErrorCode::kUnavailable, e.what(), "plans.promo_failed");
    }
    if (p.coupon_id.empty() || p.promotion_code_id.empty()) {
        throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered without ids", "plans.promo_failed");
    }
}

void StripeBilling::ExpirePromotion(const plans::Promotion& p) {
    Form form;
    form.Add("active", "false");
    try {
        // Updating a promotion code: only `active` (and metadata) can change; an inactive code is refused at
        // checkout. The same request twice leaves it inactive.
        auto pc = client_.Post("/v1/promotion_codes/" + p.promotion_code_id, form,
                               "maxis-promotion-expire-" + std::to_string(p.id));
        if (pc.contains("active") && pc.at("active").is_bool() && pc.at("active").as_bool()) {
            throw core::Error(core::ErrorCode::kUnavailable, "Stripe kept the promotion code active");
        }
    } catch (const core::Error& e) {
        spdlog::error("stripe: promotion {} not ended: {}", p.code, e.what());
        throw core::Error(core::ErrorCode::kUnavailable, e.what(), "plans.promo_expire_failed");
    }
}

}  // namespace maxis::stripe
