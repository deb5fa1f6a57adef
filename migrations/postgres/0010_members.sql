-- The member directory: each person's names, avatar and role as last seen on Discord (or in the console), so
-- that every surface can show people by name. Public inside the community; written only by Maxis.

SET LOCAL ROLE maxis_owner;

CREATE TABLE members (
    id           BIGINT PRIMARY KEY,               -- Discord snowflake
    username     TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',         -- server nickname, else global name, else username
    avatar_url   TEXT,                             -- full CDN URL: guild avatar, else user avatar
    role         TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'staff', 'admin', 'operator')),
    is_bot       INTEGER NOT NULL DEFAULT 0 CHECK (is_bot IN (0, 1)),
    in_guild     INTEGER NOT NULL DEFAULT 1 CHECK (in_guild IN (0, 1)),
    username_key TEXT NOT NULL DEFAULT '',         -- username, lower-cased and accent-folded
    name_key     TEXT NOT NULL DEFAULT '',         -- display name, lower-cased and accent-folded
    updated_at   BIGINT NOT NULL
);
-- text_pattern_ops: prefix searches (LIKE 'abc%') use the index whatever the database's collation.
CREATE INDEX members_username_key ON members (username_key text_pattern_ops);
CREATE INDEX members_name_key ON members (name_key text_pattern_ops);

ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;

-- Names are public inside the community: every verified viewer reads them. Only Maxis itself (the system viewer)
-- writes them: the role stored here decides who may be assigned a ticket, so no person's transaction, staff
-- included, may change it.
GRANT SELECT ON members TO maxis_member;
CREATE POLICY members_read ON members FOR SELECT TO maxis_member, maxis_user
    USING ((SELECT maxis_viewer_role()) IS NOT NULL);
CREATE POLICY members_write ON members FOR INSERT TO maxis_user
    WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
CREATE POLICY members_update ON members FOR UPDATE TO maxis_user
    USING ((SELECT maxis_viewer_role()) = 'system')
    WITH CHECK ((SELECT maxis_viewer_role()) = 'system');
