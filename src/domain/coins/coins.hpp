#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace maxis::coins {

/// Why coins moved: a closed set (the database checks it too). Earnings are credits, spending and staff
/// takes are debits.
enum class CoinReason {
    kActivity,   // chat activity (ref: the message id)
    kDaily,      // the daily claim (ref: the local day)
    kGiveaway,   // entering a giveaway (ref: the giveaway)
    kInvite,     // a validated invite (ref: the invited member)
    kStaffGive,  // given by staff (note: why)
    kStaffTake,  // taken back by staff (note: why)
    kPurchase,   // a coin-priced product bought in the shop (ref: the order)
    kRefund,     // a coin-priced order refunded by staff: its coins back (ref: the order)
};

std::string_view ToString(CoinReason reason);
std::optional<CoinReason> ParseCoinReason(std::string_view text);
/// Whether the reason adds coins (true) or takes them (false).
bool IsCredit(CoinReason reason);

/// One row of the ledger: every movement, never a bare counter. amount is signed (debits are negative);
/// balance_after is the member's balance once this movement applied (never negative).
struct LedgerEntry {
    long long id = 0;
    core::UserId user{};
    std::int64_t amount = 0;
    CoinReason reason = CoinReason::kActivity;
    std::string ref;  // what makes a movement happen once (empty: not idempotent, e.g. staff gifts)
    std::int64_t balance_after = 0;
    core::UserId actor{};  // who moved them: staff for gifts and takes, 0 for Maxis itself
    std::string note;      // staff's reason
    core::TimePoint at{};
};

/// A movement to write.
struct Movement {
    core::UserId user{};
    std::int64_t amount = 0;  // > 0: the store adds or takes it according to the reason
    CoinReason reason = CoinReason::kActivity;
    std::string ref;
    core::UserId actor{};
    std::string note;
};

/// A leaderboard's window: this local week (from Monday 00:00), this local month, or all time.
enum class Period { kWeek, kMonth, kAll };
std::string_view ToString(Period period);
std::optional<Period> ParsePeriod(std::string_view text);

struct LeaderRow {
    core::UserId user{};
    std::int64_t earned = 0;  // coins earned in the window (credits; spending does not lower a rank)
};

/// Chat activity earning: amount per message, at most one earning message per cooldown, a cap per local
/// day, a minimum length (in characters), channels that never earn. amount 0 turns it off.
struct ActivityRules {
    std::int64_t per_message = 1;
    std::chrono::milliseconds cooldown{60'000};
    std::int64_t daily_cap = 100;
    int min_length = 5;
    std::vector<std::string> excluded_channels;
};

/// The largest amount one movement may carry (a typo's guard, and far from overflow).
inline constexpr std::int64_t kMaxAmount = 1'000'000'000;

}  // namespace maxis::coins
