#include "storage/ticket_suite.hpp"

namespace maxis::storage::ticket_suite {

std::unique_ptr<Database> MakeDatabase(testing::FakeClock& clock) {
    auto db = std::make_unique<Database>(DatabaseOptions{"sqlite::memory:", 1});
    Migrator(*db, clock).Apply();
    return db;
}

}  // namespace maxis::storage::ticket_suite
