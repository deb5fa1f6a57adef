-- The web admin panel: server-side sessions, single-use login states and links, TOTP second factors
-- with recovery codes, persistent rate-limit counters, the audit and security log, and runtime settings.

-- A session is known by the SHA-256 of its id; the id itself only travels sealed in the cookie.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      BIGINT,                       -- NULL before login
    role         TEXT CHECK (role IS NULL OR role IN ('staff', 'admin', 'operator')),
    stage        TEXT NOT NULL CHECK (stage IN ('anonymous', 'second_factor', 'enrol', 'active')),
    display_name TEXT NOT NULL DEFAULT '',
    avatar_url   TEXT NOT NULL DEFAULT '',
    csrf_token   TEXT NOT NULL,
    locale       TEXT NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,              -- the absolute limit
    ended_at     BIGINT,
    end_reason   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, ended_at);

-- OAuth2 'state' values with their PKCE verifier, bound to the pre-login session; used once.
CREATE TABLE login_states (
    state        TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);

-- One-time links printed by 'maxis admin login-link'; only a hash is kept.
CREATE TABLE login_links (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('staff', 'admin', 'operator')),
    name       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- The TOTP seed is sealed with AES-256-GCM (key id kept beside it); last_step makes each code single-use.
CREATE TABLE staff_totp (
    user_id     BIGINT PRIMARY KEY,
    secret      TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    enabled_at  BIGINT,                        -- NULL while enrolment is pending
    last_step   BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    user_id   BIGINT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- Fixed-window counters, shared by every instance that uses the same database.
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,             -- e.g. 'login:ip:127.0.0.1'
    window_start BIGINT NOT NULL,
    hits         INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      BIGINT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('security', 'audit')),
    actor   BIGINT,                            -- NULL when unknown (a refused login)
    action  TEXT NOT NULL,
    target  TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT '',
    ip      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_kind ON audit_log (kind, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);

-- Runtime-changeable configuration keys changed from the panel; they win over the file.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL
);
