#include "eventstore/batch_builder.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include <sodium.h>

#include "eventstore/db.h"
#include "eventstore/log_reader.h"

namespace portico::eventstore {
namespace {

constexpr std::size_t kEventIdBytes = sizeof(schemas::EventIdBytes);

std::int64_t WallClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

BatchBuilder::BatchBuilder(const Db& db, const LogReader& reader, const LogTail& tail,
                           std::size_t max_cached_streams)
    : db_(db),
      reader_(reader),
      max_cached_streams_(max_cached_streams),
      head_(tail.head),
      recorded_at_us_(tail.recorded_at_us),
      batch_start_(tail.head) {}

void BatchBuilder::Begin(std::size_t max_events) {
  batch_.Clear();
  undo_.clear();
  batch_keys_.clear();
  group_.reset();
  batch_start_ = head_;
  batch_start_recorded_at_us_ = recorded_at_us_;
  // One clock reading per batch: the events of a batch share their recorded time (unless
  // an append brings its own), which never goes back even when the wall clock does.
  batch_clock_us_ = WallClockMicros();
  // One call for the random bytes of every event id in the batch.
  event_ids_.resize(max_events * kEventIdBytes);
  randombytes_buf(event_ids_.data(), event_ids_.size());
  next_event_id_ = 0;
}

const std::uint8_t* BatchBuilder::NextEventId() {
  if (next_event_id_ + kEventIdBytes > event_ids_.size()) {  // more events than announced
    event_ids_.resize(std::max(event_ids_.size(), kEventIdBytes));
    randombytes_buf(event_ids_.data(), event_ids_.size());
    next_event_id_ = 0;
  }
  const std::uint8_t* id = event_ids_.data() + next_event_id_;
  next_event_id_ += kEventIdBytes;
  return id;
}

Result<std::uint64_t*> BatchBuilder::CachedVersion(const StreamId& stream) {
  auto it = versions_.find(stream.value());
  if (it != versions_.end()) return &it->second;
  ASSIGN_OR_RETURN(StreamVersion stored, reader_.StreamVersionOf(stream.value()));
  return &versions_.emplace(stream.value(), stored.value()).first->second;
}

Result<std::optional<AppendResult>> BatchBuilder::Deduplicate(const AppendRequest& request) {
  std::optional<IdempotencyRecord> earlier;
  if (auto it = batch_keys_.find(request.idempotency_key); it != batch_keys_.end()) {
    earlier = it->second;
  } else {
    ASSIGN_OR_RETURN(earlier, reader_.FindIdempotencyKey(request.idempotency_key));
  }
  if (!earlier) return std::optional<AppendResult>();
  if (earlier->fingerprint != request.fingerprint) {
    return Status::FailedPrecondition("idempotency key \"" + request.idempotency_key +
                                      "\" was already used for other events");
  }
  return std::optional<AppendResult>(
      AppendResult{earlier->first_position, earlier->last_position, earlier->stream_version, true});
}

Result<AppendResult> BatchBuilder::Add(AppendRequest& request) {
  if (!request.idempotency_key.empty()) {
    ASSIGN_OR_RETURN(std::optional<AppendResult> earlier, Deduplicate(request));
    if (earlier) return *earlier;
  }
  if (request.expected_head && *request.expected_head != head_.position) {
    return Status::Aborted("the log's head is at position " +
                           std::to_string(head_.position.value()) + ", the append expected " +
                           std::to_string(request.expected_head->value()));
  }
  ASSIGN_OR_RETURN(std::uint64_t* version, CachedVersion(request.stream));
  if (!request.expected.Matches(StreamVersion(*version))) {
    return Status::Aborted("stream " + request.stream.value() + " is at version " +
                               std::to_string(*version) + ", expected " +
                               Describe(request.expected),
                           *version);
  }
  // All entries of the append go in, or none: a failed Put rolls the batch back.
  const HeadRecord before = head_;
  const std::int64_t recorded_before = recorded_at_us_;
  recorded_at_us_ = std::max(recorded_at_us_, request.recorded_at_us != 0 ? request.recorded_at_us
                                                                           : batch_clock_us_);
  batch_.SetSavePoint();
  rocksdb::Status s = PutEvents(request, *version + 1);
  const AppendResult result{Position(before.position.value() + 1), head_.position,
                            StreamVersion(*version + request.envelopes.size()), false,
                            recorded_at_us_};
  const IdempotencyRecord record{request.fingerprint, result.first_position, result.last_position,
                                 result.stream_version};
  if (s.ok() && !request.idempotency_key.empty()) {
    EncodeIdempotencyRecord(&value_, record);
    s = batch_.Put(db_.idempotency(), ToSlice(request.idempotency_key), value_);
  }
  if (s.ok()) s = batch_.PopSavePoint();
  if (!s.ok()) {
    (void)batch_.RollbackToSavePoint();
    head_ = before;
    recorded_at_us_ = recorded_before;
    return FromRocksDb(s, "adding an append to the batch");
  }
  undo_.emplace_back(version, *version);
  *version = result.stream_version.value();
  if (!request.idempotency_key.empty()) {
    batch_keys_[request.idempotency_key] = record;
    if (group_) group_->keys.push_back(request.idempotency_key);
  }
  return result;
}

void BatchBuilder::BeginGroup() {
  batch_.SetSavePoint();
  group_ = GroupStart{head_, recorded_at_us_, undo_.size(), {}};
}

void BatchBuilder::EndGroup() {
  (void)batch_.PopSavePoint();  // cannot fail: BeginGroup set it
  group_.reset();
}

void BatchBuilder::RollbackGroup() {
  (void)batch_.RollbackToSavePoint();  // cannot fail: BeginGroup set it
  head_ = group_->head;
  recorded_at_us_ = group_->recorded_at_us;
  while (undo_.size() > group_->undo_size) {
    *undo_.back().first = undo_.back().second;
    undo_.pop_back();
  }
  for (const std::string& key : group_->keys) batch_keys_.erase(key);
  group_.reset();
}

rocksdb::Status BatchBuilder::PutEvents(AppendRequest& request, std::uint64_t first_version) {
  schemas::StoreFields fields;
  fields.recorded_at_us = recorded_at_us_;
  fields.stream_version = first_version;
  std::string position_key;
  for (std::string& envelope : request.envelopes) {
    std::memcpy(fields.event_id.data(), NextEventId(), kEventIdBytes);
    fields.position = head_.position.value() + 1;
    fields.prev_hash = head_.hash;
    head_.hash = schemas::StampEnvelope(envelope, fields);
    head_.position = Position(fields.position);
    position_key.clear();
    AppendFixed64(&position_key, fields.position);
    SetStreamKey(&key_, request.stream.value(), fields.stream_version);
    rocksdb::Status s = batch_.Put(db_.events(), position_key, envelope);
    if (s.ok()) s = batch_.Put(db_.streams(), key_, position_key);
    if (!s.ok()) return s;
    ++fields.stream_version;
  }
  return rocksdb::Status::OK();
}

Result<rocksdb::WriteBatch*> BatchBuilder::Seal() {
  const rocksdb::Status s = batch_.Put(db_.meta(), kHeadKey, EncodeHeadRecord(head_));
  if (!s.ok()) return FromRocksDb(s, "adding the head record to the batch");
  return &batch_;
}

void BatchBuilder::Commit() {
  undo_.clear();
  batch_keys_.clear();
  batch_start_ = head_;
  if (versions_.size() > max_cached_streams_) versions_.clear();
}

void BatchBuilder::Abandon() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) *it->first = it->second;
  undo_.clear();
  batch_keys_.clear();
  batch_.Clear();
  head_ = batch_start_;
  recorded_at_us_ = batch_start_recorded_at_us_;
}

}  // namespace portico::eventstore
