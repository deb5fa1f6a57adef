#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "domain/scheduling/jobs.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "scheduler/ticker.hpp"

namespace maxis::core {
class Metrics;
}

namespace maxis::scheduler {

struct SchedulerOptions {
    std::string worker_id = "maxis";
    core::Millis lease{std::chrono::minutes(5)};  // a claimed job not finished by then is claimed again
    int batch = 16;
    core::Millis backoff_base{std::chrono::seconds(10)};
    core::Millis backoff_max{std::chrono::hours(1)};
    core::Millis tick{std::chrono::seconds(1)};
};

/// Thrown by a job handler to stop retrying: the job fails at once.
class PermanentJobError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Runs persistent jobs by kind: claims due jobs, runs their handler, and retries failures with
/// exponential backoff and jitter up to the job's max_attempts. Recurring schedules are jobs that enqueue
/// their next occurrence in the same transaction that completes them. RunDue() is what the background
/// thread calls every tick, and what tests call after moving a fake clock.
class Scheduler {
public:
    using Handler = std::function<void(const scheduling::Job&)>;

    Scheduler(scheduling::JobStore& store, const core::Clock& clock, core::TimeZone zone, SchedulerOptions options,
              core::Metrics* metrics = nullptr);
    ~Scheduler();

    /// Register handlers and schedules before Start().
    void Register(const std::string& kind, Handler handler);
    /// Runs kind on the recurrence; its first run is the next occurrence from now. Idempotent across
    /// restarts and instances (one pending job per schedule name).
    void AddRecurring(const std::string& name, const std::string& kind, scheduling::Recurrence rule);

    /// Claims and runs what is due now; returns how many jobs ran (successfully or not).
    int RunDue();
    void Start();
    void Stop();

    /// For tests: the jitter factor source (default: uniform in [0.8, 1.2]).
    void SetJitter(std::function<double()> jitter) { jitter_ = std::move(jitter); }

private:
    struct Schedule {
        std::string kind;
        scheduling::Recurrence rule;
    };
    std::optional<scheduling::NewJob> NextOccurrence(const scheduling::Job& job, core::TimePoint now) const;

    scheduling::JobStore& store_;
    const core::Clock& clock_;
    core::TimeZone zone_;
    SchedulerOptions options_;
    core::Metrics* metrics_;
    std::map<std::string, Handler> handlers_;
    std::map<std::string, Schedule> schedules_;  // by unique key "recurring:<name>"
    std::function<double()> jitter_;
    std::unique_ptr<Ticker> ticker_;
};

}  // namespace maxis::scheduler
