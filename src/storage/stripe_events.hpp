#pragma once
#include <string>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// The payment providers' events in stripe_events, inside a caller's transaction (each feature's store
/// exposes them to its service, which applies an event once with core::ApplyEventOnce): records an event id
/// (true when it is new), then what the event did; and whether an id is recorded.
bool RecordEvent(Transaction& tx, core::TimePoint now, const std::string& event_id, const std::string& type);
void SetEventOutcome(Transaction& tx, const std::string& event_id, core::EventOutcome outcome);
bool EventRecorded(Transaction& tx, const std::string& event_id);

}  // namespace maxis::storage
