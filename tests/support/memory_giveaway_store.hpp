#pragma once
// The giveaways' rows in memory, for the rule tests of domain/giveaways (milliseconds, no database). A Write that
// throws leaves the state as it was, as a rolled-back transaction would. Reads filter as the SQL store and
// PostgreSQL's policies do: a member sees only their own entry while a giveaway runs, and nobody reads a seed
// before the end.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

#include "domain/giveaways/giveaway_store.hpp"

namespace maxis::testing {

class MemoryGiveawayRepository final : public giveaways::GiveawayRepository {
public:
    struct State {
        std::map<long long, giveaways::Giveaway> giveaways;
        std::map<long long, std::string> seeds;
        std::map<std::pair<long long, long long>, giveaways::Entry> entries;
        std::vector<giveaways::Winner> winners;
        std::map<long long, std::vector<giveaways::RoundExclusion>> round_exclusions;  // by giveaway
        std::vector<scheduling::NewOutboxItem> outbox;
        std::vector<scheduling::Notice> notices;
        std::optional<giveaways::MilestoneState> milestone_state;
        long long next_id = 1;
    };

    void Write(const core::Viewer& viewer, const std::function<void(giveaways::GiveawayStore&)>& work) override {
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
    void Read(const core::Viewer& viewer, const std::function<void(giveaways::GiveawayStore&)>& work) override {
        Store store(state, viewer, true);
        work(store);
    }

    State state;
    int writes = 0;

private:
    class Store final : public giveaways::GiveawayStore {
    public:
        Store(State& s, core::Viewer viewer, bool read_only) : s_(s), viewer_(viewer), read_only_(read_only) {}

        giveaways::GiveawayId Insert(const giveaways::Giveaway& g, const std::string& seed) override {
            Writing();
            auto copy = g;
            copy.id = giveaways::GiveawayId{s_.next_id++};
            s_.giveaways[copy.id.value] = copy;
            s_.seeds[copy.id.value] = seed;
            return copy.id;
        }
        std::optional<giveaways::Giveaway> Find(giveaways::GiveawayId id) override {
            auto it = s_.giveaways.find(id.value);
            if (it == s_.giveaways.end()) return std::nullopt;
            return it->second;
        }
        void Update(const giveaways::Giveaway& g) override {
            Writing();
            s_.giveaways.at(g.id.value) = g;
        }
        std::vector<giveaways::Giveaway> List(std::optional<giveaways::Status> status, int limit) override {
            std::vector<giveaways::Giveaway> out;
            for (const auto& [id, g] : s_.giveaways) {
                if (!status || g.status == *status) out.push_back(g);
            }
            if (status == giveaways::Status::kRunning) {
                std::stable_sort(out.begin(), out.end(),
                                 [](const auto& a, const auto& b) { return a.ends_at < b.ends_at; });
            }
            if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
            return out;
        }
        std::vector<giveaways::GiveawayId> RunningEndedBy(core::TimePoint at, int limit) override {
            std::vector<giveaways::GiveawayId> out;
            for (const auto& g : List(giveaways::Status::kRunning, limit)) {
                if (g.ends_at <= at) out.push_back(g.id);
            }
            return out;
        }
        std::optional<std::string> Seed(giveaways::GiveawayId id) override {
            auto g = Find(id);
            if (!g || g->status != giveaways::Status::kEnded) return std::nullopt;
            return s_.seeds.at(id.value);
        }
        bool InsertEntry(const giveaways::Entry& e) override {
            Writing();
            if (!viewer_.IsStaff() && e.user != viewer_.user_id) throw std::runtime_error("not their own entry");
            return s_.entries.emplace(std::make_pair(e.giveaway.value, e.user.value), e).second;
        }
        bool DeleteEntry(giveaways::GiveawayId id, core::UserId user) override {
            Writing();
            if (!viewer_.IsStaff() && user != viewer_.user_id) return false;
            return s_.entries.erase({id.value, user.value}) > 0;
        }
        std::optional<giveaways::Entry> FindEntry(giveaways::GiveawayId id, core::UserId user) override {
            for (const auto& e : Entries(id)) {
                if (e.user == user) return e;
            }
            return std::nullopt;
        }
        int CountEntries(giveaways::GiveawayId id) override {
            int n = 0;
            for (const auto& [k, e] : s_.entries) n += k.first == id.value ? 1 : 0;
            return n;
        }
        std::vector<giveaways::Entry> Entries(giveaways::GiveawayId id) override {
            auto g = Find(id);
            bool all = viewer_.IsStaff() || (g && g->status == giveaways::Status::kEnded);
            std::vector<giveaways::Entry> out;
            for (const auto& [k, e] : s_.entries) {
                if (k.first == id.value && (all || e.user == viewer_.user_id)) out.push_back(e);
            }
            return out;
        }
        void ExcludeEntry(giveaways::GiveawayId id, core::UserId user, const std::string& reason) override {
            Writing();
            s_.entries.at({id.value, user.value}).excluded = reason;
        }
        void ExcludeFromRound(giveaways::GiveawayId id, const giveaways::RoundExclusion& x) override {
            Writing();
            s_.round_exclusions[id.value].push_back(x);
        }
        std::vector<giveaways::RoundExclusion> RoundExclusions(giveaways::GiveawayId id) override {
            auto g = Find(id);
            auto it = s_.round_exclusions.find(id.value);
            if (!g || it == s_.round_exclusions.end()) return {};
            if (!viewer_.IsStaff() && g->status != giveaways::Status::kEnded) return {};
            auto out = it->second;
            std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
                return std::tie(a.round, a.user.value) < std::tie(b.round, b.user.value);
            });
            return out;
        }
        void InsertWinner(const giveaways::Winner& w) override {
            Writing();
            s_.winners.push_back(w);
        }
        void MarkReplaced(giveaways::GiveawayId id, core::UserId user) override {
            Writing();
            for (auto& w : s_.winners) {
                if (w.giveaway == id && w.user == user) w.replaced = true;
            }
        }
        std::vector<giveaways::Winner> Winners(giveaways::GiveawayId id) override {
            auto g = Find(id);
            std::vector<giveaways::Winner> out;
            if (!g || (!viewer_.IsStaff() && g->status != giveaways::Status::kEnded)) return out;
            for (const auto& w : s_.winners) {
                if (w.giveaway == id) out.push_back(w);
            }
            std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
                return std::tie(a.round, a.position) < std::tie(b.round, b.position);
            });
            return out;
        }
        std::optional<giveaways::GiveawayId> InsertForMilestone(const giveaways::Giveaway& g,
                                                                const std::string& seed) override {
            Writing();
            if (g.milestone && FindByMilestone(*g.milestone)) return std::nullopt;  // the column is unique
            return Insert(g, seed);
        }
        std::optional<giveaways::Giveaway> FindByMilestone(long long milestone) override {
            for (const auto& [id, g] : s_.giveaways) {
                if (g.milestone == milestone) return g;
            }
            return std::nullopt;
        }
        std::optional<giveaways::MilestoneState> FindMilestoneState() override {
            if (!viewer_.IsStaff()) return std::nullopt;
            return s_.milestone_state;
        }
        bool InsertMilestoneState(const giveaways::MilestoneState& state) override {
            Writing();
            SystemOnly();
            if (s_.milestone_state) return false;
            s_.milestone_state = state;
            return true;
        }
        void UpdateMilestoneState(const giveaways::MilestoneState& state) override {
            Writing();
            SystemOnly();
            s_.milestone_state = state;
        }
        void Enqueue(const scheduling::NewOutboxItem& item) override {
            Writing();
            for (const auto& o : s_.outbox) {
                if (o.idempotency_key == item.idempotency_key) return;
            }
            s_.outbox.push_back(item);
        }
        void Notify(const scheduling::Notice& notice) override {
            Writing();
            s_.notices.push_back(notice);
        }

    private:
        void Writing() const {
            if (read_only_) throw std::runtime_error("a write in a read transaction");
        }
        void SystemOnly() const {
            if (viewer_.role != core::Role::kSystem) throw std::runtime_error("only Maxis writes the member count");
        }
        State& s_;
        core::Viewer viewer_;
        bool read_only_;
    };
};

}  // namespace maxis::testing
