#include "storage/sql_util.hpp"

#include "core/errors.hpp"

namespace maxis::storage {

long long RowInt(const soci::row& row, std::size_t i) {
    switch (row.get_properties(i).get_data_type()) {
        case soci::dt_integer: return row.get<int>(i);
        case soci::dt_long_long: return row.get<long long>(i);
        case soci::dt_unsigned_long_long: return static_cast<long long>(row.get<unsigned long long>(i));
        case soci::dt_double: return static_cast<long long>(row.get<double>(i));
        case soci::dt_string: return std::stoll(row.get<std::string>(i));
        default: throw core::Error(core::ErrorCode::kInternal, "column " + row.get_properties(i).get_name() + " is not an integer");
    }
}

std::string RowText(const soci::row& row, std::size_t i) { return row.get<std::string>(i); }

std::optional<std::string> RowOptionalText(const soci::row& row, std::size_t i) {
    if (row.get_indicator(i) == soci::i_null) return std::nullopt;
    return row.get<std::string>(i);
}

}  // namespace maxis::storage
