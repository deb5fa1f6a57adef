#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "core/viewer.hpp"
#include "domain/coins/coin_store.hpp"
#include "domain/coins/coins.hpp"

namespace maxis::coins {

struct CoinOptions {
    std::int64_t daily_amount = 10;  // what /daily gives once per local day (0: no daily claim)
    ActivityRules activity;
    int leaderboard_size = 10;
};

/// A movement's outcome: applied, or already made before under the same reference (nothing changed).
struct Outcome {
    bool applied = false;
    LedgerEntry entry;  // when applied
};

/// One page of a member's ledger, newest first; next_before is the cursor of the next page (0: none).
struct HistoryPage {
    std::vector<LedgerEntry> entries;
    std::int64_t balance = 0;
    long long next_before = 0;
};

struct DailyClaim {
    bool claimed = false;    // false: already claimed today, nothing changed
    LedgerEntry entry;       // when claimed
    core::TimePoint next{};  // the next local midnight, when the next claim opens
};

/// The coin economy's rules: coins are a ledger, never a bare counter, and a balance never goes below zero.
/// Coins are earned (activity, the daily claim, giveaway entries, validated invites) and spent in the shop;
/// nothing here buys or withdraws them for money. Errors carry "coins.*" catalog keys and change nothing.
class CoinService {
public:
    CoinService(CoinRepository& repo, const core::Clock& clock, const core::TimeZone& zone, CoinOptions options);

    /// The member's balance: their own for a member, anyone's for staff (another member: kNotFound).
    std::int64_t Balance(const core::Viewer& viewer, core::UserId member);
    /// The member's movements, newest first, page by page (before: a previous page's next_before, or 0).
    HistoryPage History(const core::Viewer& viewer, core::UserId member, long long before, int limit);
    /// Who earned most in the window (the week and the month in the community's time zone).
    std::vector<LeaderRow> Leaderboard(Period period);
    /// When the window starts (nullopt: all time), in the community's time zone.
    [[nodiscard]] std::optional<core::TimePoint> WindowStart(Period period, core::TimePoint now) const;

    /// The hook other features call: adds amount coins for a reason that earns (activity, daily, giveaway,
    /// invite). Idempotent by (member, reason, ref): the same ref twice credits once (applied false).
    Outcome Credit(core::UserId member, std::int64_t amount, CoinReason reason, std::string ref);
    /// Takes amount coins for a purchase; refused (coins.insufficient) when the balance does not cover it.
    /// Idempotent by ref like Credit.
    Outcome Spend(core::UserId member, std::int64_t amount, CoinReason reason, std::string ref);
    /// Staff give or take coins, with a reason kept in the ledger beside who did it. The member is told (a DM notice
    /// queued in the same transaction as the ledger row): the amount, the reason and who.
    LedgerEntry Give(const core::Viewer& staff, core::UserId member, std::int64_t amount, const std::string& why);
    LedgerEntry Take(const core::Viewer& staff, core::UserId member, std::int64_t amount, const std::string& why);
    /// The daily claim, once per local day in the community's time zone; claimed false (nothing changed) when
    /// the member claimed today already. coins.daily_off when the daily amount is 0.
    DailyClaim ClaimDaily(core::UserId member);
    /// A member's message on the community's server: earns the activity amount when the rules allow it
    /// (not a bot, not an excluded channel, long enough, past the cooldown, within the day's cap). The
    /// message id makes it count once. Returns the coins earned (0 or the amount).
    std::int64_t OnMessage(core::UserId author, bool is_bot, const std::string& channel_id, std::size_t length,
                           const std::string& message_id);
    /// What the member earned from activity today (local day).
    std::int64_t EarnedToday(core::UserId member);

    [[nodiscard]] ActivityRules activity() const;
    void SetActivity(ActivityRules rules);
    [[nodiscard]] std::int64_t daily_amount() const;
    void SetDailyAmount(std::int64_t amount);
    [[nodiscard]] const core::Clock& clock() const { return clock_; }

private:
    MoveResult Apply(const core::Viewer& viewer, const Movement& movement);
    /// The same, and `then` runs in the same transaction once the movement is written (kDone only).
    MoveResult Apply(const core::Viewer& viewer, const Movement& movement,
                     const std::function<void(CoinStore&, const LedgerEntry&)>& then);
    void RequireReadable(const core::Viewer& viewer, core::UserId member) const;

    CoinRepository& repo_;
    const core::Clock& clock_;
    const core::TimeZone& zone_;
    mutable std::mutex mu_;  // guards options_ (changed from the panel while Maxis runs)
    CoinOptions options_;
};

/// Refuses an amount outside 1..kMaxAmount with coins.amount_invalid (kInvalidArgument).
void RequireAmount(std::int64_t amount);

}  // namespace maxis::coins
