#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// Records a member the first time Maxis meets them (name and locale are kept from that first time).
/// Returns true when the row was created.
bool EnsureUser(Database& db, core::UserId id, const std::string& display_name, const std::string& locale,
                core::TimePoint now);

/// The names of these people as Maxis knows them (read as the system), for text shown outside Discord.
/// Someone without a name is absent from the answer.
std::map<core::UserId, std::string> DisplayNames(Database& db, const std::vector<core::UserId>& ids);

}  // namespace maxis::storage
