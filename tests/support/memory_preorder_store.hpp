#pragma once
// The pre-orders' rows in memory, for the rule tests of domain/preorders (milliseconds, no database). Transactions
// take turns (one mutex, as SQLite's writers do), so threads may buy at once. A Write that throws leaves the state as
// it was, as a rolled-back transaction would; a Read refuses every write. Reads filter by the viewer as the SQL store
// does: a member reaches only their own purchases, and drafts are staff's. Seat counters are conditional as the SQL
// ones are; an event id is recorded once, an announcement marked once; notices are collected for assertions (every
// Notify call, without the outbox's de-duplication, so that a notice written twice shows).
// `concurrent` simulates another transaction committing in the middle of one: it runs (once) just after the first
// purchase read of a transaction that has not locked an item yet (FindItem in a write transaction locks it, as
// PostgreSQL's FOR UPDATE does), or, when the item is locked already, just after that transaction commits (the other
// writer waited for the lock). It may call the service: its transactions commit inside the running one, which then
// sees their rows, as it would after another writer's commit under READ COMMITTED.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "domain/preorders/preorder_store.hpp"

namespace maxis::testing {

class MemoryPreorderRepository final : public preorders::PreorderRepository {
public:
    struct State {
        std::map<long long, preorders::Item> items;
        std::map<long long, preorders::Tier> tiers;
        std::map<long long, preorders::Purchase> purchases;
        long long next_item = 1;
        long long next_tier = 1;
        long long next_purchase = 1;
        std::map<std::string, std::string> events;  // id -> type, then outcome
        std::set<std::pair<long long, std::string>> announced;
        std::vector<scheduling::Notice> notices;
    };

    void Write(const core::Viewer& viewer, const std::function<void(preorders::PreorderStore&)>& work) override {
        std::function<void()> waited;
        {
            std::lock_guard lock(mutex_);
            Busy busy(in_transaction_);
            State saved = state;
            Store store(*this, viewer, false);
            try {
                work(store);
            } catch (...) {
                state = std::move(saved);
                throw;
            }
            ++writes;
            if (after_write) after_write(state);
            waited = std::move(store.waited);
        }
        if (waited) waited();
    }
    void Read(const core::Viewer& viewer, const std::function<void(preorders::PreorderStore&)>& work) override {
        std::lock_guard lock(mutex_);
        Busy busy(in_transaction_);
        Store store(*this, viewer, true);
        work(store);
    }

    /// Runs f on the state between transactions (the tests' look at the rows).
    template <class F>
    auto Inspect(F&& f) {
        std::lock_guard lock(mutex_);
        return f(state);
    }

    /// Whether a transaction is running now (the provider must be called outside any).
    [[nodiscard]] bool InTransaction() const { return in_transaction_.load() > 0; }

    State state;
    int writes = 0;  // committed write transactions
    /// Called after each committed write, under the lock: a test checks invariants at every commit.
    std::function<void(const State&)> after_write;
    /// Another writer's transaction, run once at the first moment it could commit (see the top of this file).
    std::function<void()> concurrent;

private:
    struct Busy {
        explicit Busy(std::atomic<int>& depth) : depth_(depth) { ++depth_; }
        ~Busy() { --depth_; }
        Busy(const Busy&) = delete;
        Busy& operator=(const Busy&) = delete;
        std::atomic<int>& depth_;
    };
    std::recursive_mutex mutex_;  // recursive: `concurrent` runs transactions inside a running one
    std::atomic<int> in_transaction_{0};

    class Store final : public preorders::PreorderStore {
    public:
        Store(MemoryPreorderRepository& repo, core::Viewer viewer, bool read_only)
            : repo_(repo), s_(repo.state), viewer_(viewer), read_only_(read_only) {}

        std::function<void()> waited;  // `concurrent`, when it must wait for this transaction's end

        preorders::ItemId InsertItem(const preorders::Item& item) override {
            Writing();
            auto copy = item;
            copy.id = preorders::ItemId{s_.next_item++};
            s_.items[copy.id.value] = copy;
            return copy.id;
        }
        std::optional<preorders::Item> FindItem(preorders::ItemId id) override {
            if (!read_only_) item_locked_ = true;
            auto it = s_.items.find(id.value);
            if (it == s_.items.end() || !Sees(it->second)) return std::nullopt;
            return it->second;
        }
        void UpdateItem(const preorders::Item& item) override {
            Writing();
            auto& row = s_.items.at(item.id.value);
            auto created_by = row.created_by;
            auto created_at = row.created_at;
            row = item;
            row.created_by = created_by;
            row.created_at = created_at;
        }
        std::vector<preorders::Item> ListItems(std::optional<preorders::ItemStatus> status, int limit) override {
            std::vector<preorders::Item> out;
            for (auto it = s_.items.rbegin(); it != s_.items.rend() && static_cast<int>(out.size()) < limit; ++it) {
                if (Sees(it->second) && (!status || it->second.status == *status)) out.push_back(it->second);
            }
            return out;
        }
        std::vector<preorders::ItemId> DueForRelease(core::TimePoint at, int limit) override {
            std::vector<preorders::ItemId> out;
            for (const auto& [id, item] : s_.items) {
                if (Selling(item) && item.release_at <= at && static_cast<int>(out.size()) < limit) {
                    out.push_back(item.id);
                }
            }
            return out;
        }
        std::vector<preorders::Item> ReleasingBefore(core::TimePoint before, int limit) override {
            std::vector<preorders::Item> out;
            for (const auto& [id, item] : s_.items) {
                if (Selling(item) && item.release_at < before && static_cast<int>(out.size()) < limit) {
                    out.push_back(item);
                }
            }
            return out;
        }

        std::vector<preorders::Tier> Tiers(preorders::ItemId item) override {
            std::vector<preorders::Tier> out;
            auto it = s_.items.find(item.value);
            if (it == s_.items.end() || !Sees(it->second)) return out;
            for (const auto& [id, t] : s_.tiers) {
                if (t.item == item) out.push_back(t);
            }
            std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.position < b.position; });
            return out;
        }
        void ReplaceTiers(preorders::ItemId item, const std::vector<preorders::Tier>& tiers) override {
            Writing();
            for (const auto& [id, p] : s_.purchases) {
                if (p.item == item) throw std::logic_error("tiers replaced under a purchase (a foreign key)");
            }
            std::erase_if(s_.tiers, [&](const auto& row) { return row.second.item == item; });
            for (auto t : tiers) {
                t.id = preorders::TierId{s_.next_tier++};
                t.item = item;
                t.sold = 0;
                t.held = 0;
                s_.tiers[t.id.value] = t;
            }
        }
        void SetTierSeats(preorders::TierId tier, std::optional<int> seats) override {
            Writing();
            s_.tiers.at(tier.value).seats = seats;
        }
        bool TakeHeldSeat(preorders::TierId tier) override {
            Writing();
            auto& t = s_.tiers.at(tier.value);
            if (t.seats && t.sold + t.held >= *t.seats) return false;
            ++t.held;
            return true;
        }
        void ReleaseHeldSeat(preorders::TierId tier) override {
            Writing();
            auto& t = s_.tiers.at(tier.value);
            if (t.held <= 0) throw std::logic_error("a held seat released twice");
            --t.held;
        }
        void SellHeldSeat(preorders::TierId tier) override {
            Writing();
            auto& t = s_.tiers.at(tier.value);
            if (t.held <= 0) throw std::logic_error("a seat sold that was not held");
            --t.held;
            ++t.sold;
        }
        bool TakeSoldSeat(preorders::TierId tier) override {
            Writing();
            auto& t = s_.tiers.at(tier.value);
            if (t.seats && t.sold + t.held >= *t.seats) return false;
            ++t.sold;
            return true;
        }
        void ReturnSoldSeat(preorders::TierId tier) override {
            Writing();
            auto& t = s_.tiers.at(tier.value);
            if (t.sold <= 0) throw std::logic_error("a sold seat returned twice");
            --t.sold;
        }

        void LockBuyer(preorders::ItemId, core::UserId) override { Writing(); }
        preorders::PurchaseId InsertPurchase(const preorders::Purchase& purchase) override {
            Writing();
            auto copy = purchase;
            copy.id = preorders::PurchaseId{s_.next_purchase++};
            s_.purchases[copy.id.value] = copy;
            return copy.id;
        }
        std::optional<preorders::Purchase> FindPurchase(preorders::PurchaseId id) override {
            auto it = s_.purchases.find(id.value);
            std::optional<preorders::Purchase> out;
            if (it != s_.purchases.end() && Reaches(it->second)) out = it->second;
            return Interleave(std::move(out));
        }
        std::optional<preorders::Purchase> FindPurchaseBySession(const std::string& session_id) override {
            return Interleave(FindIf([&](const auto& p) { return !session_id.empty() && p.session_id == session_id; }));
        }
        std::optional<preorders::Purchase> FindPurchaseByPaymentIntent(const std::string& payment_intent) override {
            return Interleave(
                FindIf([&](const auto& p) { return !payment_intent.empty() && p.payment_intent == payment_intent; }));
        }
        void UpdatePurchase(const preorders::Purchase& purchase) override {
            Writing();
            auto& row = s_.purchases.at(purchase.id.value);
            if (!Reaches(row)) throw std::logic_error("another member's purchase written");
            auto keep = row;
            row = purchase;
            row.item = keep.item;
            row.buyer = keep.buyer;
            row.created_at = keep.created_at;
        }
        int CountActivePurchases(preorders::ItemId item, core::UserId buyer) override {
            int n = 0;
            for (const auto& [id, p] : s_.purchases) {
                if (Reaches(p) && p.item == item && p.buyer == buyer && preorders::CountsAgainstLimit(p.status)) ++n;
            }
            return n;
        }
        std::vector<preorders::Purchase> PurchasesOf(core::UserId buyer, int limit) override {
            std::vector<preorders::Purchase> out;
            for (auto it = s_.purchases.rbegin(); it != s_.purchases.rend(); ++it) {
                if (static_cast<int>(out.size()) >= limit) break;
                if (Reaches(it->second) && it->second.buyer == buyer) out.push_back(it->second);
            }
            return out;
        }
        std::vector<preorders::Purchase> ItemPurchases(preorders::ItemId item,
                                                       const std::vector<preorders::PurchaseStatus>& statuses,
                                                       long long after_id, int limit) override {
            std::vector<preorders::Purchase> out;
            for (auto it = s_.purchases.upper_bound(after_id); it != s_.purchases.end(); ++it) {
                if (static_cast<int>(out.size()) >= limit) break;
                const auto& p = it->second;
                bool wanted =
                    statuses.empty() || std::find(statuses.begin(), statuses.end(), p.status) != statuses.end();
                if (Reaches(p) && p.item == item && wanted) out.push_back(p);
            }
            return Interleave(std::move(out));
        }
        std::vector<preorders::Purchase> HoldsEndedBy(core::TimePoint at, int limit) override {
            std::vector<preorders::Purchase> out;
            for (const auto& [id, p] : s_.purchases) {
                if (static_cast<int>(out.size()) >= limit) break;
                if (Reaches(p) && p.status == preorders::PurchaseStatus::kHeld && p.held_until <= at) out.push_back(p);
            }
            return Interleave(std::move(out));
        }
        std::vector<preorders::Purchase> RefundsDue(int limit) override {
            std::vector<preorders::Purchase> out;
            for (const auto& [id, p] : s_.purchases) {
                if (static_cast<int>(out.size()) >= limit) break;
                if (Reaches(p) && p.status == preorders::PurchaseStatus::kRefunding) out.push_back(p);
            }
            return Interleave(std::move(out));
        }
        std::vector<preorders::SaleRow> Sales(preorders::ItemId item) override {
            std::vector<preorders::SaleRow> out;
            for (const auto& [id, p] : s_.purchases) {
                using S = preorders::PurchaseStatus;
                if (!Reaches(p) || p.item != item || !p.paid_at) continue;
                if (p.status != S::kPaid && p.status != S::kFulfilled && p.status != S::kRefunded) continue;
                out.push_back(preorders::SaleRow{p.id, p.tier, p.buyer, p.status, p.price, *p.paid_at, p.refunded_at});
            }
            return out;
        }
        std::vector<preorders::EarlyAdopter> EarlyAdopters(int limit) override {
            std::map<long long, preorders::EarlyAdopter> by_user;
            for (const auto& [id, p] : s_.purchases) {
                using S = preorders::PurchaseStatus;
                if (!Reaches(p) || !p.paid_at || (p.status != S::kPaid && p.status != S::kFulfilled)) continue;
                auto [it, fresh] = by_user.try_emplace(p.buyer.value, preorders::EarlyAdopter{p.buyer, *p.paid_at, 0});
                it->second.first_paid_at = std::min(it->second.first_paid_at, *p.paid_at);
                it->second.purchases += 1;
            }
            std::vector<preorders::EarlyAdopter> out;
            for (const auto& [user, a] : by_user) out.push_back(a);
            std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
                return std::make_pair(a.first_paid_at, a.user) < std::make_pair(b.first_paid_at, b.user);
            });
            if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
            return out;
        }

        bool RecordEvent(const std::string& event_id, const std::string& type) override {
            Writing();
            return s_.events.try_emplace(event_id, type).second;
        }
        void SetEventOutcome(const std::string& event_id, core::EventOutcome outcome) override {
            Writing();
            s_.events.at(event_id) = std::string(core::ToString(outcome));
        }
        bool MarkAnnounced(preorders::ItemId item, const std::string& key) override {
            Writing();
            return s_.announced.emplace(item.value, key).second;
        }
        void Notify(const scheduling::Notice& notice) override {
            Writing();
            s_.notices.push_back(notice);
        }

    private:
        void Writing() const {
            if (read_only_) throw std::logic_error("a write in a read transaction");
        }
        [[nodiscard]] bool Sees(const preorders::Item& item) const {
            return viewer_.IsStaff() || item.status != preorders::ItemStatus::kDraft;
        }
        [[nodiscard]] bool Reaches(const preorders::Purchase& p) const {
            return viewer_.IsStaff() || p.buyer == viewer_.user_id;
        }
        static bool Selling(const preorders::Item& item) {
            return item.status == preorders::ItemStatus::kOpen || item.status == preorders::ItemStatus::kClosed;
        }
        /// Purchases were read: the other writer commits now when nothing blocks it, or after this transaction.
        template <class Rows>
        Rows Interleave(Rows rows) {
            if (!repo_.concurrent) return rows;
            auto other = std::exchange(repo_.concurrent, nullptr);
            if (read_only_ || !item_locked_) {
                other();
            } else {
                waited = std::move(other);
            }
            return rows;
        }
        template <class Pred>
        std::optional<preorders::Purchase> FindIf(Pred pred) const {
            for (const auto& [id, p] : s_.purchases) {
                if (Reaches(p) && pred(p)) return p;
            }
            return std::nullopt;
        }

        MemoryPreorderRepository& repo_;
        State& s_;
        core::Viewer viewer_;
        bool read_only_;
        bool item_locked_ = false;
    };
};

}  // namespace maxis::testing
