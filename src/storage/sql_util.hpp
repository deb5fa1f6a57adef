#pragma once
#include <soci/soci.h>

#include <optional>
#include <string>

namespace maxis::storage {

/// Reads an integer column whatever width the backend reports (SQLite and PostgreSQL differ).
long long RowInt(const soci::row& row, std::size_t i);
std::string RowText(const soci::row& row, std::size_t i);
std::optional<std::string> RowOptionalText(const soci::row& row, std::size_t i);

}  // namespace maxis::storage
