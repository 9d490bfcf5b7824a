// A moment of the log's history, as the commands name it: --at TIME, --position N, or
// nothing (the head). A moment is a position (the events folded) and a time (what "now" is
// for expiries and lockouts in the access check).
#pragma once

#include <cstdint>
#include <optional>

#include "common/status.h"
#include "common/strong_type.h"

namespace portico::replay {

class LogDb;

struct MomentSpec {
  std::optional<std::int64_t> at_us;       // --at: the last event recorded at or before it
  std::optional<std::uint64_t> position;   // --position
};

struct Moment {
  Position position;     // events 1..position are folded
  std::int64_t now_us;   // --at's time; else the recorded time of the event at `position`
};

// InvalidArgument for a --position beyond `head` or both given; Corruption when an event read
// by the search fails verification or is missing. `head` is the last stored position.
Result<Moment> ResolveMoment(const LogDb& db, const MomentSpec& spec, Position head);

// The recorded time of the event at `position` (0 for Position(0)), verified.
Result<std::int64_t> RecordedAt(const LogDb& db, Position position);

}  // namespace portico::replay
