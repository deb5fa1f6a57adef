#include "discord/invite_tracker.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/iso8601.hpp"
#include "core/strings.hpp"
#include "discord/json_util.hpp"
#include "discord/rest_client.hpp"

namespace maxis::discord {

namespace json = boost::json;

namespace {

int IntOf(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_int64() ? static_cast<int>(v->as_int64()) : 0;
}

constexpr const char* kVanitySource = "";

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// The ledger.

void InviteLedger::Reset(const InviteSnapshot& snapshot) {
    invites_.clear();
    for (const auto& i : snapshot.invites) invites_[i.code] = i;
    vanity_code_ = snapshot.vanity_code;
    vanity_uses_ = snapshot.vanity_uses;
    waiting_.clear();
    lost_ = 0;
    baseline_ = true;
}

void InviteLedger::Created(const TrackedInvite& invite) {
    if (invite.code.empty()) return;
    invites_.try_emplace(invite.code, invite);
}

void InviteLedger::Deleted(const std::string& /*code*/) {
    // Kept until the next snapshot: if it vanished used up, its last use is counted then.
}

int InviteLedger::waiting_uses() const {
    int n = 0;
    for (const auto& [source, uses] : waiting_) n += uses;
    return n;
}

std::vector<TrackedJoin> InviteLedger::Unknown(std::vector<TrackedJoin> joins) {
    for (auto& j : joins) {
        j.via = JoinVia::kUnknown;
        j.code.clear();
        j.inviter_id.clear();
    }
    return joins;
}

std::vector<TrackedJoin> InviteLedger::GiveUp(std::vector<TrackedJoin> joins) {
    joins = Unknown(std::move(joins));
    baseline_ = false;
    waiting_.clear();
    lost_ = 0;
    return joins;
}

std::vector<TrackedJoin> InviteLedger::Attribute(std::vector<TrackedJoin> joins, const InviteSnapshot& now) {
    if (!baseline_) {
        // No earlier snapshot to compare with: these joins cannot be told apart from what came before.
        Reset(now);
        return Unknown(std::move(joins));
    }
    // The uses that rose since the cache, per source.
    std::map<std::string, TrackedInvite> fresh;
    for (const auto& i : now.invites) fresh[i.code] = i;
    for (const auto& [code, invite] : fresh) {
        auto before = invites_.find(code);
        int rise = invite.uses - (before == invites_.end() ? 0 : before->second.uses);
        if (rise > 0) waiting_[code] += rise;
    }
    for (const auto& [code, invite] : invites_) {
        if (fresh.contains(code)) continue;
        // Gone: used up by one more join (Discord deletes an invite at max_uses), or deleted or expired (no use).
        if (invite.max_uses > 0 && invite.uses + 1 == invite.max_uses) waiting_[code] += 1;
    }
    int vanity_rise = now.vanity_code == vanity_code_ ? now.vanity_uses - vanity_uses_ : now.vanity_uses;
    if (!now.vanity_code.empty() && vanity_rise > 0) waiting_[kVanitySource] += vanity_rise;
    std::erase_if(waiting_, [](const auto& entry) { return entry.second <= 0; });

    // The joins, oldest first.
    std::size_t i = 0;
    for (; i < joins.size(); ++i) {
        auto& j = joins[i];
        j.via = JoinVia::kUnknown;
        if (lost_ > 0) {
            --lost_;
            continue;
        }
        if (waiting_.empty()) continue;
        if (waiting_.size() > 1) {
            // Several sources rose: which of these joins took which is unknown. The uses beyond these joins belong
            // to joins not arrived yet, as many of which are unknown in turn.
            int uses = waiting_uses();
            int rest = static_cast<int>(joins.size() - i);
            lost_ = std::max(0, uses - rest);
            waiting_.clear();
            break;
        }
        auto& [source, uses] = *waiting_.begin();
        if (source == kVanitySource) {
            j.via = JoinVia::kVanity;
            j.code = now.vanity_code;
        } else {
            j.via = JoinVia::kInvite;
            j.code = source;
            if (auto found = fresh.find(source); found != fresh.end()) {
                j.inviter_id = found->second.inviter_id;
            } else if (auto cached = invites_.find(source); cached != invites_.end()) {
                j.inviter_id = cached->second.inviter_id;  // used up: known from the cache
            }
        }
        if (--uses == 0) waiting_.clear();
    }
    for (; i < joins.size(); ++i) joins[i].via = JoinVia::kUnknown;
    invites_ = std::move(fresh);
    vanity_code_ = now.vanity_code;
    vanity_uses_ = now.vanity_uses;
    return joins;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading Discord.

std::optional<TrackedInvite> ParseInvite(const json::object& o) {
    TrackedInvite i;
    i.code = Str(o, "code");
    if (i.code.empty()) return std::nullopt;
    if (const auto* inviter = Obj(o, "inviter")) i.inviter_id = Str(*inviter, "id");
    i.channel_id = Str(o, "channel_id");
    if (i.channel_id.empty()) {
        if (const auto* channel = Obj(o, "channel")) i.channel_id = Str(*channel, "id");
    }
    i.uses = IntOf(o, "uses");
    i.max_uses = IntOf(o, "max_uses");
    if (auto at = core::ParseIso8601(Str(o, "created_at"))) i.created_at = *at;
    if (auto at = core::ParseIso8601(Str(o, "expires_at"))) i.expires_at = *at;
    return i;
}

std::optional<InviteSnapshot> FetchInvites(RestClient& rest, const std::string& guild_id, bool with_vanity,
                                           std::string& error) {
    auto r = rest.Get("/guilds/" + guild_id + "/invites");
    if (!r.ok() || !r.json.is_array()) {
        error = "the guild's invites could not be read: " + r.Describe();
        return std::nullopt;
    }
    InviteSnapshot s;
    for (const auto& v : r.json.as_array()) {
        if (!v.is_object()) continue;
        if (auto i = ParseInvite(v.as_object())) s.invites.push_back(std::move(*i));
    }
    if (with_vanity) {
        // A guild without a vanity URL may refuse the read: the invites still count, joins through it are unknown.
        auto v = rest.Get("/guilds/" + guild_id + "/vanity-url");
        if (v.ok() && v.json.is_object()) {
            s.vanity_code = Str(v.json.as_object(), "code");
            s.vanity_uses = IntOf(v.json.as_object(), "uses");
        } else {
            spdlog::info("discord: invite tracking: no vanity URL read ({})", v.Describe());
        }
    }
    return s;
}

// ---------------------------------------------------------------------------------------------------------------
// The tracker.

InviteTracker::InviteTracker(std::string guild_id, Fetch fetch, Listeners listeners, const core::Clock& clock)
    : guild_id_(std::move(guild_id)), fetch_(std::move(fetch)), listeners_(std::move(listeners)), clock_(clock) {
    worker_ = std::thread([this] { Run(); });
}

InviteTracker::~InviteTracker() { Stop(); }

void InviteTracker::Stop() {
    {
        std::lock_guard lock(mu_);
        if (stop_) return;
        stop_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void InviteTracker::Push(Item item) {
    {
        std::lock_guard lock(mu_);
        if (stop_) return;
        queue_.push_back(std::move(item));
    }
    cv_.notify_one();
}

void InviteTracker::OnEvent(const std::string& type, const json::object& d) {
    auto ours = [&](const char* key) { return Str(d, key) == guild_id_; };
    if (type == "GUILD_CREATE") {
        if (ours("id")) Push(Item{Item::kRefresh, {}, {}});
    } else if (type == "RESUMED") {
        // The events missed are replayed before RESUMED; the invites are read again after them.
        Push(Item{Item::kRefresh, {}, {}});
    } else if (type == "INVITE_CREATE") {
        if (!ours("guild_id")) return;
        if (auto i = ParseInvite(d)) Push(Item{Item::kCreated, std::move(*i), {}});
    } else if (type == "INVITE_DELETE") {
        if (!ours("guild_id")) return;
        TrackedInvite i;
        i.code = Str(d, "code");
        if (!i.code.empty()) Push(Item{Item::kDeleted, std::move(i), {}});
    } else if (type == "GUILD_MEMBER_ADD" || type == "GUILD_MEMBER_REMOVE") {
        if (!ours("guild_id")) return;
        const auto* user = Obj(d, "user");
        auto id = user ? core::ParseId(Str(*user, "id")) : std::nullopt;
        if (!id) return;
        TrackedJoin j;
        j.member = core::UserId{*id};
        const auto* bot = user->if_contains("bot");
        j.is_bot = bot && bot->is_bool() && bot->as_bool();
        j.at = clock_.Now();
        Push(Item{type == "GUILD_MEMBER_ADD" ? Item::kJoin : Item::kLeave, {}, std::move(j)});
    }
}

void InviteTracker::Drain() {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [this] { return stop_ || (queue_.empty() && !busy_); });
}

InviteTrackerStats InviteTracker::stats() const {
    std::lock_guard lock(mu_);
    return stats_;
}

template <class F>
void InviteTracker::Call(const char* what, F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        spdlog::warn("discord: invite tracking: {} failed: {}", what, e.what());
    }
}

void InviteTracker::Refresh() {
    std::string error;
    auto snapshot = fetch_(true, error);
    {
        std::lock_guard lock(mu_);
        ++stats_.fetches;
        if (!snapshot) ++stats_.fetch_failures;
    }
    if (!snapshot) {
        spdlog::warn("discord: invite tracking: {}; joins are not attributed until the invites can be read", error);
        ledger_.GiveUp({});
        return;
    }
    ledger_.Reset(*snapshot);
    spdlog::info("discord: invite tracking: {} invite(s) cached{}", snapshot->invites.size(),
                 snapshot->vanity_code.empty() ? std::string() : ", vanity URL " + snapshot->vanity_code);
    if (listeners_.invite_created) {
        for (const auto& i : snapshot->invites) Call("recording an invite", [&] { listeners_.invite_created(i); });
    }
}

void InviteTracker::Flush(std::vector<TrackedJoin>& batch) {
    if (batch.empty()) return;
    std::vector<TrackedJoin> attributed;
    if (!ledger_.has_baseline()) {
        // No list read yet (Discord refused it): these joins cannot be attributed; the read now is the baseline.
        attributed = InviteLedger::Unknown(std::move(batch));
        Refresh();
    } else {
        std::string error;
        auto snapshot = fetch_(!ledger_.vanity_code().empty(), error);
        {
            std::lock_guard lock(mu_);
            ++stats_.fetches;
            if (!snapshot) ++stats_.fetch_failures;
        }
        if (snapshot) {
            if (ledger_.vanity_code().empty()) snapshot->vanity_code.clear();
            attributed = ledger_.Attribute(std::move(batch), *snapshot);
        } else {
            spdlog::warn("discord: invite tracking: {}; {} join(s) left unattributed", error, batch.size());
            attributed = ledger_.GiveUp(std::move(batch));
        }
    }
    batch.clear();
    {
        std::lock_guard lock(mu_);
        for (const auto& j : attributed) {
            ++stats_.joins;
            ++(j.via == JoinVia::kUnknown ? stats_.unknown : stats_.exact);
        }
    }
    if (!listeners_.joined) return;
    for (const auto& j : attributed) Call("recording a join", [&] { listeners_.joined(j); });
}

void InviteTracker::Run() {
    std::vector<TrackedJoin> batch;
    for (;;) {
        std::deque<Item> items;
        {
            std::unique_lock lock(mu_);
            busy_ = false;
            idle_cv_.notify_all();
            cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (stop_) return;
            items.swap(queue_);
            busy_ = true;
        }
        // Consecutive joins are attributed together with one read; anything else first lets them through, in order.
        for (auto& item : items) {
            if (item.kind == Item::kJoin) {
                batch.push_back(std::move(item.join));
                continue;
            }
            Flush(batch);
            switch (item.kind) {
                case Item::kRefresh:
                    Refresh();
                    break;
                case Item::kCreated:
                    ledger_.Created(item.invite);
                    if (listeners_.invite_created) {
                        Call("recording an invite", [&] { listeners_.invite_created(item.invite); });
                    }
                    break;
                case Item::kDeleted:
                    ledger_.Deleted(item.invite.code);
                    if (listeners_.invite_deleted) {
                        Call("recording an invite's deletion", [&] { listeners_.invite_deleted(item.invite.code); });
                    }
                    break;
                case Item::kLeave:
                    if (listeners_.left)
                        Call("recording a leave", [&] { listeners_.left(item.join.member, item.join.at); });
                    break;
                case Item::kJoin:
                    break;
            }
        }
        Flush(batch);
    }
}

}  // namespace maxis::discord
