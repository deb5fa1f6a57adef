#include "storage/coin_store.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "core/errors.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"

namespace maxis::storage {

using coins::Applied;
using coins::LedgerEntry;
using coins::MoveResult;
using core::FromEpochMillis;
using core::ToEpochMillis;

namespace {

constexpr const char* kLedgerColumns = "id, user_id, amount, reason, ref, balance_after, actor_id, note, created_at";

LedgerEntry EntryFrom(const soci::row& r) {
    return LedgerEntry{.id = RowInt(r, 0),
                       .user = core::UserId{RowInt(r, 1)},
                       .amount = RowInt(r, 2),
                       .reason = coins::ParseCoinReason(RowText(r, 3)).value_or(coins::CoinReason::kActivity),
                       .ref = RowText(r, 4),
                       .balance_after = RowInt(r, 5),
                       .actor = core::UserId{RowInt(r, 6)},
                       .note = RowText(r, 7),
                       .at = FromEpochMillis(RowInt(r, 8))};
}

class SqlCoinStore final : public coins::CoinStore {
public:
    explicit SqlCoinStore(Transaction& tx) : tx_(tx) {}

    MoveResult Move(const coins::Movement& movement, core::TimePoint now) override {
        return MoveCoinsIn(tx_, movement, now);
    }

    std::int64_t Balance(core::UserId user) override {
        if (!Sees(user)) return 0;
        long long uid = user.value, balance = 0;
        soci::indicator ind = soci::i_null;
        tx_.sql() << "SELECT balance FROM coin_balances WHERE user_id = :u", soci::use(uid), soci::into(balance, ind);
        return ind == soci::i_ok ? balance : 0;
    }

    std::vector<LedgerEntry> History(core::UserId user, long long before, int limit) override {
        std::vector<LedgerEntry> out;
        if (!Sees(user)) return out;
        long long uid = user.value, l = std::max(limit, 0);
        const std::string select = std::string("SELECT ") + kLedgerColumns + " FROM coin_ledger WHERE user_id = :u";
        auto read = [&](soci::rowset<soci::row>& rows) {
            for (const auto& r : rows) out.push_back(EntryFrom(r));
        };
        if (before > 0) {
            soci::rowset<soci::row> rows = (tx_.sql().prepare << select + " AND id < :b ORDER BY id DESC LIMIT :l",
                                            soci::use(uid), soci::use(before), soci::use(l));
            read(rows);
        } else {
            soci::rowset<soci::row> rows =
                (tx_.sql().prepare << select + " ORDER BY id DESC LIMIT :l", soci::use(uid), soci::use(l));
            read(rows);
        }
        return out;
    }

    std::vector<coins::LeaderRow> Leaders(std::optional<core::TimePoint> since, int limit) override {
        std::vector<coins::LeaderRow> out;
        long long from = since ? ToEpochMillis(*since) : 0, l = std::max(limit, 0);
        // Credits only: spending does not lower a rank, and a refund's coins were earned before (not again). The
        // partial index on (created_at, user_id) serves the window.
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare << "SELECT user_id, SUM(amount) AS earned FROM coin_ledger WHERE amount > 0 AND "
                                  "reason <> 'refund' AND created_at >= :f GROUP BY user_id ORDER BY earned DESC, "
                                  "user_id LIMIT :l",
             soci::use(from), soci::use(l));
        for (const auto& r : rows) {
            coins::LeaderRow row{.user = core::UserId{RowInt(r, 0)}, .earned = RowInt(r, 1)};
            if (Sees(row.user)) out.push_back(row);
        }
        return out;
    }

    bool TryEarn(core::UserId user, const std::string& day, std::int64_t amount, std::int64_t cap, core::TimePoint now,
                 core::TimePoint not_after) override {
        long long uid = user.value, a = amount, c = cap, at = ToEpochMillis(now), last = ToEpochMillis(not_after);
        tx_.sql() << "INSERT INTO coin_activity (user_id, day, earned, last_at) VALUES (:u, '', 0, 0) ON CONFLICT "
                     "(user_id) DO NOTHING",
            soci::use(uid);
        // One conditional statement: concurrent messages serialise on the row and never pass the cap; a new
        // local day starts the count again.
        soci::statement st =
            (tx_.sql().prepare << "UPDATE coin_activity SET earned = CASE WHEN day = :d THEN earned + :a ELSE :a2 "
                                  "END, day = :d2, last_at = :t WHERE user_id = :u AND last_at <= :l AND (day <> :d3 "
                                  "OR earned + :a3 <= :c)",
             soci::use(day), soci::use(a), soci::use(a), soci::use(day), soci::use(at), soci::use(uid), soci::use(last),
             soci::use(day), soci::use(a), soci::use(c));
        return AffectedRows(st) == 1;
    }

    std::int64_t EarnedOn(core::UserId user, const std::string& day) override {
        if (!Sees(user)) return 0;
        long long uid = user.value, earned = 0;
        soci::indicator ind = soci::i_null;
        tx_.sql() << "SELECT earned FROM coin_activity WHERE user_id = :u AND day = :d", soci::use(uid), soci::use(day),
            soci::into(earned, ind);
        return ind == soci::i_ok ? earned : 0;
    }

    bool Known(core::UserId user) override {
        long long uid = user.value, n = 0;
        tx_.sql()
            << "SELECT (SELECT COUNT(*) FROM members WHERE id = :u) + (SELECT COUNT(*) FROM users WHERE id = :u2)",
            soci::use(uid), soci::use(uid), soci::into(n);
        return n > 0;
    }
    void Notify(const scheduling::Notice& notice, core::TimePoint now) override {
        SqlOutboxStore::AddIn(tx_, scheduling::ToOutboxItem(notice), now);
    }

private:
    /// Staff and Maxis see every member's rows; a member only their own.
    [[nodiscard]] bool Sees(core::UserId user) const { return tx_.viewer().IsStaff() || tx_.viewer().user_id == user; }

    Transaction& tx_;
};

}  // namespace

MoveResult MoveCoinsIn(Transaction& tx, const coins::Movement& m, core::TimePoint now) {
    if (m.amount <= 0) throw core::Error(core::ErrorCode::kInternal, "a coin movement carries a positive amount");
    const bool credit = coins::IsCredit(m.reason);
    long long uid = m.user.value, amount = m.amount, at = ToEpochMillis(now), balance = 0;
    std::string reason(coins::ToString(m.reason));
    if (!m.ref.empty()) {
        // Made before under this reference: said as such rather than as a short balance. (The unique index
        // below is what guarantees it happens once, concurrent calls included.)
        long long seen = 0;
        tx.sql() << "SELECT COUNT(*) FROM coin_ledger WHERE user_id = :u AND reason = :r AND ref = :f", soci::use(uid),
            soci::use(reason), soci::use(m.ref), soci::into(seen);
        if (seen > 0) return MoveResult{.applied = Applied::kDuplicate};
    }
    tx.sql() << "INSERT INTO coin_balances (user_id, balance, updated_at) VALUES (:u, 0, :t) ON CONFLICT (user_id) DO "
                "NOTHING",
        soci::use(uid), soci::use(at);
    // One conditional statement: a debit applies only where the balance covers it, so concurrent debits
    // serialise on the row and never take it below zero (never read, then written).
    bool moved = false;
    if (credit) {
        soci::statement st = (tx.sql().prepare << "UPDATE coin_balances SET balance = balance + :a, updated_at = :t "
                                                  "WHERE user_id = :u RETURNING balance",
                              soci::use(amount), soci::use(at), soci::use(uid), soci::into(balance));
        moved = st.execute(true);
    } else {
        soci::statement st = (tx.sql().prepare << "UPDATE coin_balances SET balance = balance - :a, updated_at = :t "
                                                  "WHERE user_id = :u AND balance >= :a2 RETURNING balance",
                              soci::use(amount), soci::use(at), soci::use(uid), soci::use(amount), soci::into(balance));
        moved = st.execute(true);
    }
    if (!moved) return MoveResult{.applied = Applied::kShort};
    long long signed_amount = credit ? amount : -amount, actor = m.actor.value, id = 0;
    soci::statement insert =
        (tx.sql().prepare << "INSERT INTO coin_ledger (user_id, amount, reason, ref, balance_after, actor_id, note, "
                             "created_at) VALUES (:u, :a, :r, :f, :b, :c, :n, :t) ON CONFLICT (user_id, reason, ref) "
                             "WHERE ref <> '' DO NOTHING RETURNING id",
         soci::use(uid), soci::use(signed_amount), soci::use(reason), soci::use(m.ref), soci::use(balance),
         soci::use(actor), soci::use(m.note), soci::use(at), soci::into(id));
    if (!insert.execute(true)) {
        // Made before under this reference: the balance goes back to what it was, and nothing else was written.
        tx.sql() << "UPDATE coin_balances SET balance = balance - :a WHERE user_id = :u", soci::use(signed_amount),
            soci::use(uid);
        return MoveResult{.applied = Applied::kDuplicate};
    }
    return MoveResult{.applied = Applied::kDone,
                      .entry = LedgerEntry{.id = id,
                                           .user = m.user,
                                           .amount = signed_amount,
                                           .reason = m.reason,
                                           .ref = m.ref,
                                           .balance_after = balance,
                                           .actor = m.actor,
                                           .note = m.note,
                                           .at = now}};
}

void SqlCoinRepository::Write(const core::Viewer& viewer, const std::function<void(coins::CoinStore&)>& work) {
    db_.Write(viewer, [&](Transaction& tx) {
        SqlCoinStore store(tx);
        work(store);
    });
}

void SqlCoinRepository::Read(const core::Viewer& viewer, const std::function<void(coins::CoinStore&)>& work) {
    db_.Read(viewer, [&](Transaction& tx) {
        SqlCoinStore store(tx);
        work(store);
    });
}

}  // namespace maxis::storage
