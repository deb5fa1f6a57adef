#pragma once
#include "core/clock.hpp"
#include "domain/marketing/marketing_store.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// Marketing in SQL (marketing_roles, user_marketing_roles, marketing_applications, marketing_activity, invites,
/// invite_joins, invite_bonuses, referral_codes, attributions, payer_identities, commissions, payouts), one
/// transaction per Write or Read. A member's store reads only their own rows (the joins they made or brought, their
/// attributions as member or referrer, their ledger) and never a commission's buyer (read as 0); on PostgreSQL
/// row-level security and the column grants enforce the same underneath. Inserts that must happen once (a sale's
/// commission, an activity's reference, a pending application) are conditional, never a failed statement. Counters
/// and leaderboards are SQL aggregates. Notices and outbox items are written in the same transaction. Every rule is
/// the marketing services'.
class SqlMarketingRepository final : public marketing::MarketingRepository {
public:
    SqlMarketingRepository(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
    void Write(const core::Viewer& viewer, const std::function<void(marketing::MarketingStore&)>& work) override;
    void Read(const core::Viewer& viewer, const std::function<void(marketing::MarketingStore&)>& work) override;

private:
    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
