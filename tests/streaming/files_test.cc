// Small pieces without Kafka: the --kafka flag, the relay checkpoint file, snapshot files.
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "eventstore/kafka_config.h"
#include "eventstore/relay.h"
#include "projections/snapshot_file.h"
#include "streaming/harness.h"

namespace portico::streaming_test {
namespace {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("portico-files-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

TEST(KafkaConfigTest, ParsesEmbeddedAndBootstrapLists) {
  auto embedded = eventstore::ParseKafkaFlag("embedded");
  ASSERT_TRUE(embedded.ok());
  EXPECT_TRUE(embedded->embedded());
  EXPECT_EQ(embedded->events_topic, "portico.events");
  EXPECT_EQ(embedded->notifications_topic, "portico.notifications");

  eventstore::KafkaConfig base;
  base.events_topic = "acme.events";
  auto real = eventstore::ParseKafkaFlag(" k1:9092, 10.0.0.2:19092 ,[::1]:9093", base);
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  EXPECT_FALSE(real->embedded());
  EXPECT_EQ(real->bootstrap, "k1:9092,10.0.0.2:19092,[::1]:9093");
  EXPECT_EQ(real->events_topic, "acme.events");
  EXPECT_TRUE(eventstore::ValidateKafkaConfig(*real).ok());

  for (const char* bad : {"", "k1", "k1:", "k1:0", "k1:70000", ":9092", "k1:9092,", "::1:9092",
                          "k1:90x2"}) {
    EXPECT_EQ(eventstore::ParseKafkaFlag(bad).status().code(), StatusCode::kInvalidArgument)
        << "'" << bad << "'";
  }
}

TEST(KafkaConfigTest, ValidatesTopicNames) {
  EXPECT_TRUE(eventstore::ValidateTopicName("portico.events").ok());
  EXPECT_TRUE(eventstore::ValidateTopicName("a_b-C.9").ok());
  EXPECT_FALSE(eventstore::ValidateTopicName("").ok());
  EXPECT_FALSE(eventstore::ValidateTopicName("..").ok());
  EXPECT_FALSE(eventstore::ValidateTopicName("has space").ok());
  EXPECT_FALSE(eventstore::ValidateTopicName(std::string(250, 'a')).ok());
  eventstore::KafkaConfig same;
  same.notifications_topic = same.events_topic;
  EXPECT_FALSE(eventstore::ValidateKafkaConfig(same).ok());
}

TEST(RelayCheckpointTest, RoundTripsAndDetectsDamage) {
  TempDir dir;
  const std::string path = dir.File("relay.checkpoint");
  auto missing = eventstore::ReadRelayCheckpoint(path);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, Position(0));

  ASSERT_TRUE(eventstore::WriteRelayCheckpoint(path, Position(123456789)).ok());
  auto read = eventstore::ReadRelayCheckpoint(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, Position(123456789));
  EXPECT_FALSE(fs::exists(path + ".tmp"));

  for (const char* damaged : {"", "portico-relay-checkpoint v1 position=\n",
                              "portico-relay-checkpoint v1 position=12", "position=12\n",
                              "portico-relay-checkpoint v1 position=1x\n"}) {
    std::ofstream(path, std::ios::trunc) << damaged;
    EXPECT_TRUE(eventstore::ReadRelayCheckpoint(path).status().IsCorruption()) << damaged;
  }
}

TEST(SnapshotFileTest, RoundTripsAndDetectsDamage) {
  TempDir dir;
  const std::string path = dir.File("digest.snapshot");
  auto missing = projections::ReadSnapshotFile(path);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  projections::SnapshotRecord record{"digest", Position(42), std::string("model\0bytes", 11)};
  ASSERT_TRUE(projections::WriteSnapshotFile(path, record).ok());
  auto read = projections::ReadSnapshotFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->name, "digest");
  EXPECT_EQ((*read)->position, Position(42));
  EXPECT_EQ((*read)->blob, record.blob);

  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (std::size_t i = 0; i < bytes.size(); i += 7) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << damaged;
    EXPECT_TRUE(projections::ReadSnapshotFile(path).status().IsCorruption()) << "byte " << i;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 1);
  EXPECT_TRUE(projections::ReadSnapshotFile(path).status().IsCorruption());
}

}  // namespace
}  // namespace portico::streaming_test
