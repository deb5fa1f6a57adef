#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/marketing/marketing.hpp"
#include "domain/scheduling/notice.hpp"
#include "domain/scheduling/outbox.hpp"

namespace maxis::marketing {

/// One leaderboard line.
struct InviteRank {
    core::UserId inviter;
    long long total = 0;  // InviteCounts::total() within the window
    long long validated = 0;
};

/// One transaction's view of marketing, bound to a viewer: rows in and out, nothing decided here. Every rule is the
/// services'. Visibility (the SQL store filters, PostgreSQL's row-level security enforces the same underneath):
/// - staff and Maxis (system) see everything;
/// - a member sees their own applications, roles, activity, referral code, the joins they invited or made, their
///   own attributions (as member or referrer), and their own commissions and payouts; a commission's `buyer` reads 0
///   for them (a marketer never learns who bought);
/// - invites, invite counters and leaderboards are public inside the community (read as the system viewer).
/// What the provider said of a payment's refunds and disputes (cumulative).
struct PaymentReversal {
    std::string payment_ref;  // the PaymentIntent
    long long refunded_minor = 0;
    bool fully_refunded = false;
    bool disputed = false;
    core::TimePoint at{};  // the first report
};

class MarketingStore {
public:
    virtual ~MarketingStore() = default;

    // Roles' configuration, mirrored from [marketing] at start (the panel and the SQL joins read it).
    virtual void SaveRoleConfig(const RoleConfig& role) = 0;

    // Applications.
    virtual ApplicationId InsertApplication(const Application& application) = 0;
    virtual std::optional<Application> FindApplication(ApplicationId id) = 0;
    /// The member's pending application for the role, if any.
    virtual std::optional<Application> PendingApplication(core::UserId user, RoleKind role) = 0;
    /// Writes status, decided_at, decided_by, reason.
    virtual void UpdateApplication(const Application& application) = 0;
    /// Newest first; a status filters; a user filters (0: everyone).
    virtual std::vector<Application> ListApplications(std::optional<ApplicationStatus> status, core::UserId user,
                                                      int limit) = 0;

    // Roles held.
    /// The member's row for the role, active or revoked (one row per member and role; a re-approval reactivates it).
    virtual std::optional<MemberRole> FindMemberRole(core::UserId user, RoleKind role) = 0;
    /// Inserts or replaces the (user, role) row.
    virtual void SaveMemberRole(const MemberRole& role) = 0;
    /// Active holders (a role filters), in grant order.
    virtual std::vector<MemberRole> ActiveRoles(std::optional<RoleKind> role) = 0;
    /// The member's roles, active or not.
    virtual std::vector<MemberRole> RolesOf(core::UserId user) = 0;
    /// Active free_plan roles whose plan_renew_at is at or before `at`.
    virtual std::vector<MemberRole> RenewalsDue(core::TimePoint at, int limit) = 0;
    /// Serialises decisions about one member until the end of the transaction (PostgreSQL: an advisory lock;
    /// SQLite's writers take turns already): approvals, revocations, commissions of one marketer.
    virtual void LockMember(core::UserId user) = 0;

    // Activity (help messages, events, corrections).
    /// False (nothing written) when a row with the same (user, kind, ref) exists and ref is not empty.
    virtual bool InsertActivity(const Activity& activity) = 0;
    /// Sum of amounts of the kind for the user (all time).
    virtual long long ActivityCount(core::UserId user, ActivityKind kind) = 0;
    /// The user's newest counted row of the kind (the rate limit), if any.
    virtual std::optional<core::TimePoint> LastActivity(core::UserId user, ActivityKind kind) = 0;
    virtual std::vector<Activity> ActivityOf(core::UserId user, std::optional<ActivityKind> kind, int limit) = 0;

    // Invites.
    /// Inserts or updates the invite by code (uses, deleted...).
    virtual void SaveInvite(const Invite& invite) = 0;
    virtual std::optional<Invite> FindInvite(const std::string& code) = 0;
    /// Invites not deleted, most used first.
    virtual std::vector<Invite> ListInvites(int limit) = 0;

    // Joins.
    virtual JoinId InsertJoin(const InviteJoin& join) = 0;
    /// Writes status, fake_reason, validated_at, left_at.
    virtual void UpdateJoin(const InviteJoin& join) = 0;
    /// UpdateJoin only while the row's status is still `expected` (one conditional UPDATE); false when another
    /// writer changed the status meanwhile (nothing written).
    virtual bool UpdateJoinIf(const InviteJoin& join, JoinStatus expected) = 0;
    /// The member's joins, newest first (a rejoin finds the earlier ones).
    virtual std::vector<InviteJoin> JoinsOf(core::UserId member) = 0;
    /// Pending joins whose validate_at is at or before `at`, oldest first.
    virtual std::vector<InviteJoin> ValidationsDue(core::TimePoint at, int limit) = 0;
    /// Joins made through the inviter's invites, newest first.
    virtual std::vector<InviteJoin> JoinsInvitedBy(core::UserId inviter, int limit) = 0;
    /// The counters of one inviter, for joins at or after `since` (nullopt: all time) and bonuses in that window.
    virtual InviteCounts Counts(core::UserId inviter, std::optional<core::TimePoint> since) = 0;
    /// The leaderboard for joins at or after `since`, by total then validated, at most `limit` lines.
    virtual std::vector<InviteRank> Leaderboard(std::optional<core::TimePoint> since, int limit) = 0;
    virtual void InsertBonus(const InviteBonus& bonus) = 0;

    // Referral codes.
    virtual std::optional<ReferralCode> FindCode(const std::string& code) = 0;
    virtual std::optional<ReferralCode> CodeOf(core::UserId user) = 0;
    virtual std::optional<ReferralCode> CodeByPromotion(const std::string& promotion_code_id) = 0;
    /// The code whose referral link is this Discord invite.
    virtual std::optional<ReferralCode> CodeByInvite(const std::string& invite_code) = 0;
    /// Inserts or replaces the user's code row (one per user; codes unique: a taken code throws core::Error
    /// kConflict).
    virtual void SaveCode(const ReferralCode& code) = 0;

    // Attributions.
    virtual long long InsertAttribution(const Attribution& attribution) = 0;
    /// The member's attribution live at `at` (starts_at <= at < ends_at), the earliest if several.
    virtual std::optional<Attribution> LiveAttribution(core::UserId member, core::TimePoint at) = 0;
    virtual std::optional<Attribution> FindAttribution(long long id) = 0;
    /// Members attributed to the referrer, newest first (staff and the referrer; the member ids are for counting
    /// and for staff: adapters never show them to the referrer).
    virtual std::vector<Attribution> AttributionsOf(core::UserId referrer, int limit) = 0;

    // Who paid with what: the provider's customer and card fingerprints seen on a member's payments (self-referral).
    virtual void RecordPayerIdentity(core::UserId user, const std::string& kind, const std::string& value) = 0;
    /// Whether the identity (kind: customer, card) was seen on a payment of `user`.
    virtual bool PayerIdentityOf(core::UserId user, const std::string& kind, const std::string& value) = 0;

    // Commissions.
    /// Inserts; a kSale with a payment_ref already recorded inserts nothing and returns nullopt (applied once).
    virtual std::optional<CommissionId> InsertCommission(const Commission& commission) = 0;
    /// Read for update in a write transaction (PostgreSQL: FOR UPDATE).
    virtual std::optional<Commission> FindCommission(CommissionId id) = 0;
    virtual std::optional<Commission> SaleCommission(const std::string& payment_ref) = 0;
    /// Writes status, amount, refunded_minor, paid_at, payout, reversed_at, note.
    virtual void UpdateCommission(const Commission& commission) = 0;
    /// The marketer's rows (all statuses), oldest first; a time range on created_at filters.
    virtual std::vector<Commission> CommissionsOf(core::UserId marketer, std::optional<core::TimePoint> from,
                                                  std::optional<core::TimePoint> to) = 0;
    /// Pending rows whose due_at is at or before `at`, oldest first.
    virtual std::vector<Commission> CommissionsDue(core::TimePoint at, int limit) = 0;
    /// Pending sale rows waiting for the join `join` to be validated.
    virtual std::vector<Commission> CommissionsOfJoin(JoinId join) = 0;
    /// Everyone with a commission or payout row, in id order.
    virtual std::vector<core::UserId> Marketers() = 0;

    // Refunds and disputes by payment, kept whether or not a commission exists yet (a refund may arrive before the
    // sale's event): the sale applies them when it comes.
    /// Inserts or merges by payment_ref: refunded_minor keeps the largest figure, fully_refunded and disputed only
    /// go from false to true.
    virtual void RecordPaymentReversal(const PaymentReversal& reversal) = 0;
    virtual std::optional<PaymentReversal> FindPaymentReversal(const std::string& payment_ref) = 0;

    // Payouts.
    virtual PayoutId InsertPayout(const Payout& payout) = 0;
    virtual std::vector<Payout> PayoutsOf(core::UserId marketer, std::optional<core::TimePoint> from,
                                          std::optional<core::TimePoint> to) = 0;

    /// Written to the outbox in this same transaction (a notice, or a role to give or take back).
    virtual void Notify(const scheduling::Notice& notice) = 0;
    virtual void Enqueue(const scheduling::NewOutboxItem& item) = 0;
};

/// Port: marketing's transactions. Write and Read run work in one transaction bound to the viewer; an exception from
/// work rolls everything back.
class MarketingRepository {
public:
    virtual ~MarketingRepository() = default;
    virtual void Write(const core::Viewer& viewer, const std::function<void(MarketingStore&)>& work) = 0;
    virtual void Read(const core::Viewer& viewer, const std::function<void(MarketingStore&)>& work) = 0;
};

}  // namespace maxis::marketing
