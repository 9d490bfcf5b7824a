// Internal: verification of a range of the log, behind EventStore::VerifyRange and the tail
// check of EventStore::Open.
//
// For each position in [from, to], in order, it checks:
//   - the event is present (positions are gapless) and passes CheckStoredEvent: FlatBuffers
//     verification, `position` field equal to the key, own hash recomputed;
//   - its prev_hash is the hash of the event before it (the event at from - 1 anchors the
//     chain; zeros before position 1) and its recorded time is not earlier;
//   - the stream index maps (stream_id, stream_version) back to this position, and stream
//     versions are consecutive: within the range, each stream's events follow one another;
//     a stream first seen in the range at version v > 1 has version v - 1 indexed at an
//     earlier position (or, for a range from position 1, starts at version 1).
// With `head` (the range ends at the head), also: the head record's hash is the last
// event's, and no stream seen in the range has index entries beyond its last event.
//
// The first failure is returned as a Corruption naming its position.
#pragma once

#include <optional>

#include "common/status.h"
#include "common/strong_type.h"
#include "eventstore/keys.h"

namespace portico::eventstore {

class LogReader;

// Requires 1 <= from <= to.
Status VerifyLogRange(const LogReader& reader, Position from, Position to,
                      const std::optional<HeadRecord>& head);

}  // namespace portico::eventstore
