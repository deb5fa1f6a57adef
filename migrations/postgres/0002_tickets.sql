-- Support tickets (PostgreSQL), with row-level security forced on all three tables: a member's
-- transaction sees only their own tickets and the non-internal messages on them, and can write audit
-- entries for their own tickets without reading any; staff (and Maxis itself) see everything.

SET LOCAL ROLE maxis_owner;

CREATE TABLE tickets (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id                BIGINT NOT NULL,
    subject                 TEXT NOT NULL,
    category                TEXT NOT NULL CHECK (category IN ('general', 'billing', 'technical', 'bug', 'account', 'suggestion')),
    priority                TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    status                  TEXT NOT NULL CHECK (status IN ('open', 'waiting_staff', 'waiting_member', 'resolved', 'closed')),
    assignee_id             BIGINT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    first_response_at       BIGINT,
    resolved_at             BIGINT,
    closed_at               BIGINT,
    close_reason            TEXT NOT NULL DEFAULT '',
    first_response_due      BIGINT NOT NULL,
    resolution_due          BIGINT NOT NULL,
    paused_since            BIGINT,
    first_response_breached INTEGER NOT NULL DEFAULT 0 CHECK (first_response_breached IN (0, 1)),
    resolution_breached     INTEGER NOT NULL DEFAULT 0 CHECK (resolution_breached IN (0, 1)),
    auto_close_warned_at    BIGINT
);
CREATE INDEX tickets_owner ON tickets (owner_id, id);
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, id);

CREATE TABLE ticket_messages (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    owner_id   BIGINT NOT NULL,
    author_id  BIGINT NOT NULL,
    from_staff INTEGER NOT NULL CHECK (from_staff IN (0, 1)),
    internal   INTEGER NOT NULL CHECK (internal IN (0, 1)),
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

CREATE TABLE ticket_audit_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    owner_id  BIGINT NOT NULL,
    actor_id  BIGINT NOT NULL,
    action    TEXT NOT NULL,
    before    TEXT NOT NULL DEFAULT '',
    after     TEXT NOT NULL DEFAULT '',
    at        BIGINT NOT NULL
);
CREATE INDEX ticket_audit_ticket ON ticket_audit_log (ticket_id, id);

ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE tickets FORCE ROW LEVEL SECURITY;
CREATE POLICY tickets_member ON tickets TO maxis_user
    USING (owner_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT)
    WITH CHECK (owner_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY tickets_staff ON tickets TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE ticket_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY ticket_messages_member ON ticket_messages TO maxis_user
    USING (owner_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT AND internal = 0)
    WITH CHECK (owner_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT AND internal = 0);
CREATE POLICY ticket_messages_staff ON ticket_messages TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));

ALTER TABLE ticket_audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY ticket_audit_member_insert ON ticket_audit_log FOR INSERT TO maxis_user
    WITH CHECK (owner_id = NULLIF(current_setting('maxis.user_id', true), '')::BIGINT);
CREATE POLICY ticket_audit_staff ON ticket_audit_log TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));
