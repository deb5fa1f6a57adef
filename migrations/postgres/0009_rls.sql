-- Row-level security that holds against any SQL run inside a member's transaction (PostgreSQL).
--
-- 1. A viewer context that cannot be forged. Each pooled connection registers a random 32-byte key once, through
--    maxis_register_connection(), before its first transaction; the key lives in maxis_private, which the login
--    role cannot read. Each transaction then sets maxis.viewer to '<user id>:<role>:<HMAC-SHA256 of the two>'.
--    Policies read the viewer only through maxis_viewer_id() and maxis_viewer_role(), which return NULL unless the
--    MAC verifies with this connection's key. Rewriting maxis.viewer (or the old maxis.user_id / maxis.role,
--    which nothing reads any more) gives no viewer at all.
-- 2. Two request roles. maxis_member is what a member's transaction runs as: only the privileges members'
--    actions need, column by column. maxis_user is what staff and Maxis itself run as. maxis_login, the login
--    role, is NOINHERIT: outside those two roles (RESET ROLE) it reaches no table.
-- 3. Policies per operation on every table, outbox, jobs and app_state included; nothing is visible without a
--    verified viewer.
-- 4. No TEMP on this database and no CREATE on schema public for anyone but the owner, so a member's SQL cannot
--    shadow a table for the next transaction on a pooled connection; each transaction also fixes search_path.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'maxis_member') THEN
        CREATE ROLE maxis_member NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

DO $$
BEGIN
    IF (SELECT rolinherit FROM pg_roles WHERE rolname = 'maxis_login') THEN
        ALTER ROLE maxis_login NOINHERIT;
    END IF;
END
$$;
GRANT maxis_member TO maxis_login;
-- The key registration reads this backend's start time, which PostgreSQL shows only to the session's own role.
GRANT maxis_login TO maxis_owner;
GRANT USAGE ON SCHEMA public TO maxis_member, maxis_login;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM maxis_login, maxis_user, maxis_member', current_database());
END
$$;
-- Connections start with the same path each transaction sets, and temporary objects last in it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                   WHERE r.rolname = 'maxis_login' AND s.setdatabase = 0
                     AND 'search_path=public, pg_temp' = ANY (s.setconfig)) THEN
        ALTER ROLE maxis_login SET search_path = public, pg_temp;
    END IF;
END
$$;
-- Large objects have no row-level security: every member's transaction runs as one role, which would own them all.
-- Their functions belong to the superuser, so only a superuser running the migrations can take them away.
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        REVOKE EXECUTE ON FUNCTION lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea), lo_import(text),
            lo_import(text, oid) FROM PUBLIC;
    ELSE
        RAISE WARNING 'not a superuser: large objects stay creatable by every role (see docs/operations.md)';
    END IF;
END
$$;
-- The schema version is all the login role reads as itself (before any transaction, at start).
REVOKE ALL ON schema_migrations FROM maxis_user;
GRANT SELECT ON schema_migrations TO maxis_login;

CREATE SCHEMA maxis_private AUTHORIZATION maxis_owner;

SET LOCAL ROLE maxis_owner;

REVOKE ALL ON SCHEMA maxis_private FROM PUBLIC;

-- One row per connection that registered a key; the HMAC pads are kept, the key itself is not needed again.
CREATE TABLE maxis_private.connection_keys (
    pid           INTEGER PRIMARY KEY,
    backend_start TIMESTAMPTZ,
    k_ipad        BYTEA NOT NULL,
    k_opad        BYTEA NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE FUNCTION maxis_register_connection(key BYTEA) RETURNS VOID
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    started TIMESTAMPTZ;
    existing maxis_private.connection_keys%ROWTYPE;
    ipad BYTEA := ''::BYTEA;
    opad BYTEA := ''::BYTEA;
    b INTEGER;
BEGIN
    IF key IS NULL OR length(key) <> 32 THEN
        RAISE EXCEPTION 'a connection key is 32 bytes' USING ERRCODE = '22023';
    END IF;
    SELECT a.backend_start INTO started FROM pg_stat_get_activity(pg_backend_pid()) a;
    -- Keys of connections that are gone.
    DELETE FROM maxis_private.connection_keys k
        WHERE k.pid NOT IN (SELECT pg_stat_get_backend_pid(s) FROM pg_stat_get_backend_idset() s);
    SELECT * INTO existing FROM maxis_private.connection_keys WHERE pid = pg_backend_pid() FOR UPDATE;
    IF FOUND THEN
        -- The same process id on an earlier connection is stale; this connection's own key is never replaced.
        IF existing.backend_start IS NULL OR started IS NULL OR existing.backend_start = started THEN
            RAISE EXCEPTION 'this connection already has its viewer key' USING ERRCODE = '42501';
        END IF;
        DELETE FROM maxis_private.connection_keys WHERE pid = pg_backend_pid();
    END IF;
    FOR i IN 0..63 LOOP
        b := CASE WHEN i < 32 THEN get_byte(key, i) ELSE 0 END;
        ipad := ipad || set_byte('\x00'::BYTEA, 0, b # 54);
        opad := opad || set_byte('\x00'::BYTEA, 0, b # 92);
    END LOOP;
    INSERT INTO maxis_private.connection_keys (pid, backend_start, k_ipad, k_opad)
        VALUES (pg_backend_pid(), started, ipad, opad);
END
$$;
REVOKE ALL ON FUNCTION maxis_register_connection(BYTEA) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION maxis_register_connection(BYTEA) TO maxis_login;

-- The verifier: '<user id>:<role>' of the viewer this transaction was opened for, or NULL. The two MACs are
-- compared through their hashes, so the comparison's time says nothing about the expected value. (It returns a
-- scalar, which PL/pgSQL hands back several times faster than a composite; the two readers below split it.)
CREATE FUNCTION maxis_viewer() RETURNS TEXT
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    token TEXT := current_setting('maxis.viewer', true);
    claim TEXT;
    ipad BYTEA;
    opad BYTEA;
BEGIN
    IF token IS NULL OR token = '' THEN
        RETURN NULL;
    END IF;
    SELECT k.k_ipad, k.k_opad INTO ipad, opad FROM maxis_private.connection_keys k WHERE k.pid = pg_backend_pid();
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    claim := split_part(token, ':', 1) || ':' || split_part(token, ':', 2);
    IF sha256(convert_to(split_part(token, ':', 3), 'UTF8')) <> sha256(convert_to(encode(sha256(opad || sha256(
           ipad || convert_to('maxis-viewer-v1:' || claim, 'UTF8'))), 'hex'), 'UTF8')) THEN
        RETURN NULL;
    END IF;
    RETURN claim;
END
$$;

-- Written out in full, so that no search path can put another maxis_viewer() or split_part() in front.
CREATE FUNCTION maxis_viewer_id() RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT pg_catalog.split_part(public.maxis_viewer(), ':', 1)::pg_catalog.int8
$$;
CREATE FUNCTION maxis_viewer_role() RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT pg_catalog.split_part(public.maxis_viewer(), ':', 2)
$$;
REVOKE ALL ON FUNCTION maxis_viewer(), maxis_viewer_id(), maxis_viewer_role() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION maxis_viewer(), maxis_viewer_id(), maxis_viewer_role() TO maxis_member, maxis_user;

-- Every policy is rebuilt on the verified viewer.
DO $$
DECLARE
    p RECORD;
BEGIN
    FOR p IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'public' LOOP
        EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
    END LOOP;
END
$$;

-- The tables that had none.
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
ALTER TABLE app_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE app_state FORCE ROW LEVEL SECURITY;

-- ---------------------------------------------------------------------------------------------------------------
-- Members (maxis_member): their own rows, and only what their actions write.
-- ---------------------------------------------------------------------------------------------------------------

GRANT SELECT ON users TO maxis_member;
GRANT INSERT (id, display_name, locale, created_at) ON users TO maxis_member;
CREATE POLICY users_member_read ON users FOR SELECT TO maxis_member USING (id = (SELECT maxis_viewer_id()));
CREATE POLICY users_member_insert ON users FOR INSERT TO maxis_member
    WITH CHECK (id = (SELECT maxis_viewer_id()) AND NOT blocked);

GRANT SELECT ON products, promotions TO maxis_member;
CREATE POLICY products_read ON products FOR SELECT TO maxis_member, maxis_user
    USING ((SELECT maxis_viewer_role()) IS NOT NULL);
CREATE POLICY promotions_read ON promotions FOR SELECT TO maxis_member, maxis_user
    USING ((SELECT maxis_viewer_role()) IS NOT NULL);

-- A member opens a ticket, replies, closes and reopens it: these are the only columns those actions change.
GRANT SELECT ON tickets TO maxis_member;
GRANT INSERT (owner_id, subject, category, priority, status, created_at, updated_at, first_response_due,
              resolution_due) ON tickets TO maxis_member;
GRANT UPDATE (status, updated_at, closed_at, resolved_at, close_reason, paused_since, first_response_due,
              resolution_due, auto_close_warned_at) ON tickets TO maxis_member;
CREATE POLICY tickets_member_read ON tickets FOR SELECT TO maxis_member
    USING (owner_id = (SELECT maxis_viewer_id()));
CREATE POLICY tickets_member_insert ON tickets FOR INSERT TO maxis_member
    WITH CHECK (owner_id = (SELECT maxis_viewer_id()) AND status = 'open');
CREATE POLICY tickets_member_update ON tickets FOR UPDATE TO maxis_member
    USING (owner_id = (SELECT maxis_viewer_id()))
    WITH CHECK (owner_id = (SELECT maxis_viewer_id()) AND status IN ('waiting_staff', 'closed'));

GRANT SELECT ON ticket_messages TO maxis_member;
GRANT INSERT (ticket_id, owner_id, author_id, from_staff, internal, body, created_at) ON ticket_messages
    TO maxis_member;
CREATE POLICY ticket_messages_member_read ON ticket_messages FOR SELECT TO maxis_member
    USING (owner_id = (SELECT maxis_viewer_id()) AND internal = 0);
-- Into one of their own tickets that is not closed, as themselves, never as staff, never internal.
CREATE POLICY ticket_messages_member_insert ON ticket_messages FOR INSERT TO maxis_member
    WITH CHECK (owner_id = (SELECT maxis_viewer_id()) AND author_id = (SELECT maxis_viewer_id())
                AND from_staff = 0 AND internal = 0
                AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = ticket_messages.ticket_id
                                                      AND t.owner_id = (SELECT maxis_viewer_id())
                                                      AND t.status <> 'closed'));

-- Audit rows of their own actions on their own tickets; they read none.
GRANT INSERT (ticket_id, owner_id, actor_id, action, before, after, at) ON ticket_audit_log TO maxis_member;
CREATE POLICY ticket_audit_member_insert ON ticket_audit_log FOR INSERT TO maxis_member
    WITH CHECK (owner_id = (SELECT maxis_viewer_id()) AND actor_id = (SELECT maxis_viewer_id())
                AND action IN ('create', 'reply', 'close', 'reopen')
                AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = ticket_audit_log.ticket_id
                                                      AND t.owner_id = (SELECT maxis_viewer_id())));

-- A member's notices about their own tickets, to staff: exactly the two their actions queue, about that ticket, with
-- its real number, subject and priority, under the key the ticket service gives them (so a member cannot take the
-- key of an item Maxis will queue later), due at once.
GRANT INSERT (channel, payload, idempotency_key, next_attempt_at, created_at) ON outbox TO maxis_member;
CREATE POLICY outbox_member_insert ON outbox FOR INSERT TO maxis_member
    WITH CHECK (channel = 'notify.staff' AND next_attempt_at = created_at
                AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(payload::JSONB) f
                                WHERE f NOT IN ('key', 'params', 'ticket'))
                AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(payload::JSONB -> 'params') f
                                WHERE f NOT IN ('id', 'subject', 'priority'))
                AND EXISTS (SELECT 1 FROM tickets t
                            WHERE t.id::TEXT = (payload::JSONB ->> 'ticket')
                              AND t.owner_id = (SELECT maxis_viewer_id())
                              AND (payload::JSONB -> 'params' ->> 'id') = t.id::TEXT
                              AND (payload::JSONB -> 'params' ->> 'subject') = t.subject
                              AND coalesce(payload::JSONB -> 'params' ->> 'priority', t.priority) = t.priority
                              AND ((payload::JSONB ->> 'key') = 'tickets.notify.created'
                                   AND idempotency_key ~ ('^ticket:' || t.id || ':created:[0-9]+$')
                                OR (payload::JSONB ->> 'key') = 'tickets.notify.member_replied'
                                   AND idempotency_key ~ ('^ticket:' || t.id || ':member-reply:[0-9]+$'))));

GRANT SELECT, INSERT, DELETE ON carts TO maxis_member;
GRANT UPDATE (quantity) ON carts TO maxis_member;
CREATE POLICY carts_member ON carts TO maxis_member
    USING (user_id = (SELECT maxis_viewer_id())) WITH CHECK (user_id = (SELECT maxis_viewer_id()));

-- Read-only: their orders and everything about them, their grants, Ultra channel, usage and memory.
GRANT SELECT ON orders, order_items, order_events, payments, user_subscriptions, member_channels, assistant_usage,
                assistant_turns TO maxis_member;
DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_items', 'order_events', 'payments', 'user_subscriptions',
                             'member_channels', 'assistant_usage', 'assistant_turns'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO maxis_member USING (user_id = (SELECT maxis_viewer_id()))',
                       t || '_member_read', t);
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Staff and Maxis itself (maxis_user), by verified role. maxis_user has every DML privilege (the owner's default
-- privileges), so each table's policies are the whole rule.
-- ---------------------------------------------------------------------------------------------------------------

DO $$
DECLARE
    staff CONSTANT TEXT := '(SELECT maxis_viewer_role()) IN (''staff'', ''admin'', ''operator'', ''system'')';
    admin CONSTANT TEXT := '(SELECT maxis_viewer_role()) IN (''admin'', ''operator'', ''system'')';
    ops CONSTANT TEXT := '(SELECT maxis_viewer_role()) IN (''operator'', ''system'')';
    sys CONSTANT TEXT := '(SELECT maxis_viewer_role()) = ''system''';
    staff_read CONSTANT TEXT := '(SELECT maxis_viewer_role()) IN (''staff'', ''admin'', ''operator'')';
    t TEXT;
BEGIN
    -- Everything, for staff and Maxis.
    FOREACH t IN ARRAY ARRAY['users', 'products', 'tickets', 'ticket_messages', 'ticket_audit_log', 'carts', 'orders',
                             'order_items', 'order_events', 'payments', 'user_subscriptions', 'member_channels',
                             'assistant_usage', 'assistant_turns', 'promotions'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO maxis_user USING (%s) WITH CHECK (%s)', t || '_staff', t, staff,
                       staff);
    END LOOP;
    -- Maxis's own bookkeeping and secrets of the REST API.
    FOREACH t IN ARRAY ARRAY['api_tokens', 'discord_resources', 'order_counters', 'stripe_events'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO maxis_user USING (%s) WITH CHECK (%s)', t || '_system', t, admin,
                       admin);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['jobs', 'outbox', 'discord_channel_cursors'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO maxis_user USING (%s) WITH CHECK (%s)', t || '_system', t, ops, ops);
    END LOOP;
    -- The panel's sessions, login states and links, second factors, counters, audit log and settings.
    FOREACH t IN ARRAY ARRAY['app_state', 'sessions', 'login_states', 'login_links', 'staff_totp', 'recovery_codes',
                             'rate_limits', 'audit_log', 'settings'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO maxis_user USING (%s) WITH CHECK (%s)', t || '_system', t, sys, sys);
    END LOOP;
    EXECUTE format('CREATE POLICY audit_log_staff_read ON audit_log FOR SELECT TO maxis_user USING (%s)', staff_read);
    EXECUTE format('CREATE POLICY settings_staff_read ON settings FOR SELECT TO maxis_user USING (%s)', staff_read);
    -- Staff actions queue notices in the same transaction (a reply tells the member).
    EXECUTE format('CREATE POLICY outbox_staff_insert ON outbox FOR INSERT TO maxis_user WITH CHECK (%s)', staff);
    -- The member join log: written by Maxis, read by staff.
    EXECUTE format('CREATE POLICY member_events_staff_read ON member_events FOR SELECT TO maxis_user USING (%s)',
                   staff);
    EXECUTE format('CREATE POLICY member_events_system_write ON member_events FOR INSERT TO maxis_user '
                   'WITH CHECK (%s)', sys);
END
$$;
