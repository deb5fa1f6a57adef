#include <unistd.h>

#include <filesystem>

#include "storage/coin_store_suite.hpp"
#include "storage/migrator.hpp"

namespace maxis::storage::coin_suite {

// A file database with a real pool, so that concurrent checkouts are concurrent transactions.
std::unique_ptr<Database> MakeCoinDatabase(testing::FakeClock& clock, int pool) {
    static int counter = 0;
    auto path = (std::filesystem::temp_directory_path() /
                 ("maxis-coins-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                    .string();
    std::filesystem::remove(path);
    auto db = std::make_unique<Database>(DatabaseOptions{"sqlite:" + path, pool, std::chrono::milliseconds(30000)});
    Migrator(*db, clock).Apply();
    return db;
}

}  // namespace maxis::storage::coin_suite
