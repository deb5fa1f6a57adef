#pragma once
#include <functional>
#include <string>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// Applies a payment event's effect at most once: the event id is recorded in stripe_events in the same
/// transaction as the effect. A recorded id gives kDuplicate without running the effect; an effect that
/// answers kRetryLater is rolled back (nothing recorded) so that the redelivery applies it.
core::EventOutcome ApplyEventOnce(Database& db, core::TimePoint now, const std::string& event_id,
                                  const std::string& type,
                                  const std::function<core::EventOutcome(Transaction&)>& effect);

/// Whether an event id was recorded already.
bool EventRecorded(Database& db, const std::string& event_id);

/// The same steps inside a caller's transaction: records an event id (true when it is new), then what the
/// event did; and whether an id is recorded.
bool RecordEvent(Transaction& tx, core::TimePoint now, const std::string& event_id, const std::string& type);
void SetEventOutcome(Transaction& tx, const std::string& event_id, core::EventOutcome outcome);
bool EventRecorded(Transaction& tx, const std::string& event_id);

}  // namespace maxis::storage
