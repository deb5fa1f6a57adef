#pragma once
#include "domain/giveaways/giveaway_stats.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// A giveaway's return rows in SQL, in one read transaction for the viewer (staff): the member log
/// (member_events), and for the people who joined in the window their shop payments (payments) and the plans
/// they bought (user_subscriptions, subscriptions and one-time purchases). Nothing is decided here.
class SqlRoiSource final : public giveaways::RoiSource {
public:
    explicit SqlRoiSource(Database& db) : db_(db) {}
    giveaways::RoiRows Rows(const core::Viewer& viewer, core::TimePoint from, core::TimePoint to) override;

private:
    Database& db_;
};

}  // namespace maxis::storage
