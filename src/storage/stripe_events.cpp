#include "storage/stripe_events.hpp"

#include <soci/soci.h>

#include "storage/sql_util.hpp"

namespace maxis::storage {

bool RecordEvent(Transaction& tx, core::TimePoint now, const std::string& event_id, const std::string& type) {
    long long at = core::ToEpochMillis(now);
    std::string pending = "applying";
    soci::statement st = (tx.sql().prepare << "INSERT INTO stripe_events (event_id, type, outcome, received_at) VALUES "
                                              "(:e, :t, :o, :r) ON CONFLICT (event_id) DO NOTHING",
                          soci::use(event_id), soci::use(type), soci::use(pending), soci::use(at));
    return AffectedRows(st) == 1;
}

void SetEventOutcome(Transaction& tx, const std::string& event_id, core::EventOutcome outcome) {
    std::string name(core::ToString(outcome));
    tx.sql() << "UPDATE stripe_events SET outcome = :o WHERE event_id = :e", soci::use(name), soci::use(event_id);
}

bool EventRecorded(Transaction& tx, const std::string& event_id) {
    int n = 0;
    tx.sql() << "SELECT COUNT(*) FROM stripe_events WHERE event_id = :e", soci::use(event_id), soci::into(n);
    return n > 0;
}

}  // namespace maxis::storage
