#include "storage/giveaway_roi_store.hpp"

#include <soci/soci.h>

#include "storage/sql_util.hpp"

namespace maxis::storage {

namespace {

// The people who joined in the window, for the money queries.
constexpr const char* kJoiners =
    "user_id IN (SELECT user_id FROM member_events WHERE kind = 'join' AND at >= :f2 AND at < :t2)";

}  // namespace

giveaways::RoiRows SqlRoiSource::Rows(const core::Viewer& viewer, core::TimePoint from, core::TimePoint to) {
    return db_.Read(viewer, [&](Transaction& tx) {
        giveaways::RoiRows out;
        long long f = core::ToEpochMillis(from), t = core::ToEpochMillis(to);
        soci::rowset<soci::row> events =
            (tx.sql().prepare
                 << "SELECT user_id, kind, at FROM member_events WHERE at >= :f AND at < :t ORDER BY at, id",
             soci::use(f), soci::use(t));
        for (const auto& row : events) {
            out.events.push_back(
                {core::UserId{RowInt(row, 0)}, RowText(row, 1) == "join", core::FromEpochMillis(RowInt(row, 2))});
        }
        soci::rowset<soci::row> payments =
            (tx.sql().prepare << std::string(
                                     "SELECT user_id, amount_minor, currency, at FROM payments WHERE at >= :f AND "
                                     "at < :t AND ") +
                                     kJoiners + " ORDER BY at, id",
             soci::use(f), soci::use(t), soci::use(f), soci::use(t));
        for (const auto& row : payments) {
            out.payments.push_back(
                {core::UserId{RowInt(row, 0)}, RowInt(row, 1), RowText(row, 2), core::FromEpochMillis(RowInt(row, 3))});
        }
        soci::rowset<soci::row> plans =
            (tx.sql().prepare << std::string("SELECT user_id, plan, status, created_at FROM user_subscriptions WHERE "
                                             "kind IN ('subscription', 'one_time') AND created_at >= :f AND "
                                             "created_at < :t AND ") +
                                     kJoiners + " ORDER BY created_at, id",
             soci::use(f), soci::use(t), soci::use(f), soci::use(t));
        for (const auto& row : plans) {
            out.plans.push_back({core::UserId{RowInt(row, 0)}, RowText(row, 1), RowText(row, 2) == "revoked",
                                 core::FromEpochMillis(RowInt(row, 3))});
        }
        return out;
    });
}

}  // namespace maxis::storage
