// Internal: checks on events read back from the log (keys.h describes what is stored).
//
// CheckStoredEvent is what every read applies to every value before using it: FlatBuffers
// verification, the `position` field against the key, and the own hash recomputed. Damaged
// bytes give a Corruption status naming the position, never a crash.
//
// ChainLink checks what ties each event to the one before it, walking the log in order.
// Neither touches RocksDB; both are pure and thread-compatible.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/strong_type.h"
#include "schemas/envelope.h"

namespace portico::eventstore {

// Corruption("position 12: <what>").
Status CorruptionAt(Position position, std::string_view what);

// Verifies the value stored under `position`. The returned envelope aliases `bytes`, which
// must start at an address aligned for 8-byte scalars (kEnvelopeAlignment): FlatBuffers reads
// scalars in place. Misaligned bytes are an Internal error (a reader's bug), never read.
Result<const schema::Envelope*> CheckStoredEvent(Position position, std::string_view bytes);

// The widest scalar of an Envelope is 8 bytes.
inline constexpr std::size_t kEnvelopeAlignment = alignof(std::uint64_t);

// A copy of a value at an address fit for CheckStoredEvent. RocksDB's values are not aligned
// (an iterator's value() in a memtable starts wherever its key and length prefix end), so a
// scan that checks them in place copies each one here first. The buffer is reused: once it
// has grown to the largest event, copying allocates nothing.
class AlignedBytes {
 public:
  // The copy of `bytes`, valid until the next call.
  std::string_view CopyOf(std::string_view bytes);

 private:
  std::vector<std::uint64_t> words_;
};

// The stream id of a verified envelope.
inline std::string_view StreamIdOf(const schema::Envelope& envelope) {
  return {envelope.stream_id()->c_str(), envelope.stream_id()->size()};
}

class ChainLink {
 public:
  // The walk starts after `previous`, the event just before the first one to be checked:
  // for a walk from position 1, Position(0) with a zero hash and the lowest time.
  ChainLink(Position previous, const schemas::Hash& previous_hash,
            std::int64_t previous_recorded_at_us = std::numeric_limits<std::int64_t>::min())
      : position_(previous), hash_(previous_hash), recorded_at_us_(previous_recorded_at_us) {}

  // Checks that `envelope`, which passed CheckStoredEvent under key `position`, follows the
  // previous event: next position, prev_hash equal to the previous hash, recorded time not
  // earlier. On success it becomes the previous event.
  Status Next(Position position, const schema::Envelope& envelope);

  Position position() const { return position_; }
  const schemas::Hash& hash() const { return hash_; }
  std::int64_t recorded_at_us() const { return recorded_at_us_; }

 private:
  Position position_;
  schemas::Hash hash_;
  std::int64_t recorded_at_us_;
};

}  // namespace portico::eventstore
