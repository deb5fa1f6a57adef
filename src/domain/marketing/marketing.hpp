#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"

namespace maxis::marketing {

using ApplicationId = core::Id<struct MarketingApplicationIdTag>;
using JoinId = core::Id<struct InviteJoinIdTag>;
using CommissionId = core::Id<struct CommissionIdTag>;
using PayoutId = core::Id<struct PayoutIdTag>;

// ---------------------------------------------------------------------------------------------------------------
// The seven roles.

/// The seven marketing roles. Their keys (ToString) are the config's and the database's; their names are in the
/// catalogs (marketing.role.<key>): Ambassadeur, Influenceur, Créateur, Helper, Event Host, Beta Tester, Partenaire.
enum class RoleKind { kAmbassador, kInfluencer, kCreator, kHelper, kEventHost, kBetaTester, kPartner };
std::string_view ToString(RoleKind role);  // ambassador, influencer, creator, helper, event_host, beta_tester, partner
/// A role as typed by a person: its key, or its French or English name, without case or accents ("Ambassadeur",
/// "ambassador", "créateur", "event host", "event-host", "beta", "partenaire"...). nullopt: unknown.
std::optional<RoleKind> ParseRoleKind(std::string_view text);
const std::vector<RoleKind>& AllRoles();

/// How a role is rewarded.
/// - commission: a percentage of each attributed sale (ambassador 20 %, partner 30 %), automatically;
/// - monthly: a fixed amount each month entered by staff within [min, max] (influencer 50-200 €, helper 20-50 €);
/// - per_piece: an amount per validated piece entered by staff within [min, max] (creator 10-50 €);
/// - per_event: a budget per event entered by staff within [min, max] (event host 50-200 €);
/// - free_plan: a plan given while the role lasts (beta tester: pro), renewed monthly.
enum class RewardKind { kCommission, kMonthly, kPerPiece, kPerEvent, kFreePlan };
std::string_view ToString(RewardKind reward);

/// One role's configuration ([marketing.roles.<key>]); DefaultRoles() holds the seed's values.
struct RoleConfig {
    RoleKind kind = RoleKind::kAmbassador;
    bool enabled = true;
    std::string discord_role;  // the Discord role id given on approval (empty: none)
    RewardKind reward = RewardKind::kCommission;
    int commission_percent = 0;  // kCommission
    long long min_minor = 0;     // kMonthly, kPerPiece, kPerEvent: the bounds of an amount staff enter
    long long max_minor = 0;
    std::string plan;  // kFreePlan: the plan given ("pro")
    // Conditions. Those measured (invites, help messages, events) are checked when a member applies and shown with
    // their progress; followers are declared and verified by staff; a portfolio or a partnership is judged by staff.
    int required_invites = 0;        // validated invites (ambassador 10)
    int required_followers = 0;      // declared (influencer 1000)
    int required_help_messages = 0;  // counted help messages (helper 100)
    int required_events = 0;         // events staff marked successful (event host 3)
    bool needs_links = false;        // influencer: the accounts' links in the form
    bool needs_portfolio = false;    // creator: a portfolio link in the form
    bool needs_description = false;  // partner, beta tester: a short presentation in the form
};
std::vector<RoleConfig> DefaultRoles();
/// The config's roles are valid: each kind once, percent 0-100 for commissions, 0 < min <= max for staff-entered
/// amounts, a plan for free_plan. Throws core::Error(kInvalidArgument) naming the role and the field.
void ValidateRoles(const std::vector<RoleConfig>& roles);
/// Whether a role earns commissions on attributed sales (ambassador, partner by default).
bool EarnsCommission(const RoleConfig& role);

/// One measurable condition and where the member stands ("7/10 invitations validées").
struct Requirement {
    std::string key;  // invites, help_messages, events, followers
    long long have = 0;
    long long need = 0;
    bool verified_by_staff = false;  // followers: declared, staff check
    [[nodiscard]] bool met() const { return have >= need; }
};

enum class ApplicationStatus { kPending, kApproved, kRejected };
std::string_view ToString(ApplicationStatus status);
std::optional<ApplicationStatus> ParseApplicationStatus(std::string_view text);

/// What a member wrote when applying (the modal on Discord, options in chat, fields in the panel).
struct ApplicationForm {
    long long followers = 0;  // declared (influencer)
    std::string links;        // their accounts (influencer), one text
    std::string portfolio;    // a link (creator)
    std::string message;      // a short presentation (any role)
};

struct Application {
    ApplicationId id;
    core::UserId user;
    RoleKind role = RoleKind::kAmbassador;
    ApplicationStatus status = ApplicationStatus::kPending;
    ApplicationForm form;
    core::TimePoint created_at{};
    std::optional<core::TimePoint> decided_at;
    core::UserId decided_by;
    std::string reason;  // a rejection's reason (staff's words)
};

/// A role a member holds (or held: revoked_at set).
struct MemberRole {
    core::UserId user;
    RoleKind role = RoleKind::kAmbassador;
    core::TimePoint granted_at{};
    core::UserId granted_by;
    std::optional<core::TimePoint> revoked_at;
    core::UserId revoked_by;
    std::string revoke_reason;
    std::optional<long long> plan_grant;           // beta tester: the plan grant in force
    std::optional<core::TimePoint> plan_renew_at;  // beta tester: when the grant is renewed next
    [[nodiscard]] bool active() const { return !revoked_at; }
};

/// The measurable activity that is not invites: help messages counted, events marked successful, and staff's
/// corrections. One row per fact; a count is the sum of amounts.
enum class ActivityKind { kHelpMessage, kEvent };
std::string_view ToString(ActivityKind kind);
struct Activity {
    long long id = 0;
    core::UserId user;
    ActivityKind kind = ActivityKind::kHelpMessage;
    int amount = 1;    // +1 a message or an event; a staff discount is negative
    std::string ref;   // the message id, the event's name; unique per (user, kind, ref) when not empty
    std::string note;  // staff's reason for a correction
    core::UserId by;   // staff for corrections and events; 0 for Maxis
    core::TimePoint at{};
};

// ---------------------------------------------------------------------------------------------------------------
// Invites.

/// How a join was found to come in: through a member's invite (use count rose), the vanity URL, or unknown (no
/// invite's count rose, or several did for several joins at once: an attribution is exact or it is not made).
enum class JoinSource { kInvite, kVanity, kUnknown };
std::string_view ToString(JoinSource source);

/// A join's life: pending until it has stayed `validate_after` (7 days), then validated; a leave before then cancels
/// it (left_early). Fake joins never count: a self-invite, a bot, an account younger than the minimum, a rejoin (the
/// member was counted once already: a rejoin never counts twice).
enum class JoinStatus { kPending, kValidated, kLeftEarly, kFake };
std::string_view ToString(JoinStatus status);
std::optional<JoinStatus> ParseJoinStatus(std::string_view text);
inline constexpr const char* kFakeSelf = "self";
inline constexpr const char* kFakeBot = "bot";
inline constexpr const char* kFakeYoungAccount = "young_account";
inline constexpr const char* kFakeRejoin = "rejoin";

/// A cached invite (the Discord side keeps these, storage mirrors them for the panel and for restarts).
struct Invite {
    std::string code;
    core::UserId inviter;  // 0: none (a widget or vanity invite)
    std::string channel_id;
    int uses = 0;
    int max_uses = 0;
    core::TimePoint created_at{};
    std::optional<core::TimePoint> expires_at;
    bool deleted = false;
};

/// What the Discord side knows of a join when it calls InviteService::OnJoin.
struct JoinFacts {
    core::UserId member;
    bool is_bot = false;
    JoinSource source = JoinSource::kUnknown;
    std::string code;      // the invite's code (kInvite), or the vanity code
    core::UserId inviter;  // kInvite: the invite's creator (0 when it has none)
    core::TimePoint at{};
};

struct InviteJoin {
    JoinId id;
    core::UserId member;
    core::UserId inviter;  // 0: none known
    JoinSource source = JoinSource::kUnknown;
    std::string code;
    JoinStatus status = JoinStatus::kPending;
    std::string fake_reason;  // kFake*: why it does not count
    core::TimePoint joined_at{};
    core::TimePoint validate_at{};  // joined_at + validate_after
    std::optional<core::TimePoint> validated_at;
    std::optional<core::TimePoint> left_at;  // set on a leave, whatever the status (a validated join that left)
};

/// A member's counters, the invite trackers' usual four: regular (joins through their invites that are not fake),
/// left (of those, who left), fake, bonus (staff's), plus validated and pending. total = regular + bonus - left
/// (fakes are already outside regular).
struct InviteCounts {
    core::UserId inviter;
    long long regular = 0;
    long long left = 0;
    long long fake = 0;
    long long bonus = 0;
    long long validated = 0;
    long long pending = 0;
    [[nodiscard]] long long total() const { return regular + bonus - left; }
};

/// A leaderboard's window: the last 7 days, the last 30 days, all time (by joins' dates).
enum class Window { kWeek, kMonth, kAll };
std::string_view ToString(Window window);  // 7d, 30d, all
std::optional<Window> ParseWindow(std::string_view text);

/// A staff correction of someone's invites (+ or -), with its reason.
struct InviteBonus {
    long long id = 0;
    core::UserId inviter;
    int amount = 0;
    std::string reason;
    core::UserId by;
    core::TimePoint at{};
};

// ---------------------------------------------------------------------------------------------------------------
// Referrals and commissions.

/// A marketer's referral code: a short code (letters and digits, 4 to 16, stored upper case), the Stripe promotion
/// code that carries it at checkout, and the invite link made for them.
struct ReferralCode {
    core::UserId user;
    std::string code;
    std::string promotion_code_id;  // Stripe's promo_..., empty until created
    std::string invite_code;        // a Discord invite made for them (the /referral link), empty when none
    core::TimePoint created_at{};
    bool active = true;
};
/// Whether text is a well-formed referral code (not whether it exists). Codes are compared upper case.
bool ValidCodeShape(std::string_view text);
std::string NormalizeCode(std::string_view text);

/// Why a member is attributed to a referrer: they joined through the referrer's invite, declared the referrer's
/// code (/referral use), or paid with the referrer's promotion code.
enum class AttributionSource { kInvite, kCode, kPromotion };
std::string_view ToString(AttributionSource source);

/// A member attributed to a referrer from `starts_at` until `ends_at` (the window, 30 days). One live attribution per
/// member: the first wins (a later code or invite does not steal it); a promotion code used at checkout attributes
/// that sale to its owner.
struct Attribution {
    long long id = 0;
    core::UserId member;
    core::UserId referrer;
    AttributionSource source = AttributionSource::kInvite;
    std::string code;            // the invite code or the referral code
    std::optional<JoinId> join;  // kInvite: the join, whose validation the commission waits for
    core::TimePoint starts_at{};
    core::TimePoint ends_at{};
};

/// What a commission row is: a share of an attributed sale, a reward staff entered (monthly, per piece, per event),
/// or a clawback (a reversal of something already paid, carried into the next statement as a negative amount).
enum class CommissionKind { kSale, kMonthly, kPiece, kEvent, kClawback };
std::string_view ToString(CommissionKind kind);
std::optional<CommissionKind> ParseCommissionKind(std::string_view text);

/// A commission's life: pending through the refund window (14 days), then due, then paid once payouts cover it;
/// reversed by a full refund, a dispute, or an invite cancelled before validation (before payout; after payout a
/// kClawback row carries it). Rewards staff enter are due at once.
enum class CommissionStatus { kPending, kDue, kPaid, kReversed };
std::string_view ToString(CommissionStatus status);
std::optional<CommissionStatus> ParseCommissionStatus(std::string_view text);

/// Where an attributed sale came from.
inline constexpr const char* kSourceOrder = "order";
inline constexpr const char* kSourcePreorder = "preorder";
inline constexpr const char* kSourcePlan = "plan";

struct Commission {
    CommissionId id;
    core::UserId marketer;
    CommissionKind kind = CommissionKind::kSale;
    RoleKind role = RoleKind::kAmbassador;
    CommissionStatus status = CommissionStatus::kPending;
    core::Money amount;  // the commission now (reduced by partial refunds); negative for a clawback
    // kSale: the sale. Who bought is never shown to the marketer (only to staff): a marketer's views blank the buyer,
    // the payment and the attribution.
    std::string source;       // kSourceOrder, kSourcePreorder, kSourcePlan
    std::string payment_ref;  // the provider's PaymentIntent, for every source (an invoice's too); unique with kSale
    core::UserId buyer;
    long long sale_minor = 0;      // what the buyer paid
    long long refunded_minor = 0;  // refunded of it so far
    int percent = 0;
    std::optional<long long> attribution;
    std::string note;         // staff's words for rewards; the reason of a reversal or clawback (a reason code)
    core::UserId created_by;  // staff for rewards, 0 for Maxis
    core::TimePoint created_at{};
    core::TimePoint due_at{};  // kSale: created_at + refund window; rewards: created_at
    std::optional<core::TimePoint> paid_at;
    std::optional<PayoutId> payout;
    std::optional<core::TimePoint> reversed_at;
    std::optional<CommissionId> clawback_of;  // kClawback: the paid row it takes back
};
/// Reason codes kept in Commission::note for reversals and clawbacks.
inline constexpr const char* kReasonRefund = "refund";
inline constexpr const char* kReasonPartialRefund = "partial_refund";
inline constexpr const char* kReasonDispute = "dispute";
inline constexpr const char* kReasonInviteCancelled = "invite_cancelled";

/// percent of sale_minor, rounded half up, in minor units.
long long CommissionOf(long long sale_minor, int percent);
/// What a commission becomes after `refunded_minor` of `sale_minor` was refunded: proportional, rounded half up.
long long ReducedCommission(long long original_minor, long long sale_minor, long long refunded_minor);

/// Money staff paid a marketer outside Maxis (a bank transfer...), with its reference. Never automatic.
struct Payout {
    PayoutId id;
    core::UserId marketer;
    core::Money amount;
    std::string reference;
    core::UserId created_by;
    core::TimePoint created_at{};
};

/// A marketer's monthly statement (a local calendar month): what was carried in (a negative carry is a clawback
/// owed), what became due, was clawed back and paid in the month, and what is carried out. The figures are the
/// ledger's rows as they are now, and add up: closing = opening + earned - reversed - paid. A row reversed before it
/// became due never entered the balance: it is a line, counted in cancelled only. All amounts in the community's
/// currency.
struct Statement {
    core::UserId marketer;
    std::string month;              // "2026-12"
    long long opening_minor = 0;    // due and not paid at the month's start (may be negative)
    long long earned_minor = 0;     // commissions and rewards that became due in the month (their amount now)
    long long reversed_minor = 0;   // clawbacks of paid commissions made in the month (positive figure)
    long long paid_minor = 0;       // payouts in the month
    long long pending_minor = 0;    // at the month's end, still in the refund window
    long long closing_minor = 0;    // due and not paid at the month's end: opening + earned - reversed - paid
    long long cancelled_minor = 0;  // the month's rows reversed before they became due (outside the balance)
    std::vector<Commission> lines;  // the month's rows (for a marketer: no buyer, payment nor attribution)
    std::vector<Payout> payouts;
    std::string currency = "EUR";
};

}  // namespace maxis::marketing
