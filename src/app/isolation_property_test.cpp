#include "app/isolation_property.hpp"

#include "storage/migrator.hpp"

namespace maxis::app::property {

TEST(IsolationProperty, TenThousandRandomOperationsOnSqlite) {
    testing::FakeClock clock;
    storage::Database db(storage::DatabaseOptions{"sqlite::memory:", 1});
    storage::Migrator(db, clock).Apply();
    RunIsolationProperty(db, 10'000, 20261124);
}

}  // namespace maxis::app::property
