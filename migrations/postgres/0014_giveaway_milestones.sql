-- Milestone giveaways (PostgreSQL): what Maxis knows of the member count. One row: the count at the first
-- observation (the baseline: milestones at or below it never fire, so installing Maxis on a large server starts
-- nothing) and the highest count seen since. A milestone fires when the count first rises above the highest seen
-- and reaches it; its giveaway carries it in giveaways.milestone (UNIQUE), so each fires once, whatever the
-- instances.

SET LOCAL ROLE maxis_owner;

CREATE TABLE giveaway_milestone_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    baseline   BIGINT NOT NULL CHECK (baseline >= 0),
    highest    BIGINT NOT NULL CHECK (highest >= baseline),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

ALTER TABLE giveaway_milestone_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE giveaway_milestone_state FORCE ROW LEVEL SECURITY;

REVOKE DELETE ON giveaway_milestone_state FROM maxis_user;

-- Members (maxis_member): nothing (no grant). Staff read it; only Maxis itself (the system viewer) writes it, from
-- the gateway's member count. Never deleted.
CREATE POLICY giveaway_milestone_state_staff_read ON giveaway_milestone_state FOR SELECT TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY giveaway_milestone_state_system_insert ON giveaway_milestone_state FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
CREATE POLICY giveaway_milestone_state_system_update ON giveaway_milestone_state FOR UPDATE TO maxis_user
    USING ((SELECT maxis_viewer_role()) = 'system') WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
