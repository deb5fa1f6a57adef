-- Support tickets (SQLite). Booleans are 0/1 integers, as on PostgreSQL for these tables, so that one
-- repository serves both engines.

CREATE TABLE tickets (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
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
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    owner_id   BIGINT NOT NULL,            -- the ticket's owner, for isolation
    author_id  BIGINT NOT NULL,
    from_staff INTEGER NOT NULL CHECK (from_staff IN (0, 1)),
    internal   INTEGER NOT NULL CHECK (internal IN (0, 1)),
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

CREATE TABLE ticket_audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    owner_id  BIGINT NOT NULL,
    actor_id  BIGINT NOT NULL,
    action    TEXT NOT NULL,
    before    TEXT NOT NULL DEFAULT '',
    after     TEXT NOT NULL DEFAULT '',
    at        BIGINT NOT NULL
);
CREATE INDEX ticket_audit_ticket ON ticket_audit_log (ticket_id, id);
