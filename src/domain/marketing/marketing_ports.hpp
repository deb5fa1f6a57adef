#pragma once
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "domain/scheduling/outbox.hpp"

namespace maxis::marketing {

/// Port: what a role gives besides its record, implemented by the app over the role deliverer and plans (marketing
/// does not depend on plans).
class MarketingPerks {
public:
    virtual ~MarketingPerks() = default;
    /// The outbox item that gives (add) or takes back a Discord role, in the role deliverer's form; the decision's
    /// transaction writes it, so it is delivered exactly once (`key` makes it unique).
    virtual scheduling::NewOutboxItem RoleChange(core::UserId member, const std::string& discord_role, bool add,
                                                 const std::string& reason, std::string key) = 0;
    /// Gives the member `plan` until `until` (a temporary grant that ends by itself), for the role's term `ref`
    /// ("marketing:beta_tester:<user>:<granted ms>:<n>": the holding, by when it was granted, and its n-th term);
    /// called again with the same ref, returns the first grant. Called outside the service's transactions. Throws
    /// core::Error when plans refuse.
    virtual long long GrantPlan(core::UserId member, const std::string& plan, core::TimePoint until,
                                const std::string& ref) = 0;
    /// Ends a grant early (the role revoked).
    virtual void EndPlan(core::UserId member, long long grant_id, const std::string& reason) = 0;
};

/// Port: what a referral code needs outside Maxis. Both are called outside any transaction; each throws core::Error
/// when the provider refuses or cannot be reached (the code then stays without it, and /referral tries again).
class ReferralProvider {
public:
    virtual ~ReferralProvider() = default;
    /// Whether Stripe is configured (promotion codes can be made).
    [[nodiscard]] virtual bool promotions_configured() const = 0;
    /// A Stripe promotion code with this code on the referral coupon ([marketing] referral_discount_percent), its
    /// metadata naming the marketer; the same call again (idempotency key from the user and code) makes no second
    /// one. Returns promo_...
    virtual std::string CreatePromotionCode(core::UserId marketer, const std::string& code) = 0;
    /// Deactivates it (the role revoked).
    virtual void DeactivatePromotionCode(const std::string& promotion_code_id) = 0;
    /// A Discord invite that never expires, made for the marketer (its joins are theirs); empty when Discord is not
    /// running (the console).
    virtual std::string CreateInviteLink(core::UserId marketer) = 0;
};

}  // namespace maxis::marketing
