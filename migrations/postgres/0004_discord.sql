-- Discord: the member join log, and resources Maxis created on Discord (private channels), recorded
-- under the outbox item's key so that a redelivered item never creates a second one.
SET LOCAL ROLE maxis_owner;

CREATE TABLE member_events (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

-- Written by Maxis itself (the system viewer); read by staff. Members see neither.
ALTER TABLE member_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_events FORCE ROW LEVEL SECURITY;
CREATE POLICY member_events_staff_read ON member_events FOR SELECT TO maxis_user
    USING (current_setting('maxis.role', true) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY member_events_system_write ON member_events FOR INSERT TO maxis_user
    WITH CHECK (current_setting('maxis.role', true) = 'system');

ALTER TABLE discord_resources ENABLE ROW LEVEL SECURITY;
ALTER TABLE discord_resources FORCE ROW LEVEL SECURITY;
CREATE POLICY discord_resources_system ON discord_resources TO maxis_user
    USING (current_setting('maxis.role', true) IN ('admin', 'operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('admin', 'operator', 'system'));
