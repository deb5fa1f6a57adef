#include "storage/shop_store.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <map>

#include "core/time_zone.hpp"
#include "storage/coin_store.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"
#include "storage/stripe_events.hpp"

namespace maxis::storage {

using core::FromEpochMillis;
using core::ToEpochMillis;
using shop::Order;
using shop::OrderId;
using shop::OrderStatus;
using shop::Product;
using shop::ProductId;

namespace {

constexpr const char* kProductColumns =
    "id, name, description, COALESCE(image_url, ''), price_minor, currency, stock, category, CASE WHEN active THEN 1 "
    "ELSE 0 END, price_coins";

Product ProductFrom(const soci::row& row) {
    Product p;
    p.id = ProductId{RowInt(row, 0)};
    p.name = RowText(row, 1);
    p.description = RowText(row, 2);
    p.image_url = RowText(row, 3);
    p.price_minor = RowInt(row, 4);
    p.currency = RowText(row, 5);
    if (row.get_indicator(6) != soci::i_null) p.stock = static_cast<int>(RowInt(row, 6));
    p.category = RowText(row, 7);
    p.active = RowInt(row, 8) != 0;
    if (row.get_indicator(9) != soci::i_null && RowInt(row, 9) > 0) p.coin_price = RowInt(row, 9);
    return p;
}

constexpr const char* kOrderColumns =
    "id, number, user_id, status, total_minor, currency, COALESCE(checkout_session_id, ''), checkout_url, "
    "COALESCE(payment_intent_id, ''), invoice_url, reserved_until, carrier, tracking_code, tracking_url, disputed, "
    "created_at, updated_at, (SELECT COALESCE(-SUM(amount_minor), 0) FROM payments p WHERE p.order_id = orders.id AND "
    "p.kind = 'refund')";

Order OrderFrom(const soci::row& row) {
    Order o;
    o.id = OrderId{RowInt(row, 0)};
    o.number = RowText(row, 1);
    o.owner = core::UserId{RowInt(row, 2)};
    o.status = shop::ParseOrderStatus(RowText(row, 3)).value_or(OrderStatus::kPending);
    o.total_minor = RowInt(row, 4);
    o.currency = RowText(row, 5);
    o.checkout_session_id = RowText(row, 6);
    o.checkout_url = RowText(row, 7);
    o.payment_intent_id = RowText(row, 8);
    o.invoice_url = RowText(row, 9);
    o.reserved_until = RowOptionalTime(row, 10);
    o.carrier = RowText(row, 11);
    o.tracking_code = RowText(row, 12);
    o.tracking_url = RowText(row, 13);
    o.disputed = RowInt(row, 14) != 0;
    o.created_at = FromEpochMillis(RowInt(row, 15));
    o.updated_at = FromEpochMillis(RowInt(row, 16));
    o.refunded_minor = RowInt(row, 17);
    return o;
}

/// A text column that is NULL when empty (unique references not known yet).
struct NullableText {
    std::string value;
    soci::indicator ind;
    explicit NullableText(const std::string& text) : value(text), ind(text.empty() ? soci::i_null : soci::i_ok) {}
};

class SqlShopStore final : public shop::ShopStore {
public:
    /// writing: a write transaction. On PostgreSQL, staff and Maxis then lock the order they read (FindOrder and
    /// the other lookups), so that two writers of one order (a coin refund and a status change, a refund and
    /// Stripe's event) take turns and each reads what the other committed, as SQLite's writers already do. A
    /// member's transaction never reads an order to change it, and members may not lock rows.
    SqlShopStore(Transaction& tx, const core::Clock& clock, bool writing)
        : tx_(tx),
          clock_(clock),
          lock_(writing && tx.dialect() == Dialect::kPostgres && tx.viewer().role != core::Role::kMember) {}

    // The catalog.

    std::optional<Product> FindProduct(ProductId id) override {
        long long pid = id.value;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare << std::string("SELECT ") + kProductColumns + " FROM products WHERE id = :id",
             soci::use(pid));
        for (const auto& row : rows) return ProductFrom(row);
        return std::nullopt;
    }

    std::vector<Product> ListProducts(bool include_inactive, int offset, int limit) override {
        std::vector<Product> out;
        std::string sql = std::string("SELECT ") + kProductColumns + " FROM products" +
                          (include_inactive ? "" : " WHERE active") + " ORDER BY category, name, id LIMIT " +
                          std::to_string(limit) + " OFFSET " + std::to_string(offset);
        soci::rowset<soci::row> rows = (tx_.sql().prepare << sql);
        for (const auto& row : rows) out.push_back(ProductFrom(row));
        return out;
    }

    int CountProducts(bool include_inactive) override {
        int n = 0;
        tx_.sql() << std::string("SELECT COUNT(*) FROM products") + (include_inactive ? "" : " WHERE active"),
            soci::into(n);
        return n;
    }

    ProductId InsertProduct(const Product& p, core::TimePoint now) override {
        long long id = 0, created = ToEpochMillis(now);
        int stock = p.stock.value_or(0), active = p.active ? 1 : 0;
        soci::indicator stock_ind = p.stock ? soci::i_ok : soci::i_null;
        long long coins = p.coin_price.value_or(0);
        soci::indicator coins_ind = p.coin_price ? soci::i_ok : soci::i_null;
        tx_.sql() << "INSERT INTO products (name, description, image_url, price_minor, currency, stock, category, "
                     "active, price_coins, created_at) VALUES (:n, :d, :i, :p, :c, :s, :cat, CAST(:a AS BOOLEAN), :pc, "
                     ":t) RETURNING id",
            soci::use(p.name), soci::use(p.description), soci::use(p.image_url), soci::use(p.price_minor),
            soci::use(p.currency), soci::use(stock, stock_ind), soci::use(p.category), soci::use(active),
            soci::use(coins, coins_ind), soci::use(created), soci::into(id);
        return ProductId{id};
    }

    bool UpdateProduct(const Product& p) override {
        int stock = p.stock.value_or(0), active = p.active ? 1 : 0;
        soci::indicator stock_ind = p.stock ? soci::i_ok : soci::i_null;
        long long id = p.id.value, coins = p.coin_price.value_or(0);
        soci::indicator coins_ind = p.coin_price ? soci::i_ok : soci::i_null;
        soci::statement st = (tx_.sql().prepare << "UPDATE products SET name = :n, description = :d, image_url = :i, "
                                                   "price_minor = :p, currency = :c, stock = :s, category = :cat, "
                                                   "active = CAST(:a AS BOOLEAN), price_coins = :pc WHERE id = :id",
                              soci::use(p.name), soci::use(p.description), soci::use(p.image_url),
                              soci::use(p.price_minor), soci::use(p.currency), soci::use(stock, stock_ind),
                              soci::use(p.category), soci::use(active), soci::use(coins, coins_ind), soci::use(id));
        return AffectedRows(st) == 1;
    }

    bool TakeStock(ProductId product, int quantity) override {
        long long pid = product.value;
        soci::statement st =
            (tx_.sql().prepare
                 << "UPDATE products SET stock = stock - :q WHERE id = :p AND stock IS NOT NULL AND stock >= :q2",
             soci::use(quantity), soci::use(pid), soci::use(quantity));
        return AffectedRows(st) == 1;
    }

    void TakeStockUpTo(ProductId product, int quantity) override {
        long long pid = product.value;
        tx_.sql() << "UPDATE products SET stock = CASE WHEN stock >= :q THEN stock - :q2 ELSE 0 END WHERE id = :p "
                     "AND stock IS NOT NULL",
            soci::use(quantity), soci::use(quantity), soci::use(pid);
    }

    void ReturnStock(ProductId product, int quantity) override {
        long long pid = product.value;
        tx_.sql() << "UPDATE products SET stock = stock + :q WHERE id = :p AND stock IS NOT NULL", soci::use(quantity),
            soci::use(pid);
    }

    // Carts.

    std::vector<shop::CartLine> Cart(core::UserId member) override {
        std::vector<shop::CartLine> out;
        if (!Reaches(member)) return out;
        long long uid = member.value;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare << "SELECT p.id, p.name, p.description, COALESCE(p.image_url, ''), p.price_minor, "
                                  "p.currency, p.stock, p.category, CASE WHEN p.active THEN 1 ELSE 0 END, "
                                  "p.price_coins, c.quantity "
                                  "FROM carts c JOIN products p ON p.id = c.product_id WHERE c.user_id = :u "
                                  "ORDER BY c.added_at, p.id",
             soci::use(uid));
        for (const auto& row : rows) out.push_back(shop::CartLine{ProductFrom(row), static_cast<int>(RowInt(row, 10))});
        return out;
    }

    void PutCartLine(core::UserId member, ProductId product, int quantity, core::TimePoint now) override {
        long long uid = member.value, pid = product.value, at = ToEpochMillis(now);
        tx_.sql() << "INSERT INTO carts (user_id, product_id, quantity, added_at) VALUES (:u, :p, :q, :t) ON CONFLICT "
                     "(user_id, product_id) DO UPDATE SET quantity = excluded.quantity",
            soci::use(uid), soci::use(pid), soci::use(quantity), soci::use(at);
    }

    void RemoveCartLine(core::UserId member, ProductId product) override {
        long long uid = member.value, pid = product.value;
        tx_.sql() << "DELETE FROM carts WHERE user_id = :u AND product_id = :p", soci::use(uid), soci::use(pid);
    }

    void EmptyCart(core::UserId member) override {
        long long uid = member.value;
        tx_.sql() << "DELETE FROM carts WHERE user_id = :u", soci::use(uid);
    }

    // Orders.

    int CountPending(core::UserId member) override {
        long long uid = member.value;
        int n = 0;
        tx_.sql() << "SELECT COUNT(*) FROM orders WHERE user_id = :u AND status = 'pending'", soci::use(uid),
            soci::into(n);
        return n;
    }

    long long NextOrderSequence(int year) override {
        long long sequence = 0;
        tx_.sql() << "INSERT INTO order_counters (year, last) VALUES (:y, 1) ON CONFLICT (year) DO UPDATE SET last = "
                     "order_counters.last + 1 RETURNING last",
            soci::use(year), soci::into(sequence);
        return sequence;
    }

    OrderId InsertOrder(const Order& o) override {
        long long uid = o.owner.value, created = ToEpochMillis(o.created_at), updated = ToEpochMillis(o.updated_at),
                  id = 0;
        std::string status(shop::ToString(o.status));
        long long reserved = o.reserved_until ? ToEpochMillis(*o.reserved_until) : 0;
        soci::indicator reserved_ind = o.reserved_until ? soci::i_ok : soci::i_null;
        tx_.sql() << "INSERT INTO orders (number, user_id, status, total_minor, currency, reserved_until, created_at, "
                     "updated_at) VALUES (:n, :u, :s, :t, :c, :r, :ca, :ua) RETURNING id",
            soci::use(o.number), soci::use(uid), soci::use(status), soci::use(o.total_minor), soci::use(o.currency),
            soci::use(reserved, reserved_ind), soci::use(created), soci::use(updated), soci::into(id);
        for (const auto& item : o.items) {
            long long pid = item.product.value;
            tx_.sql() << "INSERT INTO order_items (order_id, user_id, product_id, name, unit_price_minor, quantity) "
                         "VALUES (:o, :u, :p, :n, :pr, :q)",
                soci::use(id), soci::use(uid), soci::use(pid), soci::use(item.name), soci::use(item.unit_price_minor),
                soci::use(item.quantity);
        }
        return OrderId{id};
    }

    void UpdateOrder(const Order& o) override {
        long long id = o.id.value, updated = ToEpochMillis(o.updated_at);
        long long reserved = o.reserved_until ? ToEpochMillis(*o.reserved_until) : 0;
        soci::indicator reserved_ind = o.reserved_until ? soci::i_ok : soci::i_null;
        std::string status(shop::ToString(o.status));
        NullableText session(o.checkout_session_id), intent(o.payment_intent_id);
        int disputed = o.disputed ? 1 : 0;
        tx_.sql() << "UPDATE orders SET status = :s, checkout_session_id = :cs, checkout_url = :cu, "
                     "payment_intent_id = :pi, invoice_url = :iu, reserved_until = :r, carrier = :ca, "
                     "tracking_code = :tc, tracking_url = :tu, disputed = :d, updated_at = :ua WHERE id = :id",
            soci::use(status), soci::use(session.value, session.ind), soci::use(o.checkout_url),
            soci::use(intent.value, intent.ind), soci::use(o.invoice_url), soci::use(reserved, reserved_ind),
            soci::use(o.carrier), soci::use(o.tracking_code), soci::use(o.tracking_url), soci::use(disputed),
            soci::use(updated), soci::use(id);
    }

    void AddOrderEvent(const Order& o, const shop::OrderEvent& e) override {
        long long id = o.id.value, uid = o.owner.value, at = ToEpochMillis(e.at);
        tx_.sql() << "INSERT INTO order_events (order_id, user_id, at, from_status, to_status, actor, note) VALUES "
                     "(:o, :u, :t, :f, :s, :a, :n)",
            soci::use(id), soci::use(uid), soci::use(at), soci::use(e.from), soci::use(e.to), soci::use(e.actor),
            soci::use(e.note);
    }

    std::optional<Order> FindOrder(OrderId id) override { return OrderWhere("id", id.value); }
    std::optional<Order> FindOrderByNumber(const std::string& number) override { return OrderWhere("number", number); }
    std::optional<Order> FindOrderBySession(const std::string& session_id) override {
        return OrderWhere("checkout_session_id", session_id);
    }
    std::optional<Order> FindOrderByPaymentIntent(const std::string& payment_intent) override {
        return OrderWhere("payment_intent_id", payment_intent);
    }

    std::vector<Order> ListOrders(const shop::OrderQuery& query) override {
        DynamicQuery q;
        std::string sql = std::string("SELECT ") + kOrderColumns + " FROM orders WHERE 1 = 1";
        if (!tx_.viewer().IsStaff()) {
            sql += " AND user_id = " + q.Bind(tx_.viewer().user_id.value);
        } else if (query.owner) {
            sql += " AND user_id = " + q.Bind(query.owner->value);
        }
        if (query.status) sql += " AND status = " + q.Bind(std::string(shop::ToString(*query.status)));
        if (query.before_id) sql += " AND id < " + q.Bind(*query.before_id);
        sql += " ORDER BY id DESC LIMIT " + std::to_string(query.limit);
        std::vector<Order> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& row) { out.push_back(OrderFrom(row)); });
        if (out.empty()) return out;
        // The page's items in one query, not one per order.
        DynamicQuery items;
        std::string in;
        std::map<long long, Order*> by_id;
        for (auto& o : out) {
            in += (in.empty() ? "" : ", ") + items.Bind(o.id.value);
            by_id[o.id.value] = &o;
        }
        items.ForEachRow(
            tx_.sql(),
            "SELECT order_id, product_id, name, unit_price_minor, quantity FROM order_items WHERE order_id IN (" + in +
                ") ORDER BY order_id, product_id",
            [&](const soci::row& row) { by_id.at(RowInt(row, 0))->items.push_back(ItemFrom(row, 1)); });
        return out;
    }

    std::vector<OrderId> PendingReservedBefore(core::TimePoint before, int limit) override {
        long long cutoff = ToEpochMillis(before);
        std::vector<OrderId> out;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare << "SELECT id FROM orders WHERE status = 'pending' AND reserved_until < :n ORDER BY id "
                                  "LIMIT " +
                                      std::to_string(limit),
             soci::use(cutoff));
        for (const auto& row : rows) out.push_back(OrderId{RowInt(row, 0)});
        return out;
    }

    // Payments.

    void RecordPayment(const shop::Payment& p) override {
        long long oid = p.order.value, uid = p.owner.value, at = ToEpochMillis(p.at);
        std::string kind = p.kind == shop::Payment::Kind::kRefund ? "refund" : "charge";
        tx_.sql() << "INSERT INTO payments (order_id, user_id, kind, amount_minor, currency, stripe_id, at) VALUES "
                     "(:o, :u, :k, :a, :c, :s, :t) ON CONFLICT (stripe_id) DO NOTHING",
            soci::use(oid), soci::use(uid), soci::use(kind), soci::use(p.amount_minor), soci::use(p.currency),
            soci::use(p.provider_id), soci::use(at);
    }

    std::vector<shop::RevenueDay> Revenue(core::TimePoint since) override {
        long long from = ToEpochMillis(since);
        std::map<std::pair<long long, std::string>, shop::RevenueDay> days;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare
                 << "SELECT at / 86400000, currency, kind, SUM(amount_minor), COUNT(*) FROM payments WHERE at >= :f "
                    "GROUP BY at / 86400000, currency, kind",
             soci::use(from));
        for (const auto& row : rows) {
            long long day = RowInt(row, 0);
            auto& d = days[{day, RowText(row, 1)}];
            d.currency = RowText(row, 1);
            d.day = core::FormatIso8601(FromEpochMillis(day * 86400000)).substr(0, 10);
            if (RowText(row, 2) == "refund") {
                d.refunded_minor += -RowInt(row, 3);
            } else {
                d.gross_minor += RowInt(row, 3);
                d.orders += static_cast<int>(RowInt(row, 4));
            }
        }
        std::vector<shop::RevenueDay> out;
        for (auto& [key, day] : days) out.push_back(std::move(day));
        return out;
    }

    // The provider's events.

    bool RecordEvent(const std::string& event_id, const std::string& type) override {
        return storage::RecordEvent(tx_, clock_.Now(), event_id, type);
    }
    void SetEventOutcome(const std::string& event_id, shop::EventOutcome outcome) override {
        storage::SetEventOutcome(tx_, event_id, outcome);
    }
    bool EventRecorded(const std::string& event_id) override { return storage::EventRecorded(tx_, event_id); }

    CoinMove SpendCoins(core::UserId member, long long amount, const std::string& order_number,
                        core::TimePoint now) override {
        return Coins(
            coins::Movement{
                .user = member, .amount = amount, .reason = coins::CoinReason::kPurchase, .ref = order_number},
            now);
    }

    CoinMove ReturnCoins(core::UserId member, long long amount, const std::string& order_number, core::UserId actor,
                         core::TimePoint now) override {
        return Coins(coins::Movement{.user = member,
                                     .amount = amount,
                                     .reason = coins::CoinReason::kRefund,
                                     .ref = order_number,
                                     .actor = actor},
                     now);
    }

    void Notify(const scheduling::Notice& notice) override {
        SqlOutboxStore::AddIn(tx_, scheduling::ToOutboxItem(notice), clock_.Now());
    }

private:
    /// Members reach only their own cart and orders; staff and Maxis every one.
    [[nodiscard]] bool Reaches(core::UserId owner) const {
        return tx_.viewer().IsStaff() || tx_.viewer().user_id == owner;
    }

    static shop::OrderItem ItemFrom(const soci::row& row, std::size_t first) {
        return {ProductId{RowInt(row, first)}, RowText(row, first + 1), RowInt(row, first + 2),
                static_cast<int>(RowInt(row, first + 3))};
    }

    /// The order whose column equals value, with its items and timeline, if the viewer reaches it.
    template <typename T>
    std::optional<Order> OrderWhere(const char* column, const T& value) {
        std::optional<Order> found;
        {
            soci::rowset<soci::row> rows =
                (tx_.sql().prepare << std::string("SELECT ") + kOrderColumns + " FROM orders WHERE " + column +
                                          " = :v" + (lock_ ? " FOR UPDATE" : ""),
                 soci::use(value));
            for (const auto& row : rows) found = OrderFrom(row);
        }
        if (!found || !Reaches(found->owner)) return std::nullopt;
        long long id = found->id.value;
        {
            soci::rowset<soci::row> rows =
                (tx_.sql().prepare
                     << "SELECT product_id, name, unit_price_minor, quantity FROM order_items WHERE order_id = :id "
                        "ORDER BY product_id",
                 soci::use(id));
            for (const auto& row : rows) found->items.push_back(ItemFrom(row, 0));
        }
        {
            soci::rowset<soci::row> rows =
                (tx_.sql().prepare << "SELECT at, from_status, to_status, actor, note FROM order_events WHERE "
                                      "order_id = :id ORDER BY id",
                 soci::use(id));
            for (const auto& row : rows) {
                found->events.push_back({FromEpochMillis(RowInt(row, 0)), RowText(row, 1), RowText(row, 2),
                                         RowText(row, 3), RowText(row, 4)});
            }
        }
        return found;
    }

    /// The coins' own statements, in this transaction.
    CoinMove Coins(const coins::Movement& movement, core::TimePoint now) {
        switch (MoveCoinsIn(tx_, movement, now).applied) {
            case coins::Applied::kDone:
                return CoinMove::kDone;
            case coins::Applied::kShort:
                return CoinMove::kShort;
            case coins::Applied::kDuplicate:
                break;
        }
        return CoinMove::kDuplicate;
    }

    Transaction& tx_;
    const core::Clock& clock_;
    bool lock_;
};

}  // namespace

void SqlShopRepository::Write(const core::Viewer& viewer, const std::function<void(shop::ShopStore&)>& work) {
    db_.Write(viewer, [&](Transaction& tx) {
        SqlShopStore store(tx, clock_, true);
        work(store);
    });
}

void SqlShopRepository::Read(const core::Viewer& viewer, const std::function<void(shop::ShopStore&)>& work) {
    db_.Read(viewer, [&](Transaction& tx) {
        SqlShopStore store(tx, clock_, false);
        work(store);
    });
}

}  // namespace maxis::storage
