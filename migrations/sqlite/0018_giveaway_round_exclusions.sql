-- Giveaways: who was left out of each later round (a reroll or a replacement) and why. Eligibility is checked
-- again at every round, as at the draw; round 0's exclusions stay in giveaway_entries.excluded.

CREATE TABLE giveaway_round_exclusions (
    giveaway_id INTEGER NOT NULL REFERENCES giveaways (id),
    round       INTEGER NOT NULL CHECK (round >= 1),
    user_id     BIGINT NOT NULL,
    reason      TEXT NOT NULL,                    -- bot, left, account_age, member_age
    PRIMARY KEY (giveaway_id, round, user_id)
);
