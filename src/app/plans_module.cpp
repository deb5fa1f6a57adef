#include "app/plans_module.hpp"

#include <spdlog/spdlog.h>

#include "app/discord_runtime.hpp"
#include "commands/plan_commands.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "http/api/plans_api.hpp"
#include "llm/openai_client.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/plan_store.hpp"
#include "stripe/billing.hpp"

namespace maxis::app {

plans::PlanCatalog CatalogFrom(const PlansConfig& c) {
    auto plan = [&c](const char* id, int rank, plans::Billing billing, const PlanConfig& p) {
        return plans::Plan{.id = id,
                           .rank = rank,
                           .billing = billing,
                           .price_id = p.price_id,
                           .price_minor = p.price_minor,
                           .currency = c.currency,
                           .role_id = p.role_id,
                           .entitlements = {.messages_per_day = p.messages_per_day,
                                            .image_input = p.image_input,
                                            .image_generation = p.image_generation,
                                            .images_per_day = p.images_per_day,
                                            .private_channel = p.private_channel,
                                            .priority_support = p.priority_support}};
    };
    auto founder = plan("founder", 1, plans::Billing::kOneTime, c.founder);
    // Founder's perks for life: another plan's entitlements (Pro by default).
    const PlanConfig& as = c.founder_entitlements == "ultra" ? c.ultra
                           : c.founder_entitlements == "pro" ? c.pro
                                                             : c.free;
    founder.entitlements = plan("founder", 1, plans::Billing::kOneTime, as).entitlements;
    return plans::PlanCatalog({plan("free", 0, plans::Billing::kFree, c.free), founder,
                               plan("pro", 2, plans::Billing::kMonthly, c.pro),
                               plan("ultra", 3, plans::Billing::kMonthly, c.ultra)});
}

namespace {

class PlanSlaPolicy final : public tickets::SlaPolicy {
public:
    explicit PlanSlaPolicy(plans::PlanService& plans) : plans_(plans) {}
    [[nodiscard]] tickets::SlaTargets For(core::UserId owner, const tickets::SlaTargets& base) const override {
        if (!plans_.StandingOf(owner).entitlements.priority_support) return base;
        auto out = base;
        for (auto* list : {&out.first_response, &out.resolution}) {
            for (auto& d : *list) d /= 2;
        }
        return out;
    }

private:
    plans::PlanService& plans_;
};

}  // namespace

PlansModule::PlansModule(const Infrastructure& infra) : infra_(infra) {
    const auto& pc = infra.config.plans;
    const auto& origin = infra.origin;
    catalog_ = std::make_unique<plans::PlanCatalog>(CatalogFrom(pc));
    repo_ = std::make_unique<storage::SqlPlanRepository>(infra.db, infra.clock);
    billing_ = std::make_unique<stripe::StripeBilling>(
        infra.stripe,
        stripe::BillingUrls{
            .success_url = pc.success_url.empty() ? origin + "/plans/success" : pc.success_url,
            .cancel_url = pc.cancel_url.empty() ? origin + "/plans/cancel" : pc.cancel_url,
            .portal_return_url = pc.portal_return_url.empty() ? origin + "/plans/success" : pc.portal_return_url});
    plans_ =
        std::make_unique<plans::PlanService>(*catalog_, *repo_, *billing_, infra.clock, infra.zone,
                                             plans::PlanOptions{.grace = pc.grace_period,
                                                                .announce_channel = pc.announce_channel_id,
                                                                .staff_role_ids = infra.config.discord.staff_role_ids,
                                                                .channel_parent_id = pc.private_channel_category_id,
                                                                .archive_parent_id = pc.archive_category_id});
    const auto& ac = infra.config.assistant;
    model_ =
        std::make_unique<llm::OpenAiClient>(llm::OpenAiOptions{.api_base = ac.api_base,
                                                               .api_key = infra.config.secrets.llm_api_key.Reveal(),
                                                               .model = ac.model,
                                                               .image_model = ac.image_model,
                                                               .image_size = ac.image_size,
                                                               .max_tokens = ac.max_answer_tokens,
                                                               .timeout = ac.timeout});
    assistant_ = std::make_unique<plans::Assistant>(*plans_, *repo_, *model_, infra.zone,
                                                    plans::AssistantOptions{.system_prompt = ac.system_prompt,
                                                                            .max_prompt_chars = ac.max_prompt_chars,
                                                                            .memory_turns = ac.memory_turns,
                                                                            .memory_ttl = ac.memory_ttl,
                                                                            .per_minute = ac.per_minute});
}

PlansModule::~PlansModule() = default;

std::shared_ptr<tickets::SlaPolicy> PlansModule::SlaPolicy() { return std::make_shared<PlanSlaPolicy>(*plans_); }

void PlansModule::RegisterCommands(commands::Engine& engine) {
    commands::RegisterPlanCommands(engine, *plans_, *assistant_, infra_.zone);
}

void PlansModule::Serve(Runtime& runtime) {
    http::AddPlanRoutes(runtime.router, *plans_, *assistant_, infra_.zone, runtime.api_viewer);
    if (!assistant_->configured()) {
        spdlog::info(
            "assistant: [assistant] api_base is not set; members are told the assistant is off and nothing is counted");
    }
    runtime.scheduler.Register("plans.sweep", [this](const scheduling::Job&) {
        if (int ended = plans_->Sweep(); ended > 0)
            spdlog::info("plans: {} plan(s) ended (grace period or term over)", ended);
        // Conversation turns and rate windows go after two days; daily usage stays a year for the dashboard.
        if (int purged = plans_->Purge(); purged > 0) {
            spdlog::debug("plans: purged {} old usage counter(s) and conversation turn(s)", purged);
        }
    });
    runtime.scheduler.AddRecurring("plans.sweep", "plans.sweep",
                                   *scheduling::Recurrence::Parse(infra_.config.plans.sweep_schedule));
    if (auto* discord = runtime.discord) {
        runtime.scheduler.Register("plans.reconcile", [discord](const scheduling::Job&) { discord->ReconcileRoles(); });
        runtime.scheduler.AddRecurring("plans.reconcile", "plans.reconcile",
                                       *scheduling::Recurrence::Parse(infra_.config.plans.reconcile_schedule));
    }
}

}  // namespace maxis::app
