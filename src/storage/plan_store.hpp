#pragma once
#include "core/clock.hpp"
#include "domain/plans/plan_store.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// Plans in SQL (grants, private channels, promotions, usage counters, conversation turns), one transaction
/// per call. A member's transaction reads only that member's rows; on PostgreSQL row-level security enforces
/// the same. Outbox items and notices are written in the same transaction; event ids go to stripe_events.
class SqlPlanRepository final : public plans::PlanRepository {
public:
    SqlPlanRepository(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
    void Write(const core::Viewer& viewer, const std::function<void(plans::PlanStore&)>& work) override;
    void Read(const core::Viewer& viewer, const std::function<void(plans::PlanStore&)>& work) override;

private:
    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
