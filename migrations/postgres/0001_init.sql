-- Maxis schema, version 1 (PostgreSQL). Times are epoch milliseconds (UTC); money is integer minor units.
--
-- Roles (cluster-wide, created once):
--   maxis_owner  owns every object; migrations run as it (the runner must be allowed to SET ROLE to it)
--   maxis_user   what every request runs as (SET LOCAL ROLE), without BYPASSRLS: policies always apply
--   maxis_login  the login role the service connects as; owns nothing, may only become maxis_user
-- Every later migration starts with SET LOCAL ROLE maxis_owner.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'maxis_owner') THEN
        CREATE ROLE maxis_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'maxis_user') THEN
        CREATE ROLE maxis_user NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'maxis_login') THEN
        CREATE ROLE maxis_login LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

GRANT maxis_user TO maxis_login;
GRANT maxis_owner TO CURRENT_USER;
GRANT USAGE, CREATE ON SCHEMA public TO maxis_owner;
GRANT USAGE ON SCHEMA public TO maxis_user;
GRANT SELECT ON schema_migrations TO maxis_user;

SET LOCAL ROLE maxis_owner;

ALTER DEFAULT PRIVILEGES FOR ROLE maxis_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO maxis_user;
ALTER DEFAULT PRIVILEGES FOR ROLE maxis_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO maxis_user;

CREATE TABLE users (
    id           BIGINT PRIMARY KEY,           -- Discord snowflake
    display_name TEXT NOT NULL DEFAULT '',
    locale       TEXT NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
    blocked      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL
);

-- A member reads and writes only their own row; staff (and Maxis itself) see all.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_member ON users TO maxis_user
    USING (id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT)
    WITH CHECK (id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY users_staff ON users TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

CREATE TABLE products (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description  TEXT NOT NULL DEFAULT '',
    image_url    TEXT,
    price_minor  BIGINT NOT NULL CHECK (price_minor >= 0),
    currency     TEXT NOT NULL DEFAULT 'EUR',
    stock        INTEGER CHECK (stock IS NULL OR stock >= 0),   -- NULL: unlimited
    category     TEXT NOT NULL DEFAULT 'general',
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    price_coins  BIGINT CHECK (price_coins IS NULL OR price_coins >= 0),
    created_at   BIGINT NOT NULL
);

-- The catalog is public to read; only staff change it.
ALTER TABLE products ENABLE ROW LEVEL SECURITY;
ALTER TABLE products FORCE ROW LEVEL SECURITY;
CREATE POLICY products_read ON products FOR SELECT TO maxis_user USING (true);
CREATE POLICY products_staff ON products TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

CREATE TABLE app_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    unique_key   TEXT UNIQUE,
    run_at       BIGINT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    locked_by    TEXT,
    locked_until BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_by       TEXT,
    locked_until    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
