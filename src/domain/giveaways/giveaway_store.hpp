#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/giveaways/giveaway.hpp"
#include "domain/giveaways/milestone.hpp"
#include "domain/scheduling/notice.hpp"
#include "domain/scheduling/outbox.hpp"

namespace maxis::giveaways {

/// One transaction's view of the giveaways, bound to a viewer: rows in and out, nothing decided here. A member's
/// store returns only their own entry while a giveaway runs, and never a seed before the end (on PostgreSQL,
/// row-level security enforces the same underneath). Every rule is GiveawayService's.
class GiveawayStore {
public:
    virtual ~GiveawayStore() = default;

    /// Inserts a giveaway and its secret seed (hex); returns its id.
    virtual GiveawayId Insert(const Giveaway& giveaway, const std::string& seed) = 0;
    virtual std::optional<Giveaway> Find(GiveawayId id) = 0;
    /// Writes the giveaway's own columns (prize, its cost, end, status, post, counts).
    virtual void Update(const Giveaway& giveaway) = 0;
    /// With a status, in id order; running ones first-ending first.
    virtual std::vector<Giveaway> List(std::optional<Status> status, int limit) = 0;
    /// Running giveaways whose end is at or before `at`.
    virtual std::vector<GiveawayId> RunningEndedBy(core::TimePoint at, int limit) = 0;
    /// The seed: only once the giveaway has ended (nullopt before, whoever asks).
    virtual std::optional<std::string> Seed(GiveawayId id) = 0;

    /// False when the member had entered already (nothing written). A write that a draw of the same giveaway,
    /// running at the same time, did not read waits for the draw's end, so that the writer's next Find sees it
    /// ended (PostgreSQL: the draw holds the giveaway's row, and the entry's reference to it waits; SQLite's
    /// writers take turns).
    virtual bool InsertEntry(const Entry& entry) = 0;
    /// False when there was no such entry. Ordered against a draw as InsertEntry (PostgreSQL: the draw holds the
    /// entries it reads).
    virtual bool DeleteEntry(GiveawayId id, core::UserId user) = 0;
    virtual std::optional<Entry> FindEntry(GiveawayId id, core::UserId user) = 0;
    virtual int CountEntries(GiveawayId id) = 0;
    /// Every entry, in user id order.
    virtual std::vector<Entry> Entries(GiveawayId id) = 0;
    /// Records why an entrant was left out at the draw.
    virtual void ExcludeEntry(GiveawayId id, core::UserId user, const std::string& reason) = 0;
    /// Records why an entrant was left out of a later round (round >= 1).
    virtual void ExcludeFromRound(GiveawayId id, const RoundExclusion& exclusion) = 0;
    /// Every later round's exclusions, by round, then user id (once ended for members, as the entries).
    virtual std::vector<RoundExclusion> RoundExclusions(GiveawayId id) = 0;

    virtual void InsertWinner(const Winner& winner) = 0;
    virtual void MarkReplaced(GiveawayId id, core::UserId user) = 0;
    /// By round, then position.
    virtual std::vector<Winner> Winners(GiveawayId id) = 0;

    /// Milestones. Inserts a milestone's giveaway and its seed unless one already carries that milestone (the
    /// column is unique): nullopt then, nothing written.
    virtual std::optional<GiveawayId> InsertForMilestone(const Giveaway& giveaway, const std::string& seed) = 0;
    virtual std::optional<Giveaway> FindByMilestone(long long milestone) = 0;
    /// The member count's state (one row); staff's and Maxis's writers hold it until the end of the transaction.
    virtual std::optional<MilestoneState> FindMilestoneState() = 0;
    /// False when the row exists already (another writer's first observation won; nothing written).
    virtual bool InsertMilestoneState(const MilestoneState& state) = 0;
    virtual void UpdateMilestoneState(const MilestoneState& state) = 0;

    /// Written to the outbox in this same transaction (the post to create or edit).
    virtual void Enqueue(const scheduling::NewOutboxItem& item) = 0;
    virtual void Notify(const scheduling::Notice& notice) = 0;
};

/// Port: the giveaways' transactions. Write and Read run work in one transaction bound to the viewer; an exception
/// from work rolls everything back.
class GiveawayRepository {
public:
    virtual ~GiveawayRepository() = default;
    virtual void Write(const core::Viewer& viewer, const std::function<void(GiveawayStore&)>& work) = 0;
    virtual void Read(const core::Viewer& viewer, const std::function<void(GiveawayStore&)>& work) = 0;
};

}  // namespace maxis::giveaways
