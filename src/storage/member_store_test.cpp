#include <filesystem>

#include "storage/member_store_suite.hpp"
#include "storage/migrator.hpp"

namespace maxis::storage::member_suite {

std::unique_ptr<Database> MakeMemberDatabase(testing::FakeClock& clock) {
    static int counter = 0;
    auto path = (std::filesystem::temp_directory_path() /
                 ("maxis-members-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                    .string();
    std::filesystem::remove(path);
    auto db = std::make_unique<Database>(DatabaseOptions{"sqlite:" + path, 2, std::chrono::milliseconds(30000)});
    Migrator(*db, clock).Apply();
    return db;
}

}  // namespace maxis::storage::member_suite
