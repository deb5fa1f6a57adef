// Any configuration text: it loads, or fails with a core::Error that explains why. Nothing else escapes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/config.hpp"
#include "core/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    try {
        maxis::app::ParseConfig(text, "fuzz.toml", no_env);
    } catch (const maxis::core::Error& e) {
        if (std::string(e.what()).find("configuration error") == std::string::npos) __builtin_trap();
    }
    return 0;
}
