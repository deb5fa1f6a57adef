-- Marketing (issue 21, PostgreSQL): the seven roles' configuration, who holds which and their applications, the
-- activity that qualifies for a role (help messages, events), invites and the joins they brought, staff's invite
-- bonuses, referral codes, attributions, the payers' identities seen (self-referral), the commission ledger and the
-- payouts staff record. Instants are epoch milliseconds; money is in minor units with its currency.
SET LOCAL ROLE maxis_owner;

-- Mirrored from [marketing] at start (the panel and the SQL joins read it).
CREATE TABLE marketing_roles (
    kind                   TEXT PRIMARY KEY CHECK (kind IN ('ambassador', 'influencer', 'creator', 'helper',
                                                            'event_host', 'beta_tester', 'partner')),
    enabled                INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    discord_role           TEXT NOT NULL DEFAULT '',
    reward                 TEXT NOT NULL CHECK (reward IN ('commission', 'monthly', 'per_piece', 'per_event',
                                                           'free_plan')),
    commission_percent     INTEGER NOT NULL DEFAULT 0 CHECK (commission_percent BETWEEN 0 AND 100),
    min_minor              BIGINT NOT NULL DEFAULT 0,
    max_minor              BIGINT NOT NULL DEFAULT 0,
    plan                   TEXT NOT NULL DEFAULT '',
    required_invites       INTEGER NOT NULL DEFAULT 0,
    required_followers     INTEGER NOT NULL DEFAULT 0,
    required_help_messages INTEGER NOT NULL DEFAULT 0,
    required_events        INTEGER NOT NULL DEFAULT 0,
    needs_links            INTEGER NOT NULL DEFAULT 0 CHECK (needs_links IN (0, 1)),
    needs_portfolio        INTEGER NOT NULL DEFAULT 0 CHECK (needs_portfolio IN (0, 1)),
    needs_description      INTEGER NOT NULL DEFAULT 0 CHECK (needs_description IN (0, 1))
);

-- One row per member and role, active or revoked (a re-approval reactivates it).
CREATE TABLE user_marketing_roles (
    user_id        BIGINT NOT NULL,
    role           TEXT NOT NULL,
    granted_at     BIGINT NOT NULL,
    granted_by     BIGINT NOT NULL DEFAULT 0,
    revoked_at     BIGINT,
    revoked_by     BIGINT NOT NULL DEFAULT 0,
    revoke_reason  TEXT NOT NULL DEFAULT '',
    plan_grant     BIGINT,                          -- beta tester: the plan grant in force
    plan_renew_at  BIGINT,                          -- beta tester: when it is renewed next
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_marketing_roles_active ON user_marketing_roles (role, granted_at) WHERE revoked_at IS NULL;
CREATE INDEX user_marketing_roles_renewals ON user_marketing_roles (plan_renew_at)
    WHERE revoked_at IS NULL AND plan_renew_at IS NOT NULL;

CREATE TABLE marketing_applications (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL,
    role        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    followers   BIGINT NOT NULL DEFAULT 0 CHECK (followers >= 0),
    links       TEXT NOT NULL DEFAULT '',
    portfolio   TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT,
    decided_by  BIGINT NOT NULL DEFAULT 0,
    reason      TEXT NOT NULL DEFAULT ''
);
-- One pending application per member and role, whatever runs at once.
CREATE UNIQUE INDEX marketing_applications_pending ON marketing_applications (user_id, role) WHERE status = 'pending';
CREATE INDEX marketing_applications_status ON marketing_applications (status, id);
CREATE INDEX marketing_applications_user ON marketing_applications (user_id, id);

-- Help messages counted, events marked successful, and staff's corrections: a count is the sum of amounts.
CREATE TABLE marketing_activity (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id  BIGINT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('help_message', 'event')),
    amount   INTEGER NOT NULL CHECK (amount <> 0),
    ref      TEXT NOT NULL DEFAULT '',               -- the message id, the event's name: once per member
    note     TEXT NOT NULL DEFAULT '',
    by_user  BIGINT NOT NULL DEFAULT 0,
    at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX marketing_activity_ref ON marketing_activity (user_id, kind, ref) WHERE ref <> '';
CREATE INDEX marketing_activity_user ON marketing_activity (user_id, kind, at);

-- The guild's invites as Discord lists them (mirrored for the panel and restarts).
CREATE TABLE invites (
    code        TEXT PRIMARY KEY,
    inviter_id  BIGINT NOT NULL DEFAULT 0,
    channel_id  TEXT NOT NULL DEFAULT '',
    uses        INTEGER NOT NULL DEFAULT 0,
    max_uses    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
);
CREATE INDEX invites_live ON invites (uses DESC, code) WHERE deleted = 0;

CREATE TABLE invite_joins (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id     BIGINT NOT NULL,
    inviter_id    BIGINT NOT NULL DEFAULT 0,
    source        TEXT NOT NULL CHECK (source IN ('invite', 'vanity', 'unknown')),
    code          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('pending', 'validated', 'left_early', 'fake')),
    fake_reason   TEXT NOT NULL DEFAULT '',
    joined_at     BIGINT NOT NULL,
    validate_at   BIGINT NOT NULL,
    validated_at  BIGINT,
    left_at       BIGINT
);
CREATE INDEX invite_joins_member ON invite_joins (member_id, joined_at);
CREATE INDEX invite_joins_inviter ON invite_joins (inviter_id, joined_at) WHERE inviter_id <> 0;
CREATE INDEX invite_joins_due ON invite_joins (status, validate_at);

CREATE TABLE invite_bonuses (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inviter_id  BIGINT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount <> 0),
    reason      TEXT NOT NULL,
    by_user     BIGINT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX invite_bonuses_inviter ON invite_bonuses (inviter_id, at);
CREATE INDEX invite_bonuses_at ON invite_bonuses (at);

CREATE TABLE referral_codes (
    user_id            BIGINT PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    promotion_code_id  TEXT NOT NULL DEFAULT '',
    invite_code        TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL,
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE INDEX referral_codes_promotion ON referral_codes (promotion_code_id) WHERE promotion_code_id <> '';
CREATE INDEX referral_codes_invite ON referral_codes (invite_code) WHERE invite_code <> '';

CREATE TABLE attributions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id    BIGINT NOT NULL,
    referrer_id  BIGINT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('invite', 'code', 'promotion')),
    code         TEXT NOT NULL DEFAULT '',
    join_id      BIGINT REFERENCES invite_joins (id),
    starts_at    BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL
);
CREATE INDEX attributions_member ON attributions (member_id, starts_at);
CREATE INDEX attributions_referrer ON attributions (referrer_id, id);
CREATE INDEX attributions_join ON attributions (join_id) WHERE join_id IS NOT NULL;

-- The provider's customer and card fingerprints seen on a member's payments (self-referral).
CREATE TABLE payer_identities (
    user_id     BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('customer', 'card')),
    value       TEXT NOT NULL,
    first_seen  BIGINT NOT NULL,
    PRIMARY KEY (kind, value, user_id)
);

-- What the provider said of a payment's refunds and disputes, kept whether or not a commission exists yet (a refund
-- may arrive before the sale's event). refunded_minor only grows; the flags only go from 0 to 1.
CREATE TABLE payment_reversals (
    payment_ref     TEXT PRIMARY KEY,
    refunded_minor  BIGINT NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    fully_refunded  INTEGER NOT NULL DEFAULT 0 CHECK (fully_refunded IN (0, 1)),
    disputed        INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),
    at              BIGINT NOT NULL
);

CREATE TABLE payouts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    marketer_id   BIGINT NOT NULL,
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    currency      TEXT NOT NULL,
    reference     TEXT NOT NULL,
    created_by    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX payouts_marketer ON payouts (marketer_id, created_at);

-- The ledger: one row per commission, reward or clawback. A sale's commission exists once per payment.
CREATE TABLE commissions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    marketer_id     BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('sale', 'monthly', 'piece', 'event', 'clawback')),
    role            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'due', 'paid', 'reversed')),
    amount_minor    BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT '',
    payment_ref     TEXT NOT NULL DEFAULT '',
    buyer_id        BIGINT NOT NULL DEFAULT 0,      -- never readable by members (see the grants below)
    sale_minor      BIGINT NOT NULL DEFAULT 0,
    refunded_minor  BIGINT NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    percent         INTEGER NOT NULL DEFAULT 0,
    attribution_id  BIGINT REFERENCES attributions (id),
    note            TEXT NOT NULL DEFAULT '',
    created_by      BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    paid_at         BIGINT,
    payout_id       BIGINT REFERENCES payouts (id),
    reversed_at     BIGINT,
    clawback_of     BIGINT REFERENCES commissions (id)
);
CREATE UNIQUE INDEX commissions_sale ON commissions (payment_ref) WHERE kind = 'sale';
CREATE INDEX commissions_marketer ON commissions (marketer_id, created_at);
CREATE INDEX commissions_pending ON commissions (due_at, id) WHERE status = 'pending';
CREATE INDEX commissions_attribution ON commissions (attribution_id) WHERE attribution_id IS NOT NULL;

-- Nothing here is ever deleted, by anyone: the ledger and its history stay.
REVOKE DELETE ON marketing_roles, user_marketing_roles, marketing_applications, marketing_activity, invites,
    invite_joins, invite_bonuses, referral_codes, attributions, payer_identities, payment_reversals, payouts,
    commissions FROM maxis_user;

-- Staff and Maxis (the system viewer) read and write every table (the service decides who may do what); members
-- write nothing but their own pending applications, and read their own rows below.
DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['marketing_roles', 'user_marketing_roles', 'marketing_applications', 'marketing_activity',
                             'invites', 'invite_joins', 'invite_bonuses', 'referral_codes', 'attributions',
                             'payer_identities', 'payment_reversals', 'payouts', 'commissions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO maxis_user USING '
                       '((SELECT maxis_viewer_role()) IN (''staff'', ''admin'', ''operator'', ''system''))',
                       t || '_staff_read', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR INSERT TO maxis_user WITH CHECK '
                       '((SELECT maxis_viewer_role()) IN (''staff'', ''admin'', ''operator'', ''system''))',
                       t || '_staff_insert', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE TO maxis_user USING '
                       '((SELECT maxis_viewer_role()) IN (''staff'', ''admin'', ''operator'', ''system'')) WITH CHECK '
                       '((SELECT maxis_viewer_role()) IN (''staff'', ''admin'', ''operator'', ''system''))',
                       t || '_staff_update', t);
    END LOOP;
END
$$;

-- Members: the roles' configuration is public; their own roles, applications, activity, referral code, invites, the
-- joins they made or brought, their bonuses, their attributions (as member or referrer), payouts and commissions.
-- A marketer never learns who bought: buyer_id is left out of their column grant, so even SELECT * is refused.
GRANT SELECT ON marketing_roles, user_marketing_roles, marketing_applications, marketing_activity, invites,
    invite_joins, invite_bonuses, referral_codes, attributions, payouts TO maxis_member;
GRANT SELECT (id, marketer_id, kind, role, status, amount_minor, currency, source, payment_ref, sale_minor,
              refunded_minor, percent, attribution_id, note, created_by, created_at, due_at, paid_at, payout_id,
              reversed_at, clawback_of) ON commissions TO maxis_member;
CREATE POLICY marketing_roles_member_read ON marketing_roles FOR SELECT TO maxis_member
    USING ((SELECT maxis_viewer_role()) IS NOT NULL);
CREATE POLICY user_marketing_roles_member_read ON user_marketing_roles FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id()));
CREATE POLICY marketing_applications_member_read ON marketing_applications FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id()));
CREATE POLICY marketing_activity_member_read ON marketing_activity FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id()));
CREATE POLICY invites_member_read ON invites FOR SELECT TO maxis_member
    USING (inviter_id = (SELECT maxis_viewer_id()));
CREATE POLICY invite_joins_member_read ON invite_joins FOR SELECT TO maxis_member
    USING (member_id = (SELECT maxis_viewer_id()) OR inviter_id = (SELECT maxis_viewer_id()));
CREATE POLICY invite_bonuses_member_read ON invite_bonuses FOR SELECT TO maxis_member
    USING (inviter_id = (SELECT maxis_viewer_id()));
CREATE POLICY referral_codes_member_read ON referral_codes FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id()));
CREATE POLICY attributions_member_read ON attributions FOR SELECT TO maxis_member
    USING (member_id = (SELECT maxis_viewer_id()) OR referrer_id = (SELECT maxis_viewer_id()));
CREATE POLICY payouts_member_read ON payouts FOR SELECT TO maxis_member
    USING (marketer_id = (SELECT maxis_viewer_id()));
CREATE POLICY commissions_member_read ON commissions FOR SELECT TO maxis_member
    USING (marketer_id = (SELECT maxis_viewer_id()));

-- A member applies for a role themselves: only their own row, pending, undecided (the decision's columns are not
-- theirs to write).
GRANT INSERT (user_id, role, status, followers, links, portfolio, message, created_at) ON marketing_applications
    TO maxis_member;
CREATE POLICY marketing_applications_member_insert ON marketing_applications FOR INSERT TO maxis_member
    WITH CHECK (user_id = (SELECT maxis_viewer_id()) AND status = 'pending' AND decided_at IS NULL
                AND decided_by = 0 AND reason = '');
