#pragma once
#include <string_view>

namespace maxis::core {

enum class LogFormat { kText, kJson };

/// Configures the process-wide spdlog default logger on stderr: readable text, or one JSON object a line
/// ({"ts","level","logger","msg"}) for log shippers. Level names are spdlog's (trace..critical, off).
/// Throws core::Error(kInvalidArgument) on an unknown level.
void SetupLogging(std::string_view level, LogFormat format);

}  // namespace maxis::core
