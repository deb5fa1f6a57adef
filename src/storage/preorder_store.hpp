#pragma once
#include "core/clock.hpp"
#include "domain/preorders/preorder_store.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// The pre-orders in SQL (preorder_items, preorder_tiers, preorder_purchases, preorder_announcements, and the
/// provider's event ids in stripe_events, shared with the shop), one transaction per Write or Read. A member's store
/// reads only opened items, their tiers and the member's own purchases; on PostgreSQL row-level security enforces the
/// same underneath. Seat counters move only through conditional updates, so no tier passes its seats whatever the
/// concurrency. Notices become outbox rows in the same transaction. Every rule is preorders::PreorderService's.
class SqlPreorderRepository final : public preorders::PreorderRepository {
public:
    SqlPreorderRepository(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
    void Write(const core::Viewer& viewer, const std::function<void(preorders::PreorderStore&)>& work) override;
    void Read(const core::Viewer& viewer, const std::function<void(preorders::PreorderStore&)>& work) override;

private:
    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
