#pragma once
#include <string>
#include <string_view>

#include "core/viewer.hpp"

namespace maxis::core {

/// What an external event (a payment provider's webhook) did: applied now, already applied before (a
/// duplicate), not applicable (nothing to do, acknowledged), or not yet applicable (an event that overtook
/// the one it depends on: the provider should deliver it again later).
enum class EventOutcome { kApplied, kDuplicate, kIgnored, kRetryLater };

constexpr std::string_view ToString(EventOutcome outcome) {
    switch (outcome) {
        case EventOutcome::kApplied:
            return "applied";
        case EventOutcome::kDuplicate:
            return "duplicate";
        case EventOutcome::kIgnored:
            return "ignored";
        case EventOutcome::kRetryLater:
            return "retry_later";
    }
    return "ignored";
}

/// Applies an external event at most once, in one transaction of repo (a feature's transactional port,
/// `Write(viewer, fn(Store&))`): the event id is recorded first (`store.RecordEvent(id, type)`; a duplicate
/// stops there), then the effect runs and its outcome is recorded (`store.SetEventOutcome`). An effect that
/// answers kRetryLater is rolled back, its id included, so that the provider's redelivery applies it.
template <class Repository, class Effect>
EventOutcome ApplyEventOnce(Repository& repo, const Viewer& viewer, const std::string& event_id,
                            const std::string& type, Effect&& effect) {
    struct RollBack {};
    auto outcome = EventOutcome::kDuplicate;
    try {
        repo.Write(viewer, [&](auto& store) {
            if (!store.RecordEvent(event_id, type)) return;
            outcome = effect(store);
            if (outcome == EventOutcome::kRetryLater) throw RollBack{};
            store.SetEventOutcome(event_id, outcome);
        });
    } catch (const RollBack&) {
        return EventOutcome::kRetryLater;
    }
    return outcome;
}

}  // namespace maxis::core
