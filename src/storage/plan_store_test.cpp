#include <filesystem>

#include "storage/migrator.hpp"
#include "storage/plan_store_suite.hpp"

namespace maxis::storage::plan_suite {

// A file database with a real pool, so that concurrent checkouts are concurrent transactions.
std::unique_ptr<Database> MakePlanDatabase(testing::FakeClock& clock, int pool) {
    static int counter = 0;
    auto path = (std::filesystem::temp_directory_path() /
                 ("maxis-plans-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                    .string();
    std::filesystem::remove(path);
    auto db = std::make_unique<Database>(DatabaseOptions{"sqlite:" + path, pool, std::chrono::milliseconds(30000)});
    Migrator(*db, clock).Apply();
    return db;
}

}  // namespace maxis::storage::plan_suite
