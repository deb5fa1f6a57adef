#include <filesystem>

#include "storage/migrator.hpp"
#include "storage/winner_grade_store_suite.hpp"

namespace maxis::storage::grade_suite {

std::unique_ptr<Database> MakeGradeDatabase(testing::FakeClock& clock) {
    static int counter = 0;
    auto path = (std::filesystem::temp_directory_path() /
                 ("maxis-grades-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                    .string();
    std::filesystem::remove(path);
    auto db = std::make_unique<Database>(DatabaseOptions{"sqlite:" + path, 2, std::chrono::milliseconds(30000)});
    Migrator(*db, clock).Apply();
    return db;
}

}  // namespace maxis::storage::grade_suite
