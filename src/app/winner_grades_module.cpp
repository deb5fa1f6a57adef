#include "app/winner_grades_module.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "app/discord_runtime.hpp"
#include "core/errors.hpp"
#include "domain/plans/plan_outbox.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "scheduler/outbox_worker.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/winner_grade_store.hpp"

namespace maxis::app {

/// The grade's perks over plans: the role as plans' role-change item, the plan as Maxis's temporary grant under a
/// stable reference ("giveaway-12-winner-<member>"), by which an earlier attempt's grant is found again; its reason
/// only says why, for people.
class WinnerGradesModule::PlanPerks final : public giveaways::WinnerPerks {
public:
    PlanPerks(plans::PlanService& plans, std::string plan) : plans_(plans), plan_(std::move(plan)) {}

    scheduling::NewOutboxItem RoleChange(core::UserId member, const std::string& role, bool add,
                                         const std::string& reason, std::string key) override {
        return plans::RoleItem(plans::RoleChange{.user = member, .role = role, .grant = add}, reason, std::move(key));
    }

    std::optional<long long> GrantPlan(core::UserId member, giveaways::GiveawayId giveaway,
                                       core::Millis duration) override {
        if (plan_.empty()) return std::nullopt;
        // Given by an earlier attempt that stopped before the grade recorded it: that grant, not a second one.
        return plans_
            .GrantTemporary(core::Viewer::System(), member, plan_, duration,
                            "giveaway #" + giveaway.ToString() + " winner", Ref(member, giveaway))
            .id;
    }

    std::optional<long long> GivenPlan(core::UserId member, giveaways::GiveawayId giveaway) override {
        auto ref = Ref(member, giveaway);
        for (const auto& g : plans_.StandingOf(member).grants) {
            if (g.kind == plans::GrantKind::kTemporary && g.ref == ref) return g.id;
        }
        return std::nullopt;
    }

    void EndPlan(core::UserId member, long long grant, giveaways::GiveawayId giveaway) override {
        try {
            plans_.RevokeTemporary(core::Viewer::System(), member, grant,
                                   "giveaway #" + giveaway.ToString() + ": replaced as winner");
        } catch (const core::Error& e) {
            if (e.key() != "plans.grant_over") throw;  // already over: nothing left to end
        }
    }

private:
    static std::string Ref(core::UserId member, giveaways::GiveawayId giveaway) {
        return "giveaway-" + giveaway.ToString() + "-winner-" + member.ToString();
    }

    plans::PlanService& plans_;
    std::string plan_;
};

WinnerGradesModule::WinnerGradesModule(const Infrastructure& infra, giveaways::GiveawayService& giveaways,
                                       plans::PlanService& plans)
    : infra_(infra), giveaways_(giveaways) {
    const auto& gc = infra.config.giveaways;
    perks_ = std::make_unique<PlanPerks>(plans, gc.winner_plan);
    repo_ = std::make_unique<storage::SqlWinnerGradeRepository>(infra.db, infra.clock);
    grades_ = std::make_unique<giveaways::WinnerGradeService>(
        *repo_, *perks_, infra.clock,
        giveaways::WinnerGradeOptions{.role_id = gc.winner_role_id,
                                      .duration = std::chrono::hours(24) * gc.winner_days});
}

WinnerGradesModule::~WinnerGradesModule() = default;

void WinnerGradesModule::Serve(Runtime& runtime) {
    // Written by the draw's transaction; delivered (and retried) until the grades match the current winners.
    runtime.outbox.Register(giveaways::kWinnersChannel, [this](const scheduling::OutboxItem& item) {
        auto payload = boost::json::parse(item.payload).as_object();
        giveaways::GiveawayId id{payload.at("giveaway").as_int64()};
        if (int given = grades_->CrownCurrent(id); given > 0) {
            spdlog::info("giveaways: {} Winner grade(s) given for giveaway #{}", given, id.value);
        }
        return scheduler::DeliveryOutcome{};
    });
    // A job missed while Maxis was down runs at the start: a grade ends even when its term passed during a stop.
    runtime.scheduler.Register("giveaways.grades", [this](const scheduling::Job&) {
        if (int ended = grades_->EndDue(); ended > 0) spdlog::info("giveaways: {} Winner grade(s) ended", ended);
    });
    runtime.scheduler.AddRecurring("giveaways.grades", "giveaways.grades",
                                   *scheduling::Recurrence::Parse(infra_.config.giveaways.sweep_schedule));
    if (auto* discord = runtime.discord) {
        discord->OnMemberJoined([this](core::UserId member) {
            if (grades_->RestoreRole(member) > 0) {
                spdlog::info("giveaways: member {} rejoined during a Winner grade; role given back", member.value);
            }
        });
    }
}

}  // namespace maxis::app
