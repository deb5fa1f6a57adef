-- Giveaways: manual ones (and, later, member-count milestones), their entries, their seed (secret until the end;
-- only SHA-256(seed) is public before) and their winners, round by round (0 = the draw, 1.. = rerolls).

CREATE TABLE giveaways (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    prize              TEXT NOT NULL,
    winners_count      INTEGER NOT NULL CHECK (winners_count >= 1),
    starts_at          BIGINT NOT NULL,
    ends_at            BIGINT NOT NULL,
    ended_at           BIGINT,                   -- when it was drawn or cancelled
    status             TEXT NOT NULL CHECK (status IN ('running', 'ended', 'cancelled')),
    seed_hash          TEXT NOT NULL,            -- hex SHA-256 of the seed, published at the start
    channel_id         BIGINT,                   -- the post (Enter and Leave buttons), once delivered
    message_id         BIGINT,
    posted_count       INTEGER NOT NULL DEFAULT -1, -- the entrant count the post last showed
    created_by         BIGINT NOT NULL,
    source             TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'milestone')),
    milestone          BIGINT UNIQUE,            -- the member count that started it: each fires once
    prize_cost_cents   BIGINT NOT NULL DEFAULT 0 CHECK (prize_cost_cents >= 0),
    min_account_age_s  BIGINT NOT NULL DEFAULT 0 CHECK (min_account_age_s >= 0),
    min_member_age_s   BIGINT NOT NULL DEFAULT 0 CHECK (min_member_age_s >= 0),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX giveaways_status ON giveaways (status, ends_at);

-- The seed in its own table: on PostgreSQL nobody reads it before the giveaway has ended, Maxis included.
CREATE TABLE giveaway_seeds (
    giveaway_id INTEGER PRIMARY KEY REFERENCES giveaways (id),
    seed        TEXT NOT NULL                     -- 64 hex characters (32 random bytes)
);

CREATE TABLE giveaway_entries (
    giveaway_id  INTEGER NOT NULL REFERENCES giveaways (id),
    user_id      BIGINT NOT NULL,
    entered_at   BIGINT NOT NULL,
    member_since BIGINT,                          -- when they joined the server, as Discord said at entry
    excluded     TEXT NOT NULL DEFAULT '',        -- set at the draw: why the entrant was left out (bot, left...)
    PRIMARY KEY (giveaway_id, user_id)
);

CREATE TABLE giveaway_winners (
    giveaway_id INTEGER NOT NULL REFERENCES giveaways (id),
    user_id     BIGINT NOT NULL,
    round       INTEGER NOT NULL CHECK (round >= 0),
    position    INTEGER NOT NULL CHECK (position >= 0),
    replaced    INTEGER NOT NULL DEFAULT 0 CHECK (replaced IN (0, 1)),
    drawn_at    BIGINT NOT NULL,
    PRIMARY KEY (giveaway_id, user_id)
);
