-- Giveaways (PostgreSQL): manual ones (and, later, member-count milestones), their entries, their seed (secret
-- until the end; only SHA-256(seed) is public before) and their winners, round by round (0 = the draw, 1.. =
-- rerolls).

SET LOCAL ROLE maxis_owner;

CREATE TABLE giveaways (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

-- The seed in its own table, so that its policy can hide it from everyone, Maxis included, until the end.
CREATE TABLE giveaway_seeds (
    giveaway_id BIGINT PRIMARY KEY REFERENCES giveaways (id),
    seed        TEXT NOT NULL                     -- 64 hex characters (32 random bytes)
);

CREATE TABLE giveaway_entries (
    giveaway_id  BIGINT NOT NULL REFERENCES giveaways (id),
    user_id      BIGINT NOT NULL,
    entered_at   BIGINT NOT NULL,
    member_since BIGINT,                          -- when they joined the server, as Discord said at entry
    excluded     TEXT NOT NULL DEFAULT '',        -- set at the draw: why the entrant was left out (bot, left...)
    PRIMARY KEY (giveaway_id, user_id)
);

CREATE TABLE giveaway_winners (
    giveaway_id BIGINT NOT NULL REFERENCES giveaways (id),
    user_id     BIGINT NOT NULL,
    round       INTEGER NOT NULL CHECK (round >= 0),
    position    INTEGER NOT NULL CHECK (position >= 0),
    replaced    INTEGER NOT NULL DEFAULT 0 CHECK (replaced IN (0, 1)),
    drawn_at    BIGINT NOT NULL,
    PRIMARY KEY (giveaway_id, user_id)
);

ALTER TABLE giveaways ENABLE ROW LEVEL SECURITY;
ALTER TABLE giveaways FORCE ROW LEVEL SECURITY;
ALTER TABLE giveaway_seeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE giveaway_seeds FORCE ROW LEVEL SECURITY;
ALTER TABLE giveaway_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE giveaway_entries FORCE ROW LEVEL SECURITY;
ALTER TABLE giveaway_winners ENABLE ROW LEVEL SECURITY;
ALTER TABLE giveaway_winners FORCE ROW LEVEL SECURITY;

-- Members (maxis_member): every giveaway; their own entry, which they add or take back while the giveaway runs;
-- everyone's entries and the winners once it has ended; the seed once it has ended.
GRANT SELECT ON giveaways, giveaway_winners, giveaway_seeds TO maxis_member;
GRANT SELECT, DELETE ON giveaway_entries TO maxis_member;
GRANT INSERT (giveaway_id, user_id, entered_at, member_since) ON giveaway_entries TO maxis_member;
CREATE POLICY giveaways_member_read ON giveaways FOR SELECT TO maxis_member
    USING ((SELECT maxis_viewer_role()) IS NOT NULL);
CREATE POLICY giveaway_entries_member_read ON giveaway_entries FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id())
           OR EXISTS (SELECT 1 FROM giveaways g WHERE g.id = giveaway_id AND g.status = 'ended'));
CREATE POLICY giveaway_entries_member_insert ON giveaway_entries FOR INSERT TO maxis_member
    WITH CHECK (user_id = (SELECT maxis_viewer_id())
                AND EXISTS (SELECT 1 FROM giveaways g WHERE g.id = giveaway_id AND g.status = 'running'));
CREATE POLICY giveaway_entries_member_delete ON giveaway_entries FOR DELETE TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id())
           AND EXISTS (SELECT 1 FROM giveaways g WHERE g.id = giveaway_id AND g.status = 'running'));
CREATE POLICY giveaway_winners_member_read ON giveaway_winners FOR SELECT TO maxis_member
    USING (EXISTS (SELECT 1 FROM giveaways g WHERE g.id = giveaway_id AND g.status = 'ended'));

-- The seed, for every viewer (members, staff and Maxis alike): written once at the start, read only once the
-- giveaway has ended (the draw ends it first, in the same transaction, then reads it). Never changed or deleted.
CREATE POLICY giveaway_seeds_read ON giveaway_seeds FOR SELECT TO maxis_member, maxis_user
    USING (EXISTS (SELECT 1 FROM giveaways g WHERE g.id = giveaway_id AND g.status = 'ended'));
CREATE POLICY giveaway_seeds_insert ON giveaway_seeds FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));

-- Staff and Maxis itself (maxis_user): giveaways, entries and winners, each operation.
DO $$
DECLARE
    staff CONSTANT TEXT := '(SELECT maxis_viewer_role()) IN (''staff'', ''admin'', ''operator'', ''system'')';
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['giveaways', 'giveaway_entries', 'giveaway_winners'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO maxis_user USING (%s)', t || '_staff_read', t, staff);
        EXECUTE format('CREATE POLICY %I ON %I FOR INSERT TO maxis_user WITH CHECK (%s)', t || '_staff_insert', t,
                       staff);
        EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE TO maxis_user USING (%s) WITH CHECK (%s)',
                       t || '_staff_update', t, staff, staff);
        EXECUTE format('CREATE POLICY %I ON %I FOR DELETE TO maxis_user USING (%s)', t || '_staff_delete', t, staff);
    END LOOP;
END
$$;
