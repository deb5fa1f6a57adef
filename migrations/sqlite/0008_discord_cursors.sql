-- Discord: per channel, the newest message Maxis has processed. After a new gateway session (not a
-- resume), the history after it is read again so that commands typed while Maxis had no session are
-- answered, once.
CREATE TABLE discord_channel_cursors (
    channel_id      TEXT PRIMARY KEY,
    guild_id        TEXT NOT NULL DEFAULT '',  -- empty for a DM channel
    last_message_id BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX discord_channel_cursors_updated ON discord_channel_cursors (updated_at);
