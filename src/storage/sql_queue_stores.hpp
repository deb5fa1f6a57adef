#pragma once
#include "domain/scheduling/jobs.hpp"
#include "domain/scheduling/outbox.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// Jobs in the jobs table. Claims use FOR UPDATE SKIP LOCKED on PostgreSQL, so several instances share
/// the queue without waiting on each other; SQLite serializes writers anyway.
class SqlJobStore final : public scheduling::JobStore {
public:
    explicit SqlJobStore(Database& db) : db_(db) {}
    /// Enqueues inside a transaction the caller already holds (with the state change that calls for it).
    static bool EnqueueIn(Transaction& tx, const scheduling::NewJob& job, core::TimePoint now);

    bool Enqueue(const scheduling::NewJob& job, core::TimePoint now) override;
    std::vector<scheduling::Job> ClaimDue(core::TimePoint now, int limit, const std::string& worker,
                                          core::Millis lease) override;
    void Complete(core::JobId id, core::TimePoint now, const std::optional<scheduling::NewJob>& next) override;
    void Retry(core::JobId id, core::TimePoint run_at, const std::string& error) override;
    void Fail(core::JobId id, core::TimePoint now, const std::string& error,
              const std::optional<scheduling::NewJob>& next) override;
    scheduling::QueueCounts Counts() override;
    long long PurgeFinished(core::TimePoint before) override;

private:
    Database& db_;
};

/// The outbox table, with the same claiming scheme as the jobs.
class SqlOutboxStore final : public scheduling::OutboxStore {
public:
    explicit SqlOutboxStore(Database& db) : db_(db) {}
    /// Adds inside a transaction the caller already holds; false when the idempotency key exists.
    static bool AddIn(Transaction& tx, const scheduling::NewOutboxItem& item, core::TimePoint now);

    bool Add(const scheduling::NewOutboxItem& item, core::TimePoint now) override;
    std::vector<scheduling::OutboxItem> ClaimDue(core::TimePoint now, int limit, const std::string& worker,
                                                 core::Millis lease, const std::vector<std::string>& channels) override;
    void MarkDelivered(core::OutboxId id, core::TimePoint now) override;
    void Retry(core::OutboxId id, core::TimePoint next_attempt, const std::string& error) override;
    void Fail(core::OutboxId id, core::TimePoint now, const std::string& error) override;
    scheduling::QueueCounts Counts() override;
    long long PurgeDelivered(core::TimePoint before) override;
    /// Items with an id above after_id, oldest first, without claiming them (for a local viewer such as
    /// the console; delivery is the worker's job).
    std::vector<scheduling::OutboxItem> Peek(long long after_id, int limit);
    long long LastId();

private:
    Database& db_;
};

}  // namespace maxis::storage
