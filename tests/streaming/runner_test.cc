// The projection runner: read-your-writes through Kafka, restarts, catch-up from the log,
// corrupt and foreign messages, bounded waits, halted projections.
#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

#include <flatbuffers/flatbuffers.h>
#include <gmock/gmock.h>

#include "projections/snapshot_file.h"
#include "streaming/harness.h"

namespace portico::streaming_test {
namespace {

using ::testing::HasSubstr;
using RunnerTest = StreamingTest;

projections::RunnerOptions KafkaOnly(projections::RunnerOptions options) {
  options.catch_up_from_log_at_start = false;  // every event must come through Kafka
  return options;
}

TEST_F(RunnerTest, ReadYourWritesThroughTheWholePath) {
  auto* projection = NewProjection();
  auto* runner = StartRunner({projection}, KafkaOnly(RunnerOptions()));
  ASSERT_NE(runner, nullptr);
  StartRelay();
  Position last{0};
  for (int round = 0; round < 20; ++round) {
    last = Append(10, 3, round % 3 + 1);
    // The position a command would reply with is visible once the wait returns.
    ASSERT_TRUE(runner->WaitForPosition(last, kLong)) << "round " << round;
    ASSERT_GE(projection->applied(), last);
  }
  EXPECT_EQ(last, Position(200));
  EXPECT_EQ(projection->positions(), Range(1, 200));
  EXPECT_EQ(projection->hashes(), LogHashes(last));
  const auto stats = runner->Stats();
  EXPECT_EQ(stats.applied, last);
  EXPECT_EQ(stats.applied_from_kafka, 200u);
  EXPECT_EQ(stats.applied_from_log, 0u);
  EXPECT_EQ(stats.rejected, 0u);
  EXPECT_GE(stats.next_offset, 200);
  EXPECT_TRUE(runner->AwaitPosition(last, 1ms).ok());
}

TEST_F(RunnerTest, ARestartedRunnerResumesExactlyWhereItStopped) {
  auto* projection = NewProjection();
  StartRelay();
  auto* first = StartRunner({projection}, KafkaOnly(RunnerOptions()));
  ASSERT_NE(first, nullptr);
  Append(100);
  ASSERT_TRUE(first->WaitForPosition(Position(100), kLong));
  first->Stop();

  Append(100);  // while the projection is stopped
  // The same model and position; Kafka is read again from its first offset.
  auto* second = StartRunner({projection}, KafkaOnly(RunnerOptions()));
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(second->WaitForPosition(Position(200), kLong));
  EXPECT_EQ(projection->positions(), Range(1, 200));  // no gap, no duplicate
  EXPECT_EQ(projection->hashes(), LogHashes(Position(200)));
  const auto stats = second->Stats();
  EXPECT_GE(stats.duplicates, 100u);  // 1..100 came again and were skipped
  EXPECT_EQ(stats.applied_from_kafka, 100u);
  EXPECT_EQ(stats.applied_from_log, 0u);
}

TEST_F(RunnerTest, ASnapshotRestoresModelAndPositionTogetherAfterARestart) {
  auto options = RunnerOptions();
  options.snapshot_dir = (dir_ / "snapshots").string();
  StartRelay();
  auto* before = NewProjection("digest");
  auto* first = StartRunner({before}, KafkaOnly(options));
  ASSERT_NE(first, nullptr);
  Append(120);
  ASSERT_TRUE(first->WaitForPosition(Position(120), kLong));
  first->Stop();  // writes the final snapshot
  auto saved = projections::ReadSnapshotFile((dir_ / "snapshots" / "digest.snapshot").string());
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  ASSERT_TRUE(saved->has_value());
  EXPECT_EQ((*saved)->position, Position(120));

  Append(30);
  // A new process: an empty model restored from its snapshot, and a brand-new projection that
  // has never seen anything, sharing one runner.
  auto* after = NewProjection("digest");
  auto* fresh = NewProjection("audit");
  auto* second = StartRunner({after, fresh}, options);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(second->WaitForPosition(Position(150), kLong));
  EXPECT_EQ(after->positions(), Range(1, 150));
  EXPECT_EQ(fresh->positions(), Range(1, 150));
  EXPECT_EQ(after->hashes(), LogHashes(Position(150)));
  EXPECT_EQ(fresh->hashes(), after->hashes());
  EXPECT_EQ(before->positions(), Range(1, 120));  // the old object was left alone

  // More events reach both through Kafka.
  Append(10);
  ASSERT_TRUE(second->WaitForPosition(Position(160), kLong));
  EXPECT_EQ(after->positions(), Range(1, 160));
  EXPECT_EQ(fresh->positions(), Range(1, 160));
}

TEST_F(RunnerTest, FillsAGapFromTheLogWhenKafkaLostEarlyHistory) {
  StartRelay();
  Append(100);
  ASSERT_TRUE(relay_->WaitForCheckpoint(Position(100), kLong));
  // As if offsets 0..59 (positions 1..60) had been lost to retention.
  auto options = KafkaOnly(RunnerOptions());
  options.start_offset = 60;
  auto* projection = NewProjection();
  auto* runner = StartRunner({projection}, options);
  ASSERT_NE(runner, nullptr);
  ASSERT_TRUE(runner->WaitForPosition(Position(100), kLong));
  EXPECT_EQ(projection->positions(), Range(1, 100));
  EXPECT_EQ(projection->hashes(), LogHashes(Position(100)));
  auto stats = runner->Stats();
  EXPECT_EQ(stats.gaps, 1u);
  EXPECT_EQ(stats.applied_from_log, 60u);
  EXPECT_EQ(stats.applied_from_kafka, 40u);

  Append(10);
  ASSERT_TRUE(runner->WaitForPosition(Position(110), kLong));
  EXPECT_EQ(projection->positions(), Range(1, 110));
  stats = runner->Stats();
  EXPECT_EQ(stats.applied_from_kafka, 50u);
}

TEST_F(RunnerTest, CatchesUpFromTheLogWhenTheTopicNeverHadTheEarlyEvents) {
  // Events delivered to an earlier (embedded, now gone) broker: the relay's checkpoint says 80
  // but this broker's topic starts at position 81.
  Append(80);
  ASSERT_TRUE(eventstore::WriteRelayCheckpoint(RelayOptions().checkpoint_path, Position(80)).ok());
  StartRelay();
  auto* projection = NewProjection();
  auto* runner = StartRunner({projection}, KafkaOnly(RunnerOptions()));
  ASSERT_NE(runner, nullptr);
  Append(20);
  ASSERT_TRUE(runner->WaitForPosition(Position(100), kLong));
  EXPECT_EQ(projection->positions(), Range(1, 100));
  EXPECT_EQ(projection->hashes(), LogHashes(Position(100)));
  const auto stats = runner->Stats();
  EXPECT_EQ(stats.gaps, 1u);
  EXPECT_EQ(stats.applied_from_log, 80u);
  EXPECT_EQ(stats.applied_from_kafka, 20u);
}

TEST_F(RunnerTest, CatchesUpWhenTheEmbeddedBrokerDroppedTheOldestMessages) {
  StartRelay();
  // About 7 MiB of events: more than the embedded broker keeps in a partition (~5 MiB).
  const Position last = Append(2400, 10, 100, /*pad=*/3000);
  ASSERT_EQ(last, Position(2400));
  ASSERT_TRUE(relay_->WaitForCheckpoint(last, kLong));
  const auto first_kept = ReadTopic(kafka_->bootstrap_servers(), topic_, 1);
  ASSERT_EQ(first_kept.size(), 1u);
  ASSERT_GT(first_kept[0].offset, 0) << "the broker kept everything; the test needs more data";

  auto* projection = NewProjection();
  auto* runner = StartRunner({projection}, KafkaOnly(RunnerOptions()));
  ASSERT_NE(runner, nullptr);
  ASSERT_TRUE(runner->WaitForPosition(last, kLong));
  EXPECT_EQ(projection->positions(), Range(1, 2400));
  EXPECT_EQ(projection->hashes(), LogHashes(last));
  const auto stats = runner->Stats();
  EXPECT_EQ(stats.gaps, 1u);
  EXPECT_EQ(stats.applied_from_log, static_cast<std::uint64_t>(first_kept[0].offset));
  EXPECT_EQ(stats.applied_from_log + stats.applied_from_kafka, 2400u);
}

TEST_F(RunnerTest, SkipsCorruptAndForeignMessagesAndNamesTheirOffsets) {
  auto sink = std::make_shared<CapturingSink>();
  auto logger = NamedLogger("projections");
  logger->sinks().push_back(sink);
  struct RemoveSink {
    std::shared_ptr<spdlog::logger> logger;
    ~RemoveSink() { logger->sinks().pop_back(); }
  } remove_sink{logger};

  StartRelay();
  auto* projection = NewProjection();
  auto* runner = StartRunner({projection}, KafkaOnly(RunnerOptions()));
  ASSERT_NE(runner, nullptr);
  Append(10);
  ASSERT_TRUE(runner->WaitForPosition(Position(10), kLong));

  const std::string bootstrap = kafka_->bootstrap_servers();
  const std::string topic = topic_;
  auto stored = [&](std::uint64_t p) {
    auto events = store_->ReadAll(Position(p), 1);
    EXPECT_TRUE(events.ok() && events->size() == 1);
    return (*events)[0];
  };
  auto honest_headers = [](const eventstore::StoredEvent& e) {
    const auto& env = e.envelope();
    return std::vector<std::pair<std::string, std::string>>{
        {"event_type", std::string(schemas::EventTypeName(env.body_type()))},
        {"position", std::to_string(e.position.value())},
        {"stream", env.stream_id()->str()}};
  };
  std::vector<std::pair<std::string, std::int64_t>> bad;  // what, offset

  // 1. Random bytes, no headers, no key.
  std::string noise(300, '\0');
  for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 131 + 7) % 251);
  bad.emplace_back("random bytes", ProduceRaw(bootstrap, topic, std::nullopt, noise, {}));
  // 2. Random bytes claiming to be the next position.
  bad.emplace_back("random bytes with headers",
                   ProduceRaw(bootstrap, topic, "org:o1", noise, {{"position", "11"}}));
  // 3. A valid FlatBuffer of another kind (an Actor table, no PTEV identifier).
  {
    flatbuffers::FlatBufferBuilder fbb;
    fbb.Finish(schema::CreateActor(fbb, schema::ActorKind::Staff, fbb.CreateString("mallory")));
    const std::string other(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
    bad.emplace_back("another flatbuffer",
                     ProduceRaw(bootstrap, topic, "org:o1", other, {{"position", "11"}}));
  }
  // 4. An envelope that was never committed (no position, no hash).
  bad.emplace_back("uncommitted envelope",
                   ProduceRaw(bootstrap, topic, "org:o1", OrgEvent("org:o1", 99),
                              {{"position", "11"}, {"stream", "org:o1"}}));
  // 5. A real committed envelope (position 3) whose position header lies.
  {
    const auto e = stored(3);
    auto headers = honest_headers(e);
    headers[1].second = "11";
    bad.emplace_back("lying position header",
                     ProduceRaw(bootstrap, topic, e.envelope().stream_id()->str(), e.bytes, headers));
  }
  // 6. A real envelope (position 4) with one byte of its body changed: the hash fails.
  {
    const auto e = stored(4);
    std::string tampered = e.bytes;
    const auto at = tampered.find("org ");
    ASSERT_NE(at, std::string::npos);
    tampered[at] = 'O';
    bad.emplace_back("tampered envelope",
                     ProduceRaw(bootstrap, topic, e.envelope().stream_id()->str(), tampered,
                                honest_headers(e)));
  }
  // 7. A real envelope (position 5) whose stream header lies.
  {
    const auto e = stored(5);
    auto headers = honest_headers(e);
    headers[2].second = "user:someone-else";
    bad.emplace_back("lying stream header",
                     ProduceRaw(bootstrap, topic, e.envelope().stream_id()->str(), e.bytes, headers));
  }
  for (const auto& [what, offset] : bad) ASSERT_GE(offset, 0) << what;

  // Real events after the bad ones still flow.
  Append(5);
  ASSERT_TRUE(runner->WaitForPosition(Position(15), kLong));
  EXPECT_EQ(projection->positions(), Range(1, 15));
  EXPECT_EQ(projection->hashes(), LogHashes(Position(15)));
  const auto stats = runner->Stats();
  EXPECT_EQ(stats.rejected, bad.size());
  EXPECT_FALSE(stats.projections[0].halted);

  const auto lines = sink->lines();
  for (const auto& [what, offset] : bad) {
    const std::string needle = "offset " + std::to_string(offset) + ":";
    const bool logged = std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
      return line.find("skipping message") != std::string::npos &&
             line.find(needle) != std::string::npos;
    });
    EXPECT_TRUE(logged) << what << " at offset " << offset << " was not logged";
  }
}

// Waits until `done` holds or `timeout` runs out; returns whether it held.
template <typename Done>
bool Eventually(Done done, std::chrono::milliseconds timeout = kLong) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// A forger who can produce to the topic: an envelope of its choosing, committed-looking, at
// `position`, its (unkeyed) hash correctly recomputed, with honest-looking headers and key.
std::int64_t ProduceForgery(const std::string& bootstrap, const std::string& topic,
                            std::uint64_t position) {
  const std::string stream = "org:o1";
  std::string bytes = OrgEvent(stream, 100'000 + static_cast<int>(position));
  schemas::StoreFields fields;
  fields.position = position;
  fields.stream_version = 1;
  fields.recorded_at_us = 1;
  schemas::StampEnvelope(bytes, fields);
  EXPECT_TRUE(schemas::VerifyEnvelope(bytes).ok());
  return ProduceRaw(bootstrap, topic, stream, bytes,
                    {{"event_type", "OrgRegistered"},
                     {"position", std::to_string(position)},
                     {"stream", stream}});
}

TEST_F(RunnerTest, AForgedEventWithARecomputedHashIsNotAppliedAndTheGenuineOneIs) {
  auto sink = std::make_shared<CapturingSink>();
  auto logger = NamedLogger("projections");
  logger->sinks().push_back(sink);
  struct RemoveSink {
    std::shared_ptr<spdlog::logger> logger;
    ~RemoveSink() { logger->sinks().pop_back(); }
  } remove_sink{logger};

  Append(10);  // in the log; not in Kafka yet (no relay)
  auto* projection = NewProjection();
  auto* runner = StartRunner({projection}, KafkaOnly(RunnerOptions()));
  ASSERT_NE(runner, nullptr);
  // Position 1 is in the log with other bytes; position 11 is beyond the log's head.
  const std::pair<std::uint64_t, std::int64_t> forged[] = {
      {1, ProduceForgery(kafka_->bootstrap_servers(), topic_, 1)},
      {11, ProduceForgery(kafka_->bootstrap_servers(), topic_, 11)},
  };
  for (const auto& [position, offset] : forged) ASSERT_GE(offset, 0) << position;
  ASSERT_TRUE(Eventually([&] { return runner->Stats().messages >= 2; }));
  EXPECT_EQ(projection->applied(), Position(0));
  EXPECT_EQ(runner->Stats().rejected, 2u);

  // The genuine events still come, through Kafka.
  StartRelay();
  Append(5);
  ASSERT_TRUE(runner->WaitForPosition(Position(15), kLong));
  EXPECT_EQ(projection->positions(), Range(1, 15));
  EXPECT_EQ(projection->hashes(), LogHashes(Position(15)));
  EXPECT_EQ(runner->Stats().rejected, 2u);

  const auto lines = sink->lines();
  for (const auto& [position, offset] : forged) {
    const std::string at = "offset " + std::to_string(offset) + ": position " +
                           std::to_string(position) + " is not the log's";
    const bool logged = std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
      return line.find("skipping message") != std::string::npos &&
             line.find(at) != std::string::npos;
    });
    EXPECT_TRUE(logged) << "the forgery of position " << position << " was not logged";
  }
}

// The broker is unreachable when the runner starts, for longer than the old runner asked for
// the topic's partitions (5 s) before it settled for partition 0 alone. Once the broker is
// back, the runner follows all three partitions.
TEST_F(RunnerTest, FollowsEveryPartitionWhenTheBrokerWasDownAtStart) {
  topic_ = "three." + topic_;
  ASSERT_TRUE(kafka_->CreateTopic(topic_, 3).ok());
  ASSERT_TRUE(kafka_->SetAllBrokersDown().ok());
  auto* projection = NewProjection();
  auto* runner = StartRunner({projection}, KafkaOnly(RunnerOptions()));
  ASSERT_NE(runner, nullptr);
  std::this_thread::sleep_for(6s);
  ASSERT_TRUE(kafka_->SetAllBrokersUp().ok());
  StartRelay();
  Append(60, 11);  // over 11 streams, so over the 3 partitions
  ASSERT_TRUE(runner->WaitForPosition(Position(60), kLong));
  // Every message of every partition is consumed, not only partition 0's.
  EXPECT_TRUE(Eventually([&] { return runner->Stats().messages >= 60; }, 10s))
      << runner->Stats().messages << " message(s) consumed";
  EXPECT_EQ(projection->hashes(), LogHashes(Position(60)));
}

TEST_F(RunnerTest, TheWaitForAPositionIsBoundedAndFailsClearly) {
  StartRelay();
  auto* projection = NewProjection();
  auto* runner = StartRunner({projection}, RunnerOptions());
  ASSERT_NE(runner, nullptr);
  Append(5);
  ASSERT_TRUE(runner->WaitForPosition(Position(5), kLong));

  // Position 1000 never comes: the wait ends when its bound runs out.
  EXPECT_FALSE(runner->WaitForPosition(Position(1000), 200ms));
  const Status status = runner->AwaitPosition(Position(1000), 100ms);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("at position 5"));
  EXPECT_THAT(status.message(), HasSubstr("asked for 1000"));
  EXPECT_THAT(status.message(), HasSubstr("waited 100 ms"));

  EXPECT_TRUE(runner->AwaitPosition(Position(5), 1ms).ok());
  EXPECT_TRUE(runner->WaitForPosition(Position(0), 0ms));
  EXPECT_FALSE(runner->WaitForPosition(Position(1), 10ms, "no-such-projection"));
  EXPECT_TRUE(runner->AwaitPosition(Position(1), 10ms, "no-such-projection").IsNotFound());
}

TEST_F(RunnerTest, AProjectionThatCannotApplyAnEventHaltsAloneAndSaysWhy) {
  StartRelay();
  auto* good = NewProjection("good");
  auto* bad = NewProjection("bad");
  bad->FailAt(Position(7));
  auto* runner = StartRunner({good, bad}, RunnerOptions());
  ASSERT_NE(runner, nullptr);
  Append(12);
  ASSERT_TRUE(runner->WaitForPosition(Position(12), kLong, "good"));
  EXPECT_EQ(good->positions(), Range(1, 12));
  EXPECT_EQ(bad->positions(), Range(1, 6));  // unchanged by the event it refused
  EXPECT_EQ(runner->applied("bad"), Position(6));

  const Status status = runner->AwaitPosition(Position(12), 50ms);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("bad is halted"));
  const auto stats = runner->Stats();
  ASSERT_EQ(stats.projections.size(), 2u);
  EXPECT_FALSE(stats.projections[0].halted);
  EXPECT_TRUE(stats.projections[1].halted);
  EXPECT_THAT(stats.projections[1].halt_reason, HasSubstr("position 7"));
}

// Before a long catch-up from the log, each projection hears how many events it is about to
// apply (its own count, from its own position), once.
TEST_F(RunnerTest, ACatchUpTellsEachProjectionHowManyEventsAreComing) {
  auto options = RunnerOptions();
  options.log_batch = 10;  // a full first batch: a long catch-up
  Append(100);
  auto* ahead = NewProjection("ahead");
  auto* first = StartRunner({ahead}, options);
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->WaitForPosition(Position(100), kLong));
  first->Stop();

  Append(50);
  auto* fresh = NewProjection("fresh");
  auto* second = StartRunner({fresh, ahead}, options);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(second->WaitForPosition(Position(150), kLong));
  EXPECT_EQ(ahead->expected_events(), (std::vector<std::uint64_t>{100, 50}));
  EXPECT_EQ(fresh->expected_events(), (std::vector<std::uint64_t>{150}));
  EXPECT_EQ(fresh->positions(), Range(1, 150));
  EXPECT_EQ(ahead->positions(), Range(1, 150));
}

// The log reader hands over raw bytes (EventStore::ReadRun); the runner verifies them. A
// damaged event stops the catch-up just before it: nothing sees it, nothing after it is
// applied out of order.
TEST_F(RunnerTest, ADamagedEventInTheLogStopsTheCatchUpBeforeIt) {
  Append(50);
  projections::LogReader damaging = [log = Reader()](Position from, std::size_t max)
      -> Result<schemas::EnvelopeRun> {
    ASSIGN_OR_RETURN(schemas::EnvelopeRun run, log(from, max));
    schemas::EnvelopeRun out;
    for (std::size_t i = 0; i < run.size(); ++i) {
      const bool damaged = from.value() + i == 30;
      out.Add(damaged ? run[i].substr(0, run[i].size() / 2) : run[i]);
    }
    return out;
  };
  auto* projection = NewProjection();
  auto options = RunnerOptions();
  options.log_batch = 8;  // positions 25..32 come in one batch, read ahead
  auto runner = projections::ProjectionRunner::Start(options, {projection}, damaging);
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  ASSERT_TRUE((*runner)->WaitForPosition(Position(29), kLong));
  EXPECT_FALSE((*runner)->WaitForPosition(Position(30), 200ms));
  EXPECT_EQ(projection->positions(), Range(1, 29));
  EXPECT_EQ(projection->hashes(), LogHashes(Position(29)));
  const auto stats = (*runner)->Stats();
  EXPECT_GE(stats.log_errors, 1u);
  EXPECT_EQ(stats.applied_from_log, 29u);
}

// The read-ahead stops at a batch that comes back short (the log ended there when it was
// read); the runner reads the next batch itself, and when that one is full again, reads ahead
// anew. Every event is applied once, in order.
TEST_F(RunnerTest, ACatchUpGoesOnReadingAheadAfterABatchCameBackShort) {
  Append(100);
  auto short_once = std::make_shared<std::atomic<bool>>(true);
  projections::LogReader shortening = [log = Reader(), short_once](Position from, std::size_t max)
      -> Result<schemas::EnvelopeRun> {
    if (from.value() == 41 && short_once->exchange(false)) max = 3;  // 41..43 only
    return log(from, max);
  };
  auto* projection = NewProjection();
  auto options = RunnerOptions();
  options.log_batch = 8;  // 1..40 in full batches, read ahead; then 41..43; then 44.. again
  auto runner = projections::ProjectionRunner::Start(options, {projection}, shortening);
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  ASSERT_TRUE((*runner)->WaitForPosition(Position(100), kLong));
  EXPECT_FALSE(short_once->load()) << "the short read happened";
  EXPECT_EQ(projection->positions(), Range(1, 100));
  EXPECT_EQ(projection->hashes(), LogHashes(Position(100)));
  EXPECT_EQ((*runner)->Stats().applied_from_log, 100u);
}

TEST_F(RunnerTest, WithLogFallbackAWaiterIsServedFromTheLogWhileKafkaIsDown) {
  StartRelay();
  auto options = KafkaOnly(RunnerOptions());
  options.log_fallback_after = 100ms;
  auto* projection = NewProjection();
  auto* runner = StartRunner({projection}, options);
  ASSERT_NE(runner, nullptr);
  Append(10);
  ASSERT_TRUE(runner->WaitForPosition(Position(10), kLong));  // via Kafka or the log
  const auto before = runner->Stats().applied_from_log;

  ASSERT_TRUE(kafka_->SetAllBrokersDown().ok());
  Append(10);
  // Kafka cannot bring 11..20 now; the waiter gets them from the log.
  ASSERT_TRUE(runner->WaitForPosition(Position(20), kLong));
  EXPECT_EQ(runner->Stats().applied_from_log - before, 10u);

  ASSERT_TRUE(kafka_->SetAllBrokersUp().ok());
  Append(5);
  ASSERT_TRUE(runner->WaitForPosition(Position(25), kLong));
  EXPECT_EQ(projection->positions(), Range(1, 25));
  EXPECT_EQ(projection->hashes(), LogHashes(Position(25)));
}

TEST_F(RunnerTest, StartRejectsBadArguments) {
  auto* a = NewProjection("same");
  auto* b = NewProjection("same");
  auto options = RunnerOptions();
  EXPECT_EQ(projections::ProjectionRunner::Start(options, {}, Reader()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(projections::ProjectionRunner::Start(options, {a, b}, Reader()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(projections::ProjectionRunner::Start(options, {a}, nullptr).status().code(),
            StatusCode::kInvalidArgument);
  options.kafka_properties = {{"no.such.property", "1"}};
  EXPECT_EQ(projections::ProjectionRunner::Start(options, {a}, Reader()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace portico::streaming_test
