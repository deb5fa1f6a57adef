#pragma once
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "domain/scheduling/jobs.hpp"

namespace maxis::scheduling {

/// A side effect to perform outside the database (a Discord DM, a role grant, a Stripe call), written in
/// the same transaction as the state change that calls for it.
struct NewOutboxItem {
    std::string channel;          // which deliverer handles it, e.g. "discord.dm"
    std::string payload;          // JSON
    std::string idempotency_key;  // unique; a second item with the same key is ignored
};

struct OutboxItem {
    core::OutboxId id;
    std::string channel;
    std::string payload;
    std::string idempotency_key;
    int attempts = 0;  // including the current one
};

/// At-least-once delivery: an item stays claimed for a lease; if it is not acknowledged by then (the
/// worker crashed, the process was killed), it is claimed and delivered again. Deliverers pass the
/// idempotency key on so that the receiver sees it once.
class OutboxStore {
public:
    virtual ~OutboxStore() = default;
    /// Adds an item in a transaction of its own; false when the key exists already.
    virtual bool Add(const NewOutboxItem& item, core::TimePoint now) = 0;
    /// Claims due items of the given channels only: an item nobody here can deliver stays pending, untouched,
    /// until a process that can deliver it runs. No channels: nothing is claimed.
    virtual std::vector<OutboxItem> ClaimDue(core::TimePoint now, int limit, const std::string& worker,
                                             core::Millis lease, const std::vector<std::string>& channels) = 0;
    virtual void MarkDelivered(core::OutboxId id, core::TimePoint now) = 0;
    virtual void Retry(core::OutboxId id, core::TimePoint next_attempt, const std::string& error) = 0;
    virtual void Fail(core::OutboxId id, core::TimePoint now, const std::string& error) = 0;
    virtual QueueCounts Counts() = 0;
    /// Removes items delivered before the given time (failed ones stay for an operator to look at).
    virtual long long PurgeDelivered(core::TimePoint before) = 0;
};

}  // namespace maxis::scheduling
