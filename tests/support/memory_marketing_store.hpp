#pragma once
// Marketing's rows in memory, for the rule tests of domain/marketing (milliseconds, no database). Transactions take
// turns (one mutex, as SQLite's writers do). A Write that throws leaves the state as it was, as a rolled-back
// transaction would; a Read refuses every write. Reads filter by the viewer as the SQL store does
// (marketing_store.hpp): staff and Maxis see everything; a member sees their own applications, roles, activity,
// referral code, payer identities, the joins they made or invited, the attributions where they are the member or the
// referrer, and their own commissions and payouts, a commission's buyer reading 0 for them; invites, counters and
// leaderboards are public. The unique rules are the schema's: one pending application per (user, role), activity (user,
// kind, ref) when ref is not empty, one sale commission per payment_ref, referral codes unique (a taken code throws
// core::Error kConflict, as the SQL store does). Notices and outbox items are collected for assertions (every call,
// without the outbox's de-duplication, so that a notice written twice shows).
#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "domain/marketing/marketing_store.hpp"

namespace maxis::testing {

class MemoryMarketingRepository final : public marketing::MarketingRepository {
public:
    struct State {
        std::map<marketing::RoleKind, marketing::RoleConfig> role_configs;
        std::map<long long, marketing::Application> applications;
        std::map<std::pair<long long, marketing::RoleKind>, marketing::MemberRole> member_roles;
        std::map<long long, marketing::Activity> activity;
        std::map<std::string, marketing::Invite> invites;
        std::map<long long, marketing::InviteJoin> joins;
        std::map<long long, marketing::InviteBonus> bonuses;
        std::map<long long, marketing::ReferralCode> codes;  // by user
        std::map<long long, marketing::Attribution> attributions;
        std::set<std::tuple<long long, std::string, std::string>> payer_identities;  // user, kind, value
        std::map<long long, marketing::Commission> commissions;
        std::map<long long, marketing::Payout> payouts;
        std::map<std::string, marketing::PaymentReversal> reversals;  // by payment_ref
        std::vector<scheduling::Notice> notices;
        std::vector<scheduling::NewOutboxItem> outbox;
        std::set<long long> locked;  // members LockMember was called for (any transaction)
        long long next_id = 1;       // one sequence for every table (ids are only compared within one)
        /// Run once, inside the transaction, right after the next ValidationsDue read: what another writer does
        /// meanwhile (on PostgreSQL a concurrent transaction; here a nested one on this thread, the mutex being
        /// recursive).
        std::function<void()> after_validations_due;
    };

    void Write(const core::Viewer& viewer, const std::function<void(marketing::MarketingStore&)>& work) override {
        std::lock_guard lock(mutex_);
        State saved = state;
        Store store(state, viewer, false);
        try {
            work(store);
        } catch (...) {
            state = std::move(saved);
            throw;
        }
        ++writes;
    }
    void Read(const core::Viewer& viewer, const std::function<void(marketing::MarketingStore&)>& work) override {
        std::lock_guard lock(mutex_);
        Store store(state, viewer, true);
        work(store);
    }

    /// Runs f on the state between transactions (the tests' look at the rows).
    template <class F>
    auto Inspect(F&& f) {
        std::lock_guard lock(mutex_);
        return f(state);
    }

    State state;
    int writes = 0;  // committed write transactions

private:
    std::recursive_mutex mutex_;

    class Store final : public marketing::MarketingStore {
    public:
        Store(State& state, core::Viewer viewer, bool read_only) : s_(state), viewer_(viewer), read_only_(read_only) {}

        void SaveRoleConfig(const marketing::RoleConfig& role) override {
            Writing();
            s_.role_configs[role.kind] = role;
        }

        // Applications.
        marketing::ApplicationId InsertApplication(const marketing::Application& application) override {
            Writing();
            if (application.status == marketing::ApplicationStatus::kPending &&
                PendingRow(application.user, application.role)) {
                throw core::Error(core::ErrorCode::kConflict, "a pending application exists for this role");
            }
            auto copy = application;
            copy.id = marketing::ApplicationId{s_.next_id++};
            s_.applications[copy.id.value] = copy;
            return copy.id;
        }
        std::optional<marketing::Application> FindApplication(marketing::ApplicationId id) override {
            auto it = s_.applications.find(id.value);
            if (it == s_.applications.end() || !Own(it->second.user)) return std::nullopt;
            return it->second;
        }
        std::optional<marketing::Application> PendingApplication(core::UserId user, marketing::RoleKind role) override {
            if (!Own(user)) return std::nullopt;
            return PendingRow(user, role);
        }
        void UpdateApplication(const marketing::Application& application) override {
            Writing();
            auto& row = s_.applications.at(application.id.value);
            row.status = application.status;
            row.decided_at = application.decided_at;
            row.decided_by = application.decided_by;
            row.reason = application.reason;
        }
        std::vector<marketing::Application> ListApplications(std::optional<marketing::ApplicationStatus> status,
                                                             core::UserId user, int limit) override {
            std::vector<marketing::Application> out;
            for (auto it = s_.applications.rbegin(); it != s_.applications.rend(); ++it) {
                if (static_cast<int>(out.size()) >= limit) break;
                const auto& a = it->second;
                if (!Own(a.user) || (status && a.status != *status) || (user.value != 0 && a.user != user)) continue;
                out.push_back(a);
            }
            return out;
        }

        // Roles held.
        std::optional<marketing::MemberRole> FindMemberRole(core::UserId user, marketing::RoleKind role) override {
            auto it = s_.member_roles.find({user.value, role});
            if (it == s_.member_roles.end() || !Own(user)) return std::nullopt;
            return it->second;
        }
        void SaveMemberRole(const marketing::MemberRole& role) override {
            Writing();
            s_.member_roles[{role.user.value, role.role}] = role;
        }
        std::vector<marketing::MemberRole> ActiveRoles(std::optional<marketing::RoleKind> role) override {
            std::vector<marketing::MemberRole> out;
            for (const auto& [key, r] : s_.member_roles) {
                if (Own(r.user) && r.active() && (!role || r.role == *role)) out.push_back(r);
            }
            std::stable_sort(out.begin(), out.end(),
                             [](const auto& a, const auto& b) { return a.granted_at < b.granted_at; });
            return out;
        }
        std::vector<marketing::MemberRole> RolesOf(core::UserId user) override {
            std::vector<marketing::MemberRole> out;
            if (!Own(user)) return out;
            for (const auto& [key, r] : s_.member_roles) {
                if (r.user == user) out.push_back(r);
            }
            return out;
        }
        std::vector<marketing::MemberRole> RenewalsDue(core::TimePoint at, int limit) override {
            std::vector<marketing::MemberRole> out;
            for (const auto& [key, r] : s_.member_roles) {
                if (static_cast<int>(out.size()) >= limit) break;
                if (Own(r.user) && r.active() && r.role == marketing::RoleKind::kBetaTester && r.plan_renew_at &&
                    *r.plan_renew_at <= at) {
                    out.push_back(r);
                }
            }
            return out;
        }
        void LockMember(core::UserId user) override {
            Writing();
            s_.locked.insert(user.value);
        }

        // Activity.
        bool InsertActivity(const marketing::Activity& activity) override {
            Writing();
            if (!activity.ref.empty()) {
                for (const auto& [id, a] : s_.activity) {
                    if (a.user == activity.user && a.kind == activity.kind && a.ref == activity.ref) return false;
                }
            }
            auto copy = activity;
            copy.id = s_.next_id++;
            s_.activity[copy.id] = copy;
            return true;
        }
        long long ActivityCount(core::UserId user, marketing::ActivityKind kind) override {
            long long sum = 0;
            if (!Own(user)) return sum;
            for (const auto& [id, a] : s_.activity) {
                if (a.user == user && a.kind == kind) sum += a.amount;
            }
            return sum;
        }
        std::optional<core::TimePoint> LastActivity(core::UserId user, marketing::ActivityKind kind) override {
            std::optional<core::TimePoint> last;
            if (!Own(user)) return last;
            for (const auto& [id, a] : s_.activity) {
                if (a.user == user && a.kind == kind && a.amount > 0 && (!last || a.at > *last)) last = a.at;
            }
            return last;
        }
        std::vector<marketing::Activity> ActivityOf(core::UserId user, std::optional<marketing::ActivityKind> kind,
                                                    int limit) override {
            std::vector<marketing::Activity> out;
            if (!Own(user)) return out;
            for (auto it = s_.activity.rbegin(); it != s_.activity.rend(); ++it) {
                if (static_cast<int>(out.size()) >= limit) break;
                if (it->second.user == user && (!kind || it->second.kind == *kind)) out.push_back(it->second);
            }
            return out;
        }

        // Invites (public).
        void SaveInvite(const marketing::Invite& invite) override {
            Writing();
            s_.invites[invite.code] = invite;
        }
        std::optional<marketing::Invite> FindInvite(const std::string& code) override {
            auto it = s_.invites.find(code);
            if (it == s_.invites.end()) return std::nullopt;
            return it->second;
        }
        std::vector<marketing::Invite> ListInvites(int limit) override {
            std::vector<marketing::Invite> out;
            for (const auto& [code, i] : s_.invites) {
                if (!i.deleted) out.push_back(i);
            }
            std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.uses > b.uses; });
            if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
            return out;
        }

        // Joins.
        marketing::JoinId InsertJoin(const marketing::InviteJoin& join) override {
            Writing();
            auto copy = join;
            copy.id = marketing::JoinId{s_.next_id++};
            s_.joins[copy.id.value] = copy;
            return copy.id;
        }
        void UpdateJoin(const marketing::InviteJoin& join) override {
            Writing();
            auto& row = s_.joins.at(join.id.value);
            row.status = join.status;
            row.fake_reason = join.fake_reason;
            row.validated_at = join.validated_at;
            row.left_at = join.left_at;
        }
        bool UpdateJoinIf(const marketing::InviteJoin& join, marketing::JoinStatus expected) override {
            Writing();
            if (s_.joins.at(join.id.value).status != expected) return false;
            UpdateJoin(join);
            return true;
        }
        std::vector<marketing::InviteJoin> JoinsOf(core::UserId member) override {
            std::vector<marketing::InviteJoin> out;
            for (auto it = s_.joins.rbegin(); it != s_.joins.rend(); ++it) {
                if (it->second.member == member && SeesJoin(it->second)) out.push_back(it->second);
            }
            return out;
        }
        std::vector<marketing::InviteJoin> ValidationsDue(core::TimePoint at, int limit) override {
            std::vector<marketing::InviteJoin> out;
            for (const auto& [id, j] : s_.joins) {
                if (j.status == marketing::JoinStatus::kPending && j.validate_at <= at && SeesJoin(j)) out.push_back(j);
            }
            std::stable_sort(out.begin(), out.end(),
                             [](const auto& a, const auto& b) { return a.validate_at < b.validate_at; });
            if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
            if (auto meanwhile = std::exchange(s_.after_validations_due, nullptr)) meanwhile();
            return out;
        }
        std::vector<marketing::InviteJoin> JoinsInvitedBy(core::UserId inviter, int limit) override {
            std::vector<marketing::InviteJoin> out;
            for (auto it = s_.joins.rbegin(); it != s_.joins.rend(); ++it) {
                if (static_cast<int>(out.size()) >= limit) break;
                if (it->second.inviter == inviter && SeesJoin(it->second)) out.push_back(it->second);
            }
            return out;
        }
        marketing::InviteCounts Counts(core::UserId inviter, std::optional<core::TimePoint> since) override {
            marketing::InviteCounts c;
            c.inviter = inviter;
            for (const auto& [id, j] : s_.joins) {
                if (j.inviter != inviter || (since && j.joined_at < *since)) continue;
                if (j.status == marketing::JoinStatus::kFake) {
                    ++c.fake;
                    continue;
                }
                ++c.regular;
                if (j.left_at) ++c.left;
                if (j.status == marketing::JoinStatus::kValidated) ++c.validated;
                if (j.status == marketing::JoinStatus::kPending) ++c.pending;
            }
            for (const auto& [id, b] : s_.bonuses) {
                if (b.inviter == inviter && (!since || b.at >= *since)) c.bonus += b.amount;
            }
            return c;
        }
        std::vector<marketing::InviteRank> Leaderboard(std::optional<core::TimePoint> since, int limit) override {
            std::set<long long> inviters;
            for (const auto& [id, j] : s_.joins) {
                if (j.inviter.value != 0 && (!since || j.joined_at >= *since)) inviters.insert(j.inviter.value);
            }
            for (const auto& [id, b] : s_.bonuses) {
                if (!since || b.at >= *since) inviters.insert(b.inviter.value);
            }
            std::vector<marketing::InviteRank> out;
            for (auto user : inviters) {
                auto c = Counts(core::UserId{user}, since);
                out.push_back(marketing::InviteRank{c.inviter, c.total(), c.validated});
            }
            std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
                return std::tie(b.total, b.validated) < std::tie(a.total, a.validated);
            });
            if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
            return out;
        }
        void InsertBonus(const marketing::InviteBonus& bonus) override {
            Writing();
            auto copy = bonus;
            copy.id = s_.next_id++;
            s_.bonuses[copy.id] = copy;
        }

        // Referral codes.
        std::optional<marketing::ReferralCode> FindCode(const std::string& code) override {
            return CodeIf([&](const auto& c) { return c.code == code; });
        }
        std::optional<marketing::ReferralCode> CodeOf(core::UserId user) override {
            return CodeIf([&](const auto& c) { return c.user == user; });
        }
        std::optional<marketing::ReferralCode> CodeByPromotion(const std::string& promotion_code_id) override {
            return CodeIf(
                [&](const auto& c) { return !promotion_code_id.empty() && c.promotion_code_id == promotion_code_id; });
        }
        std::optional<marketing::ReferralCode> CodeByInvite(const std::string& invite_code) override {
            return CodeIf([&](const auto& c) { return !invite_code.empty() && c.invite_code == invite_code; });
        }
        void SaveCode(const marketing::ReferralCode& code) override {
            Writing();
            for (const auto& [user, c] : s_.codes) {
                if (user != code.user.value && c.code == code.code) {
                    throw core::Error(core::ErrorCode::kConflict, "this referral code is taken");
                }
            }
            s_.codes[code.user.value] = code;
        }

        // Attributions.
        long long InsertAttribution(const marketing::Attribution& attribution) override {
            Writing();
            auto copy = attribution;
            copy.id = s_.next_id++;
            s_.attributions[copy.id] = copy;
            return copy.id;
        }
        std::optional<marketing::Attribution> LiveAttribution(core::UserId member, core::TimePoint at) override {
            std::optional<marketing::Attribution> out;
            for (const auto& [id, a] : s_.attributions) {
                if (a.member != member || !SeesAttribution(a) || a.starts_at > at || at >= a.ends_at) continue;
                if (!out || a.starts_at < out->starts_at) out = a;
            }
            return out;
        }
        std::optional<marketing::Attribution> FindAttribution(long long id) override {
            auto it = s_.attributions.find(id);
            if (it == s_.attributions.end() || !SeesAttribution(it->second)) return std::nullopt;
            return it->second;
        }
        std::vector<marketing::Attribution> AttributionsOf(core::UserId referrer, int limit) override {
            std::vector<marketing::Attribution> out;
            for (auto it = s_.attributions.rbegin(); it != s_.attributions.rend(); ++it) {
                if (static_cast<int>(out.size()) >= limit) break;
                if (it->second.referrer == referrer && SeesAttribution(it->second)) out.push_back(it->second);
            }
            return out;
        }

        // Payer identities.
        void RecordPayerIdentity(core::UserId user, const std::string& kind, const std::string& value) override {
            Writing();
            s_.payer_identities.emplace(user.value, kind, value);
        }
        bool PayerIdentityOf(core::UserId user, const std::string& kind, const std::string& value) override {
            return Own(user) && s_.payer_identities.contains({user.value, kind, value});
        }

        // Commissions.
        std::optional<marketing::CommissionId> InsertCommission(const marketing::Commission& commission) override {
            Writing();
            if (commission.kind == marketing::CommissionKind::kSale && SaleRow(commission.payment_ref)) {
                return std::nullopt;
            }
            auto copy = commission;
            copy.id = marketing::CommissionId{s_.next_id++};
            s_.commissions[copy.id.value] = copy;
            return copy.id;
        }
        std::optional<marketing::Commission> FindCommission(marketing::CommissionId id) override {
            auto it = s_.commissions.find(id.value);
            if (it == s_.commissions.end() || !Own(it->second.marketer)) return std::nullopt;
            return Blanked(it->second);
        }
        std::optional<marketing::Commission> SaleCommission(const std::string& payment_ref) override {
            auto row = SaleRow(payment_ref);
            if (!row || !Own(row->marketer)) return std::nullopt;
            return Blanked(*row);
        }
        void UpdateCommission(const marketing::Commission& commission) override {
            Writing();
            auto& row = s_.commissions.at(commission.id.value);
            row.status = commission.status;
            row.amount = commission.amount;
            row.refunded_minor = commission.refunded_minor;
            row.paid_at = commission.paid_at;
            row.payout = commission.payout;
            row.reversed_at = commission.reversed_at;
            row.note = commission.note;
        }
        std::vector<marketing::Commission> CommissionsOf(core::UserId marketer, std::optional<core::TimePoint> from,
                                                         std::optional<core::TimePoint> to) override {
            std::vector<marketing::Commission> out;
            if (!Own(marketer)) return out;
            for (const auto& [id, c] : s_.commissions) {
                if (c.marketer != marketer || (from && c.created_at < *from) || (to && c.created_at >= *to)) continue;
                out.push_back(Blanked(c));
            }
            std::stable_sort(out.begin(), out.end(),
                             [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
            return out;
        }
        std::vector<marketing::Commission> CommissionsDue(core::TimePoint at, int limit) override {
            std::vector<marketing::Commission> out;
            for (const auto& [id, c] : s_.commissions) {
                if (c.status == marketing::CommissionStatus::kPending && c.due_at <= at && Own(c.marketer)) {
                    out.push_back(Blanked(c));
                }
            }
            std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.due_at < b.due_at; });
            if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
            return out;
        }
        std::vector<marketing::Commission> CommissionsOfJoin(marketing::JoinId join) override {
            std::vector<marketing::Commission> out;
            for (const auto& [id, c] : s_.commissions) {
                if (c.kind != marketing::CommissionKind::kSale || c.status != marketing::CommissionStatus::kPending ||
                    !c.attribution || !Own(c.marketer)) {
                    continue;
                }
                auto a = s_.attributions.find(*c.attribution);
                if (a != s_.attributions.end() && a->second.join == join) out.push_back(Blanked(c));
            }
            return out;
        }
        std::vector<core::UserId> Marketers() override {
            std::set<long long> users;
            for (const auto& [id, c] : s_.commissions) {
                if (Own(c.marketer)) users.insert(c.marketer.value);
            }
            for (const auto& [id, p] : s_.payouts) {
                if (Own(p.marketer)) users.insert(p.marketer.value);
            }
            std::vector<core::UserId> out;
            for (auto u : users) out.push_back(core::UserId{u});
            return out;
        }

        // Refunds and disputes by payment (Maxis and staff only, as the SQL store).
        void RecordPaymentReversal(const marketing::PaymentReversal& reversal) override {
            Writing();
            auto [it, inserted] = s_.reversals.try_emplace(reversal.payment_ref, reversal);
            if (inserted) return;
            auto& row = it->second;
            row.refunded_minor = std::max(row.refunded_minor, reversal.refunded_minor);
            row.fully_refunded = row.fully_refunded || reversal.fully_refunded;
            row.disputed = row.disputed || reversal.disputed;
        }
        std::optional<marketing::PaymentReversal> FindPaymentReversal(const std::string& payment_ref) override {
            auto it = s_.reversals.find(payment_ref);
            if (it == s_.reversals.end() || !viewer_.IsStaff()) return std::nullopt;
            return it->second;
        }

        // Payouts.
        marketing::PayoutId InsertPayout(const marketing::Payout& payout) override {
            Writing();
            auto copy = payout;
            copy.id = marketing::PayoutId{s_.next_id++};
            s_.payouts[copy.id.value] = copy;
            return copy.id;
        }
        std::vector<marketing::Payout> PayoutsOf(core::UserId marketer, std::optional<core::TimePoint> from,
                                                 std::optional<core::TimePoint> to) override {
            std::vector<marketing::Payout> out;
            if (!Own(marketer)) return out;
            for (const auto& [id, p] : s_.payouts) {
                if (p.marketer == marketer && (!from || p.created_at >= *from) && (!to || p.created_at < *to)) {
                    out.push_back(p);
                }
            }
            return out;
        }

        void Notify(const scheduling::Notice& notice) override {
            Writing();
            s_.notices.push_back(notice);
        }
        void Enqueue(const scheduling::NewOutboxItem& item) override {
            Writing();
            s_.outbox.push_back(item);
        }

    private:
        void Writing() const {
            if (read_only_) throw std::logic_error("a write in a read transaction");
        }
        /// Staff and Maxis see every row; a member only rows about themselves.
        [[nodiscard]] bool Own(core::UserId user) const { return viewer_.IsStaff() || user == viewer_.user_id; }
        [[nodiscard]] bool SeesJoin(const marketing::InviteJoin& j) const { return Own(j.member) || Own(j.inviter); }
        [[nodiscard]] bool SeesAttribution(const marketing::Attribution& a) const {
            return Own(a.member) || Own(a.referrer);
        }
        /// A marketer never learns who bought.
        [[nodiscard]] marketing::Commission Blanked(marketing::Commission c) const {
            if (!viewer_.IsStaff()) c.buyer = core::UserId{0};
            return c;
        }
        [[nodiscard]] std::optional<marketing::Application> PendingRow(core::UserId user,
                                                                       marketing::RoleKind role) const {
            for (const auto& [id, a] : s_.applications) {
                if (a.user == user && a.role == role && a.status == marketing::ApplicationStatus::kPending) return a;
            }
            return std::nullopt;
        }
        [[nodiscard]] std::optional<marketing::Commission> SaleRow(const std::string& payment_ref) const {
            for (const auto& [id, c] : s_.commissions) {
                if (c.kind == marketing::CommissionKind::kSale && c.payment_ref == payment_ref) return c;
            }
            return std::nullopt;
        }
        template <class Pred>
        std::optional<marketing::ReferralCode> CodeIf(Pred pred) const {
            for (const auto& [user, c] : s_.codes) {
                if (Own(c.user) && pred(c)) return c;
            }
            return std::nullopt;
        }

        State& s_;
        core::Viewer viewer_;
        bool read_only_;
    };
};

}  // namespace maxis::testing
