#include "storage/discord_store.hpp"

#include <soci/soci.h>

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
        tx.sql() << "INSERT INTO member_events (user_id, kind, at) VALUES (:u, :k, :t)", soci::use(uid), soci::use(kind),
            soci::use(t);
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
        tx.sql() << "SELECT discord_id FROM discord_resources WHERE idempotency_key = :k", soci::use(key), soci::into(id);
        if (!tx.sql().got_data()) return std::nullopt;
        return id;
    });
}

void SaveDiscordResource(Database& db, const std::string& key, const std::string& kind, const std::string& discord_id,
                         core::TimePoint at) {
    db.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long t = core::ToEpochMillis(at);
        tx.sql() << "INSERT INTO discord_resources (idempotency_key, kind, discord_id, created_at) VALUES (:k, :d, :i, :t) "
                    "ON CONFLICT DO NOTHING",
            soci::use(key), soci::use(kind), soci::use(discord_id), soci::use(t);
    });
}

}  // namespace maxis::storage
