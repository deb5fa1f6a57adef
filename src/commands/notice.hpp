#pragma once
#include <functional>
#include <string>

#include "commands/catalog.hpp"
#include "commands/reply.hpp"
#include "domain/scheduling/notice.hpp"

namespace maxis::commands {

/// A notice as the reader sees it, in their language: the catalog text with its parameters, amounts and
/// dates formatted for the locale, a "view" button for a ticket or an order, the notice's own action, and a
/// link button (an invoice, a parcel's tracking). Every transport that shows notices (Discord DMs and staff
/// posts, the console) renders them here.
/// person shows the notice's people; without it they appear as Discord mentions (`<@id>`), which Discord
/// renders as names.
using PersonLabel = std::function<std::string(core::UserId)>;
Reply NoticeReply(const scheduling::Notice& notice, const Catalog& catalog, const std::string& locale,
                  const PersonLabel& person = nullptr);

}  // namespace maxis::commands
