#pragma once
#include <optional>
#include <string_view>

#include "core/clock.hpp"

namespace maxis::core {

/// An instant as APIs receive it: "2026-12-25T17:00:00Z", with or without seconds and milliseconds, "Z" or an
/// offset ("+01:00"). nullopt for anything else (no zone, an impossible date or time). What FormatIso8601
/// (core/time_zone.hpp) writes reads back to the same instant.
std::optional<TimePoint> ParseIso8601(std::string_view text);

}  // namespace maxis::core
