-- The member directory: each person's names, avatar and role as last seen on Discord (or in the console), so
-- that every surface can show people by name. Public inside the community; written only by Maxis.

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
CREATE INDEX members_username_key ON members (username_key);
CREATE INDEX members_name_key ON members (name_key);
