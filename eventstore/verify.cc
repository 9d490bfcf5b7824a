#include "eventstore/verify.h"

#include <string>
#include <unordered_map>

#include "eventstore/chain.h"
#include "eventstore/log_reader.h"

namespace portico::eventstore {
namespace {

// Checks stream versions against the stream index, one event after another.
class StreamVersionCheck {
 public:
  StreamVersionCheck(const LogReader& reader, bool from_first_position)
      : reader_(reader), from_first_position_(from_first_position) {}

  Status Next(Position position, const schema::Envelope& envelope) {
    const std::string_view stream = StreamIdOf(envelope);
    const std::uint64_t version = envelope.stream_version();
    if (version == 0) return CorruptionAt(position, "stream version is 0");
    ASSIGN_OR_RETURN(std::optional<Position> indexed, reader_.IndexedPosition(stream, version));
    if (indexed != position) {
      return CorruptionAt(position, Describe(stream, version) + " is indexed at " +
                                        (indexed ? "position " + std::to_string(indexed->value())
                                                 : std::string("no position")));
    }
    auto [it, first_seen] = last_seen_.try_emplace(std::string(stream), version);
    if (!first_seen) {
      if (version != it->second + 1) {
        return CorruptionAt(
            position, Describe(stream, version) + " follows version " + std::to_string(it->second));
      }
      it->second = version;
      return Status::Ok();
    }
    return CheckFirstSeen(position, stream, version);
  }

  // At the head: no stream has index entries after its last event in the range.
  Status CheckNothingIndexedBeyond(Position head) const {
    for (const auto& [stream, version] : last_seen_) {
      ASSIGN_OR_RETURN(StreamVersion current, reader_.StreamVersionOf(stream));
      if (current.value() != version) {
        return CorruptionAt(head, "stream " + stream + " is indexed up to version " +
                                      std::to_string(current.value()) +
                                      " but its last event is version " + std::to_string(version));
      }
    }
    return Status::Ok();
  }

 private:
  static std::string Describe(std::string_view stream, std::uint64_t version) {
    return "stream " + std::string(stream) + " version " + std::to_string(version);
  }

  Status CheckFirstSeen(Position position, std::string_view stream, std::uint64_t version) const {
    if (version == 1) return Status::Ok();
    if (from_first_position_) {
      return CorruptionAt(position, "stream " + std::string(stream) + " starts at version " +
                                        std::to_string(version));
    }
    ASSIGN_OR_RETURN(std::optional<Position> before, reader_.IndexedPosition(stream, version - 1));
    if (!before || *before >= position) {
      return CorruptionAt(position, Describe(stream, version) + " has no earlier version " +
                                        std::to_string(version - 1));
    }
    return Status::Ok();
  }

  const LogReader& reader_;
  const bool from_first_position_;
  std::unordered_map<std::string, std::uint64_t> last_seen_;
};

// The link before `from`: the event at from - 1, itself checked.
Result<ChainLink> Anchor(const LogReader& reader, Position from) {
  if (from.value() <= 1) return ChainLink(Position(0), schemas::Hash{});
  const Position previous(from.value() - 1);
  Result<StoredEvent> event = reader.ReadAt(previous);
  if (event.status().IsNotFound()) return CorruptionAt(previous, "missing");
  RETURN_IF_ERROR(event.status());
  const schema::Envelope& envelope = event->envelope();
  return ChainLink(previous, schemas::ToHash(envelope.hash()), envelope.recorded_at_us());
}

}  // namespace

Status VerifyLogRange(const LogReader& reader, Position from, Position to,
                      const std::optional<HeadRecord>& head) {
  ASSIGN_OR_RETURN(ChainLink link, Anchor(reader, from));
  StreamVersionCheck streams(reader, from.value() == 1);
  AlignedBytes aligned;  // the iterator's bytes may be misaligned for FlatBuffers (chain.h)
  const auto check = [&](Position position, std::string_view bytes) -> Status {
    ASSIGN_OR_RETURN(const schema::Envelope* envelope,
                     CheckStoredEvent(position, aligned.CopyOf(bytes)));
    RETURN_IF_ERROR(link.Next(position, *envelope));
    return streams.Next(position, *envelope);
  };
  RETURN_IF_ERROR(reader.Scan(from, to.value() - from.value() + 1, check));
  if (link.position() != to) {
    return CorruptionAt(
        Position(link.position().value() + 1),
        "missing (the log ends at position " + std::to_string(link.position().value()) + ")");
  }
  if (head) {
    if (link.hash() != head->hash) {
      return CorruptionAt(to, "hash differs from the one the head record holds");
    }
    RETURN_IF_ERROR(streams.CheckNothingIndexedBeyond(to));
  }
  return Status::Ok();
}

}  // namespace portico::eventstore
