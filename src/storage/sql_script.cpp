#include "storage/sql_script.hpp"

#include "core/strings.hpp"

namespace maxis::storage {

std::vector<std::string> SplitSqlScript(std::string_view script) {
    std::vector<std::string> out;
    std::string current;
    auto flush = [&] {
        auto trimmed = core::Trim(current);
        if (!trimmed.empty()) out.emplace_back(trimmed);
        current.clear();
    };
    std::size_t i = 0;
    while (i < script.size()) {
        char c = script[i];
        if (c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
            while (i < script.size() && script[i] != '\n') ++i;
            continue;
        }
        if (c == '/' && i + 1 < script.size() && script[i + 1] == '*') {
            auto end = script.find("*/", i + 2);
            i = end == std::string_view::npos ? script.size() : end + 2;
            current += ' ';
            continue;
        }
        if (c == '\'' || c == '"') {
            std::size_t j = i + 1;
            while (j < script.size()) {
                if (script[j] == c) {
                    if (j + 1 < script.size() && script[j + 1] == c) {
                        j += 2;
                        continue;
                    }
                    break;
                }
                ++j;
            }
            std::size_t end = std::min(j + 1, script.size());
            current.append(script.substr(i, end - i));
            i = end;
            continue;
        }
        if (c == '$') {
            std::size_t j = i + 1;
            while (j < script.size() && (std::isalnum(static_cast<unsigned char>(script[j])) || script[j] == '_')) ++j;
            if (j < script.size() && script[j] == '$') {
                std::string_view tag = script.substr(i, j - i + 1);
                auto close = script.find(tag, j + 1);
                std::size_t end = close == std::string_view::npos ? script.size() : close + tag.size();
                current.append(script.substr(i, end - i));
                i = end;
                continue;
            }
        }
        if (c == ';') {
            flush();
            ++i;
            continue;
        }
        current += c;
        ++i;
    }
    flush();
    return out;
}

}  // namespace maxis::storage
