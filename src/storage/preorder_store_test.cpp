#include <filesystem>

#include "storage/migrator.hpp"
#include "storage/preorder_store_suite.hpp"

namespace maxis::storage::preorder_suite {

// SQLite: writers take turns (the pool queues them), readers run beside them.
const int kBuyerThreads = 8;

std::unique_ptr<Database> MakePreorderDatabase(testing::FakeClock& clock) {
    static int counter = 0;
    auto path = (std::filesystem::temp_directory_path() /
                 ("maxis-preorders-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                    .string();
    std::filesystem::remove(path);
    auto db = std::make_unique<Database>(DatabaseOptions{"sqlite:" + path, 2, std::chrono::milliseconds(30000)});
    Migrator(*db, clock).Apply();
    return db;
}

}  // namespace maxis::storage::preorder_suite
