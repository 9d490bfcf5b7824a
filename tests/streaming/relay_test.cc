// The relay: message format, checkpoint, restart, and a broker outage.
#include <fstream>
#include <map>
#include <set>

#include "streaming/harness.h"

namespace portico::streaming_test {
namespace {

std::int64_t HighWatermark(const std::string& bootstrap, const std::string& topic) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  std::int64_t low = -1;
  std::int64_t high = -1;
  if (rk == nullptr) return -1;
  if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), 0, &low, &high, 10'000) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    high = -1;
  }
  rd_kafka_destroy(rk);
  return high;
}

using RelayTest = StreamingTest;

TEST_F(RelayTest, ProducesEveryEventInOrderWithKeyValueAndHeaders) {
  StartRelay();
  const Position last = Append(30, /*streams=*/4, /*per_append=*/3);
  ASSERT_EQ(last, Position(30));
  ASSERT_TRUE(relay_->WaitForCheckpoint(last, kLong));

  const auto messages = ReadTopic(kafka_->bootstrap_servers(), topic_, 30);
  ASSERT_EQ(messages.size(), 30u);
  auto events = store_->ReadAll(Position(1), 30);
  ASSERT_TRUE(events.ok());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const RawMessage& m = messages[i];
    const eventstore::StoredEvent& e = (*events)[i];
    const schema::Envelope& env = e.envelope();
    SCOPED_TRACE("position " + std::to_string(e.position.value()));
    EXPECT_EQ(m.value, e.bytes);  // the envelope bytes exactly as stored
    EXPECT_EQ(m.key, env.stream_id()->str());
    EXPECT_EQ(m.Header("event_type"), "OrgRegistered");
    EXPECT_EQ(m.Header("event_id"),
              schemas::HexEncode(env.event_id()->bytes()->Data(), env.event_id()->bytes()->size()));
    EXPECT_EQ(m.Header("position"), std::to_string(e.position.value()));
    EXPECT_EQ(m.Header("stream"), env.stream_id()->str());
    EXPECT_EQ(m.Header("stream_version"), std::to_string(env.stream_version()));
    EXPECT_EQ(m.Header("schema_version"), std::to_string(schemas::kSchemaVersion));
    if (i > 0) {
      EXPECT_GT(m.offset, messages[i - 1].offset);
    }
  }
}

TEST_F(RelayTest, CheckpointIsDurableAndARestartedRelayResumesAfterIt) {
  Append(20);
  StartRelay();
  ASSERT_TRUE(relay_->WaitForCheckpoint(Position(20), kLong));
  relay_->Stop();
  auto saved = eventstore::ReadRelayCheckpoint(RelayOptions().checkpoint_path);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(*saved, Position(20));

  Append(20);  // while no relay runs: the log comes first
  StartRelay();
  ASSERT_TRUE(relay_->WaitForCheckpoint(Position(40), kLong));

  // Kafka holds positions 1..40, each exactly once: the restart produced from 21.
  const auto messages = ReadTopic(kafka_->bootstrap_servers(), topic_, 40);
  ASSERT_EQ(messages.size(), 40u);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].Header("position"), std::to_string(i + 1));
  }
  EXPECT_EQ(HighWatermark(kafka_->bootstrap_servers(), topic_), 40);
  const auto stats = relay_->Stats();
  EXPECT_EQ(stats.checkpoint, Position(40));
  EXPECT_EQ(stats.head, Position(40));
  EXPECT_EQ(stats.lag, 0u);
  EXPECT_EQ(stats.delivery_errors, 0u);
}

TEST_F(RelayTest, BrokerDownCommandsContinueAndAfterwardsNothingIsMissing) {
  auto* projection = NewProjection();
  auto options = RunnerOptions();
  options.catch_up_from_log_at_start = false;  // so that every event must come through Kafka
  auto* runner = StartRunner({projection}, options);
  ASSERT_NE(runner, nullptr);
  StartRelay();
  Append(50, 5, 2);
  ASSERT_TRUE(runner->WaitForPosition(Position(50), kLong));

  ASSERT_TRUE(kafka_->SetAllBrokersDown().ok());
  // The log still accepts commands.
  const Position last = Append(100, 7, 1);
  ASSERT_EQ(last, Position(150));
  // Nothing past 50 can travel while the broker is down (and the runner does not read the log
  // for waiters unless asked to): the bounded wait says no.
  EXPECT_FALSE(runner->WaitForPosition(Position(51), 300ms));
  EXPECT_LE(relay_->checkpoint(), Position(50));
  EXPECT_GE(relay_->Stats().lag, 100u);

  ASSERT_TRUE(kafka_->SetAllBrokersUp().ok());
  ASSERT_TRUE(runner->WaitForPosition(last, kLong));
  ASSERT_TRUE(relay_->WaitForCheckpoint(last, kLong));

  // Every event exactly once, in order, identical to the log.
  EXPECT_EQ(projection->positions(), Range(1, 150));
  EXPECT_EQ(projection->hashes(), LogHashes(last));
  // ...and all of it came through Kafka: nothing had to be filled from the log.
  const auto stats = runner->Stats();
  EXPECT_EQ(stats.gaps, 0u);
  EXPECT_EQ(stats.applied_from_log, 0u);
  EXPECT_EQ(stats.applied_from_kafka, 150u);

  // The topic holds every position (at least once; the idempotent producer makes it once).
  const auto messages = ReadTopic(kafka_->bootstrap_servers(), topic_, 150);
  std::set<std::string> positions;
  for (const auto& m : messages) positions.insert(m.Header("position").value_or("?"));
  EXPECT_EQ(positions.size(), 150u);
}

TEST_F(RelayTest, RefusesADamagedCheckpoint) {
  Append(3);
  {
    std::ofstream out(RelayOptions().checkpoint_path);
    out << "garbage";
  }
  auto relay = eventstore::Relay::Start(*store_, RelayOptions());
  ASSERT_FALSE(relay.ok());
  EXPECT_TRUE(relay.status().IsCorruption()) << relay.status().ToString();
}

TEST_F(RelayTest, RefusesACheckpointPastTheLogHead) {
  Append(3);
  ASSERT_TRUE(eventstore::WriteRelayCheckpoint(RelayOptions().checkpoint_path, Position(9)).ok());
  auto relay = eventstore::Relay::Start(*store_, RelayOptions());
  ASSERT_FALSE(relay.ok());
  EXPECT_EQ(relay.status().code(), StatusCode::kFailedPrecondition) << relay.status().ToString();
  // The operator learns which events are missing from the log.
  EXPECT_NE(relay.status().message().find("events 4 to 9 were published to Kafka but are not in the log"),
            std::string::npos)
      << relay.status().message();
}

}  // namespace
}  // namespace portico::streaming_test

namespace portico::streaming_test {
namespace {

TEST(EmbeddedKafkaTest, ServesTheConfiguredTopicsOnLoopback) {
  eventstore::KafkaConfig config;
  config.notifications_topic = "acme.notifications";
  auto kafka = eventstore::EmbeddedKafka::Start(eventstore::EmbeddedKafka::OptionsFor(config));
  ASSERT_TRUE(kafka.ok()) << kafka.status().ToString();
  EXPECT_EQ((*kafka)->bootstrap_servers().rfind("127.0.0.1:", 0), 0u)
      << (*kafka)->bootstrap_servers();
  EXPECT_EQ((*kafka)->broker_count(), 1);

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", (*kafka)->bootstrap_servers().c_str(), err,
                    sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  ASSERT_NE(rk, nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  ASSERT_EQ(rd_kafka_metadata(rk, 1, nullptr, &metadata, 10'000), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::map<std::string, int> partitions;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    partitions[metadata->topics[i].topic] = metadata->topics[i].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  rd_kafka_destroy(rk);
  EXPECT_EQ(partitions["portico.events"], 1);
  EXPECT_EQ(partitions["acme.notifications"], 1);

  EXPECT_FALSE((*kafka)->CreateTopic("bad topic").ok());
  EXPECT_FALSE((*kafka)->SetBrokerDown(7).ok());
}

}  // namespace
}  // namespace portico::streaming_test
