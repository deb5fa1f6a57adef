-- Plans: members' grants (Stripe subscriptions, one-time Founder purchases, temporary grants), Ultra's
-- private channels, the assistant's usage counters and short memory, and promotions.

CREATE TABLE user_subscriptions (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id              BIGINT NOT NULL,
    plan                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('subscription', 'one_time', 'temporary')),
    ref                  TEXT NOT NULL,         -- subscription id, payment intent, or grant-<ms>
    status               TEXT NOT NULL CHECK (status IN ('active', 'past_due', 'ended', 'revoked')),
    period_end           BIGINT,
    grace_until          BIGINT,
    expires_at           BIGINT,
    cancel_at_period_end INTEGER NOT NULL DEFAULT 0 CHECK (cancel_at_period_end IN (0, 1)),
    customer_id          TEXT NOT NULL DEFAULT '',
    note                 TEXT NOT NULL DEFAULT '',
    observed_at          BIGINT NOT NULL,       -- when the provider's state applied here was read
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (kind, ref)
);
CREATE INDEX user_subscriptions_user ON user_subscriptions (user_id, id);
CREATE INDEX user_subscriptions_status ON user_subscriptions (status);

CREATE TABLE member_channels (
    user_id      BIGINT PRIMARY KEY,
    resource_key TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('open', 'archived')),
    updated_at   BIGINT NOT NULL
);

CREATE TABLE assistant_usage (
    user_id BIGINT NOT NULL,
    day     TEXT NOT NULL,                     -- local day, or a UTC minute for the rate window
    kind    TEXT NOT NULL,
    used    INTEGER NOT NULL CHECK (used >= 0),
    PRIMARY KEY (user_id, day, kind)
);

CREATE TABLE assistant_turns (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX assistant_turns_user ON assistant_turns (user_id, id);

CREATE TABLE promotions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    code              TEXT NOT NULL UNIQUE,
    percent_off       INTEGER NOT NULL CHECK (percent_off BETWEEN 1 AND 100),
    plan              TEXT NOT NULL,
    expires_at        BIGINT NOT NULL,
    coupon_id         TEXT NOT NULL,
    promotion_code_id TEXT NOT NULL,
    created_by        BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    uses              INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX promotions_plan ON promotions (plan, expires_at);
