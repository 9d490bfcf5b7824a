// Damaged bytes in RocksDB: every read and VerifyRange names the damaged position, and Open
// refuses a log whose verified tail is damaged. Nothing crashes.
#include <gtest/gtest.h>

#include "eventstore/db.h"
#include "eventstore/event_store.h"
#include "eventstore/keys.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore {
namespace {

using testing::Notes;
using testing::TempDir;
using testing::TestOptions;

constexpr int kEvents = 20;

// Raw access to the database under a closed store.
class RawLog {
 public:
  explicit RawLog(const std::string& dir) {
    auto db = Db::Open(dir, /*read_only=*/false);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (db.ok()) db_ = std::move(db).value();
  }

  std::string Get(std::uint64_t position) {
    std::string value;
    EXPECT_TRUE(
        db_->db()
            ->Get(rocksdb::ReadOptions(), db_->events(), PositionKey(Position(position)), &value)
            .ok());
    return value;
  }
  void Put(std::uint64_t position, const std::string& value) {
    ASSERT_TRUE(
        db_->db()
            ->Put(rocksdb::WriteOptions(), db_->events(), PositionKey(Position(position)), value)
            .ok());
  }
  void Delete(std::uint64_t position) {
    ASSERT_TRUE(
        db_->db()
            ->Delete(rocksdb::WriteOptions(), db_->events(), PositionKey(Position(position)))
            .ok());
  }
  void DeleteStreamIndex(const std::string& stream, std::uint64_t version) {
    ASSERT_TRUE(db_->db()
                    ->Delete(rocksdb::WriteOptions(), db_->streams(), StreamKey(stream, version))
                    .ok());
  }
  // Flips one byte of the note text stored at `position`.
  void FlipBodyByte(std::uint64_t position) {
    std::string bytes = Get(position);
    const std::size_t at = bytes.find(Text(position));
    ASSERT_NE(at, std::string::npos);
    bytes[at] ^= 0x01;
    Put(position, bytes);
  }
  void Truncate(std::uint64_t position) {
    std::string bytes = Get(position);
    Put(position, bytes.substr(0, bytes.size() / 2));
  }

  static std::string Text(std::uint64_t position) {
    return "event number " + std::to_string(position);
  }

 private:
  std::unique_ptr<Db> db_;
};

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 1; i <= kEvents; ++i) {
      auto result = (*store)->Append(StreamId(StreamFor(i)), ExpectedVersion::Any(),
                                     Notes(StreamFor(i), {RawLog::Text(i)}));
      ASSERT_TRUE(result.ok()) << result.status().ToString();
    }
  }

  static std::string StreamFor(std::uint64_t position) { return position % 2 ? "odd" : "even"; }

  Result<std::unique_ptr<EventStore>> Open(std::size_t verify_tail_events = 1024) {
    Options options = TestOptions(dir_.path());
    options.verify_tail_events = verify_tail_events;
    return EventStore::Open(options);
  }

  TempDir dir_;
};

// Asserts `status` is a Corruption whose message begins by naming `position`.
void ExpectCorruptionAt(const Status& status, std::uint64_t position) {
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  const std::string prefix = "position " + std::to_string(position) + ":";
  EXPECT_EQ(status.message().rfind(prefix, 0), 0u) << status.ToString();
}

TEST_F(CorruptionTest, DamageInsideTheLogIsReportedWithItsPosition) {
  {
    RawLog raw(dir_.path());
    raw.FlipBodyByte(5);
    raw.Truncate(8);
  }
  auto opened = Open(/*verify_tail_events=*/5);  // the tail, 16..20, is intact
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EventStore& store = **opened;

  ExpectCorruptionAt(store.ReadAll(Position(1), 100).status(), 5);
  ExpectCorruptionAt(store.ReadAll(Position(6), 100).status(), 8);
  auto tail = store.ReadAll(Position(9), 100);
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  EXPECT_EQ(tail->size(), 12u);

  ExpectCorruptionAt(
      store.ReadStream(StreamId("odd"), StreamVersion(1), Direction::kForward, 100).status(), 5);
  ExpectCorruptionAt(store
                         .ReadStream(StreamId("even"), StreamVersion(0xffffffffffffffff),
                                     Direction::kBackward, 100)
                         .status(),
                     8);
  EXPECT_TRUE(store.ReadStream(StreamId("odd"), StreamVersion(4), Direction::kForward, 100).ok());

  ExpectCorruptionAt(store.VerifyRange(Position(0), Position(0)), 5);
  ExpectCorruptionAt(store.VerifyRange(Position(7), Position(0)), 8);
  // The event before a range anchors its chain, so it is checked too.
  ExpectCorruptionAt(store.VerifyRange(Position(6), Position(0)), 5);
  ExpectCorruptionAt(store.VerifyRange(Position(9), Position(0)), 8);
  EXPECT_TRUE(store.VerifyRange(Position(10), Position(0)).ok());
  EXPECT_TRUE(store.VerifyRange(Position(1), Position(4)).ok());

  // Appending goes on after the damage, and the chain from the tail still verifies.
  ASSERT_TRUE(store.Append(StreamId("odd"), ExpectedVersion::Any(), Notes("odd", {"more"})).ok());
  EXPECT_TRUE(store.VerifyRange(Position(10), Position(0)).ok());
}

// ReadRun leaves the bytes to its reader (the projection runner verifies each envelope's
// structure and position), but a hole in the log is its own to report.
TEST_F(CorruptionTest, ReadRunReportsAHoleAndHandsOverDamagedBytesUnchanged) {
  std::string damaged;
  {
    RawLog raw(dir_.path());
    raw.Truncate(8);
    damaged = raw.Get(8);
    raw.Delete(12);
  }
  auto opened = Open(/*verify_tail_events=*/5);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto run = (*opened)->ReadRun(Position(7), 4);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->size(), 4u);
  EXPECT_EQ((*run)[1], damaged);
  EXPECT_TRUE(schemas::VerifyEnvelope((*run)[0]).ok());
  EXPECT_FALSE(schemas::VerifyEnvelope((*run)[1]).ok());
  ExpectCorruptionAt((*opened)->ReadRun(Position(9), 100).status(), 12);
}

TEST_F(CorruptionTest, AnEditedEventWithARecomputedHashBreaksTheChain) {
  {
    RawLog raw(dir_.path());
    std::string bytes = raw.Get(7);
    auto envelope = schemas::VerifyEnvelope(bytes);
    ASSERT_TRUE(envelope.ok());
    schemas::StoreFields fields;
    fields.stream_version = (*envelope)->stream_version();
    fields.position = 7;
    fields.recorded_at_us = (*envelope)->recorded_at_us();
    fields.prev_hash = schemas::ToHash((*envelope)->prev_hash());
    const std::size_t at = bytes.find(RawLog::Text(7));
    bytes[at] = 'E';                              // edit the body...
    (void)schemas::StampEnvelope(bytes, fields);  // ...and forge its own hash
    raw.Put(7, bytes);
  }
  auto opened = Open(/*verify_tail_events=*/5);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  // Each event alone still verifies; the chain does not.
  EXPECT_TRUE((*opened)->ReadAll(Position(1), 100).ok());
  Status verified = (*opened)->VerifyRange(Position(0), Position(0));
  ExpectCorruptionAt(verified, 8);
  EXPECT_NE(verified.message().find("prev_hash"), std::string::npos) << verified.ToString();
}

TEST_F(CorruptionTest, MissingEventsAndIndexEntriesAreReported) {
  {
    RawLog raw(dir_.path());
    raw.Delete(6);
    raw.DeleteStreamIndex("odd", 2);  // position 3
  }
  auto opened = Open(/*verify_tail_events=*/5);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ExpectCorruptionAt((*opened)->ReadAll(Position(4), 100).status(), 6);
  ExpectCorruptionAt((*opened)->VerifyRange(Position(6), Position(0)), 6);
  // Position 3's index entry is gone: seen from position 3 itself...
  ExpectCorruptionAt((*opened)->VerifyRange(Position(1), Position(5)), 3);
  // ...and from the stream's next event, when a range starts after it.
  ExpectCorruptionAt((*opened)->VerifyRange(Position(4), Position(5)), 5);
  EXPECT_TRUE((*opened)->VerifyRange(Position(1), Position(2)).ok());
}

TEST_F(CorruptionTest, OpenFailsWhenTheVerifiedTailIsDamaged) {
  {
    RawLog raw(dir_.path());
    raw.FlipBodyByte(18);
  }
  auto flipped = Open();
  ASSERT_FALSE(flipped.ok());
  ExpectCorruptionAt(flipped.status(), 18);
  {
    RawLog raw(dir_.path());
    raw.Truncate(18);
  }
  auto truncated = Open();
  ASSERT_FALSE(truncated.ok());
  ExpectCorruptionAt(truncated.status(), 18);
  // Outside the verified tail, the same damage does not stop Open.
  EXPECT_TRUE(Open(/*verify_tail_events=*/1).ok());
}

TEST_F(CorruptionTest, OpenFailsWhenTheNewestEventIsMissingOrDamaged) {
  {
    RawLog raw(dir_.path());
    raw.Truncate(kEvents);
  }
  // Even with no tail verification, the newest event is read and checked.
  auto truncated = Open(/*verify_tail_events=*/0);
  ASSERT_FALSE(truncated.ok());
  ExpectCorruptionAt(truncated.status(), kEvents);
  {
    RawLog raw(dir_.path());
    raw.Delete(kEvents);
  }
  auto missing = Open(/*verify_tail_events=*/0);
  ASSERT_FALSE(missing.ok());
  ExpectCorruptionAt(missing.status(), kEvents);
}

}  // namespace
}  // namespace portico::eventstore
