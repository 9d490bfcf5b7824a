// Internal: every read of the event log's RocksDB database (format in keys.h). Each event
// value is checked with CheckStoredEvent before it is returned, so damaged bytes come back as
// a Corruption status naming their position; only Scan and ReadRun hand out raw bytes, for
// callers that verify them themselves.
//
// Thread safety: all methods are const and may be called concurrently. The Db (and the
// snapshot) passed to the constructor must outlive the LogReader.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/strong_type.h"
#include "eventstore/event_store.h"
#include "eventstore/keys.h"

namespace rocksdb {
class ColumnFamilyHandle;
class Snapshot;
struct ReadOptions;
}  // namespace rocksdb

namespace portico::eventstore {

class Db;

class LogReader {
 public:
  // Reads the latest state, or the state of `snapshot` when it is not null.
  explicit LogReader(const Db& db, const rocksdb::Snapshot* snapshot = nullptr)
      : db_(db), snapshot_(snapshot) {}

  // The verified event at `position`; NotFound when there is none.
  Result<StoredEvent> ReadAt(Position position) const;

  // Visits up to `max` stored events from position `from` (0 means 1) in order, stopping at
  // the end of the log or at the first non-OK status `visit` returns (which Scan returns).
  // The bytes are unverified and valid only during the call. A missing position before the
  // end of the log is a Corruption.
  using Visitor = std::function<Status(Position, std::string_view bytes)>;
  Status Scan(Position from, std::size_t max, const Visitor& visit) const;

  Result<std::vector<StoredEvent>> ReadAll(Position from, std::size_t max) const;
  // Scan's events packed in one run, unverified (EventStore::ReadRun).
  Result<schemas::EnvelopeRun> ReadRun(Position from, std::size_t max) const;
  Result<std::vector<StoredEvent>> ReadStream(std::string_view stream, StreamVersion from,
                                              Direction direction, std::size_t max) const;

  // The version of the stream's last event; 0 when it has none.
  Result<StreamVersion> StreamVersionOf(std::string_view stream) const;
  // The position the stream index gives for (stream, version); nullopt when absent.
  Result<std::optional<Position>> IndexedPosition(std::string_view stream,
                                                  std::uint64_t version) const;

  // The last position whose recorded time is <= time_us, searching [1, head].
  Result<Position> PositionAt(std::int64_t time_us, Position head) const;

  Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(std::string_view key) const;
  // A value of the "default" (metadata) family; nullopt when absent.
  Result<std::optional<std::string>> ReadMeta(std::string_view key) const;
  Result<std::optional<HeadRecord>> ReadHead() const;
  // The largest key of the "events" family; Position(0) when it is empty.
  Result<Position> LastStoredPosition() const;

 private:
  // Reads the raw value under `key` of the family `cf` into *value; false when absent.
  Result<bool> Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string* value,
                   std::string_view context) const;
  rocksdb::ReadOptions Options() const;

  const Db& db_;
  const rocksdb::Snapshot* const snapshot_;
};

}  // namespace portico::eventstore
