#pragma once
#include <string>
#include <vector>

#include "commands/engine.hpp"
#include "core/time_zone.hpp"
#include "domain/plans/assistant.hpp"

namespace maxis::commands {

/// Declares the plans and assistant commands. Members: plans (the offers with subscribe buttons),
/// subscribe, subscription (status, renewal, today's usage, portal), portal, ask, imagine and forget.
/// Staff: promo (percent, plan, duration) and plan_grant (a plan until a date). Dates in zone.
void RegisterPlanCommands(Engine& engine, plans::PlanService& service, plans::Assistant& assistant,
                          const core::TimeZone& zone);

/// The assistant's reply to a member's message (a mention, a DM, or /ask), images included. Refusals
/// (quota, plan, length, rate) are private and say what to do next.
Reply AssistantReply(const Catalog& catalog, const std::string& locale, plans::Assistant& assistant, core::UserId user,
                     const std::string& text, const std::vector<std::string>& image_urls);

/// The reply to /imagine: the image, or a refusal that names its own reason (no provider, an empty or
/// over-long prompt, the plan, the quota, the rate, or a provider failure).
Reply ImagineReply(const Catalog& catalog, const std::string& locale, const plans::Answer& answer);

}  // namespace maxis::commands
