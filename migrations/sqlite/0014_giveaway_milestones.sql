-- Milestone giveaways: what Maxis knows of the member count. One row: the count at the first observation (the
-- baseline: milestones at or below it never fire, so installing Maxis on a large server starts nothing) and the
-- highest count seen since. A milestone fires when the count first rises above the highest seen and reaches it;
-- its giveaway carries it in giveaways.milestone (UNIQUE), so each fires once, whatever the instances.

CREATE TABLE giveaway_milestone_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    baseline   BIGINT NOT NULL CHECK (baseline >= 0),
    highest    BIGINT NOT NULL CHECK (highest >= baseline),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
