#include "storage/sql_util.hpp"

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

long long AffectedRows(soci::statement& statement) {
    statement.execute(true);
    return statement.get_affected_rows();
}

}  // namespace maxis::storage
