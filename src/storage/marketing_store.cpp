#include "storage/marketing_store.hpp"

#include <soci/soci.h>

#include <array>

#include "core/errors.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"

namespace maxis::storage {

using core::FromEpochMillis;
using core::ToEpochMillis;
using core::UserId;
using namespace marketing;

namespace {

/// An enum back from its database name (the names are the model's ToString).
template <class E, std::size_t N>
E FromName(const std::array<E, N>& values, const std::string& text, E fallback) {
    for (auto v : values) {
        if (ToString(v) == text) return v;
    }
    return fallback;
}
constexpr std::array kActivityKinds{ActivityKind::kHelpMessage, ActivityKind::kEvent};
constexpr std::array kJoinSources{JoinSource::kInvite, JoinSource::kVanity, JoinSource::kUnknown};
constexpr std::array kAttributionSources{AttributionSource::kInvite, AttributionSource::kCode,
                                         AttributionSource::kPromotion};

RoleKind RoleFrom(const std::string& text) {
    for (auto role : AllRoles()) {
        if (ToString(role) == text) return role;
    }
    return RoleKind::kAmbassador;
}

long long Ms(core::TimePoint at) { return ToEpochMillis(at); }

/// An optional integer (an instant in ms, an id) as a bound value and its indicator.
struct OptionalInt {
    long long value = 0;
    soci::indicator ind = soci::i_null;
    explicit OptionalInt(const std::optional<core::TimePoint>& at)
        : value(at ? ToEpochMillis(*at) : 0), ind(at ? soci::i_ok : soci::i_null) {}
    explicit OptionalInt(const std::optional<long long>& v)
        : value(v.value_or(0)), ind(v ? soci::i_ok : soci::i_null) {}
};

std::optional<long long> RowOptionalInt(const soci::row& r, std::size_t i) {
    if (r.get_indicator(i) == soci::i_null) return std::nullopt;
    return RowInt(r, i);
}

constexpr const char* kApplicationColumns =
    "id, user_id, role, status, followers, links, portfolio, message, created_at, decided_at, decided_by, reason";

Application ApplicationFrom(const soci::row& r) {
    Application a;
    a.id = ApplicationId{RowInt(r, 0)};
    a.user = UserId{RowInt(r, 1)};
    a.role = RoleFrom(RowText(r, 2));
    a.status = ParseApplicationStatus(RowText(r, 3)).value_or(ApplicationStatus::kPending);
    a.form.followers = RowInt(r, 4);
    a.form.links = RowText(r, 5);
    a.form.portfolio = RowText(r, 6);
    a.form.message = RowText(r, 7);
    a.created_at = FromEpochMillis(RowInt(r, 8));
    a.decided_at = RowOptionalTime(r, 9);
    a.decided_by = UserId{RowInt(r, 10)};
    a.reason = RowText(r, 11);
    return a;
}

constexpr const char* kMemberRoleColumns =
    "user_id, role, granted_at, granted_by, revoked_at, revoked_by, revoke_reason, plan_grant, plan_renew_at";

MemberRole MemberRoleFrom(const soci::row& r) {
    MemberRole m;
    m.user = UserId{RowInt(r, 0)};
    m.role = RoleFrom(RowText(r, 1));
    m.granted_at = FromEpochMillis(RowInt(r, 2));
    m.granted_by = UserId{RowInt(r, 3)};
    m.revoked_at = RowOptionalTime(r, 4);
    m.revoked_by = UserId{RowInt(r, 5)};
    m.revoke_reason = RowText(r, 6);
    m.plan_grant = RowOptionalInt(r, 7);
    m.plan_renew_at = RowOptionalTime(r, 8);
    return m;
}

constexpr const char* kActivityColumns = "id, user_id, kind, amount, ref, note, by_user, at";

Activity ActivityFrom(const soci::row& r) {
    Activity a;
    a.id = RowInt(r, 0);
    a.user = UserId{RowInt(r, 1)};
    a.kind = FromName(kActivityKinds, RowText(r, 2), ActivityKind::kHelpMessage);
    a.amount = static_cast<int>(RowInt(r, 3));
    a.ref = RowText(r, 4);
    a.note = RowText(r, 5);
    a.by = UserId{RowInt(r, 6)};
    a.at = FromEpochMillis(RowInt(r, 7));
    return a;
}

constexpr const char* kInviteColumns = "code, inviter_id, channel_id, uses, max_uses, created_at, expires_at, deleted";

Invite InviteFrom(const soci::row& r) {
    Invite i;
    i.code = RowText(r, 0);
    i.inviter = UserId{RowInt(r, 1)};
    i.channel_id = RowText(r, 2);
    i.uses = static_cast<int>(RowInt(r, 3));
    i.max_uses = static_cast<int>(RowInt(r, 4));
    i.created_at = FromEpochMillis(RowInt(r, 5));
    i.expires_at = RowOptionalTime(r, 6);
    i.deleted = RowInt(r, 7) != 0;
    return i;
}

constexpr const char* kJoinColumns =
    "id, member_id, inviter_id, source, code, status, fake_reason, joined_at, validate_at, validated_at, left_at";

InviteJoin JoinFrom(const soci::row& r) {
    InviteJoin j;
    j.id = JoinId{RowInt(r, 0)};
    j.member = UserId{RowInt(r, 1)};
    j.inviter = UserId{RowInt(r, 2)};
    j.source = FromName(kJoinSources, RowText(r, 3), JoinSource::kUnknown);
    j.code = RowText(r, 4);
    j.status = ParseJoinStatus(RowText(r, 5)).value_or(JoinStatus::kPending);
    j.fake_reason = RowText(r, 6);
    j.joined_at = FromEpochMillis(RowInt(r, 7));
    j.validate_at = FromEpochMillis(RowInt(r, 8));
    j.validated_at = RowOptionalTime(r, 9);
    j.left_at = RowOptionalTime(r, 10);
    return j;
}

constexpr const char* kCodeColumns = "user_id, code, promotion_code_id, invite_code, created_at, active";

ReferralCode CodeFrom(const soci::row& r) {
    ReferralCode c;
    c.user = UserId{RowInt(r, 0)};
    c.code = RowText(r, 1);
    c.promotion_code_id = RowText(r, 2);
    c.invite_code = RowText(r, 3);
    c.created_at = FromEpochMillis(RowInt(r, 4));
    c.active = RowInt(r, 5) != 0;
    return c;
}

constexpr const char* kAttributionColumns = "id, member_id, referrer_id, source, code, join_id, starts_at, ends_at";

Attribution AttributionFrom(const soci::row& r) {
    Attribution a;
    a.id = RowInt(r, 0);
    a.member = UserId{RowInt(r, 1)};
    a.referrer = UserId{RowInt(r, 2)};
    a.source = FromName(kAttributionSources, RowText(r, 3), AttributionSource::kInvite);
    a.code = RowText(r, 4);
    if (auto join = RowOptionalInt(r, 5)) a.join = JoinId{*join};
    a.starts_at = FromEpochMillis(RowInt(r, 6));
    a.ends_at = FromEpochMillis(RowInt(r, 7));
    return a;
}

/// The ledger's columns; a member's store reads 0 in place of the buyer (their column grant leaves buyer_id out).
std::string CommissionColumns(bool member) {
    return std::string("id, marketer_id, kind, role, status, amount_minor, currency, source, payment_ref, ") +
           (member ? "0" : "buyer_id") +
           ", sale_minor, refunded_minor, percent, attribution_id, note, created_by, created_at, due_at, paid_at, "
           "payout_id, reversed_at, clawback_of";
}

Commission CommissionFrom(const soci::row& r) {
    Commission c;
    c.id = CommissionId{RowInt(r, 0)};
    c.marketer = UserId{RowInt(r, 1)};
    c.kind = ParseCommissionKind(RowText(r, 2)).value_or(CommissionKind::kSale);
    c.role = RoleFrom(RowText(r, 3));
    c.status = ParseCommissionStatus(RowText(r, 4)).value_or(CommissionStatus::kPending);
    c.amount = core::Money{RowInt(r, 5), RowText(r, 6)};
    c.source = RowText(r, 7);
    c.payment_ref = RowText(r, 8);
    c.buyer = UserId{RowInt(r, 9)};
    c.sale_minor = RowInt(r, 10);
    c.refunded_minor = RowInt(r, 11);
    c.percent = static_cast<int>(RowInt(r, 12));
    c.attribution = RowOptionalInt(r, 13);
    c.note = RowText(r, 14);
    c.created_by = UserId{RowInt(r, 15)};
    c.created_at = FromEpochMillis(RowInt(r, 16));
    c.due_at = FromEpochMillis(RowInt(r, 17));
    c.paid_at = RowOptionalTime(r, 18);
    if (auto payout = RowOptionalInt(r, 19)) c.payout = PayoutId{*payout};
    c.reversed_at = RowOptionalTime(r, 20);
    if (auto of = RowOptionalInt(r, 21)) c.clawback_of = CommissionId{*of};
    return c;
}

constexpr const char* kPayoutColumns = "id, marketer_id, amount_minor, currency, reference, created_by, created_at";

Payout PayoutFrom(const soci::row& r) {
    Payout p;
    p.id = PayoutId{RowInt(r, 0)};
    p.marketer = UserId{RowInt(r, 1)};
    p.amount = core::Money{RowInt(r, 2), RowText(r, 3)};
    p.reference = RowText(r, 4);
    p.created_by = UserId{RowInt(r, 5)};
    p.created_at = FromEpochMillis(RowInt(r, 6));
    return p;
}

/// Runs an INSERT ... ON CONFLICT DO NOTHING RETURNING id prepared with soci::into(id): the id, or nullopt when it
/// inserted nothing.
std::optional<long long> Returned(soci::statement& st, const long long& id) {
    if (!st.execute(true)) return std::nullopt;
    return id;
}

class SqlMarketingStore final : public MarketingStore {
public:
    /// writing: a write transaction. On PostgreSQL FindCommission then holds the row FOR UPDATE for staff and Maxis
    /// (members may not lock rows, and write no commission).
    SqlMarketingStore(Transaction& tx, const core::Clock& clock, bool writing) : tx_(tx), clock_(clock) {
        if (writing && tx.dialect() == Dialect::kPostgres && !Member()) commission_lock_ = " FOR UPDATE";
    }

    // Roles' configuration.

    void SaveRoleConfig(const RoleConfig& r) override {
        std::string kind(ToString(r.kind)), reward(ToString(r.reward));
        int enabled = r.enabled ? 1 : 0, links = r.needs_links ? 1 : 0, portfolio = r.needs_portfolio ? 1 : 0,
            description = r.needs_description ? 1 : 0;
        tx_.sql() << "INSERT INTO marketing_roles (kind, enabled, discord_role, reward, commission_percent, min_minor, "
                     "max_minor, plan, required_invites, required_followers, required_help_messages, required_events, "
                     "needs_links, needs_portfolio, needs_description) VALUES (:k, :e, :d, :r, :c, :mi, :ma, :p, :ri, "
                     ":rf, :rh, :re, :nl, :np, :nd) ON CONFLICT (kind) DO UPDATE SET enabled = excluded.enabled, "
                     "discord_role = excluded.discord_role, reward = excluded.reward, commission_percent = "
                     "excluded.commission_percent, min_minor = excluded.min_minor, max_minor = excluded.max_minor, "
                     "plan = excluded.plan, required_invites = excluded.required_invites, required_followers = "
                     "excluded.required_followers, required_help_messages = excluded.required_help_messages, "
                     "required_events = excluded.required_events, needs_links = excluded.needs_links, "
                     "needs_portfolio = excluded.needs_portfolio, needs_description = excluded.needs_description",
            soci::use(kind), soci::use(enabled), soci::use(r.discord_role), soci::use(reward),
            soci::use(r.commission_percent), soci::use(r.min_minor), soci::use(r.max_minor), soci::use(r.plan),
            soci::use(r.required_invites), soci::use(r.required_followers), soci::use(r.required_help_messages),
            soci::use(r.required_events), soci::use(links), soci::use(portfolio), soci::use(description);
    }

    // Applications.

    /// One pending application per member and role: a second (two submissions at once) inserts nothing and is
    /// refused as already applied.
    ApplicationId InsertApplication(const Application& a) override {
        long long uid = a.user.value, created = Ms(a.created_at), id = 0;
        std::string role(ToString(a.role)), status(ToString(a.status));
        // The columns of a new application only (a member's grant): the decision's stay at their defaults.
        soci::statement st =
            (tx_.sql().prepare << "INSERT INTO marketing_applications (user_id, role, status, "
                                  "followers, links, portfolio, message, created_at) VALUES (:u, :r, "
                                  ":s, :f, :l, :p, :m, :c) ON CONFLICT DO NOTHING RETURNING id",
             soci::use(uid), soci::use(role), soci::use(status), soci::use(a.form.followers), soci::use(a.form.links),
             soci::use(a.form.portfolio), soci::use(a.form.message), soci::use(created), soci::into(id));
        if (!Returned(st, id)) {
            throw core::Error(core::ErrorCode::kConflict, "an application for this role is already pending",
                              "marketing.already_applied", {{"role", role}});
        }
        return ApplicationId{id};
    }

    std::optional<Application> FindApplication(ApplicationId id) override {
        DynamicQuery q;
        return First(Applications(q, "id = " + q.Bind(id.value)));
    }

    std::optional<Application> PendingApplication(UserId user, RoleKind role) override {
        DynamicQuery q;
        return First(Applications(q, "user_id = " + q.Bind(user.value) + " AND role = " +
                                         q.Bind(std::string(ToString(role))) + " AND status = 'pending'"));
    }

    void UpdateApplication(const Application& a) override {
        long long id = a.id.value, by = a.decided_by.value;
        std::string status(ToString(a.status));
        OptionalInt decided(a.decided_at);
        tx_.sql() << "UPDATE marketing_applications SET status = :s, decided_at = :d, decided_by = :b, reason = :r "
                     "WHERE id = :id",
            soci::use(status), soci::use(decided.value, decided.ind), soci::use(by), soci::use(a.reason), soci::use(id);
    }

    std::vector<Application> ListApplications(std::optional<ApplicationStatus> status, UserId user,
                                              int limit) override {
        DynamicQuery q;
        std::string where = "1 = 1";
        if (status) where += " AND status = " + q.Bind(std::string(ToString(*status)));
        if (user.value != 0) where += " AND user_id = " + q.Bind(user.value);
        return Applications(q, where + " ORDER BY id DESC LIMIT " + std::to_string(limit));
    }

    // Roles held.

    std::optional<MemberRole> FindMemberRole(UserId user, RoleKind role) override {
        DynamicQuery q;
        return First(
            MemberRoles(q, "user_id = " + q.Bind(user.value) + " AND role = " + q.Bind(std::string(ToString(role)))));
    }

    void SaveMemberRole(const MemberRole& m) override {
        long long uid = m.user.value, granted = Ms(m.granted_at), by = m.granted_by.value,
                  revoked_by = m.revoked_by.value;
        std::string role(ToString(m.role));
        OptionalInt revoked(m.revoked_at), grant(m.plan_grant), renew(m.plan_renew_at);
        tx_.sql() << "INSERT INTO user_marketing_roles (user_id, role, granted_at, granted_by, revoked_at, revoked_by, "
                     "revoke_reason, plan_grant, plan_renew_at) VALUES (:u, :r, :g, :gb, :ra, :rb, :rr, :pg, :pr) "
                     "ON CONFLICT (user_id, role) DO UPDATE SET granted_at = excluded.granted_at, granted_by = "
                     "excluded.granted_by, revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by, "
                     "revoke_reason = excluded.revoke_reason, plan_grant = excluded.plan_grant, plan_renew_at = "
                     "excluded.plan_renew_at",
            soci::use(uid), soci::use(role), soci::use(granted), soci::use(by), soci::use(revoked.value, revoked.ind),
            soci::use(revoked_by), soci::use(m.revoke_reason), soci::use(grant.value, grant.ind),
            soci::use(renew.value, renew.ind);
    }

    std::vector<MemberRole> ActiveRoles(std::optional<RoleKind> role) override {
        DynamicQuery q;
        std::string where = "revoked_at IS NULL";
        if (role) where += " AND role = " + q.Bind(std::string(ToString(*role)));
        return MemberRoles(q, where + " ORDER BY granted_at, user_id");
    }

    std::vector<MemberRole> RolesOf(UserId user) override {
        DynamicQuery q;
        return MemberRoles(q, "user_id = " + q.Bind(user.value) + " ORDER BY granted_at, role");
    }

    std::vector<MemberRole> RenewalsDue(core::TimePoint at, int limit) override {
        DynamicQuery q;
        return MemberRoles(q, "revoked_at IS NULL AND plan_renew_at IS NOT NULL AND plan_renew_at <= " +
                                  q.Bind(Ms(at)) + " ORDER BY plan_renew_at, user_id LIMIT " + std::to_string(limit));
    }

    void LockMember(UserId user) override { Lock("maxis.marketing.member." + user.ToString()); }

    // Activity.

    bool InsertActivity(const Activity& a) override {
        long long uid = a.user.value, by = a.by.value, at = Ms(a.at);
        std::string kind(ToString(a.kind));
        long long returned = 0;
        soci::statement st =
            (tx_.sql().prepare
                 << "INSERT INTO marketing_activity (user_id, kind, amount, ref, note, by_user, at) VALUES "
                    "(:u, :k, :a, :r, :n, :b, :t) ON CONFLICT DO NOTHING RETURNING id",
             soci::use(uid), soci::use(kind), soci::use(a.amount), soci::use(a.ref), soci::use(a.note), soci::use(by),
             soci::use(at), soci::into(returned));
        return Returned(st, returned).has_value();
    }

    long long ActivityCount(UserId user, ActivityKind kind) override {
        DynamicQuery q;
        return Scalar(q, "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM marketing_activity WHERE " +
                             Own("user_id", q) + "user_id = " + q.Bind(user.value) +
                             " AND kind = " + q.Bind(std::string(ToString(kind))));
    }

    /// Counted rows only (amount > 0): staff's discounts do not reset the cooldown.
    std::optional<core::TimePoint> LastActivity(UserId user, ActivityKind kind) override {
        DynamicQuery q;
        std::optional<core::TimePoint> out;
        q.ForEachRow(tx_.sql(),
                     "SELECT MAX(at) FROM marketing_activity WHERE " + Own("user_id", q) + "user_id = " +
                         q.Bind(user.value) + " AND kind = " + q.Bind(std::string(ToString(kind))) + " AND amount > 0",
                     [&](const soci::row& r) { out = RowOptionalTime(r, 0); });
        return out;
    }

    std::vector<Activity> ActivityOf(UserId user, std::optional<ActivityKind> kind, int limit) override {
        DynamicQuery q;
        std::string sql = std::string("SELECT ") + kActivityColumns + " FROM marketing_activity WHERE " +
                          Own("user_id", q) + "user_id = " + q.Bind(user.value);
        if (kind) sql += " AND kind = " + q.Bind(std::string(ToString(*kind)));
        sql += " ORDER BY at DESC, id DESC LIMIT " + std::to_string(limit);
        std::vector<Activity> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) { out.push_back(ActivityFrom(r)); });
        return out;
    }

    // Invites.

    void SaveInvite(const Invite& i) override {
        long long inviter = i.inviter.value, created = Ms(i.created_at);
        int deleted = i.deleted ? 1 : 0;
        OptionalInt expires(i.expires_at);
        tx_.sql() << "INSERT INTO invites (code, inviter_id, channel_id, uses, max_uses, created_at, expires_at, "
                     "deleted) VALUES (:c, :i, :ch, :u, :m, :ca, :e, :d) ON CONFLICT (code) DO UPDATE SET inviter_id "
                     "= excluded.inviter_id, channel_id = excluded.channel_id, uses = excluded.uses, max_uses = "
                     "excluded.max_uses, created_at = excluded.created_at, expires_at = excluded.expires_at, "
                     "deleted = excluded.deleted",
            soci::use(i.code), soci::use(inviter), soci::use(i.channel_id), soci::use(i.uses), soci::use(i.max_uses),
            soci::use(created), soci::use(expires.value, expires.ind), soci::use(deleted);
    }

    std::optional<Invite> FindInvite(const std::string& code) override {
        DynamicQuery q;
        return First(Invites(q, "code = " + q.Bind(code)));
    }

    std::vector<Invite> ListInvites(int limit) override {
        DynamicQuery q;
        return Invites(q, "deleted = 0 ORDER BY uses DESC, code LIMIT " + std::to_string(limit));
    }

    // Joins.

    JoinId InsertJoin(const InviteJoin& j) override {
        long long member = j.member.value, inviter = j.inviter.value, joined = Ms(j.joined_at),
                  validate = Ms(j.validate_at), id = 0;
        std::string source(ToString(j.source)), status(ToString(j.status));
        OptionalInt validated(j.validated_at), left(j.left_at);
        tx_.sql() << "INSERT INTO invite_joins (member_id, inviter_id, source, code, status, fake_reason, joined_at, "
                     "validate_at, validated_at, left_at) VALUES (:m, :i, :s, :c, :st, :f, :j, :v, :va, :l) "
                     "RETURNING id",
            soci::use(member), soci::use(inviter), soci::use(source), soci::use(j.code), soci::use(status),
            soci::use(j.fake_reason), soci::use(joined), soci::use(validate), soci::use(validated.value, validated.ind),
            soci::use(left.value, left.ind), soci::into(id);
        return JoinId{id};
    }

    void UpdateJoin(const InviteJoin& j) override {
        long long id = j.id.value;
        std::string status(ToString(j.status));
        OptionalInt validated(j.validated_at), left(j.left_at);
        tx_.sql() << "UPDATE invite_joins SET status = :s, fake_reason = :f, validated_at = :v, left_at = :l WHERE "
                     "id = :id",
            soci::use(status), soci::use(j.fake_reason), soci::use(validated.value, validated.ind),
            soci::use(left.value, left.ind), soci::use(id);
    }

    bool UpdateJoinIf(const InviteJoin& j, JoinStatus expected) override {
        long long id = j.id.value;
        std::string status(ToString(j.status)), was(ToString(expected));
        OptionalInt validated(j.validated_at), left(j.left_at);
        soci::statement st =
            (tx_.sql().prepare << "UPDATE invite_joins SET status = :s, fake_reason = :f, validated_at = :v, left_at = "
                                  ":l WHERE id = :id AND status = :was",
             soci::use(status), soci::use(j.fake_reason), soci::use(validated.value, validated.ind),
             soci::use(left.value, left.ind), soci::use(id), soci::use(was));
        st.execute(true);
        return st.get_affected_rows() > 0;
    }

    std::vector<InviteJoin> JoinsOf(UserId member) override {
        DynamicQuery q;
        return Joins(q, "member_id = " + q.Bind(member.value) + " ORDER BY joined_at DESC, id DESC");
    }

    std::vector<InviteJoin> ValidationsDue(core::TimePoint at, int limit) override {
        DynamicQuery q;
        return Joins(q, "status = 'pending' AND validate_at <= " + q.Bind(Ms(at)) + " ORDER BY validate_at, id LIMIT " +
                            std::to_string(limit));
    }

    std::vector<InviteJoin> JoinsInvitedBy(UserId inviter, int limit) override {
        DynamicQuery q;
        return Joins(q, "inviter_id = " + q.Bind(inviter.value) + " ORDER BY joined_at DESC, id DESC LIMIT " +
                            std::to_string(limit));
    }

    InviteCounts Counts(UserId inviter, std::optional<core::TimePoint> since) override {
        InviteCounts c;
        c.inviter = inviter;
        auto ranks = Tally(inviter, since, 1);
        if (!ranks.empty()) c = ranks.front();
        return c;
    }

    std::vector<InviteRank> Leaderboard(std::optional<core::TimePoint> since, int limit) override {
        std::vector<InviteRank> out;
        for (const auto& c : Tally(UserId{0}, since, limit)) out.push_back({c.inviter, c.total(), c.validated});
        return out;
    }

    void InsertBonus(const InviteBonus& b) override {
        long long inviter = b.inviter.value, by = b.by.value, at = Ms(b.at);
        tx_.sql() << "INSERT INTO invite_bonuses (inviter_id, amount, reason, by_user, at) VALUES (:i, :a, :r, :b, :t)",
            soci::use(inviter), soci::use(b.amount), soci::use(b.reason), soci::use(by), soci::use(at);
    }

    // Referral codes.

    std::optional<ReferralCode> FindCode(const std::string& code) override {
        DynamicQuery q;
        return First(Codes(q, "code = " + q.Bind(code)));
    }
    std::optional<ReferralCode> CodeOf(UserId user) override {
        DynamicQuery q;
        return First(Codes(q, "user_id = " + q.Bind(user.value)));
    }
    std::optional<ReferralCode> CodeByPromotion(const std::string& promotion_code_id) override {
        if (promotion_code_id.empty()) return std::nullopt;
        DynamicQuery q;
        return First(Codes(q, "promotion_code_id = " + q.Bind(promotion_code_id)));
    }
    std::optional<ReferralCode> CodeByInvite(const std::string& invite_code) override {
        if (invite_code.empty()) return std::nullopt;
        DynamicQuery q;
        return First(Codes(q, "invite_code = " + q.Bind(invite_code)));
    }

    /// A code taken by someone else is refused before anything is written (kConflict); the insert itself is
    /// conditional, so two members taking the same code at once leave one row and the other refused, not a failed
    /// statement.
    void SaveCode(const ReferralCode& c) override {
        long long uid = c.user.value, created = Ms(c.created_at);
        int active = c.active ? 1 : 0;
        auto refuse_if_taken = [&] {
            if (auto owner = CodeOwner(c.code); owner && *owner != uid) {
                throw core::Error(core::ErrorCode::kConflict, "the referral code " + c.code + " is taken",
                                  "marketing.code_taken", {{"code", c.code}});
            }
        };
        auto update = [&] {
            tx_.sql() << "UPDATE referral_codes SET code = :c, promotion_code_id = :p, invite_code = :i, created_at = "
                         ":t, active = :a WHERE user_id = :u",
                soci::use(c.code), soci::use(c.promotion_code_id), soci::use(c.invite_code), soci::use(created),
                soci::use(active), soci::use(uid);
        };
        refuse_if_taken();
        if (Exists("SELECT COUNT(*) FROM referral_codes WHERE user_id = ", uid)) return update();
        soci::statement st = (tx_.sql().prepare << "INSERT INTO referral_codes (user_id, code, promotion_code_id, "
                                                   "invite_code, created_at, active) VALUES (:u, :c, :p, :i, :t, :a) "
                                                   "ON CONFLICT DO NOTHING",
                              soci::use(uid), soci::use(c.code), soci::use(c.promotion_code_id),
                              soci::use(c.invite_code), soci::use(created), soci::use(active));
        if (AffectedRows(st) == 1) return;
        refuse_if_taken();  // taken meanwhile by another member
        update();           // or the member's own row, written meanwhile
    }

    // Attributions.

    long long InsertAttribution(const Attribution& a) override {
        long long member = a.member.value, referrer = a.referrer.value, starts = Ms(a.starts_at), ends = Ms(a.ends_at),
                  id = 0;
        std::string source(ToString(a.source));
        OptionalInt join(a.join ? std::optional<long long>(a.join->value) : std::nullopt);
        tx_.sql() << "INSERT INTO attributions (member_id, referrer_id, source, code, join_id, starts_at, ends_at) "
                     "VALUES (:m, :r, :s, :c, :j, :st, :e) RETURNING id",
            soci::use(member), soci::use(referrer), soci::use(source), soci::use(a.code),
            soci::use(join.value, join.ind), soci::use(starts), soci::use(ends), soci::into(id);
        return id;
    }

    std::optional<Attribution> LiveAttribution(UserId member, core::TimePoint at) override {
        DynamicQuery q;
        auto ms = Ms(at);
        return First(Attributions(q, "member_id = " + q.Bind(member.value) + " AND starts_at <= " + q.Bind(ms) +
                                         " AND ends_at > " + q.Bind(ms) + " ORDER BY starts_at, id LIMIT 1"));
    }

    std::optional<Attribution> FindAttribution(long long id) override {
        DynamicQuery q;
        return First(Attributions(q, "id = " + q.Bind(id)));
    }

    std::vector<Attribution> AttributionsOf(UserId referrer, int limit) override {
        DynamicQuery q;
        return Attributions(q, "referrer_id = " + q.Bind(referrer.value) + " ORDER BY starts_at DESC, id DESC LIMIT " +
                                   std::to_string(limit));
    }

    // Payer identities: Maxis's and staff's only.

    void RecordPayerIdentity(UserId user, const std::string& kind, const std::string& value) override {
        if (value.empty()) return;
        long long uid = user.value, now = Ms(clock_.Now());
        tx_.sql() << "INSERT INTO payer_identities (user_id, kind, value, first_seen) VALUES (:u, :k, :v, :t) "
                     "ON CONFLICT DO NOTHING",
            soci::use(uid), soci::use(kind), soci::use(value), soci::use(now);
    }

    bool PayerIdentityOf(UserId user, const std::string& kind, const std::string& value) override {
        if (value.empty() || Member()) return false;
        long long uid = user.value;
        long long n = 0;
        tx_.sql() << "SELECT COUNT(*) FROM payer_identities WHERE kind = :k AND value = :v AND user_id = :u",
            soci::use(kind), soci::use(value), soci::use(uid), soci::into(n);
        return n > 0;
    }

    // Refunds and disputes by payment: Maxis's and staff's only. On PostgreSQL both the record and the read take the
    // payment's lock first (their own statement, so the read that follows sees what committed while waiting): a
    // sale and a refund of the same payment are serialised, and whichever comes second sees the other.

    void RecordPaymentReversal(const PaymentReversal& r) override {
        LockPayment(r.payment_ref);
        long long refunded = r.refunded_minor, at = Ms(r.at);
        int fully = r.fully_refunded ? 1 : 0, disputed = r.disputed ? 1 : 0;
        tx_.sql() << "INSERT INTO payment_reversals (payment_ref, refunded_minor, fully_refunded, disputed, at) "
                     "VALUES (:p, :r, :f, :d, :t) ON CONFLICT (payment_ref) DO UPDATE SET refunded_minor = CASE WHEN "
                     "excluded.refunded_minor > payment_reversals.refunded_minor THEN excluded.refunded_minor ELSE "
                     "payment_reversals.refunded_minor END, fully_refunded = CASE WHEN excluded.fully_refunded = 1 "
                     "THEN 1 ELSE payment_reversals.fully_refunded END, disputed = CASE WHEN excluded.disputed = 1 "
                     "THEN 1 ELSE payment_reversals.disputed END",
            soci::use(r.payment_ref), soci::use(refunded), soci::use(fully), soci::use(disputed), soci::use(at);
    }

    std::optional<PaymentReversal> FindPaymentReversal(const std::string& payment_ref) override {
        if (Member()) return std::nullopt;
        LockPayment(payment_ref);
        DynamicQuery q;
        std::optional<PaymentReversal> out;
        q.ForEachRow(tx_.sql(),
                     "SELECT payment_ref, refunded_minor, fully_refunded, disputed, at FROM payment_reversals WHERE "
                     "payment_ref = " +
                         q.Bind(payment_ref),
                     [&](const soci::row& r) {
                         out = PaymentReversal{.payment_ref = RowText(r, 0),
                                               .refunded_minor = RowInt(r, 1),
                                               .fully_refunded = RowInt(r, 2) != 0,
                                               .disputed = RowInt(r, 3) != 0,
                                               .at = FromEpochMillis(RowInt(r, 4))};
                     });
        return out;
    }

    // Commissions.

    /// A sale's commission is inserted once per payment: the second insert of the same payment inserts nothing.
    std::optional<CommissionId> InsertCommission(const Commission& c) override {
        long long marketer = c.marketer.value, buyer = c.buyer.value, by = c.created_by.value,
                  created = Ms(c.created_at), due = Ms(c.due_at);
        std::string kind(ToString(c.kind)), role(ToString(c.role)), status(ToString(c.status));
        OptionalInt attribution(c.attribution), paid(c.paid_at), reversed(c.reversed_at),
            payout(c.payout ? std::optional<long long>(c.payout->value) : std::nullopt),
            of(c.clawback_of ? std::optional<long long>(c.clawback_of->value) : std::nullopt);
        long long returned = 0;
        soci::statement st =
            (tx_.sql().prepare
                 << "INSERT INTO commissions (marketer_id, kind, role, status, amount_minor, currency, source, "
                    "payment_ref, "
                    "buyer_id, sale_minor, refunded_minor, percent, attribution_id, note, created_by, created_at, "
                    "due_at, "
                    "paid_at, payout_id, reversed_at, clawback_of) VALUES (:m, :k, :r, :s, :a, :cu, :so, :pr, :b, "
                    ":sm, :rm, "
                    ":pc, :at, :n, :cb, :ca, :d, :pa, :po, :ra, :co) ON CONFLICT DO NOTHING RETURNING id",
             soci::use(marketer), soci::use(kind), soci::use(role), soci::use(status), soci::use(c.amount.minor),
             soci::use(c.amount.currency), soci::use(c.source), soci::use(c.payment_ref), soci::use(buyer),
             soci::use(c.sale_minor), soci::use(c.refunded_minor), soci::use(c.percent),
             soci::use(attribution.value, attribution.ind), soci::use(c.note), soci::use(by), soci::use(created),
             soci::use(due), soci::use(paid.value, paid.ind), soci::use(payout.value, payout.ind),
             soci::use(reversed.value, reversed.ind), soci::use(of.value, of.ind), soci::into(returned));
        auto id = Returned(st, returned);
        if (!id) return std::nullopt;
        return CommissionId{*id};
    }

    std::optional<Commission> FindCommission(CommissionId id) override {
        DynamicQuery q;
        return First(Commissions(q, "id = " + q.Bind(id.value) + commission_lock_));
    }

    std::optional<Commission> SaleCommission(const std::string& payment_ref) override {
        if (payment_ref.empty()) return std::nullopt;
        DynamicQuery q;
        return First(Commissions(q, "kind = 'sale' AND payment_ref = " + q.Bind(payment_ref)));
    }

    void UpdateCommission(const Commission& c) override {
        long long id = c.id.value;
        std::string status(ToString(c.status));
        OptionalInt paid(c.paid_at), reversed(c.reversed_at),
            payout(c.payout ? std::optional<long long>(c.payout->value) : std::nullopt);
        tx_.sql() << "UPDATE commissions SET status = :s, amount_minor = :a, refunded_minor = :r, paid_at = :p, "
                     "payout_id = :po, reversed_at = :ra, note = :n WHERE id = :id",
            soci::use(status), soci::use(c.amount.minor), soci::use(c.refunded_minor), soci::use(paid.value, paid.ind),
            soci::use(payout.value, payout.ind), soci::use(reversed.value, reversed.ind), soci::use(c.note),
            soci::use(id);
    }

    std::vector<Commission> CommissionsOf(UserId marketer, std::optional<core::TimePoint> from,
                                          std::optional<core::TimePoint> to) override {
        DynamicQuery q;
        return Commissions(q, "marketer_id = " + q.Bind(marketer.value) + Range("created_at", from, to, q) +
                                  " ORDER BY created_at, id");
    }

    std::vector<Commission> CommissionsDue(core::TimePoint at, int limit) override {
        DynamicQuery q;
        return Commissions(q, "status = 'pending' AND due_at <= " + q.Bind(Ms(at)) + " ORDER BY due_at, id LIMIT " +
                                  std::to_string(limit));
    }

    std::vector<Commission> CommissionsOfJoin(JoinId join) override {
        DynamicQuery q;
        return Commissions(q,
                           "status = 'pending' AND kind = 'sale' AND attribution_id IN (SELECT id FROM "
                           "attributions WHERE join_id = " +
                               q.Bind(join.value) + ") ORDER BY id");
    }

    std::vector<UserId> Marketers() override {
        DynamicQuery q;
        std::string own_c = Own("marketer_id", q), own_p = Own("marketer_id", q);
        std::vector<UserId> out;
        q.ForEachRow(tx_.sql(),
                     "SELECT marketer_id FROM commissions WHERE " + own_c +
                         "1 = 1 UNION SELECT marketer_id FROM payouts WHERE " + own_p + "1 = 1 ORDER BY 1",
                     [&](const soci::row& r) { out.push_back(UserId{RowInt(r, 0)}); });
        return out;
    }

    // Payouts.

    PayoutId InsertPayout(const Payout& p) override {
        long long marketer = p.marketer.value, by = p.created_by.value, created = Ms(p.created_at), id = 0;
        tx_.sql() << "INSERT INTO payouts (marketer_id, amount_minor, currency, reference, created_by, created_at) "
                     "VALUES (:m, :a, :c, :r, :b, :t) RETURNING id",
            soci::use(marketer), soci::use(p.amount.minor), soci::use(p.amount.currency), soci::use(p.reference),
            soci::use(by), soci::use(created), soci::into(id);
        return PayoutId{id};
    }

    std::vector<Payout> PayoutsOf(UserId marketer, std::optional<core::TimePoint> from,
                                  std::optional<core::TimePoint> to) override {
        DynamicQuery q;
        std::string sql = std::string("SELECT ") + kPayoutColumns + " FROM payouts WHERE " + Own("marketer_id", q) +
                          "marketer_id = " + q.Bind(marketer.value) + Range("created_at", from, to, q) +
                          " ORDER BY created_at, id";
        std::vector<Payout> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) { out.push_back(PayoutFrom(r)); });
        return out;
    }

    void Notify(const scheduling::Notice& notice) override {
        SqlOutboxStore::AddIn(tx_, scheduling::ToOutboxItem(notice), clock_.Now());
    }
    void Enqueue(const scheduling::NewOutboxItem& item) override { SqlOutboxStore::AddIn(tx_, item, clock_.Now()); }

private:
    /// PostgreSQL: this transaction holds the key's lock until it ends (SQLite: one writer at a time already).
    void Lock(const std::string& key) {
        if (tx_.dialect() != Dialect::kPostgres) return;
        tx_.sql() << "SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))", soci::use(key);
    }
    void LockPayment(const std::string& payment_ref) { Lock("maxis.marketing.payment." + payment_ref); }

    /// A member's store: their own rows only.
    [[nodiscard]] bool Member() const { return !tx_.viewer().IsStaff(); }

    /// "column = <the member> AND " for a member's store, nothing otherwise.
    std::string Own(const std::string& column, DynamicQuery& q) const {
        if (!Member()) return {};
        return column + " = " + q.Bind(tx_.viewer().user_id.value) + " AND ";
    }

    static std::string Range(const std::string& column, std::optional<core::TimePoint> from,
                             std::optional<core::TimePoint> to, DynamicQuery& q) {
        std::string out;
        if (from) out += " AND " + column + " >= " + q.Bind(Ms(*from));
        if (to) out += " AND " + column + " < " + q.Bind(Ms(*to));
        return out;
    }

    template <class T>
    static std::optional<T> First(std::vector<T> rows) {
        if (rows.empty()) return std::nullopt;
        return std::move(rows.front());
    }

    long long Scalar(DynamicQuery& q, const std::string& sql) {
        long long n = 0;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) { n = RowInt(r, 0); });
        return n;
    }

    bool Exists(const std::string& count_where, long long value) {
        long long n = 0;
        tx_.sql() << count_where + ":v", soci::use(value), soci::into(n);
        return n > 0;
    }

    std::optional<long long> CodeOwner(const std::string& code) {
        long long owner = 0;
        soci::statement st = (tx_.sql().prepare << "SELECT user_id FROM referral_codes WHERE code = :c",
                              soci::use(code), soci::into(owner));
        if (!st.execute(true)) return std::nullopt;
        return owner;
    }

    std::vector<Application> Applications(DynamicQuery& q, const std::string& where) {
        std::vector<Application> out;
        q.ForEachRow(tx_.sql(),
                     std::string("SELECT ") + kApplicationColumns + " FROM marketing_applications WHERE " +
                         Own("user_id", q) + where,
                     [&](const soci::row& r) { out.push_back(ApplicationFrom(r)); });
        return out;
    }

    std::vector<MemberRole> MemberRoles(DynamicQuery& q, const std::string& where) {
        std::vector<MemberRole> out;
        q.ForEachRow(tx_.sql(),
                     std::string("SELECT ") + kMemberRoleColumns + " FROM user_marketing_roles WHERE " +
                         Own("user_id", q) + where,
                     [&](const soci::row& r) { out.push_back(MemberRoleFrom(r)); });
        return out;
    }

    std::vector<Invite> Invites(DynamicQuery& q, const std::string& where) {
        std::vector<Invite> out;
        q.ForEachRow(tx_.sql(),
                     std::string("SELECT ") + kInviteColumns + " FROM invites WHERE " + Own("inviter_id", q) + where,
                     [&](const soci::row& r) { out.push_back(InviteFrom(r)); });
        return out;
    }

    /// The joins a member made or brought.
    std::string OwnJoins(DynamicQuery& q) const {
        if (!Member()) return {};
        auto me = tx_.viewer().user_id.value;
        return "(member_id = " + q.Bind(me) + " OR inviter_id = " + q.Bind(me) + ") AND ";
    }

    std::vector<InviteJoin> Joins(DynamicQuery& q, const std::string& where) {
        std::vector<InviteJoin> out;
        q.ForEachRow(tx_.sql(),
                     std::string("SELECT ") + kJoinColumns + " FROM invite_joins WHERE " + OwnJoins(q) + where,
                     [&](const soci::row& r) { out.push_back(JoinFrom(r)); });
        return out;
    }

    /// The counters per inviter (one inviter, or everyone when 0), from joins at or after `since` and bonuses in the
    /// same window, by total then validated.
    std::vector<InviteCounts> Tally(UserId inviter, std::optional<core::TimePoint> since, int limit) {
        DynamicQuery q;
        std::string joins = "inviter_id <> 0";
        std::string bonuses = "1 = 1";
        if (inviter.value != 0) {
            joins += " AND inviter_id = " + q.Bind(inviter.value);
        }
        if (since) joins += " AND joined_at >= " + q.Bind(Ms(*since));
        if (Member()) joins = OwnJoins(q) + joins;
        if (inviter.value != 0) bonuses += " AND inviter_id = " + q.Bind(inviter.value);
        if (since) bonuses += " AND at >= " + q.Bind(Ms(*since));
        if (Member()) bonuses = Own("inviter_id", q) + bonuses;
        const std::string sql =
            "SELECT inviter, CAST(SUM(regular) AS BIGINT), CAST(SUM(lft) AS BIGINT), CAST(SUM(fake) AS BIGINT), "
            "CAST(SUM(bonus) AS BIGINT), CAST(SUM(validated) AS BIGINT), CAST(SUM(pending) AS BIGINT) FROM ("
            "SELECT inviter_id AS inviter, SUM(CASE WHEN status <> 'fake' THEN 1 ELSE 0 END) AS regular, "
            "SUM(CASE WHEN status <> 'fake' AND left_at IS NOT NULL THEN 1 ELSE 0 END) AS lft, "
            "SUM(CASE WHEN status = 'fake' THEN 1 ELSE 0 END) AS fake, 0 AS bonus, "
            "SUM(CASE WHEN status = 'validated' THEN 1 ELSE 0 END) AS validated, "
            "SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending "
            "FROM invite_joins WHERE " +
            joins +
            " GROUP BY inviter_id UNION ALL SELECT inviter_id, 0, 0, 0, SUM(amount), 0, 0 FROM invite_bonuses WHERE " +
            bonuses +
            " GROUP BY inviter_id) t GROUP BY inviter "
            "ORDER BY SUM(regular) + SUM(bonus) - SUM(lft) DESC, SUM(validated) DESC, inviter LIMIT " +
            std::to_string(limit);
        std::vector<InviteCounts> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) {
            InviteCounts c;
            c.inviter = UserId{RowInt(r, 0)};
            c.regular = RowInt(r, 1);
            c.left = RowInt(r, 2);
            c.fake = RowInt(r, 3);
            c.bonus = RowInt(r, 4);
            c.validated = RowInt(r, 5);
            c.pending = RowInt(r, 6);
            out.push_back(c);
        });
        return out;
    }

    std::vector<ReferralCode> Codes(DynamicQuery& q, const std::string& where) {
        std::vector<ReferralCode> out;
        q.ForEachRow(tx_.sql(),
                     std::string("SELECT ") + kCodeColumns + " FROM referral_codes WHERE " + Own("user_id", q) + where,
                     [&](const soci::row& r) { out.push_back(CodeFrom(r)); });
        return out;
    }

    std::vector<Attribution> Attributions(DynamicQuery& q, const std::string& where) {
        std::string own;
        if (Member()) {
            auto me = tx_.viewer().user_id.value;
            own = "(member_id = " + q.Bind(me) + " OR referrer_id = " + q.Bind(me) + ") AND ";
        }
        std::vector<Attribution> out;
        q.ForEachRow(tx_.sql(),
                     std::string("SELECT ") + kAttributionColumns + " FROM attributions WHERE " + own + where,
                     [&](const soci::row& r) { out.push_back(AttributionFrom(r)); });
        return out;
    }

    std::vector<Commission> Commissions(DynamicQuery& q, const std::string& where) {
        std::vector<Commission> out;
        q.ForEachRow(
            tx_.sql(),
            "SELECT " + CommissionColumns(Member()) + " FROM commissions WHERE " + Own("marketer_id", q) + where,
            [&](const soci::row& r) { out.push_back(CommissionFrom(r)); });
        return out;
    }

    Transaction& tx_;
    const core::Clock& clock_;
    std::string commission_lock_;
};

}  // namespace

void SqlMarketingRepository::Write(const core::Viewer& viewer, const std::function<void(MarketingStore&)>& work) {
    db_.Write(viewer, [&](Transaction& tx) {
        SqlMarketingStore store(tx, clock_, true);
        work(store);
    });
}

void SqlMarketingRepository::Read(const core::Viewer& viewer, const std::function<void(MarketingStore&)>& work) {
    db_.Read(viewer, [&](Transaction& tx) {
        SqlMarketingStore store(tx, clock_, false);
        work(store);
    });
}

}  // namespace maxis::storage
