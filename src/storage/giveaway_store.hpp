#pragma once
#include "core/clock.hpp"
#include "domain/giveaways/giveaway_store.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// The giveaways in SQL (giveaways, giveaway_seeds, giveaway_entries, giveaway_winners), one transaction per call.
/// A member's store reads only their own entry while a giveaway runs and no winner before the end; nobody's store
/// reads a seed before the end. On PostgreSQL row-level security enforces the same underneath.
class SqlGiveawayRepository final : public giveaways::GiveawayRepository {
public:
    SqlGiveawayRepository(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
    void Write(const core::Viewer& viewer, const std::function<void(giveaways::GiveawayStore&)>& work) override;
    void Read(const core::Viewer& viewer, const std::function<void(giveaways::GiveawayStore&)>& work) override;

private:
    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
