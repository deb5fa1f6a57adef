-- Pre-orders (issue 20, PostgreSQL): items sold before their release in tiers (the cheapest first, each with its
-- seats), the purchases (a seat held while the member pays on Stripe's page, then paid, fulfilled on the release
-- day, or released, or refunded), and the announcements made once each.
SET LOCAL ROLE maxis_owner;

CREATE TABLE preorder_items (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    image_url         TEXT NOT NULL DEFAULT '',
    price_minor       BIGINT NOT NULL CHECK (price_minor > 0),
    currency          TEXT NOT NULL,
    release_at        BIGINT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'released', 'cancelled')),
    per_member_limit  INTEGER NOT NULL CHECK (per_member_limit >= 1),
    delivery          TEXT NOT NULL DEFAULT '',   -- what buyers are told on the release day
    created_by        BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    opened_at         BIGINT,
    released_at       BIGINT,                     -- fulfilled or cancelled
    release_moves     INTEGER NOT NULL DEFAULT 0, -- how often the release moved after the first sale
    proof_cursor      BIGINT NOT NULL DEFAULT 0,  -- the last paid purchase a social-proof post summarised
    proof_posted_at   BIGINT
);
CREATE INDEX preorder_items_status ON preorder_items (status, release_at);

-- Tiers are sold in position order; sold + held never passes seats (NULL: no limit), whatever the concurrency: the
-- seat counters move only through conditional updates.
CREATE TABLE preorder_tiers (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id           BIGINT NOT NULL REFERENCES preorder_items (id),
    position          INTEGER NOT NULL CHECK (position >= 0),
    name              TEXT NOT NULL,
    discount_percent  INTEGER NOT NULL CHECK (discount_percent BETWEEN 0 AND 99),
    seats             INTEGER CHECK (seats IS NULL OR seats >= 1),
    sold              INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
    held              INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
    price_minor       BIGINT NOT NULL CHECK (price_minor > 0),
    CHECK (seats IS NULL OR sold + held <= seats),
    UNIQUE (item_id, position)
);

CREATE TABLE preorder_purchases (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id            BIGINT NOT NULL REFERENCES preorder_items (id),
    tier_id            BIGINT NOT NULL REFERENCES preorder_tiers (id),
    user_id            BIGINT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('held', 'paid', 'fulfilled', 'released', 'refunding', 'refunded')),
    price_minor        BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    session_id         TEXT NOT NULL DEFAULT '',
    payment_intent     TEXT NOT NULL DEFAULT '',
    held_until         BIGINT NOT NULL,
    named              INTEGER NOT NULL DEFAULT 0 CHECK (named IN (0, 1)),
    late               INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    refund_reason      TEXT NOT NULL DEFAULT '' CHECK (refund_reason IN ('', 'late_payment', 'member_cancelled',
                                                                          'item_cancelled', 'provider')),
    refund_id          TEXT NOT NULL DEFAULT '',
    release_moves_seen INTEGER NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    paid_at            BIGINT,
    fulfilled_at       BIGINT,
    refunded_at        BIGINT
);
CREATE INDEX preorder_purchases_item ON preorder_purchases (item_id, status, id);
CREATE INDEX preorder_purchases_user ON preorder_purchases (user_id, item_id);
CREATE UNIQUE INDEX preorder_purchases_session ON preorder_purchases (session_id) WHERE session_id <> '';
CREATE INDEX preorder_purchases_intent ON preorder_purchases (payment_intent) WHERE payment_intent <> '';
CREATE INDEX preorder_purchases_holds ON preorder_purchases (held_until) WHERE status = 'held';
CREATE INDEX preorder_purchases_refunds ON preorder_purchases (id) WHERE status = 'refunding';

-- Each announcement (the opening, a tier's thresholds, sold out, the reminders) is made once: its key is inserted in
-- the transaction that writes its post.
CREATE TABLE preorder_announcements (
    item_id   BIGINT NOT NULL REFERENCES preorder_items (id),
    announcement TEXT NOT NULL,
    at        BIGINT NOT NULL,
    PRIMARY KEY (item_id, announcement)
);

ALTER TABLE preorder_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE preorder_items FORCE ROW LEVEL SECURITY;
ALTER TABLE preorder_tiers ENABLE ROW LEVEL SECURITY;
ALTER TABLE preorder_tiers FORCE ROW LEVEL SECURITY;
ALTER TABLE preorder_purchases ENABLE ROW LEVEL SECURITY;
ALTER TABLE preorder_purchases FORCE ROW LEVEL SECURITY;
ALTER TABLE preorder_announcements ENABLE ROW LEVEL SECURITY;
ALTER TABLE preorder_announcements FORCE ROW LEVEL SECURITY;

-- Members (maxis_member) read the items once opened and their tiers, and their own purchases; they write nothing
-- (a purchase is written by Maxis, as the system viewer, in the checkout's transaction).
GRANT SELECT ON preorder_items, preorder_tiers, preorder_purchases TO maxis_member;
CREATE POLICY preorder_items_member_read ON preorder_items FOR SELECT TO maxis_member
    USING (status <> 'draft' AND (SELECT maxis_viewer_role()) IS NOT NULL);
CREATE POLICY preorder_tiers_member_read ON preorder_tiers FOR SELECT TO maxis_member
    USING (EXISTS (SELECT 1 FROM preorder_items i WHERE i.id = item_id AND i.status <> 'draft'));
CREATE POLICY preorder_purchases_member_read ON preorder_purchases FOR SELECT TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id()));

-- Staff read everything and write items and tiers; Maxis (the system viewer) writes everything, purchases only it
-- (staff's actions on purchases, such as cancelling an item, are checked by the service and written as Maxis).
-- Nobody deletes a purchase; tiers are deleted only when staff replace them before the first sale.
CREATE POLICY preorder_items_staff_read ON preorder_items FOR SELECT TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY preorder_items_staff_insert ON preorder_items FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY preorder_items_staff_update ON preorder_items FOR UPDATE TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY preorder_tiers_staff_read ON preorder_tiers FOR SELECT TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY preorder_tiers_staff_insert ON preorder_tiers FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY preorder_tiers_staff_update ON preorder_tiers FOR UPDATE TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'))
    WITH CHECK ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY preorder_tiers_staff_delete ON preorder_tiers FOR DELETE TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system') AND sold = 0 AND held = 0);
CREATE POLICY preorder_purchases_staff_read ON preorder_purchases FOR SELECT TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY preorder_purchases_system_insert ON preorder_purchases FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
CREATE POLICY preorder_purchases_system_update ON preorder_purchases FOR UPDATE TO maxis_user
    USING ((SELECT maxis_viewer_role()) = 'system')
    WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
CREATE POLICY preorder_announcements_staff ON preorder_announcements FOR SELECT TO maxis_user
    USING ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
CREATE POLICY preorder_announcements_insert ON preorder_announcements FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) IN ('staff', 'admin', 'operator', 'system'));
