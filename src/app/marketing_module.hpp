#pragma once
#include <memory>

#include "app/module.hpp"
#include "domain/coins/coin_service.hpp"
#include "domain/marketing/commission_service.hpp"
#include "domain/marketing/invite_service.hpp"
#include "domain/marketing/marketing_service.hpp"
#include "domain/payments/payment_service.hpp"
#include "domain/plans/plan_service.hpp"

namespace maxis::storage {
class SqlMarketingRepository;
}
namespace maxis::stripe {
class StripeReferralProvider;
}

namespace maxis::app {

/// Marketing ([marketing]): the seven roles, invite tracking, referral codes and the commissions ledger, over one
/// repository and three services. It joins the features here so that none depends on another: the roles' Discord role
/// and Beta Tester's plan through plans (MarketingPerks), a validated invite's coins through CoinService (kInvite, the
/// invited member as reference: once), referral codes on Stripe, and the payments' sales heard through sales(). One
/// recurring job, marketing.sweep: invites validated, commissions due, Beta Tester's plan renewed. With enabled =
/// false no command or route is offered, while commissions already made still follow refunds and disputes.
class MarketingModule final : public FeatureModule {
public:
    MarketingModule(const Infrastructure& infra, plans::PlanService& plans, coins::CoinService& coins);
    ~MarketingModule() override;
    [[nodiscard]] std::string_view Name() const override { return "marketing"; }
    void RegisterCommands(commands::Engine& engine) override;
    void Serve(Runtime& runtime) override;

    [[nodiscard]] marketing::MarketingService& roles() { return *roles_; }
    [[nodiscard]] marketing::InviteService& invites() { return *invites_; }
    [[nodiscard]] marketing::CommissionService& commissions() { return *commissions_; }
    /// What the payments tell of sales, refunds and disputes (for WirePayments).
    [[nodiscard]] payments::SaleListener& sales() { return *sales_; }
    /// One run of the sweep: each step in its own try, so one failing does not stop the others.
    void Sweep();

private:
    class PlanPerks;
    class CoinRewards;
    const Infrastructure& infra_;
    std::vector<marketing::RoleConfig> role_config_;
    std::unique_ptr<storage::SqlMarketingRepository> repo_;
    std::unique_ptr<PlanPerks> perks_;
    std::unique_ptr<CoinRewards> rewards_;
    std::unique_ptr<stripe::StripeReferralProvider> referrals_;
    std::unique_ptr<marketing::MarketingService> roles_;
    std::unique_ptr<marketing::InviteService> invites_;
    std::unique_ptr<marketing::CommissionService> commissions_;
    std::unique_ptr<payments::SaleListener> sales_;
};

}  // namespace maxis::app
