#include "storage/discord_store.hpp"

#include <soci/soci.h>

#include "storage/sql_util.hpp"

namespace maxis::storage {

std::optional<std::string> UserLocale(Database& db, core::UserId id) {
    return db.Read(core::Viewer::System(), [&](Transaction& tx) -> std::optional<std::string> {
        std::string locale;
        long long uid = id.value;
        tx.sql() << "SELECT locale FROM users WHERE id = :id", soci::use(uid), soci::into(locale);
        if (!tx.sql().got_data()) return std::nullopt;
        return locale;
    });
}

void RecordMemberEvent(Database& db, core::UserId id, bool joined, core::TimePoint at) {
    db.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long uid = id.value, t = core::ToEpochMillis(at);
        std::string kind = joined ? "join" : "leave";
        tx.sql() << "INSERT INTO member_events (user_id, kind, at) VALUES (:u, :k, :t)", soci::use(uid),
            soci::use(kind), soci::use(t);
    });
}

MemberFlow MemberFlowSince(Database& db, core::TimePoint since) {
    return db.Read(core::Viewer::System(), [&](Transaction& tx) {
        MemberFlow flow;
        long long t = core::ToEpochMillis(since);
        tx.sql() << "SELECT COALESCE(SUM(CASE WHEN kind = 'join' THEN 1 ELSE 0 END), 0), "
                    "COALESCE(SUM(CASE WHEN kind = 'leave' THEN 1 ELSE 0 END), 0) FROM member_events WHERE at >= :t",
            soci::use(t), soci::into(flow.joins), soci::into(flow.leaves);
        return flow;
    });
}

std::optional<std::string> FindDiscordResource(Database& db, const std::string& key) {
    return db.Read(core::Viewer::System(), [&](Transaction& tx) -> std::optional<std::string> {
        std::string id;
        tx.sql() << "SELECT discord_id FROM discord_resources WHERE idempotency_key = :k", soci::use(key),
            soci::into(id);
        if (!tx.sql().got_data()) return std::nullopt;
        return id;
    });
}

void SaveDiscordResource(Database& db, const std::string& key, const std::string& kind, const std::string& discord_id,
                         core::TimePoint at) {
    db.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long t = core::ToEpochMillis(at);
        tx.sql()
            << "INSERT INTO discord_resources (idempotency_key, kind, discord_id, created_at) VALUES (:k, :d, :i, :t) "
               "ON CONFLICT DO NOTHING",
            soci::use(key), soci::use(kind), soci::use(discord_id), soci::use(t);
    });
}

void AdvanceChannelCursor(Database& db, const ChannelCursor& cursor, core::TimePoint at) {
    db.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long id = cursor.last_message_id, t = core::ToEpochMillis(at);
        tx.sql() << "INSERT INTO discord_channel_cursors (channel_id, guild_id, last_message_id, updated_at) "
                    "VALUES (:c, :g, :m, :t) ON CONFLICT (channel_id) DO UPDATE SET "
                    "last_message_id = CASE WHEN excluded.last_message_id > discord_channel_cursors.last_message_id "
                    "THEN excluded.last_message_id ELSE discord_channel_cursors.last_message_id END, "
                    "updated_at = excluded.updated_at",
            soci::use(cursor.channel_id), soci::use(cursor.guild_id), soci::use(id), soci::use(t);
    });
}

std::vector<ChannelCursor> RecentChannelCursors(Database& db, core::TimePoint since, int limit) {
    return db.Read(core::Viewer::System(), [&](Transaction& tx) {
        std::vector<ChannelCursor> out;
        long long t = core::ToEpochMillis(since);
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << "SELECT channel_id, guild_id, last_message_id FROM discord_channel_cursors "
                                 "WHERE updated_at >= :t ORDER BY updated_at DESC LIMIT :n",
             soci::use(t), soci::use(limit));
        for (const auto& r : rows) {
            out.push_back(ChannelCursor{RowText(r, 0), RowText(r, 1), RowInt(r, 2)});
        }
        return out;
    });
}

}  // namespace maxis::storage
