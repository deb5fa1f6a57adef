#pragma once
#include <boost/json/object.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace maxis::discord {

class RestClient;

/// An invite of the guild as Discord lists it (Get Guild Invites, INVITE_CREATE).
struct TrackedInvite {
    std::string code;
    std::string inviter_id;  // empty: none (a widget invite)
    std::string channel_id;
    int uses = 0;
    int max_uses = 0;  // 0: unlimited
    core::TimePoint created_at{};
    std::optional<core::TimePoint> expires_at;
};

/// The guild's invites and its vanity URL at one moment.
struct InviteSnapshot {
    std::vector<TrackedInvite> invites;
    std::string vanity_code;  // empty: none
    int vanity_uses = 0;
};

/// How a join came in, as far as the use counts tell.
enum class JoinVia { kInvite, kVanity, kUnknown };

/// A member's arrival, then what the invites' use counts say of it.
struct TrackedJoin {
    core::UserId member;
    bool is_bot = false;
    core::TimePoint at{};
    JoinVia via = JoinVia::kUnknown;
    std::string code;        // kInvite: the invite's code; kVanity: the vanity code
    std::string inviter_id;  // kInvite: the invite's creator (empty when it has none)
};

/// The invite cache and the use-count diff, without threads or I/O (the tracker's worker owns it). Joins are handed
/// over in the order their GUILD_MEMBER_ADD arrived, with a snapshot read after the last of them arrived, so every
/// one of their uses is in it. The uses that rose since the last snapshot are kept per source (an invite, the vanity
/// URL) until joins take them, oldest first: while exactly one source has uses waiting, the waiting joins are its
/// (one invite rose by k for k joins: all k to it); when several have, which join took which cannot be told, so those
/// joins are unknown and the uses left over (joins not arrived yet) make as many later joins unknown: an attribution
/// is exact or it is not made. A join that finds no use waiting is unknown. An invite that vanished between two
/// snapshots with uses + 1 == max_uses was used up by one join (Discord deletes it at max_uses).
class InviteLedger {
public:
    /// A new baseline (start, a new session): what rose before it belongs to joins never reported.
    void Reset(const InviteSnapshot& snapshot);
    /// INVITE_CREATE: cached with its uses, unless a snapshot had it already.
    void Created(const TrackedInvite& invite);
    /// INVITE_DELETE: kept until the next snapshot (a used-up invite's last use is counted then).
    void Deleted(const std::string& code);
    /// Attributes the joins (in arrival order) against `now`, which becomes the cache.
    std::vector<TrackedJoin> Attribute(std::vector<TrackedJoin> joins, const InviteSnapshot& now);
    /// The snapshot could not be read: these joins are unknown, and the next snapshot is a new baseline.
    std::vector<TrackedJoin> GiveUp(std::vector<TrackedJoin> joins);
    /// The joins marked unknown (nothing else changes).
    static std::vector<TrackedJoin> Unknown(std::vector<TrackedJoin> joins);

    [[nodiscard]] bool has_baseline() const { return baseline_; }
    [[nodiscard]] const std::map<std::string, TrackedInvite>& invites() const { return invites_; }
    [[nodiscard]] const std::string& vanity_code() const { return vanity_code_; }
    /// Uses seen that no join took yet, and uses left to joins not arrived when attribution was lost.
    [[nodiscard]] int waiting_uses() const;
    [[nodiscard]] int lost_uses() const { return lost_; }

private:
    std::map<std::string, TrackedInvite> invites_;
    std::string vanity_code_;
    int vanity_uses_ = 0;
    bool baseline_ = false;
    std::map<std::string, int> waiting_;  // source ("" for the vanity URL, else the invite's code) -> uses
    int lost_ = 0;
};

/// Reads the guild's invites (GET /guilds/{id}/invites) and, when with_vanity, its vanity URL (GET
/// /guilds/{id}/vanity-url; none when that read is refused). nullopt, with the reason in `error`, when Discord did
/// not answer with the invites.
std::optional<InviteSnapshot> FetchInvites(RestClient& rest, const std::string& guild_id, bool with_vanity,
                                           std::string& error);
/// An invite object (Get Guild Invites' element, INVITE_CREATE's data) as tracked; nullopt without a code.
std::optional<TrackedInvite> ParseInvite(const boost::json::object& invite);

struct InviteTrackerStats {
    long long joins = 0;
    long long exact = 0;  // through an invite or the vanity URL
    long long unknown = 0;
    long long fetches = 0;
    long long fetch_failures = 0;
};

/// Invite tracking fed by the gateway's events: the guild's invites cached at each GUILD_CREATE and after a resume
/// (RESUMED: the joins replayed before it are attributed first), kept by INVITE_CREATE/INVITE_DELETE; each
/// GUILD_MEMBER_ADD attributed by the use-count diff (InviteLedger) and each GUILD_MEMBER_REMOVE passed on, in the
/// order they came. OnEvent only queues (the gateway thread never waits): one worker reads Discord and calls the
/// listeners, so joins arriving in a storm while it reads are attributed together with one read, within the REST
/// client's rate limits.
class InviteTracker {
public:
    struct Listeners {
        std::function<void(const TrackedJoin&)> joined;
        std::function<void(core::UserId member, core::TimePoint at)> left;
        std::function<void(const TrackedInvite&)> invite_created;  // and each invite of a fresh list
        std::function<void(const std::string& code)> invite_deleted;
    };
    /// fetch(with_vanity): the guild's invites now (FetchInvites over the REST client in production).
    using Fetch = std::function<std::optional<InviteSnapshot>(bool with_vanity, std::string& error)>;

    InviteTracker(std::string guild_id, Fetch fetch, Listeners listeners, const core::Clock& clock);
    ~InviteTracker();
    InviteTracker(const InviteTracker&) = delete;
    InviteTracker& operator=(const InviteTracker&) = delete;

    /// A gateway dispatch (called on the gateway thread; returns at once).
    void OnEvent(const std::string& type, const boost::json::object& data);
    /// Waits until everything queued so far is handled (tests, shutdown).
    void Drain();
    void Stop();
    [[nodiscard]] InviteTrackerStats stats() const;

private:
    struct Item {
        enum Kind { kRefresh, kCreated, kDeleted, kJoin, kLeave } kind;
        TrackedInvite invite;
        TrackedJoin join;
    };
    void Push(Item item);
    void Run();
    void Flush(std::vector<TrackedJoin>& batch);
    void Refresh();
    template <class F>
    void Call(const char* what, F&& f);

    std::string guild_id_;
    Fetch fetch_;
    Listeners listeners_;
    const core::Clock& clock_;
    InviteLedger ledger_;  // the worker's
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::condition_variable idle_cv_;
    std::deque<Item> queue_;
    bool busy_ = false;
    bool stop_ = false;
    InviteTrackerStats stats_;
    std::thread worker_;
};

}  // namespace maxis::discord
