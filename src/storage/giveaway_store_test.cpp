#include <filesystem>

#include "storage/giveaway_milestone_suite.hpp"
#include "storage/giveaway_store_suite.hpp"
#include "storage/migrator.hpp"

namespace maxis::storage::giveaway_suite {

namespace {
std::string last_path;  // the database MakeGiveawayDatabase made last
}  // namespace

std::unique_ptr<Database> MakeGiveawayDatabase(testing::FakeClock& clock) {
    static int counter = 0;
    auto path = (std::filesystem::temp_directory_path() /
                 ("maxis-giveaways-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                    .string();
    std::filesystem::remove(path);
    last_path = path;
    auto db = std::make_unique<Database>(DatabaseOptions{"sqlite:" + path, 2, std::chrono::milliseconds(30000)});
    Migrator(*db, clock).Apply();
    return db;
}

std::unique_ptr<Database> OpenSameGiveawayDatabase() {
    return std::make_unique<Database>(DatabaseOptions{"sqlite:" + last_path, 2, std::chrono::milliseconds(30000)});
}

}  // namespace maxis::storage::giveaway_suite
