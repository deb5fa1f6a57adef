#pragma once
#include <string>
#include <string_view>

namespace maxis::core {

/// One cell of a CSV export: quoted when it holds a comma, a quote or a line break (quotes doubled), and never read
/// as a formula by a spreadsheet (a leading =, +, -, @, tab or carriage return gets a ' before it).
std::string CsvCell(std::string_view value);

}  // namespace maxis::core
