#include "scheduler/scheduler.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <unistd.h>

#include <filesystem>

#include "core/metrics.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "scheduler/outbox_worker.hpp"
#include "storage/database.hpp"
#include "storage/migrator.hpp"
#include "storage/sql_queue_stores.hpp"
#include "support/fake_clock.hpp"

namespace maxis::scheduler {
namespace {

using namespace std::chrono_literals;
using namespace std::chrono;
using core::FromEpochMillis;
using core::TimePoint;
using scheduling::Recurrence;

TimePoint Utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return time_point_cast<core::Millis>(sys_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min));
}

TEST(Recurrence, ParsesTheSupportedForms) {
    EXPECT_TRUE(Recurrence::Parse("daily 00:00"));
    EXPECT_TRUE(Recurrence::Parse("weekly mon 09:00"));
    EXPECT_TRUE(Recurrence::Parse("weekly lundi 09:00"));
    EXPECT_TRUE(Recurrence::Parse("every 10m"));
    for (const char* bad : {"", "daily", "daily 24:00", "daily 9h", "weekly funday 09:00", "weekly mon", "every",
                            "every x", "hourly 10"}) {
        EXPECT_FALSE(Recurrence::Parse(bad)) << bad;
    }
}

TEST(Recurrence, WeeklyMondayNineInParisAcrossBothDstChanges) {
    auto paris = core::TimeZone::Load("Europe/Paris");
    auto rule = *Recurrence::Parse("weekly mon 09:00");
    // Monday 2026-03-23 09:00 CET is 08:00 UTC; after the spring change, 09:00 CEST is 07:00 UTC.
    auto first = rule.NextAfter(Utc(2026, 3, 20, 12), paris);
    EXPECT_EQ(first, Utc(2026, 3, 23, 8));
    auto second = rule.NextAfter(first, paris);
    EXPECT_EQ(second, Utc(2026, 3, 30, 7));
    EXPECT_EQ(second - first, duration_cast<core::Millis>(hours(7 * 24 - 1)));
    // Autumn: Monday 2026-10-19 09:00 CEST is 07:00 UTC; 2026-10-26 09:00 CET is 08:00 UTC.
    auto autumn = rule.NextAfter(Utc(2026, 10, 19, 6), paris);
    EXPECT_EQ(autumn, Utc(2026, 10, 19, 7));
    EXPECT_EQ(rule.NextAfter(autumn, paris), Utc(2026, 10, 26, 8));
}

TEST(Recurrence, DailyMidnightAndIntervals) {
    auto paris = core::TimeZone::Load("Europe/Paris");
    auto daily = *Recurrence::Parse("daily 00:00");
    EXPECT_EQ(daily.NextAfter(Utc(2026, 7, 1, 12), paris), Utc(2026, 7, 1, 22));  // midnight CEST
    EXPECT_EQ(daily.NextAfter(Utc(2026, 7, 1, 22), paris), Utc(2026, 7, 2, 22));  // strictly after
    auto every = *Recurrence::Parse("every 10m");
    EXPECT_EQ(every.NextAfter(Utc(2026, 7, 1, 12), paris), Utc(2026, 7, 1, 12, 10));
}

TEST(Backoff, DoublesFromBaseUpToTheCapWithJitter) {
    EXPECT_EQ(scheduling::Backoff(1, 10s, 1h, 1.0), 10s);
    EXPECT_EQ(scheduling::Backoff(2, 10s, 1h, 1.0), 20s);
    EXPECT_EQ(scheduling::Backoff(4, 10s, 1h, 1.0), 80s);
    EXPECT_EQ(scheduling::Backoff(40, 10s, 1h, 1.0), 1h);
    EXPECT_EQ(scheduling::Backoff(1, 10s, 1h, 1.2), 12s);
}

class SchedulerTest : public ::testing::Test {
protected:
    SchedulerTest() { storage::Migrator(db, clock).Apply(); }
    std::unique_ptr<Scheduler> Make(SchedulerOptions options = {}) {
        auto s = std::make_unique<Scheduler>(store, clock, core::TimeZone::Load("Europe/Paris"), options, &metrics);
        s->SetJitter([] { return 1.0; });
        return s;
    }
    std::string JobStatus(long long id) {
        return db.Read(core::Viewer::System(), [&](storage::Transaction& tx) {
            std::string status;
            tx.sql() << "SELECT status FROM jobs WHERE id = :id", soci::use(id), soci::into(status);
            return status;
        });
    }
    testing::FakeClock clock{Utc(2026, 3, 20, 12)};
    storage::Database db{storage::DatabaseOptions{"sqlite::memory:", 1}};
    storage::SqlJobStore store{db};
    core::Metrics metrics;
};

TEST_F(SchedulerTest, RunsDueJobsOnceAndNotBeforeTheirTime) {
    auto owned = Make();
    auto& s = *owned;
    int runs = 0;
    std::string payload;
    s.Register("greet", [&](const scheduling::Job& j) {
        ++runs;
        payload = j.payload;
    });
    store.Enqueue({"greet", R"({"who":"alice"})", clock.Now() + 1min}, clock.Now());
    EXPECT_EQ(s.RunDue(), 0);
    clock.Advance(1min);
    EXPECT_EQ(s.RunDue(), 1);
    EXPECT_EQ(s.RunDue(), 0);
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(payload, R"({"who":"alice"})");
    EXPECT_NE(metrics.RenderPrometheus().find("maxis_jobs_run_total{kind=\"greet\",outcome=\"done\"} 1"),
              std::string::npos);
}

TEST_F(SchedulerTest, RetriesWithExponentialBackoffThenSucceeds) {
    auto owned = Make(SchedulerOptions{.backoff_base = 10s});
    auto& s = *owned;
    int calls = 0;
    s.Register("flaky", [&](const scheduling::Job&) {
        if (++calls < 3) throw std::runtime_error("remote said 503");
    });
    store.Enqueue({"flaky", "{}", clock.Now()}, clock.Now());
    EXPECT_EQ(s.RunDue(), 1);  // attempt 1 fails: next in 10 s
    clock.Advance(9s);
    EXPECT_EQ(s.RunDue(), 0);
    clock.Advance(1s);
    EXPECT_EQ(s.RunDue(), 1);  // attempt 2 fails: next in 20 s
    clock.Advance(19s);
    EXPECT_EQ(s.RunDue(), 0);
    clock.Advance(1s);
    EXPECT_EQ(s.RunDue(), 1);  // attempt 3 succeeds
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(JobStatus(1), "done");
}

TEST_F(SchedulerTest, GivesUpAfterMaxAttemptsAndOnPermanentErrors) {
    auto owned = Make(SchedulerOptions{.backoff_base = 1s});
    auto& s = *owned;
    s.Register("doomed", [](const scheduling::Job&) { throw std::runtime_error("always"); });
    s.Register("refused", [](const scheduling::Job&) { throw PermanentJobError("bad payload"); });
    store.Enqueue({"doomed", "{}", clock.Now(), std::nullopt, 2}, clock.Now());
    store.Enqueue({"refused", "{}", clock.Now()}, clock.Now());
    s.RunDue();
    EXPECT_EQ(JobStatus(2), "failed");
    EXPECT_EQ(JobStatus(1), "pending");
    clock.Advance(1h);
    s.RunDue();
    EXPECT_EQ(JobStatus(1), "failed");
    EXPECT_EQ(store.Counts().failed, 2);
}

TEST_F(SchedulerTest, UnknownKindIsRetriedNotLost) {
    auto owned = Make();
    auto& s = *owned;
    store.Enqueue({"from_a_newer_version", "{}", clock.Now()}, clock.Now());
    s.RunDue();
    EXPECT_EQ(JobStatus(1), "pending");
}

TEST_F(SchedulerTest, UniqueKeyHoldsOneLiveJobAndIsReleasedWhenDone) {
    auto owned = Make();
    auto& s = *owned;
    s.Register("k", [](const scheduling::Job&) {});
    EXPECT_TRUE(store.Enqueue({"k", "{}", clock.Now(), "only-one"}, clock.Now()));
    EXPECT_FALSE(store.Enqueue({"k", "{}", clock.Now(), "only-one"}, clock.Now()));
    s.RunDue();
    EXPECT_TRUE(store.Enqueue({"k", "{}", clock.Now(), "only-one"}, clock.Now()));
}

TEST_F(SchedulerTest, JobOfACrashedWorkerIsClaimedAgainAfterItsLease) {
    store.Enqueue({"k", "{}", clock.Now()}, clock.Now());
    auto claimed = store.ClaimDue(clock.Now(), 10, "worker-that-dies", 5min);
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_TRUE(store.ClaimDue(clock.Now() + 4min, 10, "other", 5min).empty());
    auto again = store.ClaimDue(clock.Now() + 6min, 10, "other", 5min);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].attempts, 2);
}

TEST_F(SchedulerTest, WeeklyRecapScheduleFollowsParisWallClockAcrossDst) {
    auto owned = Make();
    auto& s = *owned;
    std::vector<TimePoint> ran_at;
    s.Register("recap", [&](const scheduling::Job&) { ran_at.push_back(clock.Now()); });
    s.AddRecurring("weekly_recap", "recap", *Recurrence::Parse("weekly mon 09:00"));
    s.AddRecurring("weekly_recap", "recap", *Recurrence::Parse("weekly mon 09:00"));  // restart: no duplicate
    EXPECT_EQ(store.Counts().pending, 1);
    for (int week = 0; week < 3; ++week) {
        // Step an hour at a time through the week; the job runs exactly when due.
        for (int h = 0; h < 24 * 7; ++h) {
            clock.Advance(1h);
            s.RunDue();
        }
    }
    ASSERT_EQ(ran_at.size(), 3u);
    EXPECT_EQ(ran_at[0], Utc(2026, 3, 23, 8));  // 09:00 CET
    EXPECT_EQ(ran_at[1], Utc(2026, 3, 30, 7));  // 09:00 CEST
    EXPECT_EQ(ran_at[2], Utc(2026, 4, 6, 7));
    EXPECT_EQ(store.Counts().pending, 1);
}

TEST_F(SchedulerTest, RecurringScheduleSurvivesAFailedRunAndSkipsMissedOnes) {
    auto owned = Make();
    auto& s = *owned;
    int runs = 0;
    s.Register("reset", [&](const scheduling::Job&) {
        if (++runs == 1) throw PermanentJobError("first run broken");
    });
    s.AddRecurring("quota_reset", "reset", *Recurrence::Parse("daily 00:00"));
    clock.Advance(24h * 5);  // down for five days
    s.RunDue();
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(s.RunDue(), 0);  // not five catch-up runs
    clock.Advance(24h);
    s.RunDue();
    EXPECT_EQ(runs, 2);
}

TEST_F(SchedulerTest, BackgroundThreadRunsDueJobs) {
    auto owned = Make(SchedulerOptions{.tick = 10ms});
    auto& s = *owned;
    std::atomic<int> runs{0};
    s.Register("k", [&](const scheduling::Job&) { ++runs; });
    store.Enqueue({"k", "{}", clock.Now()}, clock.Now());
    s.Start();
    for (int i = 0; i < 500 && runs == 0; ++i) std::this_thread::sleep_for(10ms);
    s.Stop();
    EXPECT_EQ(runs.load(), 1);
}

class OutboxTest : public ::testing::Test {
protected:
    OutboxTest() {
        std::filesystem::remove_all(dir);
        auto db = Open();
        storage::Migrator(*db, clock).Apply();
    }
    ~OutboxTest() override { std::filesystem::remove_all(dir); }
    std::unique_ptr<storage::Database> Open() {
        return std::make_unique<storage::Database>(storage::DatabaseOptions{"sqlite:" + (dir / "m.db").string(), 2});
    }
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("maxis-outbox-" + std::to_string(::getpid()) + "-" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    testing::FakeClock clock{Utc(2026, 5, 1, 10)};
};

TEST_F(OutboxTest, WrittenInTheSameTransactionAsTheStateChange) {
    auto db = Open();
    EXPECT_THROW(db->Write(core::Viewer::System(),
                           [&](storage::Transaction& tx) {
                               tx.sql() << "INSERT INTO app_state (key, value) VALUES ('order', 'paid')";
                               storage::SqlOutboxStore::AddIn(tx, {"discord.dm", "{}", "receipt-1"}, clock.Now());
                               throw std::runtime_error("crash before commit");
                           }),
                 std::runtime_error);
    storage::SqlOutboxStore store(*db);
    EXPECT_EQ(store.Counts().pending, 0);
    db->Write(core::Viewer::System(), [&](storage::Transaction& tx) {
        tx.sql() << "INSERT INTO app_state (key, value) VALUES ('order', 'paid')";
        EXPECT_TRUE(storage::SqlOutboxStore::AddIn(tx, {"discord.dm", "{}", "receipt-1"}, clock.Now()));
        EXPECT_FALSE(storage::SqlOutboxStore::AddIn(tx, {"discord.dm", "{}", "receipt-1"}, clock.Now()));
    });
    EXPECT_EQ(store.Counts().pending, 1);
}

TEST_F(OutboxTest, DeliversOnceAndHonoursRetryAfter) {
    auto db = Open();
    storage::SqlOutboxStore store(*db);
    OutboxWorker worker(store, clock, OutboxOptions{});
    worker.SetJitter([] { return 1.0; });
    std::vector<std::string> delivered;
    int calls = 0;
    worker.Register("discord.dm", [&](const scheduling::OutboxItem& item) {
        if (++calls == 1) return DeliveryOutcome{DeliveryStatus::kRetry, "429", 3s};
        delivered.push_back(item.idempotency_key);
        return DeliveryOutcome{};
    });
    store.Add({"discord.dm", R"({"to":1})", "dm-1"}, clock.Now());
    EXPECT_EQ(worker.DeliverDue(), 1);
    clock.Advance(2s);
    EXPECT_EQ(worker.DeliverDue(), 0);
    clock.Advance(1s);
    EXPECT_EQ(worker.DeliverDue(), 1);
    clock.Advance(1h);
    EXPECT_EQ(worker.DeliverDue(), 0);
    EXPECT_EQ(delivered, std::vector<std::string>{"dm-1"});
}

TEST_F(OutboxTest, ItemNotAcknowledgedBeforeACrashIsDeliveredAgain) {
    {
        // First process: claims the item, starts delivering, and dies before acknowledging.
        auto db = Open();
        storage::SqlOutboxStore store(*db);
        store.Add({"discord.role_grant", R"({"user":7,"role":"pro"})", "grant-7-pro"}, clock.Now());
        OutboxWorker worker(store, clock, OutboxOptions{.worker_id = "process-1", .lease = 2min});
        worker.Register("discord.role_grant", [&](const scheduling::OutboxItem&) -> DeliveryOutcome {
            throw std::logic_error("unreachable: the process is killed inside the call");
        });
        auto claimed = store.ClaimDue(clock.Now(), 10, "process-1", 2min, {"discord.role_grant"});
        ASSERT_EQ(claimed.size(), 1u);
        // ... killed here: no MarkDelivered, no Retry. The database file stays as it is.
    }
    // Second process, after a restart, opens the same database.
    auto db = Open();
    storage::SqlOutboxStore store(*db);
    OutboxWorker worker(store, clock, OutboxOptions{.worker_id = "process-2", .lease = 2min});
    std::vector<std::string> seen;
    worker.Register("discord.role_grant", [&](const scheduling::OutboxItem& item) {
        seen.push_back(item.idempotency_key + "#" + std::to_string(item.attempts));
        return DeliveryOutcome{};
    });
    EXPECT_EQ(worker.DeliverDue(), 0);  // still leased to the dead process
    clock.Advance(2min + 1s);
    EXPECT_EQ(worker.DeliverDue(), 1);
    EXPECT_EQ(seen, std::vector<std::string>{"grant-7-pro#2"});
    clock.Advance(1h);
    EXPECT_EQ(worker.DeliverDue(), 0);
}

TEST_F(OutboxTest, ItemsWithoutADelivererHereStayPendingAndUntouched) {
    auto db = Open();
    storage::SqlOutboxStore store(*db);
    OutboxWorker worker(store, clock, OutboxOptions{.max_attempts = 2});
    worker.Register("discord.dm", [](const scheduling::OutboxItem&) { return DeliveryOutcome{}; });
    store.Add({"notify.member", "{}", "n1"}, clock.Now());  // nobody in this process delivers it yet
    store.Add({"discord.dm", "{}", "d1"}, clock.Now());
    for (int i = 0; i < 5; ++i) {
        worker.DeliverDue();
        clock.Advance(1h);
    }
    auto counts = store.Counts();
    EXPECT_EQ(counts.pending, 1);
    EXPECT_EQ(counts.failed, 0);
    auto attempts = db->Read(core::Viewer::System(), [](storage::Transaction& tx) {
        int n = -1;
        tx.sql() << "SELECT attempts FROM outbox WHERE idempotency_key = 'n1'", soci::into(n);
        return n;
    });
    EXPECT_EQ(attempts, 0);
    // Once a process that can deliver it runs, it goes out.
    OutboxWorker later(store, clock, OutboxOptions{});
    std::vector<std::string> seen;
    later.Register("notify.member", [&](const scheduling::OutboxItem& item) {
        seen.push_back(item.idempotency_key);
        return DeliveryOutcome{};
    });
    later.DeliverDue();
    EXPECT_EQ(seen, std::vector<std::string>{"n1"});
}

TEST_F(OutboxTest, PermanentFailureAndMaxAttemptsStopRetrying) {
    auto db = Open();
    storage::SqlOutboxStore store(*db);
    OutboxWorker worker(store, clock, OutboxOptions{.max_attempts = 2, .backoff_base = 1s});
    worker.SetJitter([] { return 1.0; });
    worker.Register("a", [](const scheduling::OutboxItem&) {
        return DeliveryOutcome{DeliveryStatus::kFailed, "DMs closed"};
    });
    worker.Register("b", [](const scheduling::OutboxItem&) {
        return DeliveryOutcome{DeliveryStatus::kRetry, "timeout"};
    });
    store.Add({"a", "{}", "a1"}, clock.Now());
    store.Add({"b", "{}", "b1"}, clock.Now());
    worker.DeliverDue();
    EXPECT_EQ(store.Counts().failed, 1);
    clock.Advance(1min);
    worker.DeliverDue();
    EXPECT_EQ(store.Counts().failed, 2);
    EXPECT_EQ(store.Counts().pending, 0);
}

}  // namespace
}  // namespace maxis::scheduler
