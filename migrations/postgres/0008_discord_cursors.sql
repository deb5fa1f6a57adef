-- Discord: per channel, the newest message Maxis has processed. After a new gateway session (not a
-- resume), the history after it is read again so that commands typed while Maxis had no session are
-- answered, once.
SET LOCAL ROLE maxis_owner;

CREATE TABLE discord_channel_cursors (
    channel_id      TEXT PRIMARY KEY,
    guild_id        TEXT NOT NULL DEFAULT '',  -- empty for a DM channel
    last_message_id BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX discord_channel_cursors_updated ON discord_channel_cursors (updated_at);

-- Maxis's own bookkeeping (the system viewer); members and staff see nothing of it.
ALTER TABLE discord_channel_cursors ENABLE ROW LEVEL SECURITY;
ALTER TABLE discord_channel_cursors FORCE ROW LEVEL SECURITY;
CREATE POLICY discord_channel_cursors_system ON discord_channel_cursors TO maxis_user
    USING (current_setting('maxis.role', true) IN ('operator', 'system'))
    WITH CHECK (current_setting('maxis.role', true) IN ('operator', 'system'));
