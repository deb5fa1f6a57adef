#pragma once
#include "commands/engine.hpp"
#include "core/time_zone.hpp"
#include "domain/marketing/commission_service.hpp"
#include "domain/marketing/invite_service.hpp"
#include "domain/marketing/marketing_service.hpp"

namespace maxis::commands {

/// Declares the marketing commands, each calling one service method. Everyone: marketing (where the member stands
/// for each role: held, applied, progress such as "7/10 invitations validées"), marketing_apply (role, followers,
/// links, portfolio, message: the form Discord shows as a modal), invites and invites_top (7d, 30d, all), referral
/// (code, link, members attributed, balance), referral_use and commissions (the member's own monthly statement).
/// Staff: marketing_applications, marketing_approve, marketing_reject, marketing_revoke, marketing_event,
/// marketing_help_discount, invites_bonus, marketing_reward, commission_payout and commissions_of. Amounts in the
/// community's currency as the reader's locale writes them, people by mention, dates in zone. A marketer is never
/// shown who bought.
void RegisterMarketingCommands(Engine& engine, marketing::MarketingService& roles, marketing::InviteService& invites,
                               marketing::CommissionService& commissions, const core::TimeZone& zone);

}  // namespace maxis::commands
