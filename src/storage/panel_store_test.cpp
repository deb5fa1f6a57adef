#include <filesystem>

#include "storage/migrator.hpp"
#include "storage/panel_store_suite.hpp"

namespace maxis::storage::panel_suite {

namespace {
std::string CurrentPath() {
    static int counter = 0;
    static std::string path;
    path = (std::filesystem::temp_directory_path() /
            ("maxis-panel-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
               .string();
    std::filesystem::remove(path);
    return path;
}
std::string g_path;
}  // namespace

// A file database, so that Reopen() is a real second pool (a restart, or another process).
std::unique_ptr<Database> MakeDatabase(testing::FakeClock& clock) {
    g_path = CurrentPath();
    auto db = std::make_unique<Database>(DatabaseOptions{"sqlite:" + g_path, 4});
    Migrator(*db, clock).Apply();
    return db;
}

std::unique_ptr<Database> Reopen() { return std::make_unique<Database>(DatabaseOptions{"sqlite:" + g_path, 2}); }

}  // namespace maxis::storage::panel_suite
