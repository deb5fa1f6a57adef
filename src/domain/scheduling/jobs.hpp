#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace maxis::scheduling {

struct NewJob {
    std::string kind;
    std::string payload = "{}";
    core::TimePoint run_at;
    /// At most one pending or running job holds a key (recurring schedules, debounced work).
    std::optional<std::string> unique_key;
    int max_attempts = 8;
};

struct Job {
    core::JobId id;
    std::string kind;
    std::string payload;
    int attempts = 0;  // including the current one
    int max_attempts = 8;
    core::TimePoint run_at;
    std::optional<std::string> unique_key;
};

struct QueueCounts {
    long long pending = 0;
    long long running = 0;
    long long failed = 0;
};

/// Persistent jobs. Claims are leases: a job whose worker died is claimed again once the lease runs out.
/// Implementations are safe for several processes sharing one database.
class JobStore {
public:
    virtual ~JobStore() = default;
    /// False when unique_key already names a pending or running job (nothing is written then).
    virtual bool Enqueue(const NewJob& job, core::TimePoint now) = 0;
    /// Claims up to limit jobs due at now (pending with run_at <= now, or running with an expired lease),
    /// counting an attempt for each.
    virtual std::vector<Job> ClaimDue(core::TimePoint now, int limit, const std::string& worker,
                                      core::Millis lease) = 0;
    /// Marks the job done, releases its unique key, and enqueues next (if any) in the same transaction.
    virtual void Complete(core::JobId id, core::TimePoint now, const std::optional<NewJob>& next) = 0;
    virtual void Retry(core::JobId id, core::TimePoint run_at, const std::string& error) = 0;
    /// Gives up on the job for good (releases its key), and enqueues next (if any) in the same transaction.
    virtual void Fail(core::JobId id, core::TimePoint now, const std::string& error,
                      const std::optional<NewJob>& next) = 0;
    virtual QueueCounts Counts() = 0;
    /// Removes done and failed jobs finished before the given time; returns how many.
    virtual long long PurgeFinished(core::TimePoint before) = 0;
};

}  // namespace maxis::scheduling
