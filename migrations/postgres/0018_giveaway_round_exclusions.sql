-- Giveaways (PostgreSQL): who was left out of each later round (a reroll or a replacement) and why. Eligibility is
-- checked again at every round, as at the draw; round 0's exclusions stay in giveaway_entries.excluded.

SET LOCAL ROLE maxis_owner;

CREATE TABLE giveaway_round_exclusions (
    giveaway_id BIGINT NOT NULL REFERENCES giveaways (id),
    round       INTEGER NOT NULL CHECK (round >= 1),
    user_id     BIGINT NOT NULL,
    reason      TEXT NOT NULL,                    -- bot, left, account_age, member_age
    PRIMARY KEY (giveaway_id, round, user_id)
);

ALTER TABLE giveaway_round_exclusions ENABLE ROW LEVEL SECURITY;
ALTER TABLE giveaway_round_exclusions FORCE ROW LEVEL SECURITY;

-- Members read them once the giveaway has ended (they are part of the public proof), as the entries' exclusion
-- column; they never write them.
GRANT SELECT ON giveaway_round_exclusions TO maxis_member;
CREATE POLICY giveaway_round_exclusions_member_read ON giveaway_round_exclusions FOR SELECT TO maxis_member
    USING (EXISTS (SELECT 1 FROM giveaways g WHERE g.id = giveaway_id AND g.status = 'ended'));

-- Staff and Maxis itself (maxis_user): each operation.
DO $$
DECLARE
    staff CONSTANT TEXT := '(SELECT maxis_viewer_role()) IN (''staff'', ''admin'', ''operator'', ''system'')';
    t CONSTANT TEXT := 'giveaway_round_exclusions';
BEGIN
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO maxis_user USING (%s)', t || '_staff_read', t, staff);
    EXECUTE format('CREATE POLICY %I ON %I FOR INSERT TO maxis_user WITH CHECK (%s)', t || '_staff_insert', t, staff);
    EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE TO maxis_user USING (%s) WITH CHECK (%s)',
                   t || '_staff_update', t, staff, staff);
    EXECUTE format('CREATE POLICY %I ON %I FOR DELETE TO maxis_user USING (%s)', t || '_staff_delete', t, staff);
END
$$;
