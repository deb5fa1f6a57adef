#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/giveaways/draw.hpp"
#include "domain/giveaways/giveaway.hpp"
#include "domain/giveaways/giveaway_store.hpp"

namespace maxis::giveaways {

/// The outbox channel of a giveaway's post ({"giveaway": id}): created with its Enter and Leave buttons the first
/// time, edited afterwards (entrant count, end, winners).
inline constexpr const char* kPostChannel = "giveaways.post";
/// The outbox channel told that a giveaway's winners changed (first draw, reroll, replacement: {"giveaway": id}),
/// written in the draw's own transaction so that no crash loses it; the Winner grade follows it (WinnerGradeService).
inline constexpr const char* kWinnersChannel = "giveaways.winners";

/// The outbox channel of a drawn giveaway's proof ({"giveaway": id, "round": r}): a message in the giveaways' channel
/// with the proof (GET /api/v1/giveaways/{id}/proof) as a JSON file, once per round drawn.
inline constexpr const char* kProofChannel = "giveaways.proof";

/// Port: what Discord knows of a person (bot or not, still in the server, when they joined). The Discord adapter
/// learns the join time from the member object of every interaction and member event; outside Discord it is unknown.
class EntrantFactsSource {
public:
    virtual ~EntrantFactsSource() = default;
    /// Called outside any transaction of the giveaways (an implementation may read the database).
    virtual MemberFacts Facts(core::UserId user) = 0;
    /// The same for many people (every entrant of a draw): one read where the source can, one Facts each otherwise.
    virtual std::map<core::UserId, MemberFacts> FactsOf(const std::vector<core::UserId>& users) {
        std::map<core::UserId, MemberFacts> out;
        for (auto user : users) out.emplace(user, Facts(user));
        return out;
    }
};

/// Port: told after a member's entry is committed (coins for entering plug in here). Odds never depend on it.
class EntryListener {
public:
    virtual ~EntryListener() = default;
    virtual void OnEntered(GiveawayId giveaway, core::UserId member) = 0;
};

struct GiveawayOptions {
    core::Millis max_duration = std::chrono::hours(24 * 30);
    int max_winners = 20;
    std::string channel;              // where posts and winners are announced; empty: the staff channel
    core::Millis min_account_age{0};  // defaults for new giveaways
    core::Millis min_member_age{0};
    std::string currency = "EUR";  // of prize costs (and of their return, GiveawayStatsService)
    MilestonePlan milestones;      // the giveaways member counts start
};

struct StartRequest {
    core::Millis duration{0};
    int winners = 1;
    std::string prize;
    long long prize_cost_cents = 0;
    std::optional<core::Millis> min_account_age;  // nullopt: the configured default
    std::optional<core::Millis> min_member_age;
};

/// What starting a milestone's giveaway did: `started` is false when that milestone had its giveaway already
/// (`giveaway` is then that one).
struct MilestoneStart {
    Giveaway giveaway;
    bool started = false;
};

struct GiveawayView {
    Giveaway giveaway;
    int entries = 0;
    std::vector<Winner> winners;  // current ones (not replaced), once ended
    bool entered = false;         // the viewer's own entry
};

/// Every rule of the giveaways: who may start, end, cancel, edit and reroll (staff), limits, entering and leaving
/// (running only, once, eligible), the draw (docs/giveaway-draw.md), rerolls and replacements among those who have
/// not won, the proof, and the notices and posts each step sends. Errors are core::Error with a giveaways.* key.
class GiveawayService {
public:
    GiveawayService(GiveawayRepository& repo, EntrantFactsSource& facts, const core::Clock& clock,
                    GiveawayOptions options)
        : repo_(repo), facts_(facts), clock_(clock), options_(std::move(options)) {}

    /// The seam for what entering earns (set before serving; null: nothing).
    void SetEntryListener(std::shared_ptr<EntryListener> listener) { listener_ = std::move(listener); }
    [[nodiscard]] const GiveawayOptions& options() const { return options_; }

    /// Staff: a new running giveaway; its seed drawn now and kept secret, its hash public; the post queued.
    Giveaway Start(const core::Viewer& staff, const StartRequest& request);
    /// A member enters (once, while it runs, when eligible). The count is not read here: counting every entry on
    /// every click would cost O(entrants) each time; the post shows it (RefreshPosts).
    void Enter(const core::Viewer& member, GiveawayId id);
    /// A member takes back their entry while it runs.
    void Leave(const core::Viewer& member, GiveawayId id);
    /// Staff: ends now (draws). Returns the winners.
    std::vector<Winner> EndEarly(const core::Viewer& staff, GiveawayId id);
    /// The job: ends every running giveaway whose end has come. Returns how many.
    int EndDue();
    /// Staff: cancels a running giveaway (no draw; the seed stays secret).
    void Cancel(const core::Viewer& staff, GiveawayId id);
    /// Staff: a new end, ends_in from now (within the maximum duration from the start), and/or prize.
    Giveaway Edit(const core::Viewer& staff, GiveawayId id, std::optional<core::Millis> ends_in,
                  std::optional<std::string> prize);
    /// Staff: what the prize cost, in cents (for its return, GiveawayStatsService), at any time, even after the end.
    /// giveaways.bad_cost when negative or above 10^11.
    Giveaway SetPrizeCost(const core::Viewer& staff, GiveawayId id, long long cents);
    /// Staff: every current winner replaced by a new round among those who never won this giveaway.
    std::vector<Winner> Reroll(const core::Viewer& staff, GiveawayId id);
    /// Staff: one named current winner replaced by a new round; the others kept.
    Winner ReplaceWinner(const core::Viewer& staff, GiveawayId id, core::UserId winner);

    [[nodiscard]] std::vector<GiveawayView> ListRunning(const core::Viewer& viewer, int limit = 25);
    [[nodiscard]] std::vector<GiveawayView> List(const core::Viewer& viewer, std::optional<Status> status, int limit);
    /// Throws giveaways.not_found.
    [[nodiscard]] GiveawayView Get(const core::Viewer& viewer, GiveawayId id);
    /// After the end only (giveaways.not_ended before).
    [[nodiscard]] Proof ProofOf(const core::Viewer& viewer, GiveawayId id);

    /// The post's delivery: the post now shows `count` entrants (and where it is, once created).
    void RecordPost(GiveawayId id, core::ChannelId channel, long long message_id, int count);
    /// The job: queues an edit of each running giveaway's post whose entrant count changed. Returns how many.
    int RefreshPosts();

    /// Discord's member count (a join, a leave, the guild's arrival, the count read again). The first observation
    /// is the baseline. Each milestone above the highest count seen and up to `count` starts its giveaway, in the
    /// transaction that records the new highest count. With milestones disabled the count is still recorded and
    /// nothing starts. Returns the giveaways started.
    std::vector<Giveaway> ObserveMemberCount(long long count);
    /// Staff (Shellia's `!maxis giveaway 100`): the giveaway of that milestone, with the configured prize, started
    /// once; a second call finds the first. The same code as the count's.
    MilestoneStart StartMilestone(const core::Viewer& staff, long long milestone);

private:
    /// A new running giveaway checked against every start rule, with its fresh secret seed in `seed`.
    Giveaway NewGiveaway(const core::Viewer& staff, const StartRequest& request, std::string& seed);
    /// The milestone's giveaway inserted and its post queued; nullopt when it had one already.
    std::optional<Giveaway> StartMilestoneIn(GiveawayStore& store, long long milestone, core::UserId by);
    /// What the port says of each entrant, asked outside any transaction (it may read the database).
    std::map<core::UserId, MemberFacts> EntrantFacts(GiveawayId id);
    std::vector<Winner> Draw(GiveawayStore& store, Giveaway& g, core::TimePoint now,
                             const std::map<core::UserId, MemberFacts>& known);
    void QueuePost(GiveawayStore& store, const Giveaway& g, const std::string& why);
    /// Queues the publication of the proof once `round` is drawn (in the draw's transaction: exactly once).
    void QueueProof(GiveawayStore& store, const Giveaway& g, int round);
    void Announce(GiveawayStore& store, const Giveaway& g, const std::vector<Winner>& winners, bool reroll);
    /// The winners changed (drawn: this round's new ones): the Winner grade's item, in this transaction.
    void QueueWinnersChanged(GiveawayStore& store, const Giveaway& g, const std::vector<Winner>& drawn);
    Giveaway RequireRunning(GiveawayStore& store, GiveawayId id);
    /// Reroll and ReplaceWinner: in one transaction, the ended giveaway's next round. `places` is given every
    /// winner so far and names the current ones to replace, in order (or throws); the round draws as many among the
    /// entrants who never won and are still eligible (who is not is recorded for the round), each new winner taking
    /// the place of one named. giveaways.no_one_left when nobody can be drawn.
    std::vector<Winner> NewRound(const core::Viewer& staff, GiveawayId id,
                                 const std::function<std::vector<Winner>(const std::vector<Winner>&)>& places);
    int Count(GiveawayId id);

    GiveawayRepository& repo_;
    EntrantFactsSource& facts_;
    const core::Clock& clock_;
    GiveawayOptions options_;
    std::shared_ptr<EntryListener> listener_;
};

}  // namespace maxis::giveaways
