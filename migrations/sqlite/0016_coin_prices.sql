-- Coin-priced products (issue 19). A product's price in coins is `products.price_coins` (there since 0001: NULL
-- or 0 means not sold for coins). An order paid in coins records the currency 'COINS' (never an ISO code): its
-- total and unit prices are whole coins, it has no payment row (coins are not money) and no Stripe session.
-- Its coins leave the ledger with reason 'purchase' and ref the order's number, in the order's own transaction.
--
-- Here: the ledger learns the reason 'refund' (staff refund a coin order: its coins come back, ref the order's
-- number). SQLite cannot change a CHECK in place, so the ledger is rebuilt as it was plus that reason: the same
-- rows, ids, indexes and the AUTOINCREMENT counter (RENAME carries it).

CREATE TABLE coin_ledger_0016 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount <> 0),           -- signed: debits are negative
    reason        TEXT NOT NULL CHECK (reason IN ('activity', 'daily', 'giveaway', 'invite', 'staff_give',
                                                  'staff_take', 'purchase', 'refund')),
    ref           TEXT NOT NULL DEFAULT '',                        -- message, local day, giveaway, order; '' for none
    balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
    actor_id      BIGINT NOT NULL DEFAULT 0,                       -- staff for gifts, takes and refunds, 0 for Maxis
    note          TEXT NOT NULL DEFAULT '',                        -- staff's reason
    created_at    BIGINT NOT NULL
);
INSERT INTO coin_ledger_0016 (id, user_id, amount, reason, ref, balance_after, actor_id, note, created_at)
    SELECT id, user_id, amount, reason, ref, balance_after, actor_id, note, created_at FROM coin_ledger;
DROP TABLE coin_ledger;
ALTER TABLE coin_ledger_0016 RENAME TO coin_ledger;
CREATE UNIQUE INDEX coin_ledger_ref ON coin_ledger (user_id, reason, ref) WHERE ref <> '';
CREATE INDEX coin_ledger_user ON coin_ledger (user_id, id);
CREATE INDEX coin_ledger_earned ON coin_ledger (created_at, user_id) WHERE amount > 0;
