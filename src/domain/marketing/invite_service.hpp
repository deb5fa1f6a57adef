#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/marketing/marketing.hpp"
#include "domain/marketing/marketing_store.hpp"

namespace maxis::marketing {

/// Port: what a validated invite earns besides its count (the coins' hook, wired by the app over CoinService::Credit
/// with reason kInvite and the invited member's id as the reference, so it is credited once). Called after the
/// validation is committed, outside its transaction; a failure is logged by the caller and never undoes it.
class InviteRewards {
public:
    virtual ~InviteRewards() = default;
    virtual void OnValidated(core::UserId inviter, core::UserId member) = 0;
};

struct InviteOptions {
    core::Millis validate_after = std::chrono::hours(24 * 7);       // a join counts after this long in the server
    core::Millis min_account_age = std::chrono::hours(24 * 7);      // younger accounts are fake (0: no minimum)
    core::Millis attribution_window = std::chrono::hours(24 * 30);  // a referrer's attribution lasts this long
    int leaderboard_size = 10;
};

/// A member's invites as /invites shows them.
struct InviteSummary {
    InviteCounts counts;
    std::vector<InviteJoin> recent;  // newest first (the member's own view: their invitees, as people)
};

/// Invite tracking's rules: which joins count (self-invites, bots, young accounts and rejoins never do), pending then
/// validated after `validate_after` in the server, cancelled by an early leave, counters and leaderboards, staff's
/// bonuses, and the attribution a join through an invite gives its inviter (referrals). The Discord side finds the
/// invite (the use-count diff) and calls OnJoin/OnLeave; the sweep validates. Storage keeps rows.
class InviteService {
public:
    InviteService(MarketingRepository& repo, const core::Clock& clock, InviteOptions options,
                  InviteRewards* rewards = nullptr)
        : repo_(repo), clock_(clock), options_(std::move(options)), rewards_(rewards) {}

    [[nodiscard]] const InviteOptions& options() const { return options_; }

    // The Discord side (as the system viewer).
    /// Mirrors an invite (start-up list, INVITE_CREATE, a use count seen) and its deletion.
    void SaveInvite(const Invite& invite);
    void DeleteInvite(const std::string& code);
    /// A member joined. Records the join once per call: counted (pending) when it came through a member's invite and
    /// is not fake; fake with its reason (self, bot, young_account, rejoin) otherwise; vanity and unknown joins are
    /// recorded without an inviter. A counted join through an invite attributes the member to the inviter for the
    /// window (when the invite is a referral code's link, to the code's owner). Returns the join.
    InviteJoin OnJoin(const JoinFacts& facts);
    /// A member left: their pending join is cancelled (left_early, with the commissions waiting on it reversed by
    /// the commission service's sweep), a validated one keeps its validation and counts in `left`.
    void OnLeave(core::UserId member, core::TimePoint at);

    /// The sweep: pending joins that stayed validate_after are validated; the rewards hook is called for each.
    /// Returns how many.
    int ValidateDue();

    // Reading.
    /// The viewer's own invites (staff: anyone's).
    [[nodiscard]] InviteSummary Summary(const core::Viewer& viewer, core::UserId inviter);
    [[nodiscard]] std::vector<InviteRank> Leaderboard(Window window);
    [[nodiscard]] std::vector<Invite> Invites(const core::Viewer& staff);

    /// Staff add or remove invites by hand, with a reason (invites.reason_required, invites.bonus_range: 1 to 1000
    /// either way, not 0).
    InviteCounts AddBonus(const core::Viewer& staff, core::UserId inviter, int amount, const std::string& reason);

private:
    MarketingRepository& repo_;
    const core::Clock& clock_;
    InviteOptions options_;
    InviteRewards* rewards_;
};

}  // namespace maxis::marketing
