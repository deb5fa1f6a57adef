#pragma once
#include "core/clock.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// Seeds a small demo catalog the first time it is called on a database, and records that it did so;
/// later calls, even after the products were deleted, change nothing. Returns true when it seeded.
bool SeedDemoCatalogOnce(Database& db, const core::Clock& clock);

}  // namespace maxis::storage
