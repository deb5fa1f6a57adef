#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/viewer.hpp"
#include "domain/giveaways/giveaway.hpp"
#include "domain/scheduling/outbox.hpp"

namespace maxis::giveaways {

/// Why a Winner grade ended.
inline constexpr const char* kGradeExpired = "expired";    // its term passed
inline constexpr const char* kGradeReplaced = "replaced";  // its holder was replaced as a winner (reroll, replacement)

/// The Winner grade a winner of a giveaway holds: the Winner role until `until`, and the plan grant that came with it.
struct WinnerGrade {
    long long id = 0;
    GiveawayId giveaway;
    core::UserId member;
    core::TimePoint granted_at{};
    core::TimePoint until{};
    std::optional<core::TimePoint> ended_at;  // set when it ended (expired or replaced)
    std::string end_reason;                   // kGradeExpired, kGradeReplaced; empty while it lasts
    std::optional<long long> plan_grant;      // the plan's grant id, once given

    /// In force at `now`: not ended and its term not reached.
    [[nodiscard]] bool Live(core::TimePoint now) const { return !ended_at && now < until; }
};

/// One transaction's rows of Winner grades, bound to a viewer (members read their own; Maxis writes).
class WinnerGradeStore {
public:
    virtual ~WinnerGradeStore() = default;
    /// Inserts a grade (one per giveaway and member); false, nothing written, when the member has one already.
    /// Sets the grade's id.
    virtual bool Insert(WinnerGrade& grade) = 0;
    /// The giveaway's grades, in member id order.
    virtual std::vector<WinnerGrade> OfGiveaway(GiveawayId giveaway) = 0;
    /// A member's grades, newest first.
    virtual std::vector<WinnerGrade> OfMember(core::UserId member) = 0;
    /// Grades not ended whose term is at or before `now`, oldest term first.
    virtual std::vector<WinnerGrade> Due(core::TimePoint now, int limit) = 0;
    /// Writes ended_at, end_reason and plan_grant.
    virtual void Update(const WinnerGrade& grade) = 0;
    /// Written to the outbox in this same transaction (the role to give or take back).
    virtual void Enqueue(const scheduling::NewOutboxItem& item) = 0;
    /// The giveaway's current winners (not replaced), as this transaction sees them.
    virtual std::vector<core::UserId> CurrentWinners(GiveawayId giveaway) = 0;
    /// Serialises the giveaway's crownings until this transaction ends (PostgreSQL; SQLite has a single writer).
    virtual void LockGiveaway(GiveawayId giveaway) = 0;
    /// Serialises the member's grade and role decisions until this transaction ends (PostgreSQL; SQLite has a
    /// single writer): a grade given, ended or a role restored at once cannot leave the role wrong.
    virtual void LockMember(core::UserId member) = 0;
};

/// Port: the Winner grades' transactions.
class WinnerGradeRepository {
public:
    virtual ~WinnerGradeRepository() = default;
    virtual void Write(const core::Viewer& viewer, const std::function<void(WinnerGradeStore&)>& work) = 0;
    virtual void Read(const core::Viewer& viewer, const std::function<void(WinnerGradeStore&)>& work) = 0;
};

/// Port: what a grade gives besides its record, implemented outside the giveaways (over plans), so that giveaways do
/// not depend on plans.
class WinnerPerks {
public:
    virtual ~WinnerPerks() = default;
    /// The outbox item that gives (add) or takes back a role, in the form the role deliverer reads; the grade's
    /// transaction writes it, so it is delivered exactly once.
    virtual scheduling::NewOutboxItem RoleChange(core::UserId member, const std::string& role, bool add,
                                                 const std::string& reason, std::string key) = 0;
    /// Gives the member the winners' plan for `duration` (it ends by itself); the grant's id, or nullopt when no
    /// plan is configured. Called again after a crash, it returns the grant given the first time, not a second one.
    virtual std::optional<long long> GrantPlan(core::UserId member, GiveawayId giveaway, core::Millis duration) = 0;
    /// The grant GrantPlan gave the member for this giveaway (in force or not), found by its stable reference, even
    /// when no grade recorded it (a crash, or another instance); nullopt when none.
    virtual std::optional<long long> GivenPlan(core::UserId member, GiveawayId giveaway) = 0;
    /// Ends that grant now (its holder was replaced as a winner); a grant already over is left as it is.
    virtual void EndPlan(core::UserId member, long long grant, GiveawayId giveaway) = 0;
};

struct WinnerGradeOptions {
    std::string role_id;                                // the "Winner 🏆" role; empty: no role
    core::Millis duration{std::chrono::hours(24 * 3)};  // how long the role and the plan last
};

/// The Winner grade's rules. Every current winner of a giveaway (first draw, reroll, replacement) holds the grade
/// for `duration` from when they were crowned: the Winner role and the winners' plan. A winner who is replaced (left
/// the server, ineligible, or a reroll) loses both at once: the grade is for who won, not who was drawn once. The
/// role ends when the grade's term passes (EndDue, a recurring job), unless another grade of the member still lasts;
/// the plan's own grant ends by itself. A member who rejoins while a grade lasts gets the role back.
class WinnerGradeService {
public:
    WinnerGradeService(WinnerGradeRepository& repo, WinnerPerks& perks, const core::Clock& clock,
                       WinnerGradeOptions options)
        : repo_(repo), perks_(perks), clock_(clock), options_(std::move(options)) {}

    [[nodiscard]] const WinnerGradeOptions& options() const { return options_; }

    /// The giveaway's current winners are these: each without a grade gets one; each holder no longer among them
    /// loses theirs. Idempotent: called again (after a crash, or twice), it gives nothing twice. Returns how many
    /// grades were given.
    int Crown(GiveawayId giveaway, const std::vector<core::UserId>& winners);
    /// Crown with the winners read in the crowning's own transaction, which holds the giveaway's lock: two deliveries
    /// at once (two instances) crown one after the other, each with the winners as they are then.
    int CrownCurrent(GiveawayId giveaway);
    /// The job: ends grades whose term has passed (the role taken back). Returns how many.
    int EndDue();
    /// A member rejoined: the Winner role again if one of their grades lasts. Returns how many role grants were
    /// queued (0 or 1).
    int RestoreRole(core::UserId member);
    /// A member's grades, newest first (members see their own).
    [[nodiscard]] std::vector<WinnerGrade> GradesOf(const core::Viewer& viewer, core::UserId member);

private:
    int CrownWith(GiveawayId giveaway, const std::optional<std::vector<core::UserId>>& winners);
    /// Ends a grade in this transaction and takes the role back unless another grade of the member lasts.
    void End(WinnerGradeStore& store, WinnerGrade grade, const char* why, core::TimePoint now);

    WinnerGradeRepository& repo_;
    WinnerPerks& perks_;
    const core::Clock& clock_;
    WinnerGradeOptions options_;
};

}  // namespace maxis::giveaways
