#pragma once

namespace maxis::marketing {
class InviteService;
class MarketingService;
}  // namespace maxis::marketing

namespace maxis::app {

class DiscordRuntime;

/// Connects marketing to Discord (before DiscordRuntime::Start): each join, with the invite its use counts point to,
/// to InviteService::OnJoin; leaves to OnLeave; the guild's invites to SaveInvite/DeleteInvite; members' replies
/// (to whom, whether a bot) to MarketingService::OnHelpMessage, which keeps those in help channels.
void WireMarketingDiscord(DiscordRuntime& discord, marketing::InviteService& invites,
                          marketing::MarketingService& marketing);

}  // namespace maxis::app
