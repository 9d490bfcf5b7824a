#include "replay/chain_check.h"

#include <cstring>
#include <string>

namespace portico::replay {
namespace {

bool SameHash(const schema::Hash256* stored, const schemas::Hash& expected) {
  return stored != nullptr && std::memcmp(stored->bytes()->Data(), expected.data(), expected.size()) == 0;
}

}  // namespace

Status FaultAt(std::uint64_t position, std::string_view what) {
  std::string message = "position " + std::to_string(position) + ": ";
  message += what;
  return Status::Corruption(std::move(message));
}

Status MissingBeforeHead(std::uint64_t first_missing, std::uint64_t head_position) {
  return FaultAt(first_missing,
                 "missing (the head record says the log ends at position " + std::to_string(head_position) + ")");
}

Status ChainChecker::Next(std::uint64_t key, std::string_view bytes, const schema::Envelope* envelope,
                          const schemas::Hash* computed_hash) {
  const std::uint64_t expected = position_ + 1;
  if (key != expected) {
    return FaultAt(expected, "missing (the next stored event is at position " + std::to_string(key) + ")");
  }
  if (envelope == nullptr) {
    auto verified = schemas::VerifyEnvelope(bytes);
    return FaultAt(key, verified.ok() ? "envelope fails verification" : verified.status().message());
  }
  if (envelope->position() != key) {
    return FaultAt(key, "the envelope stored here says position " + std::to_string(envelope->position()) +
                            " (an event moved or swapped)");
  }
  if (computed_hash != nullptr && !SameHash(envelope->hash(), *computed_hash)) {
    return FaultAt(key, "hash does not match the envelope's bytes (changed after it was written)");
  }
  if (!SameHash(envelope->prev_hash(), hash_)) {
    return FaultAt(key, key == 1 ? "prev_hash of the first event is not zero"
                                 : "prev_hash is not the hash of position " + std::to_string(position_));
  }
  if (envelope->recorded_at_us() < recorded_at_us_) {
    return FaultAt(key, "recorded time goes back from the previous event's");
  }
  const std::string_view stream(envelope->stream_id()->c_str(), envelope->stream_id()->size());
  const std::uint64_t version = envelope->stream_version();
  auto it = versions_.find(stream);
  const std::uint64_t last = it == versions_.end() ? 0 : it->second;
  if (version != last + 1) {
    return FaultAt(key, "stream '" + std::string(stream) + "' version " + std::to_string(version) +
                            (last == 0 ? " is its first event (expected version 1)"
                                       : " follows version " + std::to_string(last)));
  }
  if (it == versions_.end()) {
    versions_.emplace(std::string(stream), version);
  } else {
    it->second = version;
  }
  position_ = key;
  hash_ = schemas::ToHash(envelope->hash());
  recorded_at_us_ = envelope->recorded_at_us();
  return Status::Ok();
}

Status ChainChecker::Finish(const std::optional<eventstore::HeadRecord>& head) const {
  if (!head) {
    if (position_ == 0) return Status::Ok();
    return FaultAt(position_, "the log holds events but no head record");
  }
  const std::uint64_t head_position = head->position.value();
  if (head_position > position_) return MissingBeforeHead(position_ + 1, head_position);
  if (head_position < position_) {
    return FaultAt(head_position + 1, "stored after the head record's position " + std::to_string(head_position));
  }
  if (head->hash != hash_) return FaultAt(position_, "hash differs from the one the head record holds");
  return Status::Ok();
}

}  // namespace portico::replay
