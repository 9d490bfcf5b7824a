#include "eventstore/keys.h"

#include <cstring>

namespace portico::eventstore {
namespace {

constexpr char kStreamSeparator = '\0';
constexpr std::size_t kIdempotencyRecordBytes = 32 + 3 * 8;
constexpr std::size_t kHeadRecordBytes = 8 + 32;

}  // namespace

void AppendFixed64(std::string* out, std::uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, sizeof buf);
}

std::uint64_t DecodeFixed64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}

std::string PositionKey(Position position) {
  std::string key;
  key.reserve(8);
  AppendFixed64(&key, position.value());
  return key;
}

std::optional<Position> DecodePosition(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  return Position(DecodeFixed64(bytes.data()));
}

Status ValidateStreamId(std::string_view stream) {
  if (stream.empty()) return Status::InvalidArgument("stream id is empty");
  if (stream.size() > kMaxStreamIdBytes) {
    return Status::InvalidArgument("stream id is longer than " + std::to_string(kMaxStreamIdBytes) +
                                   " bytes");
  }
  if (stream.find(kStreamSeparator) != std::string_view::npos) {
    return Status::InvalidArgument("stream id contains a NUL byte");
  }
  return Status::Ok();
}

void SetStreamKey(std::string* out, std::string_view stream, std::uint64_t version) {
  out->clear();
  out->reserve(stream.size() + 9);
  out->append(stream);
  out->push_back(kStreamSeparator);
  AppendFixed64(out, version);
}

std::string StreamKey(std::string_view stream, std::uint64_t version) {
  std::string key;
  SetStreamKey(&key, stream, version);
  return key;
}

std::optional<std::uint64_t> DecodeStreamKeyVersion(std::string_view key, std::string_view stream) {
  if (key.size() != stream.size() + 9 || key.substr(0, stream.size()) != stream ||
      key[stream.size()] != kStreamSeparator) {
    return std::nullopt;
  }
  return DecodeFixed64(key.data() + stream.size() + 1);
}

void EncodeIdempotencyRecord(std::string* out, const IdempotencyRecord& record) {
  out->clear();
  out->reserve(kIdempotencyRecordBytes);
  out->append(reinterpret_cast<const char*>(record.fingerprint.data()), record.fingerprint.size());
  AppendFixed64(out, record.first_position.value());
  AppendFixed64(out, record.last_position.value());
  AppendFixed64(out, record.stream_version.value());
}

std::optional<IdempotencyRecord> DecodeIdempotencyRecord(std::string_view bytes) {
  if (bytes.size() != kIdempotencyRecordBytes) return std::nullopt;
  IdempotencyRecord record;
  std::memcpy(record.fingerprint.data(), bytes.data(), 32);
  record.first_position = Position(DecodeFixed64(bytes.data() + 32));
  record.last_position = Position(DecodeFixed64(bytes.data() + 40));
  record.stream_version = StreamVersion(DecodeFixed64(bytes.data() + 48));
  return record;
}

std::string EncodeHeadRecord(const HeadRecord& record) {
  std::string out;
  out.reserve(kHeadRecordBytes);
  AppendFixed64(&out, record.position.value());
  out.append(reinterpret_cast<const char*>(record.hash.data()), record.hash.size());
  return out;
}

std::optional<HeadRecord> DecodeHeadRecord(std::string_view bytes) {
  if (bytes.size() != kHeadRecordBytes) return std::nullopt;
  HeadRecord record;
  record.position = Position(DecodeFixed64(bytes.data()));
  std::memcpy(record.hash.data(), bytes.data() + 8, 32);
  return record;
}

}  // namespace portico::eventstore
