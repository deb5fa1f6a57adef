#include "storage/shop_store.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <map>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "core/time_zone.hpp"
#include "domain/scheduling/notice.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"
#include "storage/stripe_events.hpp"

namespace maxis::storage {

using core::Error;
using core::ErrorCode;
using core::FromEpochMillis;
using core::ToEpochMillis;
using core::Viewer;
using shop::EventOutcome;
using shop::Order;
using shop::OrderStatus;
using shop::Product;
using shop::ProductId;

namespace {

constexpr const char* kProductColumns =
    "id, name, description, COALESCE(image_url, ''), price_minor, currency, stock, category, CASE WHEN active THEN 1 "
    "ELSE 0 END";

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
    return p;
}

constexpr const char* kOrderColumns =
    "id, number, user_id, status, total_minor, currency, COALESCE(checkout_session_id, ''), checkout_url, "
    "COALESCE(payment_intent_id, ''), invoice_url, reserved_until, carrier, tracking_code, tracking_url, disputed, "
    "created_at, updated_at, (SELECT COALESCE(-SUM(amount_minor), 0) FROM payments p WHERE p.order_id = orders.id AND "
    "p.kind = 'refund')";

Order OrderFrom(const soci::row& row) {
    Order o;
    o.id = shop::OrderId{RowInt(row, 0)};
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

void CheckProduct(const Product& p) {
    auto bad = [](const std::string& m) { throw Error(ErrorCode::kInvalidArgument, m); };
    if (p.name.empty() || p.name.size() > 100) bad("the name must be 1 to 100 characters");
    if (p.description.size() > 1000) bad("the description must be 1000 characters at most");
    if (!p.image_url.empty() && !p.image_url.starts_with("https://")) bad("the image URL must start with https://");
    if (p.price_minor < 0 || p.price_minor > 100'000'000) bad("the price must be between 0 and 1,000,000.00");
    if (p.stock && (*p.stock < 0 || *p.stock > 1'000'000)) bad("the stock must be between 0 and 1,000,000");
    if (p.currency.size() != 3) bad("the currency must be an ISO code such as EUR");
    if (p.category.empty() || p.category.size() > 40) bad("the category must be 1 to 40 characters");
    core::RequireStorableText(p.name, "name", core::TextLines::kSingle);
    core::RequireStorableText(p.description, "description", core::TextLines::kMulti);
    core::RequireStorableText(p.category, "category", core::TextLines::kSingle);
}

/// A line of an order's timeline (from == to for a note).
void AddEvent(Transaction& tx, const Order& order, long long now, const std::string& from, const std::string& to,
              const std::string& actor, const std::string& note) {
    long long id = order.id.value, uid = order.owner.value;
    tx.sql() << "INSERT INTO order_events (order_id, user_id, at, from_status, to_status, actor, note) VALUES (:o, :u, "
                ":t, :f, "
                ":s, :a, :n)",
        soci::use(id), soci::use(uid), soci::use(now), soci::use(from), soci::use(to), soci::use(actor),
        soci::use(note);
}

/// A notice about an order, written to the outbox in the caller's transaction: to the order's owner, or to
/// staff. Amounts travel as numbers and are formatted in the reader's language when delivered.
struct OrderNotice {
    const char* key;
    std::map<std::string, std::string> params;
    std::map<std::string, core::UserId> people;
    std::map<std::string, core::Money> money;
    std::string link;      // an https link shown as a button (invoice, tracking)
    std::string link_key;  // its label's catalog key
};

void Notify(Transaction& tx, core::TimePoint now, const Order& order, bool to_staff, OrderNotice notice,
            const std::string& idempotency_key) {
    auto n = to_staff ? scheduling::Notice::ToStaff(notice.key, idempotency_key)
                      : scheduling::Notice::ToMember(order.owner, notice.key, idempotency_key);
    n.params = std::move(notice.params);
    n.params["number"] = order.number;
    n.people = std::move(notice.people);
    n.money = std::move(notice.money);
    n.order = order.number;
    if (!notice.link.empty()) n.link = scheduling::Notice::Link{notice.link, notice.link_key};
    SqlOutboxStore::AddIn(tx, scheduling::ToOutboxItem(n), now);
}

core::Money Amount(long long minor, const std::string& currency) { return core::Money{minor, currency}; }

/// A member's cart with its products, in the given order.
std::vector<shop::CartLine> CartLines(Transaction& tx, long long user, const char* order_by) {
    std::vector<shop::CartLine> out;
    soci::rowset<soci::row> rows =
        (tx.sql().prepare << std::string(
                                 "SELECT p.id, p.name, p.description, COALESCE(p.image_url, ''), p.price_minor, "
                                 "p.currency, p.stock, p.category, CASE WHEN p.active THEN 1 ELSE 0 END, c.quantity "
                                 "FROM carts c JOIN products p ON p.id = c.product_id WHERE c.user_id = :u ORDER BY ") +
                                 order_by,
         soci::use(user));
    for (const auto& row : rows) out.push_back(shop::CartLine{ProductFrom(row), static_cast<int>(RowInt(row, 9))});
    return out;
}

/// Sets a cart line's quantity, creating the line if needed.
void PutCartLine(Transaction& tx, long long user, long long product, int quantity, long long now) {
    tx.sql() << "INSERT INTO carts (user_id, product_id, quantity, added_at) VALUES (:u, :p, :q, :t) ON CONFLICT "
                "(user_id, product_id) DO UPDATE SET quantity = excluded.quantity",
        soci::use(user), soci::use(product), soci::use(quantity), soci::use(now);
}

/// A charge (positive) or a refund (negative) of an order; the Stripe id keeps it unique.
void RecordPayment(Transaction& tx, const Order& order, const std::string& kind, long long amount_minor,
                   const std::string& currency, const std::string& stripe_id, long long now) {
    long long oid = order.id.value, uid = order.owner.value;
    tx.sql() << "INSERT INTO payments (order_id, user_id, kind, amount_minor, currency, stripe_id, at) VALUES (:o, :u, "
                ":k, :a, "
                ":c, :s, :t) ON CONFLICT (stripe_id) DO NOTHING",
        soci::use(oid), soci::use(uid), soci::use(kind), soci::use(amount_minor), soci::use(currency),
        soci::use(stripe_id), soci::use(now);
}

}  // namespace

ProductId ShopStore::CreateProduct(const Viewer& staff, const Product& p) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "only staff manage the catalog");
    CheckProduct(p);
    return db_.Write(staff, [&](Transaction& tx) {
        long long id = 0, now = ToEpochMillis(clock_.Now());
        int stock = p.stock.value_or(0), active = p.active ? 1 : 0;
        soci::indicator stock_ind = p.stock ? soci::i_ok : soci::i_null;
        std::string image = p.image_url;
        tx.sql()
            << "INSERT INTO products (name, description, image_url, price_minor, currency, stock, category, active, "
               "created_at) VALUES (:n, :d, :i, :p, :c, :s, :cat, CAST(:a AS BOOLEAN), :t) RETURNING id",
            soci::use(p.name), soci::use(p.description), soci::use(image), soci::use(p.price_minor),
            soci::use(p.currency), soci::use(stock, stock_ind), soci::use(p.category), soci::use(active),
            soci::use(now), soci::into(id);
        return ProductId{id};
    });
}

void ShopStore::UpdateProduct(const Viewer& staff, const Product& p) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "only staff manage the catalog");
    CheckProduct(p);
    db_.Write(staff, [&](Transaction& tx) {
        int stock = p.stock.value_or(0), active = p.active ? 1 : 0;
        soci::indicator stock_ind = p.stock ? soci::i_ok : soci::i_null;
        long long id = p.id.value;
        std::string image = p.image_url;
        soci::statement st = (tx.sql().prepare << "UPDATE products SET name = :n, description = :d, image_url = :i, "
                                                  "price_minor = :p, currency = :c, stock = :s, category = :cat, "
                                                  "active = CAST(:a AS BOOLEAN) WHERE id = :id",
                              soci::use(p.name), soci::use(p.description), soci::use(image), soci::use(p.price_minor),
                              soci::use(p.currency), soci::use(stock, stock_ind), soci::use(p.category),
                              soci::use(active), soci::use(id));
        if (AffectedRows(st) != 1) throw Error(ErrorCode::kNotFound, "product not found", "shop.product_not_found");
    });
}

std::optional<Product> ShopStore::FindProduct(ProductId id) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) -> std::optional<Product> {
        long long pid = id.value;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << std::string("SELECT ") + kProductColumns + " FROM products WHERE id = :id",
             soci::use(pid));
        for (const auto& row : rows) return ProductFrom(row);
        return std::nullopt;
    });
}

std::vector<Product> ShopStore::ListProducts(bool include_inactive, int offset, int limit) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        std::vector<Product> out;
        std::string sql = std::string("SELECT ") + kProductColumns + " FROM products" +
                          (include_inactive ? "" : " WHERE active") + " ORDER BY category, name, id LIMIT " +
                          std::to_string(std::clamp(limit, 1, 100)) + " OFFSET " + std::to_string(std::max(offset, 0));
        soci::rowset<soci::row> rows = (tx.sql().prepare << sql);
        for (const auto& row : rows) out.push_back(ProductFrom(row));
        return out;
    });
}

int ShopStore::CountProducts(bool include_inactive) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        int n = 0;
        tx.sql() << std::string("SELECT COUNT(*) FROM products") + (include_inactive ? "" : " WHERE active"),
            soci::into(n);
        return n;
    });
}

void ShopStore::RequireOnSale(ProductId product) {
    auto p = FindProduct(product);
    if (!p || !p->active) throw Error(ErrorCode::kNotFound, "product not found", "shop.product_not_found");
}

void ShopStore::SetCartQuantity(const Viewer& member, ProductId product, int quantity) {
    if (quantity < 0 || quantity > 99) {
        throw Error(ErrorCode::kInvalidArgument, "the quantity must be between 0 and 99", "shop.bad_quantity");
    }
    RequireOnSale(product);
    db_.Write(member, [&](Transaction& tx) {
        long long uid = member.user_id.value, pid = product.value, now = ToEpochMillis(clock_.Now());
        if (quantity == 0) {
            tx.sql() << "DELETE FROM carts WHERE user_id = :u AND product_id = :p", soci::use(uid), soci::use(pid);
            return;
        }
        PutCartLine(tx, uid, pid, quantity, now);
    });
}

void ShopStore::AddToCart(const Viewer& member, ProductId product, int quantity) {
    if (quantity < 1 || quantity > 99) {
        throw Error(ErrorCode::kInvalidArgument, "the quantity must be between 1 and 99", "shop.bad_quantity");
    }
    RequireOnSale(product);
    db_.Write(member, [&](Transaction& tx) {
        long long uid = member.user_id.value, pid = product.value, now = ToEpochMillis(clock_.Now());
        int current = 0;
        tx.sql() << "SELECT COALESCE(SUM(quantity), 0) FROM carts WHERE user_id = :u AND product_id = :p",
            soci::use(uid), soci::use(pid), soci::into(current);
        if (current + quantity > 99) {
            throw Error(ErrorCode::kInvalidArgument, "at most 99 of one product per cart", "shop.bad_quantity");
        }
        PutCartLine(tx, uid, pid, current + quantity, now);
    });
}

std::vector<shop::CartLine> ShopStore::Cart(const Viewer& member) {
    return db_.Read(member, [&](Transaction& tx) { return CartLines(tx, member.user_id.value, "c.added_at, p.id"); });
}

void ShopStore::EmptyCart(const Viewer& member) {
    db_.Write(member, [&](Transaction& tx) {
        long long uid = member.user_id.value;
        tx.sql() << "DELETE FROM carts WHERE user_id = :u", soci::use(uid);
    });
}

Order ShopStore::LoadOrder(Transaction& tx, long long id) {
    std::optional<Order> found;
    {
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << std::string("SELECT ") + kOrderColumns + " FROM orders WHERE id = :id", soci::use(id));
        for (const auto& row : rows) found = OrderFrom(row);
    }
    if (!found) throw Error(ErrorCode::kNotFound, "order not found", "shop.order_not_found");
    {
        soci::rowset<soci::row> rows =
            (tx.sql().prepare
                 << "SELECT product_id, name, unit_price_minor, quantity FROM order_items WHERE order_id = :id "
                    "ORDER BY product_id",
             soci::use(id));
        for (const auto& row : rows) {
            found->items.push_back(
                {ProductId{RowInt(row, 0)}, RowText(row, 1), RowInt(row, 2), static_cast<int>(RowInt(row, 3))});
        }
    }
    {
        soci::rowset<soci::row> rows =
            (tx.sql().prepare
                 << "SELECT at, from_status, to_status, actor, note FROM order_events WHERE order_id = :id ORDER "
                    "BY id",
             soci::use(id));
        for (const auto& row : rows) {
            found->events.push_back(
                {FromEpochMillis(RowInt(row, 0)), RowText(row, 1), RowText(row, 2), RowText(row, 3), RowText(row, 4)});
        }
    }
    return *found;
}

void ShopStore::Move(Transaction& tx, Order& order, OrderStatus to, const std::string& actor, const std::string& note) {
    if (!shop::CanTransition(order.status, to)) {
        throw Error(ErrorCode::kConflict,
                    "an order cannot go from " + std::string(shop::ToString(order.status)) + " to " +
                        std::string(shop::ToString(to)),
                    "shop.bad_transition",
                    {{"from", std::string(shop::ToString(order.status))}, {"to", std::string(shop::ToString(to))}});
    }
    long long now = ToEpochMillis(clock_.Now()), id = order.id.value;
    std::string from(shop::ToString(order.status)), next(shop::ToString(to));
    tx.sql() << "UPDATE orders SET status = :s, updated_at = :t WHERE id = :id", soci::use(next), soci::use(now),
        soci::use(id);
    AddEvent(tx, order, now, from, next, actor, note);
    order.status = to;
}

void ShopStore::ReturnStock(Transaction& tx, const Order& order) {
    for (const auto& item : order.items) {
        long long pid = item.product.value;
        int q = item.quantity;
        tx.sql() << "UPDATE products SET stock = stock + :q WHERE id = :p AND stock IS NOT NULL", soci::use(q),
            soci::use(pid);
    }
}

void ShopStore::Release(Transaction& tx, const Order& order) {
    ReturnStock(tx, order);
    long long id = order.id.value;
    tx.sql() << "UPDATE orders SET reserved_until = NULL WHERE id = :id", soci::use(id);
}

Order ShopStore::BeginCheckout(const Viewer& member, core::Millis reservation, int max_pending) {
    // Runs as Maxis itself: reserving stock changes the catalog, which members cannot write. Every row it
    // touches belongs to member.
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = member.user_id.value, now = ToEpochMillis(clock_.Now());
        int pending = 0;
        tx.sql() << "SELECT COUNT(*) FROM orders WHERE user_id = :u AND status = 'pending'", soci::use(uid),
            soci::into(pending);
        if (pending >= max_pending) {
            throw Error(ErrorCode::kLimitReached, "too many orders waiting for payment", "shop.too_many_pending",
                        {{"max", std::to_string(max_pending)}});
        }
        // Products in id order, so that concurrent checkouts lock them in the same order.
        auto lines = CartLines(tx, uid, "p.id");
        if (lines.empty()) throw Error(ErrorCode::kInvalidArgument, "the cart is empty", "shop.cart_empty");
        long long total = 0;
        for (const auto& line : lines) {
            if (!line.product.active) {
                throw Error(ErrorCode::kConflict, line.product.name + " is no longer sold", "shop.unavailable",
                            {{"product", line.product.name}});
            }
            if (line.product.currency != lines.front().product.currency) {
                throw Error(ErrorCode::kConflict, "the cart mixes currencies", "shop.mixed_currencies");
            }
            long long pid = line.product.id.value;
            int q = line.quantity;
            soci::statement st =
                (tx.sql().prepare << "UPDATE products SET stock = stock - :q WHERE id = :p AND stock IS NOT "
                                     "NULL AND stock >= :q2",
                 soci::use(q), soci::use(pid), soci::use(q));
            if (AffectedRows(st) != 1 && line.product.stock) {
                int left = 0;
                tx.sql() << "SELECT stock FROM products WHERE id = :p", soci::use(pid), soci::into(left);
                throw Error(ErrorCode::kConflict, "not enough stock of " + line.product.name, "shop.out_of_stock",
                            {{"product", line.product.name}, {"left", std::to_string(left)}});
            }
            total += line.Total();
        }
        int year =
            static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(clock_.Now())}.year());
        long long sequence = 0;
        tx.sql() << "INSERT INTO order_counters (year, last) VALUES (:y, 1) ON CONFLICT (year) DO UPDATE SET last = "
                    "order_counters.last + 1 RETURNING last",
            soci::use(year), soci::into(sequence);
        std::string number = shop::FormatOrderNumber(year, sequence), status = "pending",
                    currency = lines.front().product.currency;
        long long reserved = now + reservation.count(), id = 0;
        tx.sql() << "INSERT INTO orders (number, user_id, status, total_minor, currency, reserved_until, created_at, "
                    "updated_at) "
                    "VALUES (:n, :u, :s, :t, :c, :r, :ca, :ua) RETURNING id",
            soci::use(number), soci::use(uid), soci::use(status), soci::use(total), soci::use(currency),
            soci::use(reserved), soci::use(now), soci::use(now), soci::into(id);
        for (const auto& line : lines) {
            long long pid = line.product.id.value, price = line.product.price_minor;
            int q = line.quantity;
            tx.sql() << "INSERT INTO order_items (order_id, user_id, product_id, name, unit_price_minor, quantity) "
                        "VALUES (:o, "
                        ":u, :p, :n, :pr, :q)",
                soci::use(id), soci::use(uid), soci::use(pid), soci::use(line.product.name), soci::use(price),
                soci::use(q);
        }
        auto order = LoadOrder(tx, id);
        AddEvent(tx, order, now, "", "pending", member.user_id.ToString(), "stock reserved");
        tx.sql() << "DELETE FROM carts WHERE user_id = :u", soci::use(uid);
        return LoadOrder(tx, id);
    });
}

void ShopStore::AttachCheckoutSession(shop::OrderId order, const std::string& session_id, const std::string& url,
                                      core::TimePoint expires_at) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long id = order.value, until = ToEpochMillis(expires_at);
        tx.sql() << "UPDATE orders SET checkout_session_id = :s, checkout_url = :u, reserved_until = :r WHERE id = :id",
            soci::use(session_id), soci::use(url), soci::use(until), soci::use(id);
    });
}

void ShopStore::AbandonCheckout(shop::OrderId order, const std::string& reason) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        auto o = LoadOrder(tx, order.value);
        if (o.status != OrderStatus::kPending) return;
        Move(tx, o, OrderStatus::kCancelled, "maxis", reason);
        Release(tx, o);
        // The member keeps their cart, to try again.
        long long uid = o.owner.value, now = ToEpochMillis(clock_.Now());
        for (const auto& item : o.items) PutCartLine(tx, uid, item.product.value, item.quantity, now);
    });
}

std::optional<Order> ShopStore::FindOrder(const Viewer& viewer, shop::OrderId id) {
    return db_.Read(viewer, [&](Transaction& tx) -> std::optional<Order> {
        try {
            auto o = LoadOrder(tx, id.value);
            if (!viewer.IsStaff() && o.owner != viewer.user_id) return std::nullopt;  // another member's: not found
            return o;
        } catch (const Error& e) {
            if (e.code() == ErrorCode::kNotFound) return std::nullopt;
            throw;
        }
    });
}

std::optional<Order> ShopStore::FindOrderByNumber(const Viewer& viewer, const std::string& number) {
    auto parsed = shop::ParseOrderNumber(number);
    if (!parsed) return std::nullopt;
    std::string canonical = shop::FormatOrderNumber(parsed->first, parsed->second);
    auto id = db_.Read(viewer, [&](Transaction& tx) -> std::optional<long long> {
        long long found = 0;
        tx.sql() << "SELECT id FROM orders WHERE number = :n", soci::use(canonical), soci::into(found);
        if (!tx.sql().got_data()) return std::nullopt;
        return found;
    });
    if (!id) return std::nullopt;
    return FindOrder(viewer, shop::OrderId{*id});
}

std::vector<Order> ShopStore::ListOrders(const Viewer& viewer, const shop::OrderQuery& query) {
    return db_.Read(viewer, [&](Transaction& tx) {
        DynamicQuery q;
        std::string sql = std::string("SELECT ") + kOrderColumns + " FROM orders WHERE 1 = 1";
        if (!viewer.IsStaff()) {
            sql += " AND user_id = " + q.Bind(viewer.user_id.value);
        } else if (query.owner) {
            sql += " AND user_id = " + q.Bind(query.owner->value);
        }
        if (query.status) sql += " AND status = " + q.Bind(std::string(shop::ToString(*query.status)));
        if (query.before_id) sql += " AND id < " + q.Bind(*query.before_id);
        sql += " ORDER BY id DESC LIMIT " + std::to_string(std::clamp(query.limit, 1, 100));
        std::vector<Order> out;
        q.ForEachRow(tx.sql(), sql, [&](const soci::row& row) { out.push_back(OrderFrom(row)); });
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
            tx.sql(),
            "SELECT order_id, product_id, name, unit_price_minor, quantity FROM order_items WHERE order_id IN (" + in +
                ") ORDER BY order_id, product_id",
            [&](const soci::row& row) {
                by_id.at(RowInt(row, 0))
                    ->items.push_back(
                        {ProductId{RowInt(row, 1)}, RowText(row, 2), RowInt(row, 3), static_cast<int>(RowInt(row, 4))});
            });
        return out;
    });
}

Order ShopStore::SetStatus(const Viewer& staff, shop::OrderId id, OrderStatus to, const std::string& note) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "only staff change an order's status");
    if (to == OrderStatus::kRefunded || to == OrderStatus::kPaid) {
        throw Error(ErrorCode::kInvalidArgument, "paid and refunded come from Stripe: refund the order instead",
                    "shop.status_from_stripe");
    }
    core::RequireStorableText(note, "note", core::TextLines::kMulti);
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        auto o = LoadOrder(tx, id.value);
        bool release = o.status == OrderStatus::kPending && to == OrderStatus::kCancelled;
        Move(tx, o, to, staff.user_id.ToString(), note);
        if (release) Release(tx, o);
        auto at = clock_.Now();
        Notify(tx, at, o, false,
               {.key = to == OrderStatus::kDelivered   ? "shop.notify.status_delivered"
                       : to == OrderStatus::kCancelled ? "shop.notify.status_cancelled"
                       : to == OrderStatus::kShipped   ? "shop.notify.status_shipped"
                                                       : "shop.notify.status_fulfilled",
                .params = {{"note", note}}},
               "shop.order." + o.id.ToString() + "." + std::string(shop::ToString(to)) + "." +
                   std::to_string(ToEpochMillis(at)));
        return LoadOrder(tx, id.value);
    });
}

Order ShopStore::SetTracking(const Viewer& staff, shop::OrderId id, const std::string& carrier, const std::string& code,
                             const std::string& url) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "only staff set tracking");
    if (carrier.size() > 60 || code.size() > 100 || url.size() > 500) {
        throw Error(ErrorCode::kInvalidArgument, "carrier, tracking code or URL too long");
    }
    if (!url.empty() && !url.starts_with("https://"))
        throw Error(ErrorCode::kInvalidArgument, "the tracking URL must start with https://");
    core::RequireStorableText(carrier, "carrier", core::TextLines::kSingle);
    core::RequireStorableText(code, "tracking_code", core::TextLines::kSingle);
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        auto o = LoadOrder(tx, id.value);
        if (o.status == OrderStatus::kPending || o.status == OrderStatus::kCancelled ||
            o.status == OrderStatus::kRefunded) {
            throw Error(ErrorCode::kConflict, "only a paid order can be tracked", "shop.not_trackable");
        }
        long long oid = id.value, now = ToEpochMillis(clock_.Now());
        tx.sql()
            << "UPDATE orders SET carrier = :c, tracking_code = :k, tracking_url = :u, updated_at = :t WHERE id = :id",
            soci::use(carrier), soci::use(code), soci::use(url), soci::use(now), soci::use(oid);
        if (o.status == OrderStatus::kPaid || o.status == OrderStatus::kFulfilled) {
            Move(tx, o, OrderStatus::kShipped, staff.user_id.ToString(), carrier + " " + code);
        }
        Notify(tx, clock_.Now(), o, false,
               {.key = "shop.notify.shipped",
                .params = {{"carrier", carrier}, {"code", code}},
                .link = url,
                .link_key = "shop.button.track"},
               "shop.order." + o.id.ToString() + ".tracking." + std::to_string(now));
        return LoadOrder(tx, id.value);
    });
}

EventOutcome ShopStore::Once(const std::string& event_id, const std::string& type,
                             const std::function<EventOutcome(Transaction&)>& effect) {
    return ApplyEventOnce(db_, clock_.Now(), event_id, type, effect);
}

namespace {
std::optional<long long> OrderBySession(Transaction& tx, const std::string& session_id) {
    long long id = 0;
    tx.sql() << "SELECT id FROM orders WHERE checkout_session_id = :s", soci::use(session_id), soci::into(id);
    if (!tx.sql().got_data()) return std::nullopt;
    return id;
}
std::optional<long long> OrderByPaymentIntent(Transaction& tx, const std::string& payment_intent) {
    long long id = 0;
    tx.sql() << "SELECT id FROM orders WHERE payment_intent_id = :p", soci::use(payment_intent), soci::into(id);
    if (!tx.sql().got_data()) return std::nullopt;
    return id;
}
}  // namespace

EventOutcome ShopStore::CheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                          const std::string& payment_intent, long long amount_minor,
                                          const std::string& currency, const std::string& invoice_url) {
    return Once(event_id, paid ? "checkout.session.paid" : "checkout.session.completed", [&](Transaction& tx) {
        auto id = OrderBySession(tx, session_id);
        if (!id) return EventOutcome::kIgnored;
        auto o = LoadOrder(tx, *id);
        auto at = clock_.Now();
        long long oid = *id, now = ToEpochMillis(at);
        if (!payment_intent.empty()) {
            tx.sql() << "UPDATE orders SET payment_intent_id = :p WHERE id = :id", soci::use(payment_intent),
                soci::use(oid);
        }
        if (!invoice_url.empty()) {
            tx.sql() << "UPDATE orders SET invoice_url = :i WHERE id = :id", soci::use(invoice_url), soci::use(oid);
        }
        if (!paid) {
            if (o.status != OrderStatus::kPending) return EventOutcome::kIgnored;
            // An asynchronous method (a bank debit): the stock stays reserved until the result comes.
            long long until = now + 7LL * 24 * 3600 * 1000;
            tx.sql() << "UPDATE orders SET reserved_until = :r WHERE id = :id", soci::use(until), soci::use(oid);
            Notify(tx, at, o, false, {.key = "shop.notify.processing"}, "shop." + event_id);
            return EventOutcome::kApplied;
        }
        if (o.status != OrderStatus::kPending && o.status != OrderStatus::kCancelled) return EventOutcome::kIgnored;
        if (o.status == OrderStatus::kCancelled) {
            // Paid after the reservation was released (a late payment): take the stock again, as far as it goes.
            for (const auto& item : o.items) {
                long long pid = item.product.value;
                int q = item.quantity;
                tx.sql() << "UPDATE products SET stock = CASE WHEN stock >= :q THEN stock - :q2 ELSE 0 END WHERE id = "
                            ":p AND "
                            "stock IS NOT NULL",
                    soci::use(q), soci::use(q), soci::use(pid);
            }
            std::string paid_status = "paid";
            tx.sql() << "UPDATE orders SET status = :s, updated_at = :t WHERE id = :id", soci::use(paid_status),
                soci::use(now), soci::use(oid);
            AddEvent(tx, o, now, "cancelled", paid_status, "stripe",
                     "paid after the reservation had expired: check the stock");
            Notify(tx, at, o, true, {.key = "shop.notify.late_payment"}, "shop." + event_id + ".staff-late");
        } else {
            Move(tx, o, OrderStatus::kPaid, "stripe", "");
        }
        tx.sql() << "UPDATE orders SET reserved_until = NULL WHERE id = :id", soci::use(oid);
        // Stripe writes currencies in lower case; the catalog in upper case.
        std::string paid_currency = currency.empty() ? o.currency : currency;
        std::transform(paid_currency.begin(), paid_currency.end(), paid_currency.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        RecordPayment(tx, o, "charge", amount_minor, paid_currency,
                      payment_intent.empty() ? session_id : payment_intent, now);
        // The receipt, with the invoice when Stripe made one, and the staff's heads-up.
        Notify(tx, at, o, false,
               {.key = invoice_url.empty() ? "shop.notify.paid" : "shop.notify.paid_invoice",
                .money = {{"total", Amount(amount_minor, o.currency)}},
                .link = invoice_url,
                .link_key = "shop.button.invoice"},
               "shop." + event_id);
        Notify(tx, at, o, true,
               {.key = "shop.notify.new_order",
                .people = {{"user", o.owner}},
                .money = {{"total", Amount(amount_minor, o.currency)}}},
               "shop." + event_id + ".staff");
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopStore::CheckoutPaymentFailed(const std::string& event_id, const std::string& session_id,
                                              const std::string& type) {
    return Once(event_id, type, [&](Transaction& tx) {
        auto id = OrderBySession(tx, session_id);
        if (!id) return EventOutcome::kIgnored;
        auto o = LoadOrder(tx, *id);
        if (o.status != OrderStatus::kPending) return EventOutcome::kIgnored;
        Move(tx, o, OrderStatus::kCancelled, "stripe", "payment failed");
        Release(tx, o);
        Notify(tx, clock_.Now(), o, false, {.key = "shop.notify.payment_failed"}, "shop." + event_id);
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopStore::CheckoutExpired(const std::string& event_id, const std::string& session_id) {
    return Once(event_id, "checkout.session.expired", [&](Transaction& tx) {
        auto id = OrderBySession(tx, session_id);
        if (!id) return EventOutcome::kIgnored;
        auto o = LoadOrder(tx, *id);
        if (o.status != OrderStatus::kPending) return EventOutcome::kIgnored;  // paid meanwhile: the newer state stays
        Move(tx, o, OrderStatus::kCancelled, "stripe", "checkout expired");
        Release(tx, o);
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopStore::Refunded(const std::string& event_id, const std::string& payment_intent,
                                 const std::string& refund_id, long long amount_refunded, bool fully, bool restock) {
    return Once(event_id, "charge.refunded", [&](Transaction& tx) {
        auto id = OrderByPaymentIntent(tx, payment_intent);
        if (!id) return EventOutcome::kRetryLater;  // the payment may not be recorded yet: Stripe delivers again
        auto o = LoadOrder(tx, *id);
        if (o.status == OrderStatus::kPending) return EventOutcome::kRetryLater;
        auto at = clock_.Now();
        long long now = ToEpochMillis(at);
        // charge.refunded carries the charge's cumulated refunds: what is new is the difference with what is recorded.
        long long fresh = amount_refunded - o.refunded_minor;
        if (fresh <= 0 && !fully) return EventOutcome::kIgnored;
        if (fresh > 0) {
            RecordPayment(tx, o, "refund", -fresh, o.currency, refund_id, now);
            Notify(tx, at, o, false,
                   {.key = fully ? "shop.notify.refunded" : "shop.notify.partially_refunded",
                    .money = {{"amount", Amount(fresh, o.currency)}}},
                   "shop." + event_id);
        }
        if (!fully) {
            std::string status(shop::ToString(o.status));
            AddEvent(tx, o, now, status, status, "stripe", "partial refund");
            return EventOutcome::kApplied;
        }
        if (o.status == OrderStatus::kRefunded || o.status == OrderStatus::kCancelled) return EventOutcome::kIgnored;
        Move(tx, o, OrderStatus::kRefunded, "stripe", restock ? "stock returned" : "");
        if (restock) ReturnStock(tx, o);
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopStore::Disputed(const std::string& event_id, const std::string& payment_intent,
                                 const std::string& reason) {
    return Once(event_id, "charge.dispute.created", [&](Transaction& tx) {
        auto id = OrderByPaymentIntent(tx, payment_intent);
        if (!id) return EventOutcome::kIgnored;  // not a shop payment
        auto o = LoadOrder(tx, *id);
        auto at = clock_.Now();
        long long oid = *id, now = ToEpochMillis(at);
        std::string status(shop::ToString(o.status));
        tx.sql() << "UPDATE orders SET disputed = 1, updated_at = :t WHERE id = :id", soci::use(now), soci::use(oid);
        AddEvent(tx, o, now, status, status, "stripe", "dispute opened: " + reason);
        Notify(tx, at, o, true,
               {.key = "shop.notify.disputed",
                .params = {{"reason", reason}},
                .people = {{"user", o.owner}},
                .money = {{"total", Amount(o.total_minor, o.currency)}}},
               "shop." + event_id);
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopStore::Unhandled(const std::string& event_id, const std::string& type) {
    return Once(event_id, type, [](Transaction&) { return EventOutcome::kIgnored; });
}

bool ShopStore::EventRecorded(const std::string& event_id) { return storage::EventRecorded(db_, event_id); }

int ShopStore::ReleaseExpired(core::Millis grace) {
    long long cutoff = ToEpochMillis(clock_.Now() - grace);
    auto ids = db_.Read(Viewer::System(), [&](Transaction& tx) {
        std::vector<long long> out;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare
                 << "SELECT id FROM orders WHERE status = 'pending' AND reserved_until < :n ORDER BY id LIMIT 500",
             soci::use(cutoff));
        for (const auto& row : rows) out.push_back(RowInt(row, 0));
        return out;
    });
    int released = 0;
    for (auto id : ids) {
        released += db_.Write(Viewer::System(), [&](Transaction& tx) {
            auto o = LoadOrder(tx, id);
            // Checked again inside the transaction: a payment may have landed in between.
            if (o.status != OrderStatus::kPending || !o.reserved_until || ToEpochMillis(*o.reserved_until) >= cutoff)
                return 0;
            Move(tx, o, OrderStatus::kCancelled, "maxis", "reservation expired");
            Release(tx, o);
            return 1;
        });
    }
    return released;
}

void ShopStore::AddNote(const Viewer& staff, shop::OrderId id, const std::string& note) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "only staff annotate orders");
    core::RequireStorableText(note, "note", core::TextLines::kMulti);
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        auto o = LoadOrder(tx, id.value);
        std::string status(shop::ToString(o.status));
        AddEvent(tx, o, ToEpochMillis(clock_.Now()), status, status, staff.user_id.ToString(), note);
    });
}

std::vector<shop::RevenueDay> ShopStore::Revenue(core::TimePoint since) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        long long from = ToEpochMillis(since);
        std::map<std::pair<long long, std::string>, shop::RevenueDay> days;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare
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
    });
}

}  // namespace maxis::storage
