-- Coin-priced products (issue 19, PostgreSQL). A product's price in coins is `products.price_coins` (there since
-- 0001: NULL or 0 means not sold for coins). An order paid in coins records the currency 'COINS' (never an ISO
-- code): its total and unit prices are whole coins, it has no payment row (coins are not money) and no Stripe
-- session. Its coins leave the ledger with reason 'purchase' and ref the order's number, in the order's own
-- transaction, written by Maxis (maxis_user with the system viewer), as every other coin movement.
--
-- Here: the ledger learns the reason 'refund' (staff refund a coin order: its coins come back, ref the order's
-- number). Row-level security is unchanged: members still read only their own rows and write none.

SET LOCAL ROLE maxis_owner;

ALTER TABLE coin_ledger DROP CONSTRAINT coin_ledger_reason_check;
ALTER TABLE coin_ledger ADD CONSTRAINT coin_ledger_reason_check
    CHECK (reason IN ('activity', 'daily', 'giveaway', 'invite', 'staff_give', 'staff_take', 'purchase', 'refund'));
