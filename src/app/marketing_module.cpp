#include "app/marketing_module.hpp"

#include <spdlog/spdlog.h>

#include "app/discord_runtime.hpp"
#include "app/marketing_discord.hpp"
#include "app/payment_wiring.hpp"
#include "commands/marketing_commands.hpp"
#include "core/errors.hpp"
#include "domain/plans/plan_outbox.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "http/api/marketing_api.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/marketing_store.hpp"
#include "stripe/referral_codes.hpp"

namespace maxis::app {

namespace {

constexpr auto kDay = std::chrono::hours(24);

}  // namespace

/// The roles' perks over plans: the Discord role as plans' role-change item (the decision's transaction writes it),
/// Beta Tester's plan as Maxis's temporary grant under the term's reference, by which a second call finds the first.
class MarketingModule::PlanPerks final : public marketing::MarketingPerks {
public:
    PlanPerks(plans::PlanService& plans, const core::Clock& clock) : plans_(plans), clock_(clock) {}

    scheduling::NewOutboxItem RoleChange(core::UserId member, const std::string& discord_role, bool add,
                                         const std::string& reason, std::string key) override {
        return plans::RoleItem(plans::RoleChange{.user = member, .role = discord_role, .grant = add}, reason,
                               std::move(key));
    }

    long long GrantPlan(core::UserId member, const std::string& plan, core::TimePoint until,
                        const std::string& ref) override {
        auto duration = std::chrono::duration_cast<core::Millis>(until - clock_.Now());
        if (duration <= core::Millis::zero()) duration = core::Millis(1);
        return plans_.GrantTemporary(core::Viewer::System(), member, plan, duration, "marketing: " + ref, ref).id;
    }

    void EndPlan(core::UserId member, long long grant_id, const std::string& reason) override {
        try {
            plans_.RevokeTemporary(core::Viewer::System(), member, grant_id, reason);
        } catch (const core::Error& e) {
            if (e.key() != "plans.grant_over") throw;  // already over: nothing left to end
        }
    }

private:
    plans::PlanService& plans_;
    const core::Clock& clock_;
};

/// A validated invite earns the inviter coins once per invited member (the member is the ledger's reference). A
/// failure is logged; the validation stands.
class MarketingModule::CoinRewards final : public marketing::InviteRewards {
public:
    CoinRewards(coins::CoinService& coins, long long amount) : coins_(coins), amount_(amount) {}
    void OnValidated(core::UserId inviter, core::UserId member) override {
        if (amount_ <= 0) return;
        try {
            coins_.Credit(inviter, amount_, coins::CoinReason::kInvite, member.ToString());
        } catch (const std::exception& e) {
            spdlog::warn("coins: the validated invite of member {} earned member {} nothing: {}", member.value,
                         inviter.value, e.what());
        }
    }

private:
    coins::CoinService& coins_;
    long long amount_;
};

MarketingModule::MarketingModule(const Infrastructure& infra, plans::PlanService& plans, coins::CoinService& coins)
    : infra_(infra), role_config_(infra.config.marketing.roles) {
    const auto& m = infra.config.marketing;
    marketing::ValidateRoles(role_config_);
    repo_ = std::make_unique<storage::SqlMarketingRepository>(infra.db, infra.clock);
    perks_ = std::make_unique<PlanPerks>(plans, infra.clock);
    rewards_ = std::make_unique<CoinRewards>(coins, m.invite_coins);
    referrals_ = std::make_unique<stripe::StripeReferralProvider>(infra.stripe, m.referral_discount_percent);
    roles_ = std::make_unique<marketing::MarketingService>(
        *repo_, *perks_, referrals_.get(), infra.clock, role_config_,
        marketing::MarketingOptions{.help_channels = m.help_channels,
                                    .help_min_length = m.help_min_length,
                                    .help_cooldown = std::chrono::seconds(m.help_cooldown_seconds)});
    invites_ = std::make_unique<marketing::InviteService>(
        *repo_, infra.clock,
        marketing::InviteOptions{.validate_after = kDay * m.validate_after_days,
                                 .min_account_age = kDay * m.min_account_age_days,
                                 .attribution_window = kDay * m.attribution_window_days,
                                 .leaderboard_size = m.leaderboard_size},
        rewards_.get());
    commissions_ = std::make_unique<marketing::CommissionService>(
        *repo_, *referrals_, infra.clock, infra.zone, role_config_,
        marketing::CommissionOptions{.refund_window = kDay * m.refund_window_days,
                                     .currency = infra.config.plans.currency,
                                     .attribution_window = kDay * m.attribution_window_days});
    sales_ = SalesToCommissions(*commissions_, m.enabled);
    roles_->MirrorRoles();
}

MarketingModule::~MarketingModule() = default;

void MarketingModule::RegisterCommands(commands::Engine& engine) {
    if (!infra_.config.marketing.enabled) return;
    commands::RegisterMarketingCommands(engine, *roles_, *invites_, *commissions_, infra_.zone);
}

void MarketingModule::Sweep() {
    auto step = [](const char* what, const auto& run) {
        try {
            if (int done = run(); done > 0) spdlog::info("marketing: {}: {}", what, done);
        } catch (const std::exception& e) {
            spdlog::warn("marketing: {} failed (next run retries): {}", what, e.what());
        }
    };
    step("invites validated", [this] { return invites_->ValidateDue(); });
    step("commissions settled", [this] { return commissions_->SettleDue(); });
    step("Beta Tester plans renewed", [this] { return roles_->RenewPlans(); });
}

void MarketingModule::Serve(Runtime& runtime) {
    if (infra_.config.marketing.enabled) {
        http::AddMarketingRoutes(runtime.router, runtime.api_viewer, *roles_, *invites_, *commissions_, infra_.names);
    }
    if (auto* discord = runtime.discord; discord != nullptr && infra_.config.marketing.enabled) {
        WireMarketingDiscord(*discord, *invites_, *roles_);
        // Referral links point to [marketing] invite_channel, else to the channel members are mentioned in.
        auto channel = !infra_.config.marketing.invite_channel.empty() ? infra_.config.marketing.invite_channel
                                                                       : infra_.config.discord.fallback_channel_id;
        if (!channel.empty()) {
            referrals_->SetInviteMaker([discord, channel](core::UserId) { return discord->CreateInvite(channel); });
        }
    }
    runtime.scheduler.Register("marketing.sweep", [this](const scheduling::Job&) { Sweep(); });
    runtime.scheduler.AddRecurring("marketing.sweep", "marketing.sweep",
                                   *scheduling::Recurrence::Parse(infra_.config.marketing.sweep_schedule));
}

}  // namespace maxis::app
