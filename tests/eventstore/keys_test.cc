// The on-disk encodings of keys.h: round trips, and byte order equal to numeric order.
#include "eventstore/keys.h"

#include <gtest/gtest.h>

namespace portico::eventstore {
namespace {

TEST(KeysTest, PositionKeysSortNumerically) {
  const std::uint64_t values[] = {0, 1, 2, 255, 256, 65'535, 1ull << 32, ~0ull};
  for (std::size_t i = 0; i + 1 < std::size(values); ++i) {
    EXPECT_LT(PositionKey(Position(values[i])), PositionKey(Position(values[i + 1])));
  }
  for (std::uint64_t v : values) {
    EXPECT_EQ(PositionKey(Position(v)).size(), 8u);
    EXPECT_EQ(DecodePosition(PositionKey(Position(v))), Position(v));
  }
  EXPECT_EQ(DecodePosition("short"), std::nullopt);
}

TEST(KeysTest, StreamKeysGroupByStreamThenSortByVersion) {
  // "a" < "a:x" as streams, and every key of "a" sorts before every key of "a:x".
  EXPECT_LT(StreamKey("a", ~0ull), StreamKey("a:x", 0));
  EXPECT_LT(StreamKey("a", 9), StreamKey("a", 10));
  EXPECT_LT(StreamKey("a", 255), StreamKey("a", 256));
  EXPECT_EQ(DecodeStreamKeyVersion(StreamKey("user:u1", 42), "user:u1"), 42u);
  EXPECT_EQ(DecodeStreamKeyVersion(StreamKey("user:u1", 42), "user:u"), std::nullopt);
  EXPECT_EQ(DecodeStreamKeyVersion(StreamKey("user:u1", 42), "user:u12"), std::nullopt);
}

TEST(KeysTest, StreamIdsAreValidated) {
  EXPECT_TRUE(ValidateStreamId("org:acme").ok());
  EXPECT_FALSE(ValidateStreamId("").ok());
  EXPECT_FALSE(ValidateStreamId(std::string("a\0b", 3)).ok());
  EXPECT_TRUE(ValidateStreamId(std::string(kMaxStreamIdBytes, 's')).ok());
  EXPECT_FALSE(ValidateStreamId(std::string(kMaxStreamIdBytes + 1, 's')).ok());
}

TEST(KeysTest, RecordsRoundTrip) {
  IdempotencyRecord record;
  record.fingerprint.fill(0xab);
  record.first_position = Position(7);
  record.last_position = Position(9);
  record.stream_version = StreamVersion(3);
  std::string bytes;
  EncodeIdempotencyRecord(&bytes, record);
  auto decoded = DecodeIdempotencyRecord(bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->fingerprint, record.fingerprint);
  EXPECT_EQ(decoded->first_position, Position(7));
  EXPECT_EQ(decoded->last_position, Position(9));
  EXPECT_EQ(decoded->stream_version, StreamVersion(3));
  EXPECT_FALSE(DecodeIdempotencyRecord(bytes.substr(1)));

  HeadRecord head;
  head.position = Position(1234);
  head.hash.fill(0x5a);
  auto head_decoded = DecodeHeadRecord(EncodeHeadRecord(head));
  ASSERT_TRUE(head_decoded);
  EXPECT_EQ(head_decoded->position, Position(1234));
  EXPECT_EQ(head_decoded->hash, head.hash);
  EXPECT_FALSE(DecodeHeadRecord("x"));
}

}  // namespace
}  // namespace portico::eventstore
