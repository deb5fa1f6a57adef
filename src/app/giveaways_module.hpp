#pragma once
#include <iosfwd>
#include <memory>
#include <string>

#include "app/module.hpp"
#include "domain/giveaways/giveaway_service.hpp"
#include "domain/giveaways/giveaway_stats.hpp"

namespace maxis::commands {
class Catalog;
}
namespace maxis::members {
class MemberDirectory;
}
namespace maxis::storage {
class SqlGiveawayRepository;
class SqlRoiSource;
}  // namespace maxis::storage

namespace maxis::app {

/// Giveaways ([giveaways]): manual giveaways with a provably fair draw, their commands and REST routes, the sweep
/// that draws those whose end has come and refreshes the posts' entrant counts, and the post's deliverer (a
/// message with Enter and Leave buttons, edited as the giveaway goes) and the proof's (a message with the proof as a
/// JSON file once drawn). What Discord knows of an entrant (a bot, still in the server, when they joined) comes from
/// the member directory and the guild state. Each giveaway's return (`!giveaway_stats`, its REST route) is counted in
/// [plans] currency, plans at their catalog price.
class GiveawaysModule final : public FeatureModule {
public:
    GiveawaysModule(const Infrastructure& infra, members::MemberDirectory& directory);
    ~GiveawaysModule() override;
    [[nodiscard]] std::string_view Name() const override { return "giveaways"; }
    void RegisterCommands(commands::Engine& engine) override;
    void Serve(Runtime& runtime) override;

    [[nodiscard]] giveaways::GiveawayService& giveaways() { return *service_; }

private:
    class EntrantFacts;
    /// Where a giveaway's messages go: its own channel, else [giveaways] channel_id, else the staff channel.
    [[nodiscard]] std::string ChannelOf(const giveaways::GiveawayView& view) const;
    const Infrastructure& infra_;
    std::unique_ptr<EntrantFacts> facts_;
    std::unique_ptr<storage::SqlGiveawayRepository> repo_;
    std::unique_ptr<giveaways::GiveawayService> service_;
    std::unique_ptr<storage::SqlRoiSource> roi_;
    std::unique_ptr<giveaways::GiveawayStatsService> stats_;
    const commands::Catalog* catalog_ = nullptr;
};

/// `maxis giveaway verify FILE`: recomputes a published proof (GET /api/v1/giveaways/{id}/proof) and says whether
/// it matches. Returns 0 when it does, 1 when it does not, 2 when the file cannot be read as a proof.
int VerifyGiveawayProof(const std::string& path, std::ostream& out);

}  // namespace maxis::app
