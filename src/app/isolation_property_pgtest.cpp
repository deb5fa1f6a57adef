#include "app/isolation_property.hpp"
#include "support/postgres.hpp"

namespace maxis::app::property {

TEST(IsolationProperty, TenThousandRandomOperationsOnPostgresWithRls) {
    testing::PostgresDatabase pg;
    storage::Database login(storage::DatabaseOptions{pg.LoginUrl(), 4});
    RunIsolationProperty(login, 10'000, 424242);
}

}  // namespace maxis::app::property
