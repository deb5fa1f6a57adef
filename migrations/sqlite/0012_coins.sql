-- Coins: a ledger, never a bare counter. Every movement is a row (who, amount, reason, reference, balance after
-- it, who moved it and why, when); the balance beside it is checked never to go below zero and moves in the same
-- transaction as its row. No table here records money: coins are never bought nor withdrawn.

CREATE TABLE coin_ledger (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount <> 0),           -- signed: debits are negative
    reason        TEXT NOT NULL CHECK (reason IN ('activity', 'daily', 'giveaway', 'invite', 'staff_give',
                                                  'staff_take', 'purchase')),
    ref           TEXT NOT NULL DEFAULT '',                        -- message, local day, giveaway, order; '' for none
    balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
    actor_id      BIGINT NOT NULL DEFAULT 0,                       -- staff for gifts and takes, 0 for Maxis
    note          TEXT NOT NULL DEFAULT '',                        -- staff's reason
    created_at    BIGINT NOT NULL
);
-- A reference makes a movement happen once per member and reason (a daily claim per local day, a giveaway entry).
CREATE UNIQUE INDEX coin_ledger_ref ON coin_ledger (user_id, reason, ref) WHERE ref <> '';
CREATE INDEX coin_ledger_user ON coin_ledger (user_id, id);
CREATE INDEX coin_ledger_earned ON coin_ledger (created_at, user_id) WHERE amount > 0;

CREATE TABLE coin_balances (
    user_id    BIGINT PRIMARY KEY,
    balance    BIGINT NOT NULL CHECK (balance >= 0),
    updated_at BIGINT NOT NULL
);

-- Chat activity earning: one row per member, the local day it counts and what it earned that day, and the
-- last earning (the cooldown).
CREATE TABLE coin_activity (
    user_id BIGINT PRIMARY KEY,
    day     TEXT NOT NULL,
    earned  BIGINT NOT NULL CHECK (earned >= 0),
    last_at BIGINT NOT NULL
);
