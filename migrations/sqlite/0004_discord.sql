-- Discord: the member join log, and resources Maxis created on Discord (private channels), recorded
-- under the outbox item's key so that a redelivered item never creates a second one.
CREATE TABLE member_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id  BIGINT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('join', 'leave')),
    at       BIGINT NOT NULL
);
CREATE INDEX member_events_at ON member_events (at);
CREATE INDEX member_events_user ON member_events (user_id, at);

CREATE TABLE discord_resources (
    idempotency_key TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    discord_id      TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
