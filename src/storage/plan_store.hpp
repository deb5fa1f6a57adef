#pragma once
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "domain/plans/plan_service.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

struct PlanStoreOptions {
    std::vector<std::string> staff_role_ids;  // who sees Ultra's private channels besides the member
    std::string channel_parent_id;            // category for private channels; empty: none
    std::string archive_parent_id;            // category they move to when the plan ends; empty: stay
};

/// Plans' persistence (see plans::PlanRepository). Standing changes write their consequences to the
/// outbox in the same transaction: "discord.role" grants and revokes, "discord.channel" creation and
/// "discord.channel_archive", and "notify.member" notices.
class PlanStore final : public plans::PlanRepository {
public:
    PlanStore(Database& db, const core::Clock& clock, const plans::PlanCatalog& catalog, const core::TimeZone& zone,
              PlanStoreOptions options = {})
        : db_(db), clock_(clock), catalog_(catalog), zone_(zone), options_(std::move(options)) {}

    plans::EventOutcome SyncSubscription(const plans::PlanEvent& event, const plans::SubscriptionState& state,
                                         core::TimePoint observed_at, const plans::SyncOptions& options) override;
    plans::EventOutcome OneTimePaid(const plans::PlanEvent& event, core::UserId user, const std::string& plan,
                                    const std::string& payment_ref, const std::string& customer,
                                    std::optional<long long> promotion) override;
    plans::EventOutcome OneTimeRevoked(const plans::PlanEvent& event, const std::string& payment_ref,
                                       const std::string& why) override;
    plans::EventOutcome Unhandled(const plans::PlanEvent& event) override;
    [[nodiscard]] bool OwnsPayment(const std::string& payment_ref) override;

    [[nodiscard]] std::vector<plans::Grant> Grants(core::UserId user) override;
    [[nodiscard]] std::optional<std::string> CustomerOf(core::UserId user) override;
    plans::Grant GrantTemporary(const core::Viewer& by, core::UserId user, const std::string& plan,
                                core::TimePoint until, const std::string& note) override;
    int Sweep(core::TimePoint now) override;
    [[nodiscard]] std::map<long long, std::set<std::string>> DesiredRoles(core::TimePoint now) override;
    int RestoreRoles(core::UserId user, core::TimePoint now) override;
    void QueueRoleChanges(const std::vector<plans::RoleChange>& changes, const std::string& key,
                          const std::string& reason) override;

    bool TryUse(core::UserId user, const std::string& day, const std::string& kind, int limit) override;
    void GiveBack(core::UserId user, const std::string& day, const std::string& kind) override;
    [[nodiscard]] int Used(core::UserId user, const std::string& day, const std::string& kind) override;

    void Remember(core::UserId user, const std::vector<plans::Turn>& turns, int keep) override;
    [[nodiscard]] std::vector<plans::Turn> Recall(core::UserId user, core::TimePoint since, int limit) override;
    void Forget(core::UserId user) override;

    plans::Promotion SavePromotion(const plans::Promotion& promotion, const std::string& announce_channel) override;
    [[nodiscard]] std::optional<plans::Promotion> ActivePromotion(const std::string& plan,
                                                                  core::TimePoint now) override;
    [[nodiscard]] std::vector<plans::Promotion> Promotions(int limit) override;

    [[nodiscard]] plans::Subscribers CountSubscribers(core::TimePoint now) override;
    [[nodiscard]] std::map<std::string, std::vector<int>> MembersAt(
        const std::vector<core::TimePoint>& moments) override;
    [[nodiscard]] std::vector<plans::DailyUsage> UsagePerDay(const std::string& since_day) override;

    /// Maintenance: deletes conversation turns and per-minute rate windows older than `before`, and daily
    /// usage counters of days before `usage_before` (kept longer, for the dashboard). Returns rows deleted.
    int Purge(core::TimePoint before, core::TimePoint usage_before);

private:
    Database& db_;
    const core::Clock& clock_;
    const plans::PlanCatalog& catalog_;
    const core::TimeZone& zone_;
    PlanStoreOptions options_;
};

}  // namespace maxis::storage
