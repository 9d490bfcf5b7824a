// ChainChecker: the audit's own checks of the log, one stored entry after another in key
// order from position 1. It re-implements what the event store checks (eventstore/verify.h)
// because an audit must not rely on the code it audits. For each entry:
//   - its key is the next position: positions start at 1 and have no gaps (a deleted event
//     shows as "missing");
//   - its bytes pass FlatBuffers verification as an Envelope with a known body;
//   - the envelope's `position` field equals its key (a moved or swapped event);
//   - with a recomputed hash: the envelope's own `hash` matches its bytes (a changed byte);
//   - its `prev_hash` is the `hash` of the entry before it (zeros at position 1);
//   - its recorded time is not earlier than the previous event's;
//   - its stream version is the next of its stream: each stream's versions are 1, 2, 3...
// Finish() then checks the head record against the last entry.
//
// The first fault is returned as Corruption("position N: what"); the checker must not be
// used after a fault. Not thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <boost/unordered/unordered_flat_map.hpp>

#include "common/status.h"
#include "common/strong_type.h"
#include "domain/state.h"
#include "eventstore/keys.h"
#include "schemas/envelope.h"

namespace portico::replay {

// Corruption("position N: what").
Status FaultAt(std::uint64_t position, std::string_view what);

// The fault of a log whose head record names a later position than the last one stored:
// "position FIRST_MISSING: missing (the head record says the log ends at position HEAD)".
Status MissingBeforeHead(std::uint64_t first_missing, std::uint64_t head_position);

class ChainChecker {
 public:
  ChainChecker() = default;

  // `envelope` is the verified envelope of `bytes`, or nullptr when they failed verification;
  // `computed_hash` is their recomputed own hash, or nullptr to skip that check.
  Status Next(std::uint64_t key, std::string_view bytes, const schema::Envelope* envelope,
              const schemas::Hash* computed_hash);

  // After the last entry of a scan of the whole log: the head record names the last entry
  // and its hash. A log with events needs a head record.
  Status Finish(const std::optional<eventstore::HeadRecord>& head) const;

  Position position() const { return Position(position_); }  // the last entry checked
  const schemas::Hash& hash() const { return hash_; }          // its own hash
  std::int64_t recorded_at_us() const { return recorded_at_us_; }
  std::size_t streams() const { return versions_.size(); }

 private:
  std::uint64_t position_ = 0;
  schemas::Hash hash_{};
  std::int64_t recorded_at_us_ = std::numeric_limits<std::int64_t>::min();
  // Stream id -> last version seen. Looked up once per event, among hundreds of thousands of
  // streams: an open-addressing table finds an entry with one cache miss where
  // std::unordered_map takes two (bucket, then node) and allocates a node per stream.
  boost::unordered_flat_map<std::string, std::uint64_t, domain::StringHash, std::equal_to<>> versions_;
};

}  // namespace portico::replay
