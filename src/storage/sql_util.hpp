#pragma once
#include <soci/soci.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// A statement whose conditions are chosen at run time: each Bind() returns the placeholder to put in
/// the SQL, and ForEachRow() runs it. Queries stay index-friendly (no "(:x = 0 OR col = :x)" tricks
/// that hide a filter from the planner).
class DynamicQuery {
public:
    std::string Bind(long long value);
    std::string Bind(const std::string& value);
    void ForEachRow(soci::session& sql, const std::string& query, const std::function<void(const soci::row&)>& on_row);
    /// The same on a statement the connection prepared once for this SQL text, each row read into Columns:
    /// typed variables it binds itself with soci::into in Bind(soci::statement&), not a soci::row.
    template <class Columns>
    void ForEach(Transaction& tx, const std::string& query, const std::function<void(const Columns&)>& on_row) {
        auto& prepared = tx.Prepared<PreparedQuery<Columns>>(
            query, [&] { return std::make_unique<PreparedQuery<Columns>>(tx.sql(), query, *this); });
        Run(tx.dialect(), prepared.values, prepared.statement, [&] { on_row(prepared.columns); });
    }

private:
    using Order = std::vector<std::pair<bool, std::size_t>>;  // (is_text, index)
    /// What a prepared statement's placeholders are bound to.
    struct Values {
        Order order;
        std::vector<long long> ints;
        std::vector<std::string> texts;
    };
    template <class Columns>
    struct PreparedQuery final : PreparedStatement {
        Values values;
        Columns columns;
        soci::statement statement;
        PreparedQuery(soci::session& sql, const std::string& query, const DynamicQuery& q) : statement(sql) {
            columns.Bind(statement);
            q.Prepare(statement, values, query);
        }
    };
    void Prepare(soci::statement& statement, Values& values, const std::string& query) const;
    void Run(Dialect dialect, Values& values, soci::statement& statement, const std::function<void()>& on_row) const;

    std::deque<long long> ints_;
    std::deque<std::string> texts_;
    Order order_;
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
