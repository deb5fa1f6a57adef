#pragma once
// The shop's rows in memory, for the rule tests of domain/shop (milliseconds, no database). A Write that
// throws leaves the state as it was, as a rolled-back transaction would; a Read refuses every write. Reads
// filter by the viewer as the SQL store does: a member reaches only their own cart and orders.
#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "core/time_zone.hpp"
#include "domain/shop/shop_store.hpp"

namespace maxis::testing {

class MemoryShopRepository final : public shop::ShopRepository {
public:
    struct CartRow {
        core::UserId member;
        shop::ProductId product;
        int quantity = 0;
        core::TimePoint added_at;
    };
    struct State {
        std::map<long long, shop::Product> products;
        std::vector<CartRow> carts;
        std::map<int, long long> counters;
        std::map<long long, shop::Order> orders;  // with items and timeline
        std::vector<shop::Payment> payments;
        std::map<std::string, std::string> events;  // id -> outcome
        std::vector<scheduling::Notice> notices;
        std::map<long long, long long> coins;  // member -> balance
        struct CoinRow {
            core::UserId member;
            long long amount = 0;  // signed
            std::string reason;    // "purchase" or "refund"
            std::string ref;
        };
        std::vector<CoinRow> coin_ledger;
    };

    void Write(const core::Viewer& viewer, const std::function<void(shop::ShopStore&)>& work) override {
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
    void Read(const core::Viewer& viewer, const std::function<void(shop::ShopStore&)>& work) override {
        Store store(state, viewer, true);
        work(store);
    }

    State state;
    int writes = 0;  // committed write transactions

private:
    class Store final : public shop::ShopStore {
    public:
        Store(State& s, core::Viewer viewer, bool read_only) : s_(s), viewer_(viewer), read_only_(read_only) {}

        std::optional<shop::Product> FindProduct(shop::ProductId id) override {
            auto it = s_.products.find(id.value);
            if (it == s_.products.end()) return std::nullopt;
            return it->second;
        }
        std::vector<shop::Product> ListProducts(bool include_inactive, int offset, int limit) override {
            std::vector<shop::Product> all;
            for (const auto& [id, p] : s_.products) {
                if (include_inactive || p.active) all.push_back(p);
            }
            std::sort(all.begin(), all.end(), [](const shop::Product& a, const shop::Product& b) {
                return std::tie(a.category, a.name, a.id.value) < std::tie(b.category, b.name, b.id.value);
            });
            std::vector<shop::Product> out;
            for (int i = offset; i < static_cast<int>(all.size()) && i < offset + limit; ++i) {
                out.push_back(all[static_cast<std::size_t>(i)]);
            }
            return out;
        }
        int CountProducts(bool include_inactive) override {
            return static_cast<int>(std::count_if(s_.products.begin(), s_.products.end(),
                                                  [&](const auto& p) { return include_inactive || p.second.active; }));
        }
        shop::ProductId InsertProduct(const shop::Product& product, core::TimePoint) override {
            Writing();
            shop::Product p = product;
            p.id = shop::ProductId{static_cast<long long>(s_.products.size()) + 1};
            s_.products[p.id.value] = p;
            return p.id;
        }
        bool UpdateProduct(const shop::Product& product) override {
            Writing();
            auto it = s_.products.find(product.id.value);
            if (it == s_.products.end()) return false;
            it->second = product;
            return true;
        }
        bool TakeStock(shop::ProductId product, int quantity) override {
            Writing();
            auto& stock = s_.products.at(product.value).stock;
            if (!stock || *stock < quantity) return false;
            *stock -= quantity;
            return true;
        }
        void TakeStockUpTo(shop::ProductId product, int quantity) override {
            Writing();
            auto& stock = s_.products.at(product.value).stock;
            if (stock) *stock = std::max(0, *stock - quantity);
        }
        void ReturnStock(shop::ProductId product, int quantity) override {
            Writing();
            auto& stock = s_.products.at(product.value).stock;
            if (stock) *stock += quantity;
        }

        std::vector<shop::CartLine> Cart(core::UserId member) override {
            std::vector<shop::CartLine> out;
            if (!Reaches(member)) return out;
            std::vector<CartRow> rows;
            for (const auto& row : s_.carts) {
                if (row.member == member) rows.push_back(row);
            }
            std::stable_sort(rows.begin(), rows.end(), [](const CartRow& a, const CartRow& b) {
                return std::make_pair(a.added_at, a.product.value) < std::make_pair(b.added_at, b.product.value);
            });
            for (const auto& row : rows) out.push_back(shop::CartLine{s_.products.at(row.product.value), row.quantity});
            return out;
        }
        void PutCartLine(core::UserId member, shop::ProductId product, int quantity, core::TimePoint now) override {
            Writing();
            for (auto& row : s_.carts) {
                if (row.member == member && row.product == product) {
                    row.quantity = quantity;
                    return;
                }
            }
            s_.carts.push_back(CartRow{member, product, quantity, now});
        }
        void RemoveCartLine(core::UserId member, shop::ProductId product) override {
            Writing();
            std::erase_if(s_.carts, [&](const CartRow& r) { return r.member == member && r.product == product; });
        }
        void EmptyCart(core::UserId member) override {
            Writing();
            std::erase_if(s_.carts, [&](const CartRow& r) { return r.member == member; });
        }

        int CountPending(core::UserId member) override {
            return static_cast<int>(std::count_if(s_.orders.begin(), s_.orders.end(), [&](const auto& o) {
                return o.second.owner == member && o.second.status == shop::OrderStatus::kPending;
            }));
        }
        long long NextOrderSequence(int year) override {
            Writing();
            return ++s_.counters[year];
        }
        shop::OrderId InsertOrder(const shop::Order& order) override {
            Writing();
            shop::Order o = order;
            o.id = shop::OrderId{static_cast<long long>(s_.orders.size()) + 1};
            o.events.clear();
            o.refunded_minor = 0;
            s_.orders[o.id.value] = o;
            return o.id;
        }
        void UpdateOrder(const shop::Order& order) override {
            Writing();
            auto& o = s_.orders.at(order.id.value);
            auto items = o.items;
            auto events = o.events;
            o = order;
            o.items = std::move(items);
            o.events = std::move(events);
        }
        void AddOrderEvent(const shop::Order& order, const shop::OrderEvent& event) override {
            Writing();
            s_.orders.at(order.id.value).events.push_back(event);
        }
        std::optional<shop::Order> FindOrder(shop::OrderId id) override {
            return FindIf([&](const shop::Order& o) { return o.id == id; });
        }
        std::optional<shop::Order> FindOrderByNumber(const std::string& number) override {
            return FindIf([&](const shop::Order& o) { return o.number == number; });
        }
        std::optional<shop::Order> FindOrderBySession(const std::string& session_id) override {
            if (session_id.empty()) return std::nullopt;  // as SQL's NULL, which equals nothing
            return FindIf([&](const shop::Order& o) { return o.checkout_session_id == session_id; });
        }
        std::optional<shop::Order> FindOrderByPaymentIntent(const std::string& payment_intent) override {
            if (payment_intent.empty()) return std::nullopt;
            return FindIf([&](const shop::Order& o) { return o.payment_intent_id == payment_intent; });
        }
        std::vector<shop::Order> ListOrders(const shop::OrderQuery& q) override {
            std::vector<shop::Order> out;
            for (auto it = s_.orders.rbegin(); it != s_.orders.rend() && static_cast<int>(out.size()) < q.limit; ++it) {
                const auto& o = it->second;
                if (!Reaches(o.owner) || (q.owner && o.owner != *q.owner) || (q.status && o.status != *q.status) ||
                    (q.before_id && o.id.value >= *q.before_id)) {
                    continue;
                }
                out.push_back(WithRefunds(o));
                out.back().events.clear();
            }
            return out;
        }
        std::vector<shop::OrderId> PendingReservedBefore(core::TimePoint before, int limit) override {
            std::vector<shop::OrderId> out;
            for (const auto& [id, o] : s_.orders) {
                if (static_cast<int>(out.size()) < limit && o.status == shop::OrderStatus::kPending &&
                    o.reserved_until && *o.reserved_until < before) {
                    out.push_back(o.id);
                }
            }
            return out;
        }

        void RecordPayment(const shop::Payment& payment) override {
            Writing();
            for (const auto& p : s_.payments) {
                if (p.provider_id == payment.provider_id) return;
            }
            s_.payments.push_back(payment);
        }
        std::vector<shop::RevenueDay> Revenue(core::TimePoint since) override {
            std::map<std::pair<long long, std::string>, shop::RevenueDay> days;
            for (const auto& p : s_.payments) {
                if (p.at < since) continue;
                long long day = core::ToEpochMillis(p.at) / 86'400'000;
                auto& d = days[{day, p.currency}];
                d.currency = p.currency;
                d.day = core::FormatIso8601(core::FromEpochMillis(day * 86'400'000)).substr(0, 10);
                if (p.kind == shop::Payment::Kind::kRefund) {
                    d.refunded_minor -= p.amount_minor;
                } else {
                    d.gross_minor += p.amount_minor;
                    ++d.orders;
                }
            }
            std::vector<shop::RevenueDay> out;
            for (auto& [key, d] : days) out.push_back(d);
            return out;
        }

        bool RecordEvent(const std::string& event_id, const std::string&) override {
            Writing();
            return s_.events.emplace(event_id, "applying").second;
        }
        void SetEventOutcome(const std::string& event_id, shop::EventOutcome outcome) override {
            Writing();
            s_.events.at(event_id) = std::string(core::ToString(outcome));
        }
        bool EventRecorded(const std::string& event_id) override { return s_.events.contains(event_id); }

        CoinMove SpendCoins(core::UserId member, long long amount, const std::string& order_number,
                            core::TimePoint) override {
            Writing();
            if (Moved(member, "purchase", order_number)) return CoinMove::kDuplicate;
            auto& balance = s_.coins[member.value];
            if (balance < amount) return CoinMove::kShort;
            balance -= amount;
            s_.coin_ledger.push_back({member, -amount, "purchase", order_number});
            return CoinMove::kDone;
        }
        CoinMove ReturnCoins(core::UserId member, long long amount, const std::string& order_number, core::UserId,
                             core::TimePoint) override {
            Writing();
            if (Moved(member, "refund", order_number)) return CoinMove::kDuplicate;
            s_.coins[member.value] += amount;
            s_.coin_ledger.push_back({member, amount, "refund", order_number});
            return CoinMove::kDone;
        }

        void Notify(const scheduling::Notice& notice) override {
            Writing();
            s_.notices.push_back(notice);
        }

    private:
        [[nodiscard]] bool Moved(core::UserId member, const std::string& reason, const std::string& ref) const {
            return std::any_of(s_.coin_ledger.begin(), s_.coin_ledger.end(), [&](const State::CoinRow& r) {
                return r.member == member && r.reason == reason && r.ref == ref;
            });
        }
        void Writing() const {
            if (read_only_) throw std::logic_error("a write in a read transaction");
        }
        [[nodiscard]] bool Reaches(core::UserId owner) const { return viewer_.IsStaff() || viewer_.user_id == owner; }
        shop::Order WithRefunds(shop::Order o) const {
            o.refunded_minor = 0;
            for (const auto& p : s_.payments) {
                if (p.order == o.id && p.kind == shop::Payment::Kind::kRefund) o.refunded_minor -= p.amount_minor;
            }
            return o;
        }
        std::optional<shop::Order> FindIf(const std::function<bool(const shop::Order&)>& match) {
            for (const auto& [id, o] : s_.orders) {
                if (match(o)) return Reaches(o.owner) ? std::optional(WithRefunds(o)) : std::nullopt;
            }
            return std::nullopt;
        }

        State& s_;
        core::Viewer viewer_;
        bool read_only_;
    };
};

}  // namespace maxis::testing
