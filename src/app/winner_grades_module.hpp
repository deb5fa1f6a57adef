#pragma once
#include <memory>

#include "app/module.hpp"
#include "domain/giveaways/giveaway_service.hpp"
#include "domain/giveaways/winner_grade.hpp"
#include "domain/plans/plan_service.hpp"

namespace maxis::storage {
class SqlWinnerGradeRepository;
}

namespace maxis::app {

/// The Winner grade ([giveaways] winner_role_id, winner_plan, winner_days): the giveaways' winners get the Winner
/// role and a plan for a few days, both ending by themselves. It joins the two features here, so that neither
/// depends on the other: the draw's transaction writes a "giveaways.winners" outbox item, delivered here to
/// WinnerGradeService::CrownCurrent (the current winners read in the crowning's own transaction); the plan is
/// PlanService::GrantTemporary's, as Maxis, under a stable reference, and ends with that grant; the role goes
/// through plans' role-change items; a recurring job ends grades whose term passed; a member who rejoins during
/// their grade gets the role back.
class WinnerGradesModule final : public FeatureModule {
public:
    WinnerGradesModule(const Infrastructure& infra, giveaways::GiveawayService& giveaways, plans::PlanService& plans);
    ~WinnerGradesModule() override;
    [[nodiscard]] std::string_view Name() const override { return "winner_grades"; }
    void Serve(Runtime& runtime) override;

    [[nodiscard]] giveaways::WinnerGradeService& grades() { return *grades_; }

private:
    class PlanPerks;
    const Infrastructure& infra_;
    giveaways::GiveawayService& giveaways_;
    std::unique_ptr<PlanPerks> perks_;
    std::unique_ptr<storage::SqlWinnerGradeRepository> repo_;
    std::unique_ptr<giveaways::WinnerGradeService> grades_;
};

}  // namespace maxis::app
