#include "app/marketing_discord.hpp"

#include <spdlog/spdlog.h>

#include "app/discord_runtime.hpp"
#include "core/strings.hpp"
#include "domain/marketing/invite_service.hpp"
#include "domain/marketing/marketing_service.hpp"

namespace maxis::app {

namespace {

core::UserId UserOf(const std::string& id) {
    auto n = core::ParseId(id);
    return n ? core::UserId{*n} : core::UserId{};
}

marketing::JoinSource SourceOf(discord::JoinVia via) {
    switch (via) {
        case discord::JoinVia::kInvite:
            return marketing::JoinSource::kInvite;
        case discord::JoinVia::kVanity:
            return marketing::JoinSource::kVanity;
        case discord::JoinVia::kUnknown:
            break;
    }
    return marketing::JoinSource::kUnknown;
}

}  // namespace

void WireMarketingDiscord(DiscordRuntime& discord, marketing::InviteService& invites,
                          marketing::MarketingService& marketing) {
    discord.OnInviteJoin([&invites](const discord::TrackedJoin& j) {
        auto join = invites.OnJoin(marketing::JoinFacts{.member = j.member,
                                                        .is_bot = j.is_bot,
                                                        .source = SourceOf(j.via),
                                                        .code = j.code,
                                                        .inviter = UserOf(j.inviter_id),
                                                        .at = j.at});
        spdlog::info("marketing: member {} joined ({}{}{}): {}{}", j.member.value, marketing::ToString(join.source),
                     j.code.empty() ? "" : " ", j.code, marketing::ToString(join.status),
                     join.fake_reason.empty() ? "" : " (" + join.fake_reason + ")");
    });
    discord.OnMemberLeft([&invites](core::UserId member, core::TimePoint at) { invites.OnLeave(member, at); });
    discord.OnInvite(
        [&invites](const discord::TrackedInvite& i) {
            invites.SaveInvite(marketing::Invite{.code = i.code,
                                                 .inviter = UserOf(i.inviter_id),
                                                 .channel_id = i.channel_id,
                                                 .uses = i.uses,
                                                 .max_uses = i.max_uses,
                                                 .created_at = i.created_at,
                                                 .expires_at = i.expires_at,
                                                 .deleted = false});
        },
        [&invites](const std::string& code) { invites.DeleteInvite(code); });
    discord.OnMemberReply([&marketing](const discord::MemberMessageInfo& m) {
        if (m.replied_to.value == 0) return;  // only replies to someone can be help
        static const core::SystemClock clock;
        marketing.OnHelpMessage(m.author, m.channel_id, m.message_id, m.replied_to, m.replied_to_bot,
                                static_cast<int>(m.length), clock.Now());
    });
}

}  // namespace maxis::app
