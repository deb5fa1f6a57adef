#include <filesystem>

#include "storage/marketing_store_suite.hpp"
#include "storage/migrator.hpp"

namespace maxis::storage::marketing_suite {

// SQLite: writers take turns (the pool queues them), readers run beside them.
const int kWriterThreads = 8;

std::unique_ptr<Database> MakeMarketingDatabase(testing::FakeClock& clock) {
    static int counter = 0;
    auto path = (std::filesystem::temp_directory_path() /
                 ("maxis-marketing-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                    .string();
    std::filesystem::remove(path);
    auto db = std::make_unique<Database>(DatabaseOptions{"sqlite:" + path, 2, std::chrono::milliseconds(30000)});
    Migrator(*db, clock).Apply();
    return db;
}

}  // namespace maxis::storage::marketing_suite
