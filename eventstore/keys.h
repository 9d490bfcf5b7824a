// Internal: the on-disk format of the event log, and the functions that encode and decode it.
// Every byte the store writes to RocksDB is built here; the group-commit writer
// (group_commit.cc, batch_builder.cc) is the only code that writes.
//
// The log is one RocksDB database with four column families. Integers are fixed-width
// big-endian, so RocksDB's byte order is numeric order.
//
//   "events" column family: the log itself, one entry per event
//     key    := position                      (u64 BE; 1 for the first event, gapless)
//     value  := envelope                      (schemas/events.fbs Envelope, stamped: its
//                                              `position` field equals the key, `hash` is
//                                              its own BLAKE2b-256 and `prev_hash` is the
//                                              `hash` of the event at position - 1, or
//                                              zeros for position 1)
//
//   "streams" column family: the stream index
//     key    := stream_id 0x00 version        (stream_id: 1..kMaxStreamIdBytes bytes, never
//                                              containing 0x00; version: u64 BE, 1 first)
//     value  := position                      (u64 BE)
//     A stream's current version is the version of its last key; there is no separate
//     "stream head" entry, so one event costs two keys.
//
//   "idempotency" column family: durable idempotency keys
//     key    := idempotency_key               (the caller's bytes: 1..kMaxIdempotencyKeyBytes)
//     value  := fingerprint first_position last_position stream_version
//               fingerprint    := 32 bytes    (BLAKE2b-256 of the append's stream id and
//                                              envelopes as given, see append_request.h)
//               first_position := u64 BE
//               last_position  := u64 BE
//               stream_version := u64 BE      (the stream's version after that append)
//
//   "default" column family: metadata
//     "format" -> u8 kFormatVersion           (written when the log is created)
//     "head"   -> head_position head_hash     (u64 BE, 32 bytes: the last event's position
//                                              and hash; rewritten by every batch)
//
// One group-commit batch is one RocksDB WriteBatch: every entry of every append in it, and
// the new "head", so a crash leaves each append fully present or fully absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/strong_type.h"
#include "schemas/envelope.h"

namespace portico::eventstore {

inline constexpr char kEventsColumnFamily[] = "events";
inline constexpr char kStreamsColumnFamily[] = "streams";
inline constexpr char kIdempotencyColumnFamily[] = "idempotency";
inline constexpr char kFormatKey[] = "format";
inline constexpr char kHeadKey[] = "head";
inline constexpr std::uint8_t kFormatVersion = 1;
inline constexpr std::size_t kMaxStreamIdBytes = 1024;
inline constexpr std::size_t kMaxIdempotencyKeyBytes = 1024;

// Fixed-width big-endian integers.
void AppendFixed64(std::string* out, std::uint64_t v);
std::uint64_t DecodeFixed64(const char* p);  // reads 8 bytes

// The key of the event at `position`.
std::string PositionKey(Position position);
// The position a key of the "events" family (or a value of "streams") encodes; nullopt when
// it is not 8 bytes long.
std::optional<Position> DecodePosition(std::string_view bytes);

// InvalidArgument unless `stream` can be a stream id: non-empty, at most kMaxStreamIdBytes
// bytes, no 0x00 byte.
Status ValidateStreamId(std::string_view stream);

// Replaces *out with the stream index key of (stream, version). `stream` must be valid.
void SetStreamKey(std::string* out, std::string_view stream, std::uint64_t version);
std::string StreamKey(std::string_view stream, std::uint64_t version);
// The version a stream index key of `stream` encodes; nullopt when the key belongs to
// another stream or is malformed.
std::optional<std::uint64_t> DecodeStreamKeyVersion(std::string_view key, std::string_view stream);

struct IdempotencyRecord {
  schemas::Hash fingerprint{};
  Position first_position;
  Position last_position;
  StreamVersion stream_version;
};
void EncodeIdempotencyRecord(std::string* out, const IdempotencyRecord& record);
std::optional<IdempotencyRecord> DecodeIdempotencyRecord(std::string_view bytes);

struct HeadRecord {
  Position position;
  schemas::Hash hash{};
};
std::string EncodeHeadRecord(const HeadRecord& record);
std::optional<HeadRecord> DecodeHeadRecord(std::string_view bytes);

}  // namespace portico::eventstore
