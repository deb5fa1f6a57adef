-- The shop: carts, orders with their items and timeline, payments, Stripe events applied exactly once
-- (recorded in the same transaction as their effect), and yearly order number counters.

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
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
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
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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
