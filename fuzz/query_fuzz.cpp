// Any query string or path segment: decoding either fails cleanly or yields no NUL byte.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    if (auto decoded = maxis::http::PercentDecode(text, true); decoded && decoded->find('\0') != std::string::npos) {
        __builtin_trap();
    }
    maxis::http::Request request;
    request.query = text;
    for (const char* name : {"status", "cursor", "", "a b"}) {
        if (auto v = request.QueryParam(name); v && v->find('\0') != std::string::npos) __builtin_trap();
    }
    return 0;
}
