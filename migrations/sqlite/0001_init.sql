-- Maxis schema, version 1 (SQLite). Times are epoch milliseconds (UTC); money is integer minor units.

CREATE TABLE users (
    id           BIGINT PRIMARY KEY,           -- Discord snowflake
    display_name TEXT NOT NULL DEFAULT '',
    locale       TEXT NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
    blocked      INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    created_at   BIGINT NOT NULL
);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description  TEXT NOT NULL DEFAULT '',
    image_url    TEXT,
    price_minor  BIGINT NOT NULL CHECK (price_minor >= 0),
    currency     TEXT NOT NULL DEFAULT 'EUR',
    stock        INTEGER CHECK (stock IS NULL OR stock >= 0),   -- NULL: unlimited
    category     TEXT NOT NULL DEFAULT 'general',
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    price_coins  BIGINT CHECK (price_coins IS NULL OR price_coins >= 0),
    created_at   BIGINT NOT NULL
);

-- Small facts about this installation (e.g. that the demo catalog was seeded once).
CREATE TABLE app_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    unique_key   TEXT UNIQUE,                  -- one live job per key (recurring schedules, debounced work)
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
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    channel         TEXT NOT NULL,             -- which deliverer handles it, e.g. 'discord.dm'
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
