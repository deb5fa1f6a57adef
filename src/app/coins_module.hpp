#pragma once
#include <memory>

#include "app/module.hpp"
#include "domain/coins/coin_service.hpp"

namespace maxis::storage {
class SqlCoinRepository;
}

namespace maxis::app {

/// The coin economy ([coins]): the ledger and its service, the coin commands and REST routes, the panel's
/// earning settings, and chat activity counted from Discord's messages. Other features credit coins through
/// coins() (giveaway entries, validated invites). Nothing here buys or withdraws coins.
class CoinsModule final : public FeatureModule {
public:
    explicit CoinsModule(const Infrastructure& infra);
    ~CoinsModule() override;
    [[nodiscard]] std::string_view Name() const override { return "coins"; }
    void RegisterCommands(commands::Engine& engine) override;
    void AddSettings(std::vector<panel::RuntimeSetting>& settings) override;
    void Serve(Runtime& runtime) override;

    [[nodiscard]] coins::CoinService& coins() { return *coins_; }

private:
    const Infrastructure& infra_;
    std::unique_ptr<storage::SqlCoinRepository> repo_;
    std::unique_ptr<coins::CoinService> coins_;
};

/// The earning rules from [coins].
coins::CoinOptions CoinOptionsFrom(const CoinsConfig& c);

}  // namespace maxis::app
