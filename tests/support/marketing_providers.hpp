#pragma once
// What a marketing role gives outside its record and what a referral code needs outside Maxis, for the adapters'
// tests (commands, REST): a Discord role change as an outbox item in the role deliverer's shape, plans' grants
// accepted, and referral codes without Stripe (no promotion code), with an invite link when one is given.
#include <string>
#include <utility>

#include "domain/marketing/marketing_ports.hpp"

namespace maxis::testing {

class OutboxMarketingPerks final : public marketing::MarketingPerks {
public:
    scheduling::NewOutboxItem RoleChange(core::UserId member, const std::string& discord_role, bool add,
                                         const std::string&, std::string key) override {
        return {"discord.role", (add ? "add " : "remove ") + discord_role + " " + member.ToString(), std::move(key)};
    }
    long long GrantPlan(core::UserId, const std::string&, core::TimePoint, const std::string&) override {
        return ++grants;
    }
    void EndPlan(core::UserId, long long, const std::string&) override {}
    long long grants = 0;
};

class NoStripeReferrals final : public marketing::ReferralProvider {
public:
    /// invite: the Discord invite code every marketer's link gets (empty: Discord not running).
    explicit NoStripeReferrals(std::string invite = {}) : invite_(std::move(invite)) {}
    [[nodiscard]] bool promotions_configured() const override { return false; }
    std::string CreatePromotionCode(core::UserId, const std::string&) override { return {}; }
    void DeactivatePromotionCode(const std::string&) override {}
    std::string CreateInviteLink(core::UserId) override { return invite_; }

private:
    std::string invite_;
};

}  // namespace maxis::testing
