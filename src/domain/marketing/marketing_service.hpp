#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/marketing/marketing.hpp"
#include "domain/marketing/marketing_ports.hpp"
#include "domain/marketing/marketing_store.hpp"

namespace maxis::marketing {

struct MarketingOptions {
    std::vector<std::string> help_channels;                // channels whose replies count as help messages
    int help_min_length = 40;                              // characters
    core::Millis help_cooldown = std::chrono::minutes(2);  // at most one counted help message per member this often
    core::Millis plan_term = std::chrono::hours(24 * 30);  // beta tester: each grant's length, renewed before its end
};

/// Where a member stands for a role (what /marketing apply and /marketing status show).
struct RoleStatus {
    RoleConfig role;
    bool holds = false;
    std::optional<Application> pending;
    std::vector<Requirement> requirements;  // measured ones, with progress
    [[nodiscard]] bool eligible() const {
        for (const auto& r : requirements)
            if (!r.verified_by_staff && !r.met()) return false;
        return true;
    }
};

/// The marketing roles' rules: applying (one pending application per role, the form each role needs, measurable
/// conditions checked and shown with progress), staff's approval (only of a pending application, the Discord role
/// given through the outbox, beta testers' plan), rejection with a reason, revocation (role taken back, plan ended,
/// referral code deactivated), help messages counted (help channels, replies to another member, a minimum length, a
/// cooldown) with staff's corrections, and events staff mark successful.
class MarketingService {
public:
    /// referrals may be null (no provider): a revoked marketer's promotion code is then only marked inactive.
    MarketingService(MarketingRepository& repo, MarketingPerks& perks, ReferralProvider* referrals,
                     const core::Clock& clock, std::vector<RoleConfig> roles, MarketingOptions options)
        : repo_(repo),
          perks_(perks),
          referrals_(referrals),
          clock_(clock),
          roles_(std::move(roles)),
          options_(std::move(options)) {}

    [[nodiscard]] const std::vector<RoleConfig>& roles() const { return roles_; }
    [[nodiscard]] const MarketingOptions& options() const { return options_; }
    /// The role's configuration; throws core::Error marketing.unknown_role for a role not enabled.
    [[nodiscard]] const RoleConfig& Role(RoleKind kind) const;

    /// Writes the roles' configuration to storage (the module, at start).
    void MirrorRoles();

    // Members.
    /// Where the member stands for each enabled role.
    [[nodiscard]] std::vector<RoleStatus> Status(const core::Viewer& member);
    /// Applies: marketing.unknown_role, marketing.already_holds, marketing.already_applied (a pending one), the
    /// form's fields (marketing.followers_required, marketing.links_required, marketing.portfolio_required: an https
    /// link, marketing.message_required), marketing.not_eligible (a measured condition unmet: the progress is in the
    /// error's parameters). Staff are told (a notice with the application).
    Application Apply(const core::Viewer& member, RoleKind role, const ApplicationForm& form);

    // Staff.
    [[nodiscard]] std::vector<Application> Applications(const core::Viewer& staff,
                                                        std::optional<ApplicationStatus> status);
    /// Approves the member's pending application for the role (marketing.no_application otherwise): the role held,
    /// the Discord role given (outbox), the member told; beta tester: the plan granted.
    MemberRole Approve(const core::Viewer& staff, core::UserId member, RoleKind role);
    /// Rejects it with a reason (marketing.reason_required); the member told.
    Application Reject(const core::Viewer& staff, core::UserId member, RoleKind role, const std::string& reason);
    /// Takes a held role back (marketing.not_holder): the Discord role removed, the plan ended, the referral code's
    /// promotion code deactivated when no commission role remains; the member told.
    MemberRole Revoke(const core::Viewer& staff, core::UserId member, RoleKind role, const std::string& reason);
    /// Active holders (a role filters).
    [[nodiscard]] std::vector<MemberRole> Holders(const core::Viewer& staff, std::optional<RoleKind> role);

    /// Staff mark an event the member hosted as successful (marketing.event_name_required; the same name twice for
    /// one member: marketing.event_duplicate).
    Activity MarkEvent(const core::Viewer& staff, core::UserId host, const std::string& name);
    /// Staff discount help messages counted by abuse (amount > 0, a reason).
    Activity DiscountHelp(const core::Viewer& staff, core::UserId member, int amount, const std::string& reason);

    // The Discord side (as the system viewer): a message in a channel. Counted when the channel is a help channel,
    /// the message replies to another member (not themselves, not a bot), is long enough, and the author's last
    /// counted one is older than the cooldown; a message id counts once. Returns whether it counted.
    bool OnHelpMessage(core::UserId author, const std::string& channel_id, const std::string& message_id,
                       core::UserId replied_to, bool replied_to_bot, int length_chars, core::TimePoint at);

    /// The sweep: beta testers' plans renewed before their term ends, while the role lasts. Returns how many.
    int RenewPlans();

private:
    MarketingRepository& repo_;
    MarketingPerks& perks_;
    ReferralProvider* referrals_;
    const core::Clock& clock_;
    std::vector<RoleConfig> roles_;
    MarketingOptions options_;
};

}  // namespace maxis::marketing
