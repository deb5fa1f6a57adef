-- Bearer tokens for the REST API, each tied to a user and a role. Only a SHA-256 hash is stored.
-- Looked up by Maxis itself (the system viewer) before any member context exists: no member policy.
SET LOCAL ROLE maxis_owner;

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('member', 'staff', 'admin', 'operator')),
    label        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY api_tokens_system ON api_tokens TO maxis_user
    USING (current_setting('maxis.role', true) IN ('admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('admin', 'operator', 'system'));
