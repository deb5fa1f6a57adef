#pragma once
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// Records a member the first time Maxis meets them (name and locale are kept from that first time).
/// Returns true when the row was created.
bool EnsureUser(Database& db, core::UserId id, const std::string& display_name, const std::string& locale,
                core::TimePoint now);

}  // namespace maxis::storage
