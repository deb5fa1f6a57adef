#pragma once
// The coins' store in memory, for the rules' tests: the same contract as the SQL store (a transaction is a
// copy kept only when the work returns; a member's store sees only their rows).
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "domain/coins/coin_store.hpp"

namespace maxis::testing {

class MemoryCoinRepository final : public coins::CoinRepository {
public:
    struct State {
        std::vector<coins::LedgerEntry> ledger;
        std::map<core::UserId, std::int64_t> balances;
        std::map<core::UserId, std::tuple<std::string, std::int64_t, core::TimePoint>> activity;  // day, earned, last
        std::set<core::UserId> known;
        std::vector<scheduling::Notice> notices;  // queued with the movements
    };
    State state;

    void Write(const core::Viewer& viewer, const std::function<void(coins::CoinStore&)>& work) override {
        std::lock_guard lock(mu_);
        auto copy = state;
        Store store(copy, viewer);
        work(store);
        state = std::move(copy);
    }
    void Read(const core::Viewer& viewer, const std::function<void(coins::CoinStore&)>& work) override {
        std::lock_guard lock(mu_);
        auto copy = state;
        Store store(copy, viewer);
        work(store);
    }

private:
    class Store final : public coins::CoinStore {
    public:
        Store(State& s, const core::Viewer& viewer) : s_(s), viewer_(viewer) {}
        coins::MoveResult Move(const coins::Movement& m, core::TimePoint now) override {
            bool credit = coins::IsCredit(m.reason);
            for (const auto& e : s_.ledger) {
                if (!m.ref.empty() && e.user == m.user && e.reason == m.reason && e.ref == m.ref)
                    return {.applied = coins::Applied::kDuplicate};
            }
            auto& balance = s_.balances[m.user];
            if (!credit && balance < m.amount) return {.applied = coins::Applied::kShort};
            balance += credit ? m.amount : -m.amount;
            coins::LedgerEntry e{.id = static_cast<long long>(s_.ledger.size()) + 1,
                                 .user = m.user,
                                 .amount = credit ? m.amount : -m.amount,
                                 .reason = m.reason,
                                 .ref = m.ref,
                                 .balance_after = balance,
                                 .actor = m.actor,
                                 .note = m.note,
                                 .at = now};
            s_.ledger.push_back(e);
            return {.applied = coins::Applied::kDone, .entry = e};
        }
        std::int64_t Balance(core::UserId user) override {
            if (!Sees(user)) return 0;
            auto it = s_.balances.find(user);
            return it == s_.balances.end() ? 0 : it->second;
        }
        std::vector<coins::LedgerEntry> History(core::UserId user, long long before, int limit) override {
            std::vector<coins::LedgerEntry> out;
            if (!Sees(user)) return out;
            for (auto it = s_.ledger.rbegin(); it != s_.ledger.rend() && static_cast<int>(out.size()) < limit; ++it) {
                if (it->user == user && (before == 0 || it->id < before)) out.push_back(*it);
            }
            return out;
        }
        std::vector<coins::LeaderRow> Leaders(std::optional<core::TimePoint> since, int limit) override {
            std::map<core::UserId, std::int64_t> sums;
            for (const auto& e : s_.ledger) {
                if (e.amount > 0 && e.reason != coins::CoinReason::kRefund && (!since || e.at >= *since) &&
                    Sees(e.user))
                    sums[e.user] += e.amount;
            }
            std::vector<coins::LeaderRow> out;
            for (const auto& [user, earned] : sums) out.push_back({user, earned});
            std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
                return a.earned != b.earned ? a.earned > b.earned : a.user.value < b.user.value;
            });
            if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
            return out;
        }
        bool TryEarn(core::UserId user, const std::string& day, std::int64_t amount, std::int64_t cap,
                     core::TimePoint now, core::TimePoint not_after) override {
            auto& [d, earned, last] = s_.activity[user];
            if (last > not_after) return false;
            if (d == day && earned + amount > cap) return false;
            earned = d == day ? earned + amount : amount;
            d = day;
            last = now;
            return true;
        }
        std::int64_t EarnedOn(core::UserId user, const std::string& day) override {
            auto it = s_.activity.find(user);
            if (!Sees(user) || it == s_.activity.end() || std::get<0>(it->second) != day) return 0;
            return std::get<1>(it->second);
        }
        bool Known(core::UserId user) override { return s_.known.contains(user); }
        void Notify(const scheduling::Notice& notice, core::TimePoint) override { s_.notices.push_back(notice); }

    private:
        [[nodiscard]] bool Sees(core::UserId user) const { return viewer_.IsStaff() || viewer_.user_id == user; }
        State& s_;
        core::Viewer viewer_;
    };
    std::mutex mu_;
};

}  // namespace maxis::testing
