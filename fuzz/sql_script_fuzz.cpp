// Any migration text: splitting terminates, and no statement is empty or loses non-space content.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/sql_script.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto statements = maxis::storage::SplitSqlScript(text);
    std::size_t total = 0;
    for (const auto& s : statements) {
        if (s.empty()) __builtin_trap();
        total += s.size();
    }
    if (total > text.size() + statements.size()) __builtin_trap();
    return 0;
}
