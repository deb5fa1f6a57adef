#pragma once
#include "core/clock.hpp"
#include "domain/coins/coin_store.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

class Transaction;

/// Coins in SQL (the ledger, balances, activity counters), one transaction per call. A member's transaction
/// reads only that member's rows; on PostgreSQL row-level security enforces the same, and members write none.
class SqlCoinRepository final : public coins::CoinRepository {
public:
    explicit SqlCoinRepository(Database& db) : db_(db) {}
    void Write(const core::Viewer& viewer, const std::function<void(coins::CoinStore&)>& work) override;
    void Read(const core::Viewer& viewer, const std::function<void(coins::CoinStore&)>& work) override;

private:
    Database& db_;
};

/// Writes one coin movement inside another feature's transaction (a coin-priced order pays with the member's
/// coins in the order's own transaction): the same statements as the coins' store.
coins::MoveResult MoveCoinsIn(Transaction& tx, const coins::Movement& movement, core::TimePoint now);

}  // namespace maxis::storage
