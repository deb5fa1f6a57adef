#include "app/preorders_module.hpp"

#include <spdlog/spdlog.h>

#include "commands/preorder_commands.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "http/api/preorders_api.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/preorder_store.hpp"
#include "stripe/preorder_checkout.hpp"

namespace maxis::app {

namespace {

std::vector<int> Ints(const std::vector<long long>& values) { return {values.begin(), values.end()}; }

preorders::PreorderOptions OptionsFrom(const Config& config) {
    const auto& p = config.preorders;
    preorders::PreorderOptions o;
    o.per_member_limit = p.per_member_limit;
    o.hold = std::chrono::minutes(p.hold_minutes);
    o.release_grace = std::chrono::minutes(p.release_grace_minutes);
    o.proof_every = std::chrono::minutes(p.proof_every_minutes);
    o.announce_percent = Ints(p.announce_percent);
    o.announce_seats_left = Ints(p.announce_seats_left);
    o.reminders.clear();
    for (auto hours : p.reminder_hours) o.reminders.push_back(std::chrono::hours(hours));
    o.channel = p.channel;
    o.currency = config.plans.currency;
    return o;
}

}  // namespace

PreordersModule::PreordersModule(const Infrastructure& infra) : infra_(infra) {
    const auto& st = infra.config.stripe;
    repo_ = std::make_unique<storage::SqlPreorderRepository>(infra.db, infra.clock);
    // The shop's return URLs when staff set them; else pages that speak of pre-orders.
    checkout_ = std::make_unique<stripe::StripePreorderCheckout>(
        infra.stripe, stripe::CheckoutUrls{st.success_url.empty()
                                               ? infra.origin + "/preorders/success?session_id={CHECKOUT_SESSION_ID}"
                                               : st.success_url,
                                           st.cancel_url.empty() ? infra.origin + "/preorders/cancel" : st.cancel_url,
                                           ReferralCodesAtCheckout(infra.config)});
    service_ = std::make_unique<preorders::PreorderService>(*repo_, *checkout_, infra.clock, infra.zone,
                                                            OptionsFrom(infra.config));
}

PreordersModule::~PreordersModule() = default;

void PreordersModule::RegisterCommands(commands::Engine& engine) {
    if (!infra_.config.preorders.enabled) return;
    commands::RegisterPreorderCommands(engine, *service_, infra_.zone);
}

void PreordersModule::Sweep() {
    auto step = [](const char* what, const auto& run) {
        try {
            if (int done = run(); done > 0) spdlog::info("preorders: {}: {}", what, done);
        } catch (const std::exception& e) {
            spdlog::warn("preorders: {} failed (next run retries): {}", what, e.what());
        }
    };
    step("holds released", [this] { return service_->ReleaseExpiredHolds(); });
    step("refunds made", [this] { return service_->RefundDue(); });
    step("items released", [this] { return service_->ReleaseDue(); });
    step("reminders posted", [this] { return service_->RemindDue(); });
    step("social-proof posts", [this] { return service_->PostSocialProof(); });
}

void PreordersModule::Serve(Runtime& runtime) {
    if (infra_.config.preorders.enabled) {
        http::AddPreorderRoutes(runtime.router, *service_, runtime.api_viewer, infra_.names);
    }
    runtime.scheduler.Register("preorders.sweep", [this](const scheduling::Job&) { Sweep(); });
    runtime.scheduler.AddRecurring("preorders.sweep", "preorders.sweep",
                                   *scheduling::Recurrence::Parse(infra_.config.preorders.sweep_schedule));
}

}  // namespace maxis::app
