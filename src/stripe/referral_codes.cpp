#include "stripe/referral_codes.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "crypto/crypto.hpp"

namespace maxis::stripe {

std::string StripeReferralProvider::CouponId() const { return "maxis-referral-" + std::to_string(discount_percent_); }

Form StripeReferralProvider::CouponForm() const {
    Form form;
    form.Add("id", CouponId())
        .Add("percent_off", discount_percent_)
        .Add("duration", "once")
        .Add("name", std::to_string(discount_percent_) + "% referral")
        .Add("metadata[maxis]", "referral");
    return form;
}

Form StripeReferralProvider::PromotionCodeForm(core::UserId marketer, const std::string& code) const {
    Form form;
    form.Add("coupon", CouponId()).Add("code", code).Add("metadata[referrer]", marketer.ToString());
    return form;
}

void StripeReferralProvider::EnsureCoupon() {
    std::lock_guard lock(mutex_);
    if (coupon_ready_) return;
    try {
        client_.Get("/v1/coupons/" + CouponId());
    } catch (const core::Error& e) {
        if (e.code() != core::ErrorCode::kNotFound) throw;
        // The key names the coupon: made once, whichever process asks first.
        client_.Post("/v1/coupons", CouponForm(), "maxis-referral-coupon-" + std::to_string(discount_percent_));
    }
    coupon_ready_ = true;
}

std::string StripeReferralProvider::CreatePromotionCode(core::UserId marketer, const std::string& code) {
    if (!promotions_configured()) {
        throw core::Error(core::ErrorCode::kUnavailable, "Stripe promotion codes are not configured");
    }
    try {
        EnsureCoupon();
        // The same marketer and code: the same key and body, so Stripe answers the first code again.
        auto key =
            "maxis-referral-promo-" + marketer.ToString() + "-" + crypto::HexEncode(crypto::Sha256(code)).substr(0, 16);
        auto promo = client_.Post("/v1/promotion_codes", PromotionCodeForm(marketer, code), key);
        auto id = Str(promo, "id");
        if (id.empty()) throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered a promotion code without id");
        return id;
    } catch (const core::Error& e) {
        spdlog::error("stripe: no referral promotion code {} for member {}: {}", code, marketer.value, e.what());
        throw;
    }
}

void StripeReferralProvider::DeactivatePromotionCode(const std::string& promotion_code_id) {
    if (promotion_code_id.empty() || !client_.configured()) return;
    Form form;
    form.Add("active", "false");
    try {
        client_.Post("/v1/promotion_codes/" + promotion_code_id, form, "maxis-referral-promo-off-" + promotion_code_id);
    } catch (const core::Error& e) {
        spdlog::error("stripe: referral promotion code {} not deactivated: {}", promotion_code_id, e.what());
        throw;
    }
}

std::string StripeReferralProvider::CreateInviteLink(core::UserId marketer) {
    InviteMaker maker;
    {
        std::lock_guard lock(mutex_);
        maker = invite_maker_;
    }
    if (!maker) return {};
    auto code = maker(marketer);
    return code;
}

void StripeReferralProvider::SetInviteMaker(InviteMaker maker) {
    std::lock_guard lock(mutex_);
    invite_maker_ = std::move(maker);
}

}  // namespace maxis::stripe
