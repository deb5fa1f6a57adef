#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "core/clock.hpp"
#include "domain/scheduling/outbox.hpp"
#include "scheduler/ticker.hpp"

namespace maxis::core {
class Metrics;
}

namespace maxis::scheduler {

enum class DeliveryStatus { kDelivered, kRetry, kFailed };

struct DeliveryOutcome {
    DeliveryStatus status = DeliveryStatus::kDelivered;
    std::string error;
    /// The receiver's own wait (e.g. Discord's retry_after on a 429), used instead of the backoff.
    std::optional<core::Millis> retry_after;
};

struct OutboxOptions {
    std::string worker_id = "maxis";
    core::Millis lease{std::chrono::minutes(2)};
    int batch = 32;
    int max_attempts = 12;
    core::Millis backoff_base{std::chrono::seconds(5)};
    core::Millis backoff_max{std::chrono::minutes(30)};
    core::Millis tick{std::chrono::milliseconds(500)};
};

/// Delivers outbox items through the deliverer registered for their channel, with retries and backoff.
/// An exception from a deliverer counts as a retryable failure.
class OutboxWorker {
public:
    using Deliverer = std::function<DeliveryOutcome(const scheduling::OutboxItem&)>;

    OutboxWorker(scheduling::OutboxStore& store, const core::Clock& clock, OutboxOptions options,
                 core::Metrics* metrics = nullptr);
    ~OutboxWorker();
    void Register(const std::string& channel, Deliverer deliverer);
    /// Claims and delivers what is due now; returns how many items were attempted.
    int DeliverDue();
    void Start();
    void Stop();
    void Poke();
    void SetJitter(std::function<double()> jitter) { jitter_ = std::move(jitter); }

private:
    scheduling::OutboxStore& store_;
    const core::Clock& clock_;
    OutboxOptions options_;
    core::Metrics* metrics_;
    std::map<std::string, Deliverer> deliverers_;
    std::function<double()> jitter_;
    std::unique_ptr<Ticker> ticker_;
};

}  // namespace maxis::scheduler
