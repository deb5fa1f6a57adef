#pragma once
#include <string_view>

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

}  // namespace maxis::core
