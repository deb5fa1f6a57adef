#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "core/viewer.hpp"
#include "domain/marketing/marketing.hpp"
#include "domain/marketing/marketing_ports.hpp"
#include "domain/marketing/marketing_store.hpp"

namespace maxis::marketing {

/// One paid sale as the payments see it (PaymentService, after the feature applied its event).
struct SaleFacts {
    std::string source;       // kSourceOrder, kSourcePreorder, kSourcePlan
    std::string payment_ref;  // the PaymentIntent for every source (a subscription invoice's payment_intent too):
                              // refunds and disputes name the payment by it
    core::UserId buyer;
    core::Money amount;            // what the buyer paid
    std::string customer;          // the provider's customer, when known
    std::string card_fingerprint;  // the card's fingerprint, when known
    std::string promotion_code;    // the provider's promotion code applied (promo_...), when any
    core::TimePoint paid_at{};
};

struct CommissionOptions {
    core::Millis refund_window = std::chrono::hours(24 * 14);  // pending this long, then due
    std::string currency = "EUR";
    core::Millis attribution_window = std::chrono::hours(24 * 30);
};

/// A marketer's page: their code and link, attributed members (a count for them), the balance and the statement.
struct ReferralView {
    std::optional<ReferralCode> code;
    std::string link;  // https://discord.gg/<invite> when made
    long long attributed = 0;
};

/// The referral and commission ledger's rules: referral codes and links for commission roles, attribution (invite,
/// declared code, promotion code at checkout; the first live one wins; never oneself, the same Stripe customer nor
/// the same card), a commission per attributed sale (pending for the refund window, then due; an invite's commission
/// waits for the invite's validation and is reversed if it is cancelled), partial refunds reducing it, full refunds
/// and disputes reversing it (after payout: a clawback carried as a negative balance), staff's rewards within the
/// role's bounds, payouts (never more than what is due; never automatic money movement) and monthly statements.
class CommissionService {
public:
    CommissionService(MarketingRepository& repo, ReferralProvider& provider, const core::Clock& clock,
                      const core::TimeZone& zone, const std::vector<RoleConfig>& roles, CommissionOptions options)
        : repo_(repo), provider_(provider), clock_(clock), zone_(zone), roles_(roles), options_(std::move(options)) {}

    [[nodiscard]] const CommissionOptions& options() const { return options_; }

    // Referral codes.
    /// The member's code and link, made on first call when they hold a commission role (marketing.not_marketer
    /// otherwise): a code from their name (or `wanted`, checked: marketing.code_shape, marketing.code_taken), its
    /// promotion code and invite link made when the providers allow. Calling again completes what is missing.
    ReferralView Referral(const core::Viewer& member, const std::string& wanted = {});
    /// A member declares who referred them (a code): attributed for the window unless already attributed, the code
    /// unknown or inactive (marketing.code_unknown: a forged code changes nothing), or their own
    /// (marketing.self_referral).
    Attribution UseCode(const core::Viewer& member, const std::string& code);

    // The payments (as the system viewer). Each is idempotent: a redelivered event changes nothing more.
    /// A paid sale: records the payer's identities, finds the referrer (the promotion code first, else the live
    /// attribution), refuses self-referral (same member, customer or card: nothing created, logged), and creates a
    /// pending commission at the referrer's role percent when they hold a commission role. nullopt: no commission.
    std::optional<Commission> OnSale(const SaleFacts& sale);
    /// refunded_minor is the total refunded of the payment so far (the provider's cumulative figure).
    void OnRefunded(const std::string& payment_ref, long long refunded_minor, bool fully);
    void OnDisputed(const std::string& payment_ref);

    /// The sweep: pending sale commissions past the refund window become due (an invite's, once its join is
    /// validated; reversed if the join was cancelled); returns how many changed.
    int SettleDue();

    // Staff.
    /// A reward (monthly, per piece, per event) for a holder of that role, within its bounds
    /// (marketing.reward_bounds, marketing.not_holder, marketing.reward_kind): a due row.
    Commission AddReward(const core::Viewer& staff, core::UserId marketer, RoleKind role, core::Money amount,
                         const std::string& note);
    /// Records money paid outside Maxis: amount > 0 and at most the balance due (marketing.payout_exceeds), a
    /// reference required (marketing.reference_required). Due rows become paid oldest first as far as payouts cover
    /// them.
    Payout RecordPayout(const core::Viewer& staff, core::UserId marketer, core::Money amount,
                        const std::string& reference);

    // Reading (a marketer sees their own; staff anyone's; buyers blanked for the marketer).
    /// The balance due now (may be negative: a clawback owed) and pending.
    struct Balance {
        long long due_minor = 0;
        long long pending_minor = 0;
        long long paid_minor = 0;  // all time
        std::string currency = "EUR";
    };
    [[nodiscard]] Balance BalanceOf(const core::Viewer& viewer, core::UserId marketer);
    /// The statement for a local month ("2026-12"; empty: the current one) (marketing.month_format).
    [[nodiscard]] Statement MonthlyStatement(const core::Viewer& viewer, core::UserId marketer,
                                             const std::string& month);
    /// Staff: every marketer's statement for the month (the panel and the CSV).
    [[nodiscard]] std::vector<Statement> Statements(const core::Viewer& staff, const std::string& month);

private:
    MarketingRepository& repo_;
    ReferralProvider& provider_;
    const core::Clock& clock_;
    const core::TimeZone& zone_;
    const std::vector<RoleConfig>& roles_;
    CommissionOptions options_;
};

}  // namespace maxis::marketing
