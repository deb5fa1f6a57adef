-- The shop (PostgreSQL): carts, orders with their items and timeline, payments, Stripe events applied exactly once
-- (recorded in the same transaction as their effect), and yearly order number counters.

SET LOCAL ROLE maxis_owner;

CREATE TABLE carts (
    user_id    BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity   INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, product_id)
);

CREATE TABLE order_counters (
    year INTEGER PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE orders (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    user_id             BIGINT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'fulfilled', 'shipped', 'delivered', 'cancelled', 'refunded')),
    total_minor         BIGINT NOT NULL CHECK (total_minor >= 0),
    currency            TEXT NOT NULL,
    checkout_session_id TEXT UNIQUE,
    checkout_url        TEXT NOT NULL DEFAULT '',
    payment_intent_id   TEXT,
    invoice_url         TEXT NOT NULL DEFAULT '',
    reserved_until      BIGINT,                -- while pending: when the stock goes back
    carrier             TEXT NOT NULL DEFAULT '',
    tracking_code       TEXT NOT NULL DEFAULT '',
    tracking_url        TEXT NOT NULL DEFAULT '',
    disputed            INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX orders_user ON orders (user_id, id);
CREATE INDEX orders_status ON orders (status, id);
CREATE INDEX orders_payment_intent ON orders (payment_intent_id);

CREATE TABLE order_items (
    order_id         BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    user_id          BIGINT NOT NULL,
    product_id       BIGINT NOT NULL,
    name             TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity >= 1),
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE order_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE TABLE payments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     BIGINT NOT NULL REFERENCES orders (id),
    user_id      BIGINT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('charge', 'refund')),
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    stripe_id    TEXT NOT NULL UNIQUE,
    at           BIGINT NOT NULL
);

CREATE TABLE stripe_events (
    event_id    TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

-- A member reads their own cart, orders, items, timeline and payments, and changes only their cart;
-- Maxis itself (checkout, webhooks, jobs) and staff see and change everything.

ALTER TABLE carts ENABLE ROW LEVEL SECURITY;
ALTER TABLE carts FORCE ROW LEVEL SECURITY;
CREATE POLICY carts_member_read ON carts FOR SELECT TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY carts_staff ON carts TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
CREATE POLICY orders_member_read ON orders FOR SELECT TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY orders_staff ON orders TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE order_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_items FORCE ROW LEVEL SECURITY;
CREATE POLICY order_items_member_read ON order_items FOR SELECT TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY order_items_staff ON order_items TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE order_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_events FORCE ROW LEVEL SECURITY;
CREATE POLICY order_events_member_read ON order_events FOR SELECT TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY order_events_staff ON order_events TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments FORCE ROW LEVEL SECURITY;
CREATE POLICY payments_member_read ON payments FOR SELECT TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY payments_staff ON payments TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY carts_member_write ON carts TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT)
    WITH CHECK (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);

ALTER TABLE order_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY order_counters_system ON order_counters TO maxis_user
    USING (current_setting('maxis.role', true) IN ('admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('admin', 'operator', 'system'));

ALTER TABLE stripe_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE stripe_events FORCE ROW LEVEL SECURITY;
CREATE POLICY stripe_events_system ON stripe_events TO maxis_user
    USING (current_setting('maxis.role', true) IN ('admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('admin', 'operator', 'system'));
