#pragma once
#include <functional>
#include <mutex>
#include <string>

#include "domain/marketing/marketing_ports.hpp"
#include "stripe/client.hpp"
#include "stripe/form.hpp"

namespace maxis::stripe {

/// Referral codes outside Maxis: on Stripe, one coupon for every referral code (`maxis-referral-<percent>`,
/// percent_off, once: made on first use, found again after), a promotion code per marketer on it (their code, the
/// marketer in metadata[referrer]), deactivated when the role is revoked; every creating call with an idempotency key
/// derived from what it makes. On Discord, the marketer's invite link through `invite_maker` (set once Discord runs:
/// it makes a never-expiring invite and returns its code; without it there is no link).
class StripeReferralProvider final : public marketing::ReferralProvider {
public:
    /// Makes a Discord invite for the marketer and returns its code; throws core::Error when Discord refuses.
    using InviteMaker = std::function<std::string(core::UserId marketer)>;

    StripeReferralProvider(const Client& client, int discount_percent)
        : client_(client), discount_percent_(discount_percent) {}

    /// Promotion codes need Stripe's key and a discount (0 %: codes attribute through /referral use only).
    [[nodiscard]] bool promotions_configured() const override { return client_.configured() && discount_percent_ > 0; }
    std::string CreatePromotionCode(core::UserId marketer, const std::string& code) override;
    void DeactivatePromotionCode(const std::string& promotion_code_id) override;
    std::string CreateInviteLink(core::UserId marketer) override;

    void SetInviteMaker(InviteMaker maker);

    /// The referral coupon's id and the forms posted (exposed for tests of their shape).
    [[nodiscard]] std::string CouponId() const;
    [[nodiscard]] Form CouponForm() const;
    [[nodiscard]] Form PromotionCodeForm(core::UserId marketer, const std::string& code) const;

private:
    /// The coupon, read or made once per process.
    void EnsureCoupon();

    const Client& client_;
    int discount_percent_;
    std::mutex mutex_;
    bool coupon_ready_ = false;
    InviteMaker invite_maker_;
};

}  // namespace maxis::stripe
