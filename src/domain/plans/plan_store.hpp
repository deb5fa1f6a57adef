#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "core/viewer.hpp"
#include "domain/plans/plans.hpp"
#include "domain/scheduling/notice.hpp"
#include "domain/scheduling/outbox.hpp"

namespace maxis::plans {

/// Usage counters' kinds: assistant messages and generated images per local day, and the per-minute rate
/// window (its "day" is a UTC minute, "2026-11-25T10:42").
inline constexpr const char* kUsageMessages = "message";
inline constexpr const char* kUsageImages = "image";
inline constexpr const char* kUsageRate = "rate";

/// One turn of a member's conversation with the assistant.
struct Turn {
    std::string role;  // "user" or "assistant"
    std::string content;
    core::TimePoint at{};
};

/// A grant as stored, with the moment the provider's state it reflects was observed.
struct StoredGrant {
    Grant grant;
    core::TimePoint observed_at{};
};

/// One transaction's view of plans, bound to a viewer: rows and atomic counters, nothing decided here. A
/// member's store never returns another member's grants, usage or turns. Outbox items and notices are written
/// Grants grouped by member (a dashboard reads tens of thousands: many small lists, no single large block).
using GrantsByMember = std::map<core::UserId, std::vector<Grant>>;

/// in this same transaction.
class PlanStore {
public:
    virtual ~PlanStore() = default;

    // Grants.
    /// Every grant of a member, newest first.
    virtual std::vector<Grant> GrantsOf(core::UserId user) = 0;
    virtual std::optional<StoredGrant> FindGrant(GrantKind kind, const std::string& ref) = 0;
    /// Inserts or updates a grant by kind and ref (a known customer is kept when the new one is empty).
    virtual void SaveGrant(const Grant& grant, core::TimePoint observed_at, core::TimePoint now) = 0;
    /// The customer of the member's newest grant that names one.
    virtual std::optional<std::string> CustomerOf(core::UserId user) = 0;
    /// Grants active or past due, by member, newest first.
    virtual GrantsByMember LiveGrants() = 0;
    /// Grants created by `to` and active, past due, or last changed at or after `from`, by member (in no
    /// particular order within a member: the index on user_id serves it without a sort).
    virtual GrantsByMember GrantsBetween(core::TimePoint from, core::TimePoint to) = 0;
    /// Active or past-due grants whose grace period or term is at or before `now`, oldest first.
    virtual std::vector<Grant> GrantsDue(core::TimePoint now, int limit) = 0;

    // Members and their private channels.
    virtual std::optional<std::string> DisplayName(core::UserId user) = 0;
    /// The resource key of the member's open channel.
    virtual std::optional<std::string> OpenChannel(core::UserId user) = 0;
    virtual void SaveChannel(core::UserId user, const std::string& resource, bool open, core::TimePoint now) = 0;

    // Promotions.
    /// Inserts a promotion and returns it as stored (its id).
    virtual Promotion InsertPromotion(const Promotion& promotion) = 0;
    /// The plan's promotion with the largest discount among those not expired at now.
    virtual std::optional<Promotion> BestPromotion(const std::string& plan, core::TimePoint now) = 0;
    virtual std::vector<Promotion> Promotions(int limit) = 0;
    virtual std::optional<Promotion> FindPromotion(long long id) = 0;
    /// Moves the promotion's end to `at` (it applies until then, never after).
    virtual void SetPromotionEnd(long long id, core::TimePoint at) = 0;
    virtual void CountPromotionUse(long long id) = 0;

    // Usage counters per member, local day ("2026-11-25") and kind; each call is one atomic statement.
    /// Counts one use if fewer than limit were used: false (nothing counted) otherwise.
    virtual bool TryUse(core::UserId user, const std::string& day, const std::string& kind, int limit) = 0;
    virtual void GiveBack(core::UserId user, const std::string& day, const std::string& kind) = 0;
    virtual int Used(core::UserId user, const std::string& day, const std::string& kind) = 0;
    /// Messages and images per day from since_day on, oldest first, for kinds "message" and "image".
    virtual std::vector<DailyUsage> UsagePerDay(const std::string& since_day) = 0;
    /// Deletes the counters of a kind whose day (or minute) sorts before `before`. Returns rows deleted.
    virtual int DeleteUsage(const std::string& kind, const std::string& before) = 0;

    // Conversation memory.
    /// Adds turns and keeps the member's last `keep`.
    virtual void AddTurns(core::UserId user, const std::vector<Turn>& turns, int keep) = 0;
    /// The member's last `limit` turns since a moment, oldest first.
    virtual std::vector<Turn> Turns(core::UserId user, core::TimePoint since, int limit) = 0;
    virtual void DeleteTurns(core::UserId user) = 0;
    virtual int DeleteTurnsBefore(core::TimePoint before) = 0;

    // Payment events and the outbox.
    /// Records an event id; false when it was recorded already.
    virtual bool RecordEvent(const std::string& id, const std::string& type) = 0;
    virtual void SetEventOutcome(const std::string& id, core::EventOutcome outcome) = 0;
    virtual void Enqueue(const scheduling::NewOutboxItem& item) = 0;
    virtual void Notify(const scheduling::Notice& notice) = 0;
};

/// Port: plans' transactions. Everything one call does happens in one transaction, or not at all.
class PlanRepository {
public:
    virtual ~PlanRepository() = default;
    virtual void Write(const core::Viewer& viewer, const std::function<void(PlanStore&)>& work) = 0;
    virtual void Read(const core::Viewer& viewer, const std::function<void(PlanStore&)>& work) = 0;
};

}  // namespace maxis::plans
