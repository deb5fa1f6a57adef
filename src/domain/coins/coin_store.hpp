#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/coins/coins.hpp"
#include "domain/scheduling/notice.hpp"

namespace maxis::coins {

/// What a movement came to in the store.
enum class Applied {
    kDone,       // the ledger row is written and the balance moved
    kDuplicate,  // a movement with this member, reason and ref exists already: nothing changed
    kShort,      // a debit larger than the balance: nothing changed
};

struct MoveResult {
    Applied applied = Applied::kDone;
    LedgerEntry entry;  // kDone: the row as written
};

/// One transaction's view of the coins, bound to a viewer: rows and atomic statements, nothing decided here.
/// A member's store reads only that member's ledger and balance.
class CoinStore {
public:
    virtual ~CoinStore() = default;

    /// Adds (a credit reason) or takes (a debit reason) movement.amount, and writes the ledger row with the
    /// balance after it, in one conditional statement per table: a debit applies only where the balance
    /// covers it, so concurrent debits never take a balance below zero.
    virtual MoveResult Move(const Movement& movement, core::TimePoint now) = 0;
    /// The member's balance (0 when they never had coins).
    virtual std::int64_t Balance(core::UserId user) = 0;
    /// The member's movements, newest first, with ids below before (all when 0), at most limit.
    virtual std::vector<LedgerEntry> History(core::UserId user, long long before, int limit) = 0;
    /// The members who earned most since a moment (all time when nullopt), most first, ties by id.
    virtual std::vector<LeaderRow> Leaders(std::optional<core::TimePoint> since, int limit) = 0;
    /// Counts an activity earning of amount for the member on a local day if their last earning is at or
    /// before not_after and the day's total stays within cap: one conditional statement, so a burst of
    /// concurrent messages never passes the cap. False (nothing counted) otherwise.
    virtual bool TryEarn(core::UserId user, const std::string& day, std::int64_t amount, std::int64_t cap,
                         core::TimePoint now, core::TimePoint not_after) = 0;
    /// What the member earned from activity on a local day.
    virtual std::int64_t EarnedOn(core::UserId user, const std::string& day) = 0;
    /// Whether Maxis knows this person (the member directory or the users seen).
    virtual bool Known(core::UserId user) = 0;
    /// Written to the outbox in this same transaction, as of now.
    virtual void Notify(const scheduling::Notice& notice, core::TimePoint now) = 0;
};

/// Port: the coins' transactions. Everything one call does happens in one transaction, or not at all.
class CoinRepository {
public:
    virtual ~CoinRepository() = default;
    virtual void Write(const core::Viewer& viewer, const std::function<void(CoinStore&)>& work) = 0;
    virtual void Read(const core::Viewer& viewer, const std::function<void(CoinStore&)>& work) = 0;
};

}  // namespace maxis::coins
