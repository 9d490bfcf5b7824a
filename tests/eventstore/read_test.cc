// Reads: by stream in both directions, the whole log in batches, by time, and waiting.
#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <thread>

#include <gtest/gtest.h>

#include "eventstore/chain.h"
#include "eventstore/event_store.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore {
namespace {

using testing::Notes;
using testing::NoteText;
using testing::TempDir;
using testing::TestOptions;

class ReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = EventStore::Open(TestOptions(dir_.path()));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  void Append(const std::string& stream, const std::string& text) {
    auto result = store_->Append(StreamId(stream), ExpectedVersion::Any(), Notes(stream, {text}));
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }

  std::vector<std::uint64_t> Versions(const std::string& stream, std::uint64_t from,
                                      Direction direction, std::size_t max) {
    auto events = store_->ReadStream(StreamId(stream), StreamVersion(from), direction, max);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    std::vector<std::uint64_t> out;
    if (!events.ok()) return out;
    for (const StoredEvent& event : *events) {
      EXPECT_EQ(testing::StreamOf(event), stream);
      EXPECT_EQ(event.envelope().position(), event.position.value());
      out.push_back(event.envelope().stream_version());
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<EventStore> store_;
};

using V = std::vector<std::uint64_t>;

TEST_F(ReadTest, ReadStreamForwardsAndBackwards) {
  // Interleave two streams, one a prefix of the other's name.
  for (int i = 1; i <= 5; ++i) {
    Append("user:u1", "u1 #" + std::to_string(i));
    Append("user:u1x", "u1x #" + std::to_string(i));
  }
  constexpr std::uint64_t kNewest = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(Versions("user:u1", 1, Direction::kForward, 10), (V{1, 2, 3, 4, 5}));
  EXPECT_EQ(Versions("user:u1", 0, Direction::kForward, 2), (V{1, 2}));
  EXPECT_EQ(Versions("user:u1", 3, Direction::kForward, 2), (V{3, 4}));
  EXPECT_EQ(Versions("user:u1", 6, Direction::kForward, 10), V{});
  EXPECT_EQ(Versions("user:u1", kNewest, Direction::kBackward, 10), (V{5, 4, 3, 2, 1}));
  EXPECT_EQ(Versions("user:u1", kNewest, Direction::kBackward, 1), (V{5}));
  EXPECT_EQ(Versions("user:u1", 2, Direction::kBackward, 10), (V{2, 1}));
  EXPECT_EQ(Versions("user:u1", 0, Direction::kBackward, 10), V{});
  EXPECT_EQ(Versions("user:u1", 1, Direction::kForward, 0), V{});
  EXPECT_EQ(Versions("user:nobody", 1, Direction::kForward, 10), V{});
  EXPECT_EQ(Versions("user:u1x", kNewest, Direction::kBackward, 10), (V{5, 4, 3, 2, 1}));

  auto events = store_->ReadStream(StreamId("user:u1"), StreamVersion(2), Direction::kForward, 1);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(NoteText((*events)[0]), "u1 #2");
  EXPECT_EQ((*events)[0].position, Position(3));

  EXPECT_EQ(
      store_->ReadStream(StreamId(""), StreamVersion(1), Direction::kForward, 1).status().code(),
      StatusCode::kInvalidArgument);
}

TEST_F(ReadTest, StreamIndexStaysInOrderWhenStreamsInterleave) {
  // Each stream's index entries are inserted where its previous one ended (db.cc); streams
  // that start later sort between, before and after the others, and some names are prefixes
  // of others.
  const std::vector<std::string> joining = {"m", "m0", "a", "z", "m00", "m1", "b", "m0a"};
  std::vector<std::string> streams;
  std::map<std::string, std::uint64_t> versions;
  for (std::size_t round = 0; round < 24; ++round) {
    if (round % 3 == 0 && round / 3 < joining.size()) streams.push_back(joining[round / 3]);
    for (const std::string& stream : streams) {
      const std::size_t events = (round + stream.size()) % 3 == 0 ? 2 : 1;
      std::vector<std::string> texts;
      for (std::size_t i = 0; i < events; ++i) {
        texts.push_back(stream + " #" + std::to_string(versions[stream] + i + 1));
      }
      auto result = store_->Append(
          StreamId(stream), ExpectedVersion::Exact(StreamVersion(versions[stream])),
          Notes(stream, texts));
      ASSERT_TRUE(result.ok()) << stream << ": " << result.status().ToString();
      versions[stream] += events;
    }
  }
  constexpr std::uint64_t kNewest = std::numeric_limits<std::uint64_t>::max();
  for (const auto& [stream, version] : versions) {
    V forward(version);
    std::iota(forward.begin(), forward.end(), 1);
    EXPECT_EQ(Versions(stream, 1, Direction::kForward, 1000), forward) << stream;
    EXPECT_EQ(Versions(stream, kNewest, Direction::kBackward, 1000),
              V(forward.rbegin(), forward.rend()))
        << stream;
    EXPECT_EQ(store_->CurrentVersion(StreamId(stream)).value(), StreamVersion(version)) << stream;
  }
}

TEST_F(ReadTest, ReadAllInBatches) {
  for (int i = 1; i <= 25; ++i) Append("s" + std::to_string(i % 3), "event " + std::to_string(i));
  std::uint64_t next = 1;
  std::vector<std::size_t> sizes;
  for (;;) {
    auto batch = store_->ReadAll(Position(next), 10);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    if (batch->empty()) break;
    sizes.push_back(batch->size());
    for (const StoredEvent& event : *batch) {
      EXPECT_EQ(event.position, Position(next));
      EXPECT_EQ(NoteText(event), "event " + std::to_string(next));
      ++next;
    }
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5}));
  EXPECT_EQ(store_->ReadAll(Position(0), 3)->front().position, Position(1));
  EXPECT_TRUE(store_->ReadAll(Position(1), 0)->empty());
}

// Values still in RocksDB's memtable sit at unaligned addresses; the checked reads must copy
// them before FlatBuffers reads them, or CheckStoredEvent refuses them.
TEST_F(ReadTest, ReadAllAndVerifyRangeCheckEventsStillInTheMemtable) {
  for (int i = 1; i <= 40; ++i) Append("m" + std::to_string(i % 4), "event " + std::to_string(i));
  auto all = store_->ReadAll(Position(1), 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 40u);
  EXPECT_EQ(NoteText(all->back()), "event 40");
  const Status verified = store_->VerifyRange(Position(1), Position(0));
  EXPECT_TRUE(verified.ok()) << verified.ToString();
}

TEST_F(ReadTest, CheckStoredEventRefusesMisalignedBytesInsteadOfReadingThem) {
  Append("a", "one");
  auto stored = store_->ReadAll(Position(1), 1);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  const std::string& bytes = stored->front().bytes;
  AlignedBytes aligned;
  EXPECT_TRUE(CheckStoredEvent(Position(1), aligned.CopyOf(bytes)).ok());
  std::vector<std::uint64_t> storage(bytes.size() / 8 + 2);
  char* misaligned = reinterpret_cast<char*>(storage.data()) + 1;
  std::copy(bytes.begin(), bytes.end(), misaligned);
  const Status refused = CheckStoredEvent(Position(1), {misaligned, bytes.size()}).status();
  EXPECT_EQ(refused.code(), StatusCode::kInternal) << refused.ToString();
  EXPECT_NE(refused.message().find("misaligned"), std::string::npos) << refused.ToString();
}

TEST_F(ReadTest, ReadRunPacksTheSameBytesAsReadAllInPositionOrder) {
  for (int i = 1; i <= 25; ++i) Append("s" + std::to_string(i % 3), "event " + std::to_string(i));
  auto all = store_->ReadAll(Position(1), 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::uint64_t next = 1;
  std::vector<std::size_t> sizes;
  for (;;) {
    auto run = store_->ReadRun(Position(next), 10);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    if (run->empty()) break;
    sizes.push_back(run->size());
    for (std::size_t i = 0; i < run->size(); ++i, ++next) {
      EXPECT_EQ((*run)[i], (*all)[next - 1].bytes) << "position " << next;
      // Each envelope can be verified and read in place.
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>((*run)[i].data()) % 8, 0u);
      auto envelope = schemas::VerifyEnvelope((*run)[i]);
      ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
      EXPECT_EQ((*envelope)->position(), next);
    }
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5}));
  EXPECT_EQ(store_->ReadRun(Position(0), 3)->size(), 3u);
  EXPECT_EQ((*store_->ReadRun(Position(0), 3))[0], (*all)[0].bytes);
  EXPECT_TRUE(store_->ReadRun(Position(1), 0)->empty());
  EXPECT_TRUE(store_->ReadRun(Position(26), 10)->empty());
}

TEST_F(ReadTest, PositionAtFindsTheLastEventAtOrBeforeATime) {
  EXPECT_EQ(*store_->PositionAt(0), Position(0));  // empty log
  for (int i = 0; i < 20; ++i) Append("s", std::to_string(i));
  auto events = store_->ReadAll(Position(1), 100);
  ASSERT_TRUE(events.ok());
  std::vector<std::int64_t> times;
  for (const StoredEvent& event : *events) times.push_back(event.envelope().recorded_at_us());
  ASSERT_TRUE(std::is_sorted(times.begin(), times.end()));
  // The expected answer, by a linear scan over the recorded times.
  const auto expected = [&](std::int64_t t) {
    std::uint64_t last = 0;
    for (std::size_t i = 0; i < times.size(); ++i) {
      if (times[i] <= t) last = i + 1;
    }
    return Position(last);
  };
  EXPECT_EQ(*store_->PositionAt(times.front() - 1), Position(0));          // before
  EXPECT_EQ(*store_->PositionAt(times.back() + 1'000'000), Position(20));  // after
  for (std::int64_t t : times) {
    EXPECT_EQ(*store_->PositionAt(t), expected(t)) << "at " << t;              // at
    EXPECT_EQ(*store_->PositionAt(t - 1), expected(t - 1)) << "at " << t - 1;  // between
  }
  EXPECT_EQ(expected(times.back()), Position(20));
}

TEST_F(ReadTest, WaitForPositionAfter) {
  EXPECT_EQ(store_->WaitForPositionAfter(Position(0), std::chrono::milliseconds(1)), Position(0));
  Append("s", "one");
  EXPECT_EQ(store_->WaitForPositionAfter(Position(0), std::chrono::milliseconds(0)), Position(1));
  std::thread appender([&] { Append("s", "two"); });
  const Position seen = store_->WaitForPositionAfter(Position(1), std::chrono::minutes(1));
  appender.join();
  EXPECT_EQ(seen, Position(2));
}

}  // namespace
}  // namespace portico::eventstore
