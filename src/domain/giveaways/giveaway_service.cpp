#include "domain/giveaways/giveaway_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::giveaways {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::size_t kMaxPrizeBytes = 200;
constexpr long long kMaxPrizeCostCents = 100'000'000'000;

void RequirePrizeCost(long long cents) {
    if (cents < 0 || cents > kMaxPrizeCostCents) {
        throw Error(ErrorCode::kInvalidArgument, "a prize cost is between 0 and 1,000,000,000.00",
                    "giveaways.bad_cost");
    }
}
constexpr long long kMaxMilestone = 10'000'000;

void RequireStaff(const core::Viewer& viewer) {
    if (!viewer.IsStaff()) throw Error(ErrorCode::kForbidden, "only staff run giveaways", "giveaways.staff_only");
}

Error NotFound(GiveawayId id) {
    return Error(ErrorCode::kNotFound, "no giveaway #" + id.ToString(), "giveaways.not_found", {{"id", id.ToString()}});
}

void RequirePrize(const std::string& prize) {
    core::RequireStorableText(prize, "prize", core::TextLines::kSingle);
    if (prize.find_first_not_of(' ') == std::string::npos) {
        throw Error(ErrorCode::kInvalidArgument, "a giveaway needs a prize", "giveaways.no_prize");
    }
    if (prize.size() > kMaxPrizeBytes) {
        throw Error(ErrorCode::kInvalidArgument, "the prize is longer than 200 characters", "giveaways.prize_too_long",
                    {{"max", std::to_string(kMaxPrizeBytes)}});
    }
}

std::string Hours(core::Millis d) { return std::to_string(std::chrono::duration_cast<std::chrono::hours>(d).count()); }

/// Those who took part in the draw: every entry not excluded at the end, in the draw's order.
std::vector<std::int64_t> Pool(const std::vector<Entry>& entries) {
    std::vector<std::int64_t> ids;
    for (const auto& e : entries) {
        if (e.excluded.empty()) ids.push_back(e.user.value);
    }
    return SortedEntrants(std::move(ids));
}

/// Why an entrant is left out of a round at `now` (empty: they take part), from the facts read just before the
/// round's transaction; one who entered in between was checked at entry. Discord's join time at entry stands in
/// for an unknown one.
std::string Exclusion(const Giveaway& g, const Entry& e, const std::map<core::UserId, MemberFacts>& known,
                      core::TimePoint now) {
    auto it = known.find(e.user);
    auto facts = it == known.end() ? MemberFacts{} : it->second;
    if (!facts.joined_at) facts.joined_at = e.member_since;
    return Ineligibility(g, e.user, facts, now);
}

std::vector<std::int64_t> EveryWinner(const std::vector<Winner>& winners) {
    std::vector<std::int64_t> out;
    for (const auto& w : winners) out.push_back(w.user.value);
    return out;
}

}  // namespace

Giveaway GiveawayService::RequireRunning(GiveawayStore& store, GiveawayId id) {
    auto g = store.Find(id);
    if (!g) throw NotFound(id);
    if (g->status != Status::kRunning || clock_.Now() >= g->ends_at) {
        throw Error(ErrorCode::kConflict, "giveaway #" + id.ToString() + " is over", "giveaways.not_running",
                    {{"id", id.ToString()}});
    }
    return *g;
}

Giveaway GiveawayService::NewGiveaway(const core::Viewer& staff, const StartRequest& r, std::string& seed) {
    RequireStaff(staff);
    if (r.duration.count() <= 0) {
        throw Error(ErrorCode::kInvalidArgument, "a giveaway lasts more than zero", "giveaways.bad_duration");
    }
    if (r.duration > options_.max_duration) {
        throw Error(ErrorCode::kInvalidArgument, "a giveaway lasts at most " + Hours(options_.max_duration) + "h",
                    "giveaways.too_long", {{"max", Hours(options_.max_duration)}});
    }
    if (r.winners < 1) {
        throw Error(ErrorCode::kInvalidArgument, "a giveaway has at least one winner", "giveaways.bad_winners");
    }
    if (r.winners > options_.max_winners) {
        throw Error(ErrorCode::kInvalidArgument,
                    "a giveaway has at most " + std::to_string(options_.max_winners) + " winners",
                    "giveaways.too_many_winners", {{"max", std::to_string(options_.max_winners)}});
    }
    RequirePrize(r.prize);
    RequirePrizeCost(r.prize_cost_cents);
    auto now = clock_.Now();
    Giveaway g;
    g.prize = r.prize;
    g.winners_count = r.winners;
    g.starts_at = now;
    g.ends_at = now + r.duration;
    g.created_by = staff.user_id;
    g.prize_cost_cents = r.prize_cost_cents;
    g.min_account_age = r.min_account_age.value_or(options_.min_account_age);
    g.min_member_age = r.min_member_age.value_or(options_.min_member_age);
    g.posted_count = 0;
    g.created_at = g.updated_at = now;
    seed = NewSeed();
    g.seed_hash = SeedHash(seed);
    return g;
}

Giveaway GiveawayService::Start(const core::Viewer& staff, const StartRequest& r) {
    std::string seed;
    auto g = NewGiveaway(staff, r, seed);
    repo_.Write(staff, [&](GiveawayStore& store) {
        g.id = store.Insert(g, seed);
        QueuePost(store, g, "start");
    });
    return g;
}

void GiveawayService::Enter(const core::Viewer& member, GiveawayId id) {
    // Asked before the transaction: the port may read the database itself.
    auto facts = facts_.Facts(member.user_id);
    repo_.Write(member, [&](GiveawayStore& store) {
        auto g = RequireRunning(store, id);
        if (store.FindEntry(id, member.user_id)) {
            throw Error(ErrorCode::kConflict, "already entered", "giveaways.already_entered", {{"id", id.ToString()}});
        }
        auto now = clock_.Now();
        auto why = Ineligibility(g, member.user_id, facts, now);
        if (!why.empty()) {
            std::map<std::string, std::string> params{{"id", id.ToString()}};
            if (why == kExcludedAccountAge) params["days"] = std::to_string(g.min_account_age.count() / 86'400'000);
            if (why == kExcludedMemberAge) params["days"] = std::to_string(g.min_member_age.count() / 86'400'000);
            throw Error(ErrorCode::kForbidden, "not eligible (" + why + ")", "giveaways.ineligible." + why, params);
        }
        // A second click racing the first: the store's key keeps one entry, and the second hears it.
        if (!store.InsertEntry(
                Entry{.giveaway = id, .user = member.user_id, .entered_at = now, .member_since = facts.joined_at})) {
            throw Error(ErrorCode::kConflict, "already entered", "giveaways.already_entered", {{"id", id.ToString()}});
        }
        // Still running once written, or nothing is: a draw running meanwhile either saw this entry or made the
        // write wait for its end (the store's promise), and then it reads ended here and the entry is rolled back.
        RequireRunning(store, id);
    });
    if (listener_) listener_->OnEntered(id, member.user_id);
}

void GiveawayService::Leave(const core::Viewer& member, GiveawayId id) {
    repo_.Write(member, [&](GiveawayStore& store) {
        RequireRunning(store, id);
        if (!store.DeleteEntry(id, member.user_id)) {
            throw Error(ErrorCode::kConflict, "not entered", "giveaways.not_entered", {{"id", id.ToString()}});
        }
        RequireRunning(store, id);  // as in Enter: a leave the draw did not see waited for it, and is undone
    });
}

int GiveawayService::Count(GiveawayId id) {
    // The count is public; the list of entrants is not (until the end), hence Maxis's own read.
    int n = 0;
    repo_.Read(core::Viewer::System(), [&](GiveawayStore& store) { n = store.CountEntries(id); });
    return n;
}

std::map<core::UserId, MemberFacts> GiveawayService::EntrantFacts(GiveawayId id) {
    std::vector<Entry> entries;
    repo_.Read(core::Viewer::System(), [&](GiveawayStore& store) { entries = store.Entries(id); });
    std::vector<core::UserId> users;
    users.reserve(entries.size());
    for (const auto& e : entries) users.push_back(e.user);
    return facts_.FactsOf(users);
}

std::vector<Winner> GiveawayService::Draw(GiveawayStore& store, Giveaway& g, core::TimePoint now,
                                          const std::map<core::UserId, MemberFacts>& known) {
    // Ended first: the entries are frozen, and only then is the seed readable (PostgreSQL's policy).
    g.status = Status::kEnded;
    g.ended_at = now;
    g.updated_at = now;
    store.Update(g);
    auto seed = store.Seed(g.id);
    if (!seed) throw Error(ErrorCode::kInternal, "giveaway #" + g.id.ToString() + " has no seed");
    auto entries = store.Entries(g.id);
    for (auto& e : entries) {
        e.excluded = Exclusion(g, e, known, now);
        if (!e.excluded.empty()) store.ExcludeEntry(g.id, e.user, e.excluded);
    }
    auto drawn = DrawRound(*seed, Pool(entries), 0, g.winners_count, {});
    std::vector<Winner> winners;
    for (std::size_t i = 0; i < drawn.size(); ++i) {
        Winner w{.giveaway = g.id,
                 .user = core::UserId{drawn[i]},
                 .round = 0,
                 .position = static_cast<int>(i),
                 .drawn_at = now};
        store.InsertWinner(w);
        winners.push_back(w);
    }
    Announce(store, g, winners, false);
    QueuePost(store, g, "end");
    return winners;
}

std::vector<Winner> GiveawayService::EndEarly(const core::Viewer& staff, GiveawayId id) {
    RequireStaff(staff);
    std::vector<Winner> winners;
    auto known = EntrantFacts(id);
    repo_.Write(staff, [&](GiveawayStore& store) {
        auto g = store.Find(id);
        if (!g) throw NotFound(id);
        if (g->status != Status::kRunning) {
            throw Error(ErrorCode::kConflict, "giveaway #" + id.ToString() + " is over", "giveaways.not_running",
                        {{"id", id.ToString()}});
        }
        winners = Draw(store, *g, clock_.Now(), known);
    });
    return winners;
}

int GiveawayService::EndDue() {
    std::vector<GiveawayId> due;
    auto now = clock_.Now();
    repo_.Read(core::Viewer::System(), [&](GiveawayStore& store) { due = store.RunningEndedBy(now, 100); });
    int ended = 0;
    for (auto id : due) {
        // One transaction each, re-read inside it: another instance, or staff, may have ended it meanwhile.
        auto known = EntrantFacts(id);
        repo_.Write(core::Viewer::System(), [&](GiveawayStore& store) {
            auto g = store.Find(id);
            if (!g || g->status != Status::kRunning || g->ends_at > clock_.Now()) return;
            Draw(store, *g, clock_.Now(), known);
            ++ended;
        });
    }
    return ended;
}

void GiveawayService::Cancel(const core::Viewer& staff, GiveawayId id) {
    RequireStaff(staff);
    repo_.Write(staff, [&](GiveawayStore& store) {
        auto g = store.Find(id);
        if (!g) throw NotFound(id);
        if (g->status != Status::kRunning) {
            throw Error(ErrorCode::kConflict, "giveaway #" + id.ToString() + " is over", "giveaways.not_running",
                        {{"id", id.ToString()}});
        }
        g->status = Status::kCancelled;
        g->ended_at = g->updated_at = clock_.Now();
        store.Update(*g);
        QueuePost(store, *g, "cancel");
    });
}

Giveaway GiveawayService::Edit(const core::Viewer& staff, GiveawayId id, std::optional<core::Millis> ends_in,
                               std::optional<std::string> prize) {
    RequireStaff(staff);
    if (prize) RequirePrize(*prize);
    Giveaway out;
    repo_.Write(staff, [&](GiveawayStore& store) {
        auto g = RequireRunning(store, id);
        auto now = clock_.Now();
        if (ends_in) {
            auto ends_at = now + *ends_in;
            if (ends_at <= now) {
                throw Error(ErrorCode::kInvalidArgument, "the end must be in the future", "giveaways.bad_duration");
            }
            if (ends_at - g.starts_at > options_.max_duration) {
                throw Error(ErrorCode::kInvalidArgument,
                            "a giveaway lasts at most " + Hours(options_.max_duration) + "h", "giveaways.too_long",
                            {{"max", Hours(options_.max_duration)}});
            }
            g.ends_at = ends_at;
        }
        if (prize) g.prize = *prize;
        g.updated_at = now;
        store.Update(g);
        QueuePost(store, g, "edit");
        out = g;
    });
    return out;
}

Giveaway GiveawayService::SetPrizeCost(const core::Viewer& staff, GiveawayId id, long long cents) {
    RequireStaff(staff);
    RequirePrizeCost(cents);
    Giveaway out;
    repo_.Write(staff, [&](GiveawayStore& store) {
        auto g = store.Find(id);
        if (!g) throw NotFound(id);
        g->prize_cost_cents = cents;
        g->updated_at = clock_.Now();
        store.Update(*g);
        out = *g;
    });
    return out;
}

std::vector<Winner> GiveawayService::Reroll(const core::Viewer& staff, GiveawayId id) {
    return NewRound(staff, id, [&](const std::vector<Winner>& winners) {
        std::vector<Winner> current;
        for (const auto& w : winners) {
            if (!w.replaced) current.push_back(w);
        }
        std::sort(current.begin(), current.end(), [](const auto& a, const auto& b) { return a.position < b.position; });
        if (current.empty()) {
            throw Error(ErrorCode::kConflict, "giveaway #" + id.ToString() + " has no winner to replace",
                        "giveaways.no_winner_to_replace", {{"id", id.ToString()}});
        }
        return current;
    });
}

Winner GiveawayService::ReplaceWinner(const core::Viewer& staff, GiveawayId id, core::UserId winner) {
    return NewRound(staff, id,
                    [&](const std::vector<Winner>& winners) {
                        for (const auto& w : winners) {
                            if (!w.replaced && w.user == winner) return std::vector<Winner>{w};
                        }
                        throw Error(ErrorCode::kInvalidArgument, "not a winner of giveaway #" + id.ToString(),
                                    "giveaways.not_a_winner", {{"id", id.ToString()}});
                    })
        .front();
}

std::vector<Winner> GiveawayService::NewRound(
    const core::Viewer& staff, GiveawayId id,
    const std::function<std::vector<Winner>(const std::vector<Winner>&)>& places) {
    RequireStaff(staff);
    auto known = EntrantFacts(id);
    std::vector<Winner> drawn_winners;
    repo_.Write(staff, [&](GiveawayStore& store) {
        auto g = store.Find(id);
        if (!g) throw NotFound(id);
        if (g->status != Status::kEnded) {
            throw Error(ErrorCode::kConflict, "giveaway #" + id.ToString() + " has not ended", "giveaways.not_ended",
                        {{"id", id.ToString()}});
        }
        auto winners = store.Winners(id);
        auto replaced = places(winners);
        int round = 0;
        for (const auto& w : winners) round = std::max(round, w.round + 1);
        auto seed = store.Seed(id);
        if (!seed) throw Error(ErrorCode::kInternal, "giveaway #" + id.ToString() + " has no seed");
        auto now = clock_.Now();
        auto earlier = EveryWinner(winners);
        std::set<std::int64_t> won(earlier.begin(), earlier.end());
        // Eligibility again, as at the draw: who left the server or no longer qualifies sits this round out.
        auto entries = store.Entries(id);
        for (auto& e : entries) {
            if (!e.excluded.empty() || won.contains(e.user.value)) continue;  // outside the pool already
            e.excluded = Exclusion(*g, e, known, now);
            if (!e.excluded.empty()) store.ExcludeFromRound(id, RoundExclusion{round, e.user, e.excluded});
        }
        auto drawn = DrawRound(*seed, Pool(entries), round, static_cast<int>(replaced.size()), earlier);
        if (drawn.empty()) {
            throw Error(ErrorCode::kConflict, "every entrant has won already or is no longer eligible",
                        "giveaways.no_one_left", {{"id", id.ToString()}});
        }
        for (std::size_t i = 0; i < drawn.size(); ++i) {
            store.MarkReplaced(id, replaced[i].user);
            Winner w{.giveaway = id,
                     .user = core::UserId{drawn[i]},
                     .round = round,
                     .position = replaced[i].position,
                     .drawn_at = now};
            store.InsertWinner(w);
            drawn_winners.push_back(w);
        }
        Announce(store, *g, drawn_winners, true);
        QueuePost(store, *g, "round" + std::to_string(round));
    });
    return drawn_winners;
}

std::vector<GiveawayView> GiveawayService::List(const core::Viewer& viewer, std::optional<Status> status, int limit) {
    std::vector<GiveawayView> out;
    repo_.Read(viewer, [&](GiveawayStore& store) {
        for (auto& g : store.List(status, std::clamp(limit, 1, 100))) {
            GiveawayView v{.giveaway = std::move(g)};
            v.entered = store.FindEntry(v.giveaway.id, viewer.user_id).has_value();
            if (v.giveaway.status == Status::kEnded) {
                for (auto& w : store.Winners(v.giveaway.id)) {
                    if (!w.replaced) v.winners.push_back(w);
                }
            }
            out.push_back(std::move(v));
        }
    });
    repo_.Read(core::Viewer::System(), [&](GiveawayStore& store) {
        for (auto& v : out) v.entries = store.CountEntries(v.giveaway.id);
    });
    return out;
}

std::vector<GiveawayView> GiveawayService::ListRunning(const core::Viewer& viewer, int limit) {
    return List(viewer, Status::kRunning, limit);
}

GiveawayView GiveawayService::Get(const core::Viewer& viewer, GiveawayId id) {
    GiveawayView v;
    repo_.Read(viewer, [&](GiveawayStore& store) {
        auto g = store.Find(id);
        if (!g) throw NotFound(id);
        v.giveaway = *g;
        v.entered = store.FindEntry(id, viewer.user_id).has_value();
        if (g->status == Status::kEnded) {
            for (auto& w : store.Winners(id)) {
                if (!w.replaced) v.winners.push_back(w);
            }
            std::sort(v.winners.begin(), v.winners.end(),
                      [](const auto& a, const auto& b) { return a.position < b.position; });
        }
    });
    v.entries = Count(id);
    return v;
}

Proof GiveawayService::ProofOf(const core::Viewer& viewer, GiveawayId id) {
    Proof p;
    repo_.Read(viewer, [&](GiveawayStore& store) {
        auto g = store.Find(id);
        if (!g) throw NotFound(id);
        if (g->status == Status::kCancelled) {
            throw Error(ErrorCode::kConflict, "giveaway #" + id.ToString() + " was cancelled: no draw, no proof",
                        "giveaways.cancelled_no_proof", {{"id", id.ToString()}});
        }
        auto seed = g->status == Status::kEnded ? store.Seed(id) : std::nullopt;
        if (!seed) {
            throw Error(ErrorCode::kConflict, "giveaway #" + id.ToString() + " has not ended", "giveaways.not_ended",
                        {{"id", id.ToString()}});
        }
        p.giveaway = id.value;
        p.prize = g->prize;
        p.winners_count = g->winners_count;
        p.seed = *seed;
        p.seed_hash = g->seed_hash;
        auto entries = store.Entries(id);
        p.entries = Pool(entries);
        for (const auto& e : entries) {
            if (!e.excluded.empty()) p.excluded.push_back(ProofExclusion{e.user.value, e.excluded});
        }
        auto winners = store.Winners(id);     // by round, then position
        std::map<int, const Winner*> holder;  // position -> its latest winner so far
        for (const auto& w : winners) {
            if (p.rounds.empty() || p.rounds.back().round != w.round) {
                p.rounds.push_back(ProofRound{.round = w.round});
            }
            auto& r = p.rounds.back();
            r.winners.push_back(w.user.value);
            ++r.count;
            if (w.round > 0) {
                if (auto it = holder.find(w.position); it != holder.end()) r.replaces.push_back(it->second->user.value);
            }
            holder[w.position] = &w;
        }
        if (p.rounds.empty() || p.rounds.front().round != 0) p.rounds.insert(p.rounds.begin(), ProofRound{.round = 0});
        p.rounds.front().count = g->winners_count;
        for (const auto& x : store.RoundExclusions(id)) {
            auto r = std::find_if(p.rounds.begin(), p.rounds.end(), [&](const auto& r) { return r.round == x.round; });
            if (r != p.rounds.end()) r->excluded.push_back(ProofExclusion{x.user.value, x.reason});
        }
    });
    return p;
}

void GiveawayService::RecordPost(GiveawayId id, core::ChannelId channel, long long message_id, int count) {
    repo_.Write(core::Viewer::System(), [&](GiveawayStore& store) {
        auto g = store.Find(id);
        if (!g) return;
        g->channel = channel;
        g->message_id = message_id;
        g->posted_count = count;
        store.Update(*g);
    });
}

int GiveawayService::RefreshPosts() {
    int queued = 0;
    repo_.Write(core::Viewer::System(), [&](GiveawayStore& store) {
        for (const auto& listed : store.List(Status::kRunning, 100)) {
            // Read again, locked: a draw may have ended it since the list was read.
            auto found = store.Find(listed.id);
            if (!found || found->status != Status::kRunning) continue;
            auto& g = *found;
            int n = store.CountEntries(g.id);
            if (n == g.posted_count) continue;
            g.posted_count = n;
            store.Update(g);
            QueuePost(store, g, "count" + std::to_string(core::ToEpochMillis(clock_.Now())));
            ++queued;
        }
    });
    return queued;
}

std::optional<Giveaway> GiveawayService::StartMilestoneIn(GiveawayStore& store, long long milestone, core::UserId by) {
    // Looked up first, so that a milestone that has its giveaway uses no id; the unique column settles races.
    if (store.FindByMilestone(milestone)) return std::nullopt;
    const auto& plan = options_.milestones;
    std::string seed;
    auto g = NewGiveaway(core::Viewer::System(),
                         StartRequest{.duration = plan.duration,
                                      .winners = plan.winners,
                                      .prize = MilestonePrize(plan, milestone),
                                      .prize_cost_cents = plan.prize_cost_cents},
                         seed);
    g.source = Source::kMilestone;
    g.milestone = milestone;
    g.created_by = by;
    auto id = store.InsertForMilestone(g, seed);
    if (!id) return std::nullopt;
    g.id = *id;
    QueuePost(store, g, "start");
    return g;
}

std::vector<Giveaway> GiveawayService::ObserveMemberCount(long long count) {
    std::vector<Giveaway> started;
    if (count < 0) return started;
    repo_.Write(core::Viewer::System(), [&](GiveawayStore& store) {
        started.clear();
        auto now = clock_.Now();
        auto state = store.FindMilestoneState();
        if (!state) {
            // The first observation: the baseline, nothing fires at or below it.
            if (store.InsertMilestoneState(
                    MilestoneState{.baseline = count, .highest = count, .created_at = now, .updated_at = now})) {
                return;
            }
            state = store.FindMilestoneState();  // another instance's first observation won
            if (!state) throw Error(ErrorCode::kInternal, "the member count's state vanished");
        }
        if (count <= state->highest) return;  // back and forth below the highest: nothing new
        if (options_.milestones.enabled) {
            for (auto m : MilestonesBetween(options_.milestones, state->highest, count)) {
                if (auto g = StartMilestoneIn(store, m, core::UserId{0})) started.push_back(std::move(*g));
            }
        }
        state->highest = count;
        state->updated_at = now;
        store.UpdateMilestoneState(*state);
    });
    return started;
}

MilestoneStart GiveawayService::StartMilestone(const core::Viewer& staff, long long milestone) {
    RequireStaff(staff);
    if (milestone < 1 || milestone > kMaxMilestone) {
        throw Error(ErrorCode::kInvalidArgument, "a milestone is a member count from 1 to 10000000",
                    "giveaways.milestone.bad", {{"max", std::to_string(kMaxMilestone)}});
    }
    MilestoneStart out;
    repo_.Write(core::Viewer::System(), [&](GiveawayStore& store) {
        if (auto g = StartMilestoneIn(store, milestone, staff.user_id)) {
            out = MilestoneStart{.giveaway = std::move(*g), .started = true};
            return;
        }
        auto existing = store.FindByMilestone(milestone);
        if (!existing) throw Error(ErrorCode::kInternal, "milestone " + std::to_string(milestone) + " has no giveaway");
        out = MilestoneStart{.giveaway = std::move(*existing), .started = false};
    });
    return out;
}

void GiveawayService::QueuePost(GiveawayStore& store, const Giveaway& g, const std::string& why) {
    store.Enqueue(scheduling::NewOutboxItem{
        .channel = kPostChannel,
        .payload = boost::json::serialize(boost::json::object{{"giveaway", g.id.value}, {"channel", options_.channel}}),
        .idempotency_key = "giveaway:" + g.id.ToString() + ":post:" + why});
}

void GiveawayService::QueueWinnersChanged(GiveawayStore& store, const Giveaway& g, const std::vector<Winner>& drawn) {
    if (drawn.empty()) return;
    store.Enqueue(scheduling::NewOutboxItem{
        .channel = kWinnersChannel,
        .payload = boost::json::serialize(boost::json::object{{"giveaway", g.id.value}}),
        .idempotency_key = "giveaway:" + g.id.ToString() + ":winners:r" + std::to_string(drawn.front().round)});
}

void GiveawayService::Announce(GiveawayStore& store, const Giveaway& g, const std::vector<Winner>& winners,
                               bool reroll) {
    for (const auto& w : winners) {
        auto tag = "giveaway:" + g.id.ToString() + ":r" + std::to_string(w.round) + ":" + w.user.ToString();
        auto dm = scheduling::Notice::ToMember(w.user, "giveaways.notify.won", tag + ":dm");
        dm.params = {{"id", g.id.ToString()}, {"prize", g.prize}};
        store.Notify(dm);
        auto post = scheduling::Notice::ToStaff(reroll ? "giveaways.notify.rerolled" : "giveaways.notify.winner",
                                                tag + ":announce");
        post.channel = options_.channel;
        post.params = {{"id", g.id.ToString()}, {"prize", g.prize}};
        post.people = {{"winner", w.user}};
        store.Notify(post);
    }
    if (winners.empty() && !reroll) {
        auto post = scheduling::Notice::ToStaff("giveaways.notify.no_winner", "giveaway:" + g.id.ToString() + ":none");
        post.channel = options_.channel;
        post.params = {{"id", g.id.ToString()}, {"prize", g.prize}};
        store.Notify(post);
    }
    QueueWinnersChanged(store, g, winners);
    // The seed, the entries and the winners published as a file beside the announcement, for each round drawn.
    if (!winners.empty() || !reroll) QueueProof(store, g, winners.empty() ? 0 : winners.front().round);
}

void GiveawayService::QueueProof(GiveawayStore& store, const Giveaway& g, int round) {
    store.Enqueue(scheduling::NewOutboxItem{
        .channel = kProofChannel,
        .payload = boost::json::serialize(boost::json::object{{"giveaway", g.id.value}, {"round", round}}),
        .idempotency_key = "giveaway:" + g.id.ToString() + ":proof:r" + std::to_string(round)});
}

}  // namespace maxis::giveaways
