// Times on the command line and in the output: RFC 3339 or integer microseconds since the Unix
// epoch (UTC), the unit of every time in the log (schemas/events.fbs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace portico::replay {

// Parses "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.25+02:00" (fractions down to the
// microsecond; a 'T', 't' or space between date and time; 'Z', 'z' or an offset), an integer
// count of microseconds ("1795428000000000"; digits after at most one leading '-', within
// int64), or "now" (the system clock). InvalidArgument naming the text otherwise.
Result<std::int64_t> ParseTime(std::string_view text);

// "2026-11-22T10:00:00.000000Z": RFC 3339 in UTC, always with six fraction digits.
std::string FormatTime(std::int64_t time_us);

// The same into `out` (at least kFormattedTimeMax bytes, not terminated); returns its length.
constexpr std::size_t kFormattedTimeMax = 64;
std::size_t FormatTime(std::int64_t time_us, char* out);

}  // namespace portico::replay
