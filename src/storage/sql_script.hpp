#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace maxis::storage {

/// Splits a migration script into statements on top-level semicolons, respecting '...' and "..." quoting,
/// $tag$ dollar quoting, -- line comments and /* */ block comments. Empty statements are dropped.
std::vector<std::string> SplitSqlScript(std::string_view script);

}  // namespace maxis::storage
