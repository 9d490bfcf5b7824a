#include "eventstore/log_reader.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#include <rocksdb/db.h>

#include "eventstore/chain.h"
#include "eventstore/db.h"

namespace portico::eventstore {
namespace {

std::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// Scans of at least this many events read ahead (see Scan).
constexpr std::size_t kLongScanEvents = 1024;

std::string StreamContext(std::string_view stream, std::uint64_t version) {
  std::string out = "stream ";
  out += stream;
  out += " version ";
  out += std::to_string(version);
  return out;
}

Status IteratorStatus(const rocksdb::Iterator& it, std::string_view context) {
  if (it.status().ok()) return Status::Ok();
  return FromRocksDb(it.status(), context);
}

}  // namespace

rocksdb::ReadOptions LogReader::Options() const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  return options;
}

Result<bool> LogReader::Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                            std::string* value, std::string_view context) const {
  const rocksdb::Status s =
      db_.db()->Get(Options(), cf, rocksdb::Slice(key.data(), key.size()), value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocksDb(s, context);
  return true;
}

Result<StoredEvent> LogReader::ReadAt(Position position) const {
  StoredEvent event;
  event.position = position;
  const std::string context = "reading position " + std::to_string(position.value());
  ASSIGN_OR_RETURN(bool found, Get(db_.events(), PositionKey(position), &event.bytes, context));
  if (!found) return Status::NotFound("no event at position " + std::to_string(position.value()));
  RETURN_IF_ERROR(CheckStoredEvent(position, event.bytes).status());
  return event;
}

Status LogReader::Scan(Position from, std::size_t max, const Visitor& visit) const {
  if (max == 0) return Status::Ok();
  Position expected(std::max<std::uint64_t>(from.value(), 1));
  rocksdb::ReadOptions options = Options();
  if (max >= kLongScanEvents) {
    // A long sequential read (a catch-up, an audit): large reads ahead instead of block by
    // block, and no eviction of the block cache's hot tail for blocks read once.
    options.readahead_size = 2 << 20;
    options.fill_cache = false;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(options, db_.events()));
  std::size_t visited = 0;
  for (it->Seek(PositionKey(expected)); it->Valid() && visited < max; it->Next()) {
    const std::optional<Position> position = DecodePosition(View(it->key()));
    if (!position) {
      return CorruptionAt(expected, "malformed key of " + std::to_string(it->key().size()) +
                                        " bytes where this position should be");
    }
    if (*position != expected) {
      return CorruptionAt(expected, "missing (the next stored event is at position " +
                                        std::to_string(position->value()) + ")");
    }
    RETURN_IF_ERROR(visit(*position, View(it->value())));
    expected = Position(expected.value() + 1);
    ++visited;
  }
  return IteratorStatus(*it, "scanning the log");
}

Result<std::vector<StoredEvent>> LogReader::ReadAll(Position from, std::size_t max) const {
  std::vector<StoredEvent> events;
  events.reserve(std::min<std::size_t>(max, 4096));
  const Status scanned = Scan(from, max, [&](Position position, std::string_view bytes) {
    // Checked in its copy: the iterator's bytes may be misaligned for FlatBuffers (chain.h).
    const StoredEvent& event = events.emplace_back(StoredEvent{position, std::string(bytes)});
    return CheckStoredEvent(position, event.bytes).status();
  });
  if (!scanned.ok()) return scanned;
  return events;
}

Result<schemas::EnvelopeRun> LogReader::ReadRun(Position from, std::size_t max) const {
  schemas::EnvelopeRun run;
  RETURN_IF_ERROR(Scan(from, max, [&](Position, std::string_view bytes) {
    run.Add(bytes);
    return Status::Ok();
  }));
  return run;
}

Result<std::vector<StoredEvent>> LogReader::ReadStream(std::string_view stream, StreamVersion from,
                                                       Direction direction, std::size_t max) const {
  RETURN_IF_ERROR(ValidateStreamId(stream));
  std::vector<StoredEvent> events;
  const bool forward = direction == Direction::kForward;
  if (max == 0 || (!forward && from.value() == 0)) return events;
  // Bounds keep the iterator inside this stream's keys: [stream 0x00, stream 0x01).
  std::string lower(stream);
  lower.push_back('\0');
  std::string upper(stream);
  upper.push_back('\1');
  const rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions options = Options();
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(options, db_.streams()));
  if (forward) {
    it->Seek(StreamKey(stream, std::max<std::uint64_t>(from.value(), 1)));
  } else {
    it->SeekForPrev(StreamKey(stream, from.value()));
  }
  for (; it->Valid() && events.size() < max; forward ? it->Next() : it->Prev()) {
    const std::optional<std::uint64_t> version = DecodeStreamKeyVersion(View(it->key()), stream);
    if (!version) break;  // outside this stream (cannot happen within the bounds)
    const std::optional<Position> position = DecodePosition(View(it->value()));
    if (!position) {
      return Status::Corruption(StreamContext(stream, *version) + ": malformed index entry");
    }
    Result<StoredEvent> event = ReadAt(*position);
    if (event.status().IsNotFound()) {
      return CorruptionAt(*position,
                          "indexed as " + StreamContext(stream, *version) + " but missing");
    }
    RETURN_IF_ERROR(event.status());
    const schema::Envelope& envelope = event->envelope();
    if (StreamIdOf(envelope) != stream || envelope.stream_version() != *version) {
      return CorruptionAt(*position,
                          "indexed as " + StreamContext(stream, *version) + " but holds " +
                              StreamContext(StreamIdOf(envelope), envelope.stream_version()));
    }
    events.push_back(std::move(event).value());
  }
  RETURN_IF_ERROR(IteratorStatus(*it, "reading the stream index"));
  return events;
}

Result<StreamVersion> LogReader::StreamVersionOf(std::string_view stream) const {
  RETURN_IF_ERROR(ValidateStreamId(stream));
  std::string lower(stream);
  lower.push_back('\0');
  const rocksdb::Slice lower_slice(lower);
  rocksdb::ReadOptions options = Options();
  options.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(options, db_.streams()));
  it->SeekForPrev(StreamKey(stream, std::numeric_limits<std::uint64_t>::max()));
  std::uint64_t version = 0;
  if (it->Valid()) {
    version = DecodeStreamKeyVersion(View(it->key()), stream).value_or(0);
  }
  RETURN_IF_ERROR(IteratorStatus(*it, "reading the stream index"));
  return StreamVersion(version);
}

Result<std::optional<Position>> LogReader::IndexedPosition(std::string_view stream,
                                                           std::uint64_t version) const {
  std::string value;
  const std::string context = StreamContext(stream, version);
  ASSIGN_OR_RETURN(bool found, Get(db_.streams(), StreamKey(stream, version), &value, context));
  if (!found) return std::optional<Position>();
  const std::optional<Position> position = DecodePosition(value);
  if (!position) return Status::Corruption(context + ": malformed index entry");
  return position;
}

Result<Position> LogReader::PositionAt(std::int64_t time_us, Position head) const {
  // Recorded times never decrease along the log: find the last position at or before time_us.
  std::uint64_t lo = 0;  // recorded(lo) <= time_us, with position 0 as a sentinel
  std::uint64_t hi = head.value();
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo + 1) / 2;
    Result<StoredEvent> event = ReadAt(Position(mid));
    if (event.status().IsNotFound()) return CorruptionAt(Position(mid), "missing");
    RETURN_IF_ERROR(event.status());
    if (event->envelope().recorded_at_us() <= time_us) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return Position(lo);
}

Result<std::optional<IdempotencyRecord>> LogReader::FindIdempotencyKey(std::string_view key) const {
  std::string value;
  ASSIGN_OR_RETURN(bool found, Get(db_.idempotency(), key, &value, "reading an idempotency key"));
  if (!found) return std::optional<IdempotencyRecord>();
  std::optional<IdempotencyRecord> record = DecodeIdempotencyRecord(value);
  if (!record) {
    return Status::Corruption("idempotency record of key \"" + std::string(key) +
                              "\" is malformed");
  }
  return record;
}

Result<std::optional<std::string>> LogReader::ReadMeta(std::string_view key) const {
  std::string value;
  ASSIGN_OR_RETURN(bool found, Get(db_.meta(), key, &value, "reading metadata"));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<HeadRecord>> LogReader::ReadHead() const {
  ASSIGN_OR_RETURN(std::optional<std::string> value, ReadMeta(kHeadKey));
  if (!value) return std::optional<HeadRecord>();
  std::optional<HeadRecord> record = DecodeHeadRecord(*value);
  if (!record) return Status::Corruption("the head record is malformed");
  return record;
}

Result<Position> LogReader::LastStoredPosition() const {
  std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(Options(), db_.events()));
  it->SeekToLast();
  Position last(0);
  if (it->Valid()) {
    const std::optional<Position> position = DecodePosition(View(it->key()));
    if (!position) return Status::Corruption("the last key of the log is malformed");
    last = *position;
  }
  RETURN_IF_ERROR(IteratorStatus(*it, "finding the last position"));
  return last;
}

}  // namespace portico::eventstore
