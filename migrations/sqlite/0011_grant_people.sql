-- Plans: who granted a temporary plan and who ended a grant, kept as ids beside the granter's reason, and why
-- a grant ended as a code (term, unpaid, revoked, refunded, disputed) with the revoker's or dispute's reason.

ALTER TABLE user_subscriptions ADD COLUMN granted_by BIGINT;
ALTER TABLE user_subscriptions ADD COLUMN ended_by BIGINT;
ALTER TABLE user_subscriptions ADD COLUMN end_cause TEXT NOT NULL DEFAULT ''
    CHECK (end_cause IN ('', 'term', 'unpaid', 'revoked', 'refunded', 'disputed'));
ALTER TABLE user_subscriptions ADD COLUMN end_note TEXT NOT NULL DEFAULT '';
