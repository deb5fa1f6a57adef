#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace maxis::core {

/// Parses a human duration: one or more number+unit groups, units s, m (minutes), h, d, w, in any
/// order of magnitude ("90s", "48h", "3d", "1h30m", "2w"). French "j" (jours) is accepted for days.
/// Returns nullopt on anything else, on zero, or on overflow.
std::optional<std::chrono::seconds> ParseDuration(std::string_view text);

/// The inverse, in the largest exact units ("1d2h", "30m", "0s").
std::string FormatDuration(std::chrono::seconds d);

}  // namespace maxis::core
