#include "scheduler/scheduler.hpp"

#include <spdlog/spdlog.h>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "scheduler/queue_support.hpp"

namespace maxis::scheduler {

namespace {
constexpr std::string_view kRecurringPrefix = "recurring:";
}

Scheduler::Scheduler(scheduling::JobStore& store, const core::Clock& clock, core::TimeZone zone,
                     SchedulerOptions options, core::Metrics* metrics)
    : store_(store), clock_(clock), zone_(std::move(zone)), options_(std::move(options)), metrics_(metrics) {
    jitter_ = DefaultJitter();
    if (metrics_ != nullptr) {
        metrics_->DefineCounter("maxis_jobs_run_total", "Jobs run, by kind and outcome.");
        DefineQueueGauge(*metrics_, "maxis_jobs", "Jobs in the queue by status.", [this] { return store_.Counts(); });
    }
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Register(const std::string& kind, Handler handler) {
    if (!handlers_.emplace(kind, std::move(handler)).second) {
        throw core::Error(core::ErrorCode::kInternal, "job kind '" + kind + "' registered twice");
    }
}

void Scheduler::AddRecurring(const std::string& name, const std::string& kind, scheduling::Recurrence rule) {
    std::string key = std::string(kRecurringPrefix) + name;
    auto now = clock_.Now();
    scheduling::NewJob job{kind, "{}", rule.NextAfter(now, zone_), key, 3};
    schedules_.insert_or_assign(key, Schedule{kind, std::move(rule)});
    if (store_.Enqueue(job, now)) {
        spdlog::info("scheduled {} ({}), first run {}", name, schedules_.at(key).rule.text(), zone_.Format(job.run_at));
    }
}

std::optional<scheduling::NewJob> Scheduler::NextOccurrence(const scheduling::Job& job, core::TimePoint now) const {
    if (!job.unique_key) return std::nullopt;
    auto it = schedules_.find(*job.unique_key);
    if (it == schedules_.end()) return std::nullopt;
    // From the later of the planned time and now: a schedule that was down for a while runs once, not once
    // per missed occurrence.
    auto from = std::max(job.run_at, now);
    return scheduling::NewJob{it->second.kind, "{}", it->second.rule.NextAfter(from, zone_), job.unique_key,
                              job.max_attempts};
}

int Scheduler::RunDue() {
    auto now = clock_.Now();
    auto jobs = store_.ClaimDue(now, options_.batch, options_.worker_id, options_.lease);
    for (const auto& job : jobs) {
        std::string outcome = "done";
        auto handler = handlers_.find(job.kind);
        try {
            if (handler == handlers_.end()) throw std::runtime_error("no handler for job kind '" + job.kind + "'");
            handler->second(job);
            store_.Complete(job.id, clock_.Now(), NextOccurrence(job, clock_.Now()));
        } catch (const PermanentJobError& e) {
            outcome = "failed";
            spdlog::error("job {} ({}) failed for good: {}", job.id.value, job.kind, e.what());
            store_.Fail(job.id, clock_.Now(), e.what(), NextOccurrence(job, clock_.Now()));
        } catch (const std::exception& e) {
            if (job.attempts >= job.max_attempts) {
                outcome = "failed";
                spdlog::error("job {} ({}) failed after {} attempts: {}", job.id.value, job.kind, job.attempts,
                              e.what());
                store_.Fail(job.id, clock_.Now(), e.what(), NextOccurrence(job, clock_.Now()));
            } else {
                outcome = "retry";
                auto delay = scheduling::Backoff(job.attempts, options_.backoff_base, options_.backoff_max, jitter_());
                spdlog::warn("job {} ({}) attempt {} failed, retrying in {} ms: {}", job.id.value, job.kind,
                             job.attempts, delay.count(), e.what());
                store_.Retry(job.id, clock_.Now() + delay, e.what());
            }
        }
        if (metrics_ != nullptr) metrics_->Inc("maxis_jobs_run_total", {{"kind", job.kind}, {"outcome", outcome}});
    }
    return static_cast<int>(jobs.size());
}

void Scheduler::Start() {
    if (!ticker_) ticker_ = std::make_unique<Ticker>("scheduler", options_.tick, [this] { RunDue(); });
    ticker_->Start();
}

void Scheduler::Stop() {
    if (ticker_) ticker_->Stop();
}

}  // namespace maxis::scheduler
