#pragma once
#include <boost/json/object.hpp>
#include <string>

#include "commands/catalog.hpp"
#include "commands/reply.hpp"

namespace maxis::commands {

/// A notification written to the outbox ({"key", "params", "money", "ticket", "order", "link"}) as the
/// reader sees it, in their language: the catalog text with its parameters, amounts formatted for the
/// locale, a "view" button for a ticket or an order, and a link button (an invoice, a parcel's tracking).
/// Every transport that shows notices (Discord DMs and staff posts, the console) renders them here.
Reply NoticeReply(const boost::json::object& payload, const Catalog& catalog, const std::string& locale);

}  // namespace maxis::commands
