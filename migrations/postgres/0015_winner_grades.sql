-- The Winner grade (issue 19, PostgreSQL): each winner of a giveaway holds the Winner role (and the winners' plan,
-- through a temporary plan grant) until `until`; a recurring job ends it then. One grade per giveaway and member.
SET LOCAL ROLE maxis_owner;

CREATE TABLE winner_grades (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    giveaway_id BIGINT NOT NULL REFERENCES giveaways (id),
    user_id     BIGINT NOT NULL,
    granted_at  BIGINT NOT NULL,
    until       BIGINT NOT NULL,
    ended_at    BIGINT,                          -- when it ended: its term passed, or its holder was replaced
    end_reason  TEXT NOT NULL DEFAULT '' CHECK (end_reason IN ('', 'expired', 'replaced')),
    plan_grant  BIGINT,                          -- the plan grant given with it (plan_grants.id), once given
    UNIQUE (giveaway_id, user_id)
);
CREATE INDEX winner_grades_user ON winner_grades (user_id);
CREATE INDEX winner_grades_due ON winner_grades (until) WHERE ended_at IS NULL;

ALTER TABLE winner_grades ENABLE ROW LEVEL SECURITY;
ALTER TABLE winner_grades FORCE ROW LEVEL SECURITY;

-- Members read their own grades and write none.
GRANT SELECT ON winner_grades TO maxis_member;
CREATE POLICY winner_grades_member_read ON winner_grades FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id()));

-- Staff read every grade; only Maxis (the system viewer) writes them. Nobody deletes one.
CREATE POLICY winner_grades_staff_read ON winner_grades FOR SELECT TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY winner_grades_system_insert ON winner_grades FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
CREATE POLICY winner_grades_system_update ON winner_grades FOR UPDATE TO maxis_user
    USING ((SELECT maxis_viewer_role()) = 'system')
    WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
