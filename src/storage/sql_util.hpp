#pragma once
#include <soci/soci.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace maxis::storage {

/// A statement whose conditions are chosen at run time: each Bind() returns the placeholder to put in
/// the SQL, and ForEachRow() runs it. Queries stay index-friendly (no "(:x = 0 OR col = :x)" tricks
/// that hide a filter from the planner).
class DynamicQuery {
public:
    std::string Bind(long long value);
    std::string Bind(const std::string& value);
    void ForEachRow(soci::session& sql, const std::string& query, const std::function<void(const soci::row&)>& on_row);

private:
    std::deque<long long> ints_;
    std::deque<std::string> texts_;
    std::vector<std::pair<bool, std::size_t>> order_;  // (is_text, index)
};

/// Executes a prepared statement and returns how many rows it changed.
long long AffectedRows(soci::statement& statement);

/// Reads an integer column whatever width the backend reports (SQLite and PostgreSQL differ).
long long RowInt(const soci::row& row, std::size_t i);
std::string RowText(const soci::row& row, std::size_t i);
std::optional<std::string> RowOptionalText(const soci::row& row, std::size_t i);
/// An epoch-milliseconds column that may be NULL.
std::optional<core::TimePoint> RowOptionalTime(const soci::row& row, std::size_t i);

}  // namespace maxis::storage
