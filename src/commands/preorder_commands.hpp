#pragma once
#include <optional>
#include <string_view>

#include "commands/engine.hpp"
#include "core/time_zone.hpp"
#include "domain/preorders/preorder_service.hpp"

namespace maxis::commands {

/// Declares the pre-order commands. Everyone: preorder (the open items, each with its tiers, prices, seats open,
/// the release as a countdown and a Buy button), preorder_buy (what the button runs: a payment link, or the new
/// price when the tier the member saw has just filled), preorder_cancel (after a moved release) and preorders_mine.
/// Staff: preorder_create, preorder_edit, preorder_tiers, preorder_seats, preorder_open, preorder_close,
/// preorder_cancel_item and preorder_buyers. Release dates are read and shown in zone.
void RegisterPreorderCommands(Engine& engine, preorders::PreorderService& service, const core::TimeZone& zone);

/// A release date as staff type it, in the community's local time: "2026-12-25 18:00", "2026-12-25T18:00",
/// "25/12/2026 18:00" or "25/12/2026 18h30"; a date alone is midnight. nullopt for anything else.
std::optional<core::LocalTime> ParseLocalDateTime(std::string_view text);

}  // namespace maxis::commands
