#pragma once
#include <vector>

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

/// A temporary grant whose note is in the format written before migration 0011, and what it splits into.
struct OldGrantNoteRow {
    long long id = 0;
    core::UserId user;
    std::string note;  // as stored
    plans::OldGrantNote split;
};

/// `maxis admin grant-notes`: the temporary grants whose note still holds who granted or ended them as text
/// (plans::ParseOldGrantNote) and whose columns for it are empty; with apply, each is split into its columns in
/// one transaction (a row changed meanwhile is left alone). Other notes are never touched.
std::vector<OldGrantNoteRow> FixOldGrantNotes(Database& db, bool apply);

}  // namespace maxis::storage
