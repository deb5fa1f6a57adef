#include "storage/stripe_events.hpp"

#include <soci/soci.h>

#include "storage/sql_util.hpp"

namespace maxis::storage {

namespace {
struct RetrySignal {};
}  // namespace

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

core::EventOutcome ApplyEventOnce(Database& db, core::TimePoint now, const std::string& event_id,
                                  const std::string& type,
                                  const std::function<core::EventOutcome(Transaction&)>& effect) {
    using core::EventOutcome;
    try {
        return db.Write(core::Viewer::System(), [&](Transaction& tx) {
            if (!RecordEvent(tx, now, event_id, type)) return EventOutcome::kDuplicate;
            auto outcome = effect(tx);
            if (outcome == EventOutcome::kRetryLater) throw RetrySignal{};  // roll back: not recorded
            SetEventOutcome(tx, event_id, outcome);
            return outcome;
        });
    } catch (const RetrySignal&) {
        return EventOutcome::kRetryLater;
    }
}

bool EventRecorded(Database& db, const std::string& event_id) {
    return db.Read(core::Viewer::System(), [&](Transaction& tx) { return EventRecorded(tx, event_id); });
}

}  // namespace maxis::storage
