#include "storage/sql_util.hpp"

#include <algorithm>

#include "core/errors.hpp"

namespace maxis::storage {

long long RowInt(const soci::row& row, std::size_t i) {
    switch (row.get_properties(i).get_data_type()) {
        case soci::dt_integer:
            return row.get<int>(i);
        case soci::dt_long_long:
            return row.get<long long>(i);
        case soci::dt_unsigned_long_long:
            return static_cast<long long>(row.get<unsigned long long>(i));
        case soci::dt_double:
            return static_cast<long long>(row.get<double>(i));
        case soci::dt_string:
            return std::stoll(row.get<std::string>(i));
        default:
            throw core::Error(core::ErrorCode::kInternal,
                              "column " + row.get_properties(i).get_name() + " is not an integer");
    }
}

std::string RowText(const soci::row& row, std::size_t i) { return row.get<std::string>(i); }

std::optional<std::string> RowOptionalText(const soci::row& row, std::size_t i) {
    if (row.get_indicator(i) == soci::i_null) return std::nullopt;
    return row.get<std::string>(i);
}

std::optional<core::TimePoint> RowOptionalTime(const soci::row& row, std::size_t i) {
    if (row.get_indicator(i) == soci::i_null) return std::nullopt;
    return core::FromEpochMillis(RowInt(row, i));
}

std::string DynamicQuery::Bind(long long value) {
    ints_.push_back(value);
    order_.emplace_back(false, ints_.size() - 1);
    return ":p" + std::to_string(order_.size());
}

std::string DynamicQuery::Bind(const std::string& value) {
    texts_.push_back(value);
    order_.emplace_back(true, texts_.size() - 1);
    return ":p" + std::to_string(order_.size());
}

void DynamicQuery::ForEachRow(soci::session& sql, const std::string& query,
                              const std::function<void(const soci::row&)>& on_row) {
    soci::row row;
    soci::statement st(sql);
    st.exchange(soci::into(row));
    for (std::size_t i = 0; i < order_.size(); ++i) {
        std::string name = "p" + std::to_string(i + 1);
        if (order_[i].first) {
            st.exchange(soci::use(texts_[order_[i].second], name));
        } else {
            st.exchange(soci::use(ints_[order_[i].second], name));
        }
    }
    st.alloc();
    st.prepare(query);
    st.define_and_bind();
    if (!st.execute(true)) return;
    do {
        on_row(row);
    } while (st.fetch());
}

void DynamicQuery::Prepare(soci::statement& statement, Values& values, const std::string& query) const {
    values.order = order_;
    values.ints.resize(ints_.size());
    values.texts.resize(texts_.size());
    for (std::size_t i = 0; i < order_.size(); ++i) {
        std::string name = "p" + std::to_string(i + 1);
        if (order_[i].first) {
            statement.exchange(soci::use(values.texts[order_[i].second], name));
        } else {
            statement.exchange(soci::use(values.ints[order_[i].second], name));
        }
    }
    statement.alloc();
    statement.prepare(query);
    statement.define_and_bind();
}

void DynamicQuery::Run(Dialect dialect, Values& values, soci::statement& statement,
                       const std::function<void()>& on_row) const {
    // The SQL text names the placeholders in order, so the same text always has the same kinds of values.
    if (values.order != order_) {
        throw core::Error(core::ErrorCode::kInternal, "a prepared query was given values of other kinds");
    }
    std::copy(ints_.begin(), ints_.end(), values.ints.begin());
    std::copy(texts_.begin(), texts_.end(), values.texts.begin());
    struct Finish {
        Dialect dialect;
        soci::statement& statement;
        ~Finish() { FinishRun(dialect, statement); }
    } finish{dialect, statement};
    if (!statement.execute(true)) return;
    do {
        on_row();
    } while (statement.fetch());
}

long long AffectedRows(soci::statement& statement) {
    statement.execute(true);
    return statement.get_affected_rows();
}

}  // namespace maxis::storage
