-- Coins (PostgreSQL): a ledger, never a bare counter. Every movement is a row (who, amount, reason, reference,
-- balance after it, who moved it and why, when); the balance beside it is checked never to go below zero and
-- moves in the same transaction as its row. No table here records money: coins are never bought nor withdrawn.

SET LOCAL ROLE maxis_owner;

CREATE TABLE coin_ledger (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

CREATE TABLE coin_activity (
    user_id BIGINT PRIMARY KEY,
    day     TEXT NOT NULL,
    earned  BIGINT NOT NULL CHECK (earned >= 0),
    last_at BIGINT NOT NULL
);

-- The ledger is append-only, for everyone: no row is ever changed or deleted. Balances and activity counters
-- are changed, never deleted.
REVOKE UPDATE, DELETE ON coin_ledger FROM maxis_user;
REVOKE DELETE ON coin_balances, coin_activity FROM maxis_user;

ALTER TABLE coin_ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE coin_ledger FORCE ROW LEVEL SECURITY;
ALTER TABLE coin_balances ENABLE ROW LEVEL SECURITY;
ALTER TABLE coin_balances FORCE ROW LEVEL SECURITY;
ALTER TABLE coin_activity ENABLE ROW LEVEL SECURITY;
ALTER TABLE coin_activity FORCE ROW LEVEL SECURITY;

-- Members read their own rows and write none: Maxis (the system viewer) credits and debits on their behalf,
-- staff give and take.
GRANT SELECT ON coin_ledger, coin_balances, coin_activity TO maxis_member;
CREATE POLICY coin_ledger_member_read ON coin_ledger FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id()));
CREATE POLICY coin_balances_member_read ON coin_balances FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id()));
CREATE POLICY coin_activity_member_read ON coin_activity FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id()));

-- Staff and Maxis read everything, and write the ledger and the balances; only Maxis counts activity.
CREATE POLICY coin_ledger_staff_read ON coin_ledger FOR SELECT TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY coin_ledger_staff_insert ON coin_ledger FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY coin_balances_staff_read ON coin_balances FOR SELECT TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY coin_balances_staff_insert ON coin_balances FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY coin_balances_staff_update ON coin_balances FOR UPDATE TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY coin_activity_staff_read ON coin_activity FOR SELECT TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY coin_activity_system_insert ON coin_activity FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
CREATE POLICY coin_activity_system_update ON coin_activity FOR UPDATE TO maxis_user
    USING ((SELECT maxis_viewer_role()) = 'system')
    WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
