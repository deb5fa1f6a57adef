-- Bearer tokens for the REST API, each tied to a user and a role. Only a SHA-256 hash is stored.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('member', 'staff', 'admin', 'operator')),
    label        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
