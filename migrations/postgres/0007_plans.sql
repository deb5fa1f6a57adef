-- Plans (PostgreSQL): members' grants (Stripe subscriptions, one-time Founder purchases, temporary grants), Ultra's
-- private channels, the assistant's usage counters and short memory, and promotions.

SET LOCAL ROLE maxis_owner;

CREATE TABLE user_subscriptions (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX assistant_turns_user ON assistant_turns (user_id, id);

CREATE TABLE promotions (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

-- A member reads their own grants, channel, usage and memory; Maxis itself (webhooks, the assistant, jobs)
-- and staff see and change everything. Promotions are public once announced.

ALTER TABLE user_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY user_subscriptions_member_read ON user_subscriptions FOR SELECT TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY user_subscriptions_staff ON user_subscriptions TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE member_channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_channels FORCE ROW LEVEL SECURITY;
CREATE POLICY member_channels_member_read ON member_channels FOR SELECT TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY member_channels_staff ON member_channels TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE assistant_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE assistant_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY assistant_usage_member_read ON assistant_usage FOR SELECT TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY assistant_usage_staff ON assistant_usage TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE assistant_turns ENABLE ROW LEVEL SECURITY;
ALTER TABLE assistant_turns FORCE ROW LEVEL SECURITY;
CREATE POLICY assistant_turns_member_read ON assistant_turns FOR SELECT TO maxis_user
    USING (user_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY assistant_turns_staff ON assistant_turns TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE promotions ENABLE ROW LEVEL SECURITY;
ALTER TABLE promotions FORCE ROW LEVEL SECURITY;
CREATE POLICY promotions_read ON promotions FOR SELECT TO maxis_user USING (true);
CREATE POLICY promotions_staff ON promotions TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));
