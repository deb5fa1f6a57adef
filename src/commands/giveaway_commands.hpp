#pragma once
#include <string>

#include "commands/engine.hpp"
#include "core/time_zone.hpp"
#include "domain/giveaways/giveaway_service.hpp"
#include "domain/giveaways/giveaway_stats.hpp"

namespace maxis::commands {

/// Declares the giveaway commands. Everyone: giveaway (the running giveaways with their Enter and Leave
/// buttons), giveaway_enter and giveaway_leave (what the buttons run). Staff: giveaway_start, giveaway_end,
/// giveaway_cancel, giveaway_list, giveaway_edit, giveaway_reroll and giveaway_replace. Dates in zone.
void RegisterGiveawayCommands(Engine& engine, giveaways::GiveawayService& service, const core::TimeZone& zone);

/// A giveaway's post as everyone sees it: the prize, the entrant count, the end as a Discord timestamp counting
/// down (and the date in zone), the published SHA-256 of the seed; Enter and Leave buttons while it runs, the
/// winners by mention once it has ended.
Reply GiveawayPost(const giveaways::GiveawayView& view, const Catalog& catalog, const std::string& locale,
                   const core::TimeZone& zone);

/// Staff: giveaway_stats <id>, a giveaway's return (prize cost, members gained, their revenue, "so far" while the
/// window is open), amounts in the giveaways' currency as the reader's locale writes them.
void RegisterGiveawayStatsCommands(Engine& engine, giveaways::GiveawayStatsService& stats,
                                   giveaways::GiveawayService& service, const core::TimeZone& zone);
/// The message that publishes a drawn giveaway's proof: attached (as `file`), or, when the file is over Discord's
/// upload limit, its size and `where` to get it instead.
Reply GiveawayProofMessage(const giveaways::GiveawayView& view, int round, const std::string& file, std::size_t bytes,
                           bool attached, const std::string& where, const Catalog& catalog, const std::string& locale);

}  // namespace maxis::commands
