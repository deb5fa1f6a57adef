#include "storage/preorder_store.hpp"

#include <soci/soci.h>

#include <limits>

#include "core/errors.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"
#include "storage/stripe_events.hpp"

namespace maxis::storage {

using core::FromEpochMillis;
using core::ToEpochMillis;
using preorders::Item;
using preorders::ItemId;
using preorders::ItemStatus;
using preorders::Purchase;
using preorders::PurchaseId;
using preorders::PurchaseStatus;
using preorders::Tier;
using preorders::TierId;

namespace {

constexpr const char* kItemColumns =
    "id, name, description, image_url, price_minor, currency, release_at, status, per_member_limit, delivery, "
    "created_by, created_at, updated_at, opened_at, released_at, release_moves, proof_cursor, proof_posted_at";

Item ItemFrom(const soci::row& r) {
    Item i;
    i.id = ItemId{RowInt(r, 0)};
    i.name = RowText(r, 1);
    i.description = RowText(r, 2);
    i.image_url = RowText(r, 3);
    i.price = core::Money{RowInt(r, 4), RowText(r, 5)};
    i.release_at = FromEpochMillis(RowInt(r, 6));
    i.status = preorders::ParseItemStatus(RowText(r, 7)).value_or(ItemStatus::kDraft);
    i.per_member_limit = static_cast<int>(RowInt(r, 8));
    i.delivery = RowText(r, 9);
    i.created_by = core::UserId{RowInt(r, 10)};
    i.created_at = FromEpochMillis(RowInt(r, 11));
    i.updated_at = FromEpochMillis(RowInt(r, 12));
    i.opened_at = RowOptionalTime(r, 13);
    i.released_at = RowOptionalTime(r, 14);
    i.release_moves = static_cast<int>(RowInt(r, 15));
    i.proof_cursor = RowInt(r, 16);
    i.proof_posted_at = RowOptionalTime(r, 17);
    return i;
}

constexpr const char* kTierColumns = "id, item_id, position, name, discount_percent, seats, sold, held, price_minor";

Tier TierFrom(const soci::row& r) {
    Tier t;
    t.id = TierId{RowInt(r, 0)};
    t.item = ItemId{RowInt(r, 1)};
    t.position = static_cast<int>(RowInt(r, 2));
    t.name = RowText(r, 3);
    t.discount_percent = static_cast<int>(RowInt(r, 4));
    if (r.get_indicator(5) != soci::i_null) t.seats = static_cast<int>(RowInt(r, 5));
    t.sold = static_cast<int>(RowInt(r, 6));
    t.held = static_cast<int>(RowInt(r, 7));
    t.price_minor = RowInt(r, 8);
    return t;
}

constexpr const char* kPurchaseColumns =
    "id, item_id, tier_id, user_id, status, price_minor, currency, session_id, payment_intent, held_until, named, "
    "late, refund_reason, refund_id, release_moves_seen, created_at, paid_at, fulfilled_at, refunded_at";

Purchase PurchaseFrom(const soci::row& r) {
    Purchase p;
    p.id = PurchaseId{RowInt(r, 0)};
    p.item = ItemId{RowInt(r, 1)};
    p.tier = TierId{RowInt(r, 2)};
    p.buyer = core::UserId{RowInt(r, 3)};
    p.status = preorders::ParsePurchaseStatus(RowText(r, 4)).value_or(PurchaseStatus::kHeld);
    p.price = core::Money{RowInt(r, 5), RowText(r, 6)};
    p.session_id = RowText(r, 7);
    p.payment_intent = RowText(r, 8);
    p.held_until = FromEpochMillis(RowInt(r, 9));
    p.named = RowInt(r, 10) != 0;
    p.late = RowInt(r, 11) != 0;
    p.refund_reason = preorders::ParseRefundReason(RowText(r, 12)).value_or(preorders::RefundReason::kNone);
    p.refund_id = RowText(r, 13);
    p.release_moves_seen = static_cast<int>(RowInt(r, 14));
    p.created_at = FromEpochMillis(RowInt(r, 15));
    p.paid_at = RowOptionalTime(r, 16);
    p.fulfilled_at = RowOptionalTime(r, 17);
    p.refunded_at = RowOptionalTime(r, 18);
    return p;
}

/// An optional instant as a bound value and its indicator.
struct OptionalMillis {
    long long value = 0;
    soci::indicator ind = soci::i_null;
    explicit OptionalMillis(const std::optional<core::TimePoint>& at)
        : value(at ? ToEpochMillis(*at) : 0), ind(at ? soci::i_ok : soci::i_null) {}
};

/// One seat counter's conditional UPDATE on a tier, prepared once per connection: a launch-day burst runs it for
/// every buyer.
struct TierCounter final : PreparedStatement {
    long long tier = 0;
    soci::statement statement;
    TierCounter(soci::session& s, const std::string& sql) : statement((s.prepare << sql, soci::use(tier, "t"))) {}
};

constexpr const char* kTakeHeld =
    "UPDATE preorder_tiers SET held = held + 1 WHERE id = :t AND (seats IS NULL OR sold + held < seats)";
constexpr const char* kTakeSold =
    "UPDATE preorder_tiers SET sold = sold + 1 WHERE id = :t AND (seats IS NULL OR sold + held < seats)";
// The table's CHECKs (held >= 0, sold >= 0) refuse a counter that would go below zero: the transaction fails.
constexpr const char* kReleaseHeld = "UPDATE preorder_tiers SET held = held - 1 WHERE id = :t";
constexpr const char* kSellHeld = "UPDATE preorder_tiers SET held = held - 1, sold = sold + 1 WHERE id = :t";
constexpr const char* kReturnSold = "UPDATE preorder_tiers SET sold = sold - 1 WHERE id = :t";

class SqlPreorderStore final : public preorders::PreorderStore {
public:
    /// writing: a write transaction. On PostgreSQL FindItem then holds the item's row FOR UPDATE, whoever writes
    /// (staff, Maxis buying, an event, a sweep), so all the writers of one item take turns. The service reads a
    /// purchase again after its item's FindItem before deciding on it (the port's lock order: the item, then its
    /// purchases and tiers), so the second of two writers of one purchase (a payment and the sweep ending its hold,
    /// a refund and the provider's event) sees what the first committed and a seat counter moves once per purchase.
    /// Purchases themselves are not locked: a lookup that only learns a purchase's item must not hold the purchase
    /// before its item, or it would wait for a writer that waits for it. Members may not lock rows (a lock needs
    /// UPDATE): their transactions only read. SQLite's writers take turns already.
    SqlPreorderStore(Transaction& tx, const core::Clock& clock, bool writing) : tx_(tx), clock_(clock) {
        if (writing && tx.dialect() == Dialect::kPostgres && tx.viewer().role != core::Role::kMember) {
            item_lock_ = " FOR UPDATE";
        }
    }

    // Items.

    ItemId InsertItem(const Item& i) override {
        long long id = 0, release = ToEpochMillis(i.release_at), by = i.created_by.value,
                  created = ToEpochMillis(i.created_at), updated = ToEpochMillis(i.updated_at);
        std::string status(preorders::ToString(i.status));
        OptionalMillis opened(i.opened_at), released(i.released_at), proof(i.proof_posted_at);
        tx_.sql() << "INSERT INTO preorder_items (name, description, image_url, price_minor, currency, release_at, "
                     "status, per_member_limit, delivery, created_by, created_at, updated_at, opened_at, released_at, "
                     "release_moves, proof_cursor, proof_posted_at) VALUES (:n, :d, :i, :p, :c, :r, :s, :l, :dl, :b, "
                     ":ca, :ua, :o, :rl, :m, :pc, :pp) RETURNING id",
            soci::use(i.name), soci::use(i.description), soci::use(i.image_url), soci::use(i.price.minor),
            soci::use(i.price.currency), soci::use(release), soci::use(status), soci::use(i.per_member_limit),
            soci::use(i.delivery), soci::use(by), soci::use(created), soci::use(updated),
            soci::use(opened.value, opened.ind), soci::use(released.value, released.ind), soci::use(i.release_moves),
            soci::use(i.proof_cursor), soci::use(proof.value, proof.ind), soci::into(id);
        return ItemId{id};
    }

    std::optional<Item> FindItem(ItemId id) override {
        DynamicQuery q;
        std::string sql = std::string("SELECT ") + kItemColumns + " FROM preorder_items WHERE id = " + q.Bind(id.value);
        if (Member()) sql += " AND status <> 'draft'";
        std::optional<Item> out;
        q.ForEachRow(tx_.sql(), sql + item_lock_, [&](const soci::row& r) { out = ItemFrom(r); });
        return out;
    }

    void UpdateItem(const Item& i) override {
        long long id = i.id.value, release = ToEpochMillis(i.release_at), updated = ToEpochMillis(i.updated_at);
        std::string status(preorders::ToString(i.status));
        OptionalMillis opened(i.opened_at), released(i.released_at), proof(i.proof_posted_at);
        tx_.sql() << "UPDATE preorder_items SET name = :n, description = :d, image_url = :i, price_minor = :p, "
                     "currency = :c, release_at = :r, status = :s, per_member_limit = :l, delivery = :dl, "
                     "updated_at = :ua, opened_at = :o, released_at = :rl, release_moves = :m, proof_cursor = :pc, "
                     "proof_posted_at = :pp WHERE id = :id",
            soci::use(i.name), soci::use(i.description), soci::use(i.image_url), soci::use(i.price.minor),
            soci::use(i.price.currency), soci::use(release), soci::use(status), soci::use(i.per_member_limit),
            soci::use(i.delivery), soci::use(updated), soci::use(opened.value, opened.ind),
            soci::use(released.value, released.ind), soci::use(i.release_moves), soci::use(i.proof_cursor),
            soci::use(proof.value, proof.ind), soci::use(id);
    }

    std::vector<Item> ListItems(std::optional<ItemStatus> status, int limit) override {
        DynamicQuery q;
        std::string sql = std::string("SELECT ") + kItemColumns + " FROM preorder_items WHERE 1 = 1";
        if (status) sql += " AND status = " + q.Bind(std::string(preorders::ToString(*status)));
        if (Member()) sql += " AND status <> 'draft'";
        sql += " ORDER BY id DESC LIMIT " + std::to_string(limit);
        return Items(q, sql);
    }

    std::vector<ItemId> DueForRelease(core::TimePoint at, int limit) override {
        DynamicQuery q;
        std::vector<ItemId> out;
        q.ForEachRow(tx_.sql(),
                     "SELECT id FROM preorder_items WHERE status IN ('open', 'closed') AND release_at <= " +
                         q.Bind(static_cast<long long>(ToEpochMillis(at))) + " ORDER BY release_at, id LIMIT " +
                         std::to_string(limit),
                     [&](const soci::row& r) { out.push_back(ItemId{RowInt(r, 0)}); });
        return out;
    }

    std::vector<Item> ReleasingBefore(core::TimePoint before, int limit) override {
        DynamicQuery q;
        return Items(q, std::string("SELECT ") + kItemColumns +
                            " FROM preorder_items WHERE status IN ('open', 'closed') AND release_at < " +
                            q.Bind(static_cast<long long>(ToEpochMillis(before))) + " ORDER BY release_at, id LIMIT " +
                            std::to_string(limit));
    }

    // Tiers.

    std::vector<Tier> Tiers(ItemId item) override {
        DynamicQuery q;
        std::string sql =
            std::string("SELECT ") + kTierColumns + " FROM preorder_tiers t WHERE item_id = " + q.Bind(item.value);
        if (Member()) {
            sql += " AND EXISTS (SELECT 1 FROM preorder_items i WHERE i.id = t.item_id AND i.status <> 'draft')";
        }
        sql += " ORDER BY position, id";
        std::vector<Tier> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) { out.push_back(TierFrom(r)); });
        return out;
    }

    /// Before any purchase (the service checks; a purchase's row names its tier): the old rows go, the new come with
    /// new ids.
    void ReplaceTiers(ItemId item, const std::vector<Tier>& tiers) override {
        long long iid = item.value;
        tx_.sql() << "DELETE FROM preorder_tiers WHERE item_id = :i", soci::use(iid);
        for (const auto& t : tiers) {
            int seats = t.seats.value_or(0);
            soci::indicator seats_ind = t.seats ? soci::i_ok : soci::i_null;
            tx_.sql() << "INSERT INTO preorder_tiers (item_id, position, name, discount_percent, seats, price_minor) "
                         "VALUES (:i, :pos, :n, :d, :s, :p)",
                soci::use(iid), soci::use(t.position), soci::use(t.name), soci::use(t.discount_percent),
                soci::use(seats, seats_ind), soci::use(t.price_minor);
        }
    }

    void SetTierSeats(TierId tier, std::optional<int> seats) override {
        long long tid = tier.value;
        int n = seats.value_or(0);
        soci::indicator ind = seats ? soci::i_ok : soci::i_null;
        tx_.sql() << "UPDATE preorder_tiers SET seats = :s WHERE id = :t", soci::use(n, ind), soci::use(tid);
    }

    bool TakeHeldSeat(TierId tier) override { return Count(kTakeHeld, tier) == 1; }
    void ReleaseHeldSeat(TierId tier) override { Count(kReleaseHeld, tier); }
    void SellHeldSeat(TierId tier) override { Count(kSellHeld, tier); }
    bool TakeSoldSeat(TierId tier) override { return Count(kTakeSold, tier) == 1; }
    void ReturnSoldSeat(TierId tier) override { Count(kReturnSold, tier); }

    // Purchases.

    void LockBuyer(ItemId item, core::UserId buyer) override {
        if (tx_.dialect() != Dialect::kPostgres) return;  // SQLite: one writer at a time already
        std::string key = "maxis.preorders.buyer." + std::to_string(item.value) + "." + buyer.ToString();
        tx_.sql() << "SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))", soci::use(key);
    }

    PurchaseId InsertPurchase(const Purchase& p) override {
        long long id = 0, iid = p.item.value, tid = p.tier.value, uid = p.buyer.value,
                  held = ToEpochMillis(p.held_until), created = ToEpochMillis(p.created_at);
        std::string status(preorders::ToString(p.status)), reason(preorders::ToString(p.refund_reason));
        int named = p.named ? 1 : 0, late = p.late ? 1 : 0;
        OptionalMillis paid(p.paid_at), fulfilled(p.fulfilled_at), refunded(p.refunded_at);
        tx_.sql() << "INSERT INTO preorder_purchases (item_id, tier_id, user_id, status, price_minor, currency, "
                     "session_id, payment_intent, held_until, named, late, refund_reason, refund_id, "
                     "release_moves_seen, created_at, paid_at, fulfilled_at, refunded_at) VALUES (:i, :t, :u, :s, :p, "
                     ":c, :se, :pi, :h, :n, :l, :rr, :ri, :m, :ca, :pa, :fa, :ra) RETURNING id",
            soci::use(iid), soci::use(tid), soci::use(uid), soci::use(status), soci::use(p.price.minor),
            soci::use(p.price.currency), soci::use(p.session_id), soci::use(p.payment_intent), soci::use(held),
            soci::use(named), soci::use(late), soci::use(reason), soci::use(p.refund_id),
            soci::use(p.release_moves_seen), soci::use(created), soci::use(paid.value, paid.ind),
            soci::use(fulfilled.value, fulfilled.ind), soci::use(refunded.value, refunded.ind), soci::into(id);
        return PurchaseId{id};
    }

    std::optional<Purchase> FindPurchase(PurchaseId id) override {
        DynamicQuery q;
        return OnePurchase(q, "id = " + q.Bind(id.value));
    }

    std::optional<Purchase> FindPurchaseBySession(const std::string& session_id) override {
        if (session_id.empty()) return std::nullopt;
        DynamicQuery q;
        return OnePurchase(q, "session_id = " + q.Bind(session_id));
    }

    std::optional<Purchase> FindPurchaseByPaymentIntent(const std::string& payment_intent) override {
        if (payment_intent.empty()) return std::nullopt;
        DynamicQuery q;
        return OnePurchase(q, "payment_intent = " + q.Bind(payment_intent));
    }

    void UpdatePurchase(const Purchase& p) override {
        long long id = p.id.value, held = ToEpochMillis(p.held_until);
        std::string status(preorders::ToString(p.status)), reason(preorders::ToString(p.refund_reason));
        int named = p.named ? 1 : 0, late = p.late ? 1 : 0;
        OptionalMillis paid(p.paid_at), fulfilled(p.fulfilled_at), refunded(p.refunded_at);
        tx_.sql() << "UPDATE preorder_purchases SET status = :s, price_minor = :p, currency = :c, session_id = :se, "
                     "payment_intent = :pi, held_until = :h, named = :n, late = :l, refund_reason = :rr, "
                     "refund_id = :ri, release_moves_seen = :m, paid_at = :pa, fulfilled_at = :fa, "
                     "refunded_at = :ra WHERE id = :id",
            soci::use(status), soci::use(p.price.minor), soci::use(p.price.currency), soci::use(p.session_id),
            soci::use(p.payment_intent), soci::use(held), soci::use(named), soci::use(late), soci::use(reason),
            soci::use(p.refund_id), soci::use(p.release_moves_seen), soci::use(paid.value, paid.ind),
            soci::use(fulfilled.value, fulfilled.ind), soci::use(refunded.value, refunded.ind), soci::use(id);
    }

    int CountActivePurchases(ItemId item, core::UserId buyer) override {
        long long iid = item.value, uid = buyer.value;
        int n = 0;
        if (Member() && buyer != tx_.viewer().user_id) return 0;
        tx_.sql() << "SELECT COUNT(*) FROM preorder_purchases WHERE item_id = :i AND user_id = :u AND status IN "
                     "('held', 'paid', 'fulfilled')",
            soci::use(iid), soci::use(uid), soci::into(n);
        return n;
    }

    std::vector<Purchase> PurchasesOf(core::UserId buyer, int limit) override {
        DynamicQuery q;
        return Purchases(q, "user_id = " + q.Bind(Member() ? tx_.viewer().user_id.value : buyer.value) +
                                " ORDER BY id DESC LIMIT " + std::to_string(limit));
    }

    std::vector<Purchase> ItemPurchases(ItemId item, const std::vector<PurchaseStatus>& statuses, long long after_id,
                                        int limit) override {
        DynamicQuery q;
        std::string where = "item_id = " + q.Bind(item.value) + " AND id > " + q.Bind(after_id);
        if (!statuses.empty()) {
            std::string in;
            for (auto s : statuses) in += (in.empty() ? "" : ", ") + q.Bind(std::string(preorders::ToString(s)));
            where += " AND status IN (" + in + ")";
        }
        return Purchases(q, where + " ORDER BY id LIMIT " + std::to_string(limit));
    }

    std::vector<Purchase> HoldsEndedBy(core::TimePoint at, int limit) override {
        DynamicQuery q;
        return Purchases(q, "status = 'held' AND held_until <= " + q.Bind(static_cast<long long>(ToEpochMillis(at))) +
                                " ORDER BY held_until, id LIMIT " + std::to_string(limit));
    }

    std::vector<Purchase> RefundsDue(int limit) override {
        DynamicQuery q;
        return Purchases(q, "status = 'refunding' ORDER BY id LIMIT " + std::to_string(limit));
    }

    std::vector<preorders::SaleRow> Sales(ItemId item) override {
        std::vector<preorders::SaleRow> out;
        for (const auto& p : ItemPurchases(item,
                                           {PurchaseStatus::kPaid, PurchaseStatus::kFulfilled,
                                            PurchaseStatus::kRefunding, PurchaseStatus::kRefunded},
                                           0, std::numeric_limits<int>::max())) {
            if (!p.paid_at) continue;  // a late payment refunded without a seat was never a sale
            out.push_back({p.id, p.tier, p.buyer, p.status, p.price, *p.paid_at, p.refunded_at});
        }
        return out;
    }

    std::vector<preorders::EarlyAdopter> EarlyAdopters(int limit) override {
        DynamicQuery q;
        std::string sql =
            "SELECT user_id, MIN(paid_at), COUNT(*) FROM preorder_purchases WHERE status IN ('paid', 'fulfilled') "
            "AND paid_at IS NOT NULL";
        if (Member()) sql += " AND user_id = " + q.Bind(tx_.viewer().user_id.value);
        sql += " GROUP BY user_id ORDER BY MIN(paid_at), user_id LIMIT " + std::to_string(limit);
        std::vector<preorders::EarlyAdopter> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) {
            out.push_back({core::UserId{RowInt(r, 0)}, FromEpochMillis(RowInt(r, 1)), static_cast<int>(RowInt(r, 2))});
        });
        return out;
    }

    // The provider's events.

    bool RecordEvent(const std::string& event_id, const std::string& type) override {
        return storage::RecordEvent(tx_, clock_.Now(), event_id, type);
    }
    void SetEventOutcome(const std::string& event_id, core::EventOutcome outcome) override {
        storage::SetEventOutcome(tx_, event_id, outcome);
    }

    bool MarkAnnounced(ItemId item, const std::string& key) override {
        long long iid = item.value, at = ToEpochMillis(clock_.Now());
        soci::statement st =
            (tx_.sql().prepare << "INSERT INTO preorder_announcements (item_id, announcement, at) VALUES (:i, :k, :t) "
                                  "ON CONFLICT (item_id, announcement) DO NOTHING",
             soci::use(iid), soci::use(key), soci::use(at));
        return AffectedRows(st) == 1;
    }

    void Notify(const scheduling::Notice& notice) override {
        SqlOutboxStore::AddIn(tx_, scheduling::ToOutboxItem(notice), clock_.Now());
    }

private:
    /// A member's store: opened items only, and their own purchases.
    [[nodiscard]] bool Member() const { return !tx_.viewer().IsStaff(); }

    std::vector<Item> Items(DynamicQuery& q, const std::string& sql) {
        std::vector<Item> out;
        q.ForEachRow(tx_.sql(), sql, [&](const soci::row& r) { out.push_back(ItemFrom(r)); });
        return out;
    }

    /// Purchases matching `rest` (a condition, then its order and limit), the member's own only.
    std::vector<Purchase> Purchases(DynamicQuery& q, const std::string& rest) {
        std::string sql = std::string("SELECT ") + kPurchaseColumns + " FROM preorder_purchases WHERE ";
        if (Member()) sql += "user_id = " + q.Bind(tx_.viewer().user_id.value) + " AND ";
        std::vector<Purchase> out;
        q.ForEachRow(tx_.sql(), sql + rest, [&](const soci::row& r) { out.push_back(PurchaseFrom(r)); });
        return out;
    }

    std::optional<Purchase> OnePurchase(DynamicQuery& q, const std::string& where) {
        auto found = Purchases(q, where);
        if (found.empty()) return std::nullopt;
        return found.front();
    }

    /// Runs one seat counter's update and returns the rows it changed.
    long long Count(const char* sql, TierId tier) {
        auto& counter =
            tx_.Prepared<TierCounter>(sql, [&] { return std::make_unique<TierCounter>(tx_.sql(), std::string(sql)); });
        counter.tier = tier.value;
        counter.statement.execute(true);
        long long changed = counter.statement.get_affected_rows();
        FinishRun(tx_.dialect(), counter.statement);
        return changed;
    }

    Transaction& tx_;
    const core::Clock& clock_;
    std::string item_lock_;
};

}  // namespace

void SqlPreorderRepository::Write(const core::Viewer& viewer,
                                  const std::function<void(preorders::PreorderStore&)>& work) {
    db_.Write(viewer, [&](Transaction& tx) {
        SqlPreorderStore store(tx, clock_, true);
        work(store);
    });
}

void SqlPreorderRepository::Read(const core::Viewer& viewer,
                                 const std::function<void(preorders::PreorderStore&)>& work) {
    db_.Read(viewer, [&](Transaction& tx) {
        SqlPreorderStore store(tx, clock_, false);
        work(store);
    });
}

}  // namespace maxis::storage
