-- The Winner grade (issue 19): each winner of a giveaway holds the Winner role (and the winners' plan, through a
-- temporary plan grant) until `until`; a recurring job ends it then. One grade per giveaway and member.

CREATE TABLE winner_grades (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    giveaway_id INTEGER NOT NULL REFERENCES giveaways (id),
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
