#include "scheduler/outbox_worker.hpp"

#include <spdlog/spdlog.h>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "scheduler/queue_support.hpp"

namespace maxis::scheduler {

OutboxWorker::OutboxWorker(scheduling::OutboxStore& store, const core::Clock& clock, OutboxOptions options,
                           core::Metrics* metrics)
    : store_(store), clock_(clock), options_(std::move(options)), metrics_(metrics) {
    jitter_ = DefaultJitter();
    if (metrics_ != nullptr) {
        metrics_->DefineCounter("maxis_outbox_deliveries_total", "Outbox delivery attempts by channel and outcome.");
        DefineQueueGauge(*metrics_, "maxis_outbox_items", "Outbox items by status.",
                         [this] { return store_.Counts(); });
    }
}

OutboxWorker::~OutboxWorker() { Stop(); }

void OutboxWorker::Register(const std::string& channel, Deliverer deliverer) {
    if (!deliverers_.emplace(channel, std::move(deliverer)).second) {
        throw core::Error(core::ErrorCode::kInternal, "outbox channel '" + channel + "' registered twice");
    }
}

int OutboxWorker::DeliverDue() {
    std::vector<std::string> channels;
    for (const auto& [channel, _] : deliverers_) channels.push_back(channel);
    auto items = store_.ClaimDue(clock_.Now(), options_.batch, options_.worker_id, options_.lease, channels);
    for (const auto& item : items) {
        DeliveryOutcome outcome;
        try {
            outcome = deliverers_.at(item.channel)(item);
        } catch (const std::exception& e) {
            outcome = {DeliveryStatus::kRetry, e.what(), std::nullopt};
        }
        std::string label = "delivered";
        if (outcome.status == DeliveryStatus::kDelivered) {
            store_.MarkDelivered(item.id, clock_.Now());
        } else if (outcome.status == DeliveryStatus::kFailed || item.attempts >= options_.max_attempts) {
            label = "failed";
            spdlog::error("outbox item {} ({}) failed after {} attempt(s): {}", item.id.value, item.channel,
                          item.attempts, outcome.error);
            store_.Fail(item.id, clock_.Now(), outcome.error);
        } else {
            label = "retry";
            auto delay = outcome.retry_after.value_or(
                scheduling::Backoff(item.attempts, options_.backoff_base, options_.backoff_max, jitter_()));
            spdlog::warn("outbox item {} ({}) attempt {} failed, retrying in {} ms: {}", item.id.value, item.channel,
                         item.attempts, delay.count(), outcome.error);
            store_.Retry(item.id, clock_.Now() + delay, outcome.error);
        }
        if (metrics_ != nullptr)
            metrics_->Inc("maxis_outbox_deliveries_total", {{"channel", item.channel}, {"outcome", label}});
    }
    return static_cast<int>(items.size());
}

void OutboxWorker::Start() {
    if (!ticker_) ticker_ = std::make_unique<Ticker>("outbox", options_.tick, [this] { DeliverDue(); });
    ticker_->Start();
}

void OutboxWorker::Stop() {
    if (ticker_) ticker_->Stop();
}

void OutboxWorker::Poke() {
    if (ticker_) ticker_->Poke();
}

}  // namespace maxis::scheduler
