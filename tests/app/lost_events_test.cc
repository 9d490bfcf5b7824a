// `portico serve` refuses a log that lacks events already published to Kafka: the relay
// checkpoint is past the log's head, which is what a damaged write-ahead log (cut short at
// open) leaves. It refuses on the embedded broker too, which otherwise discards the checkpoint
// at every start to publish the log again from the beginning.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "app/running_system.h"
#include "eventstore/relay.h"

namespace portico::gateway {
namespace {

using app_testing::RunningSystem;

TEST(LostEventsTest, ServeRefusesALogThatLacksEventsAlreadyPublished) {
  RunningSystem sys("lost-events");
  ASSERT_TRUE(sys.started());
  sys.CreateOrg("acme");
  const std::uint64_t head = sys.Head();
  ASSERT_GT(head, 0u);
  ServeOptions options;
  options.data_dir = sys.data_dir().string();
  options.http = "127.0.0.1:0";
  ASSERT_TRUE(options.kafka == "embedded");
  const std::string checkpoint = (sys.data_dir() / "relay.checkpoint").string();

  sys.Stop();
  // Published up to head + 3, as if the log had lost its last three events at open.
  ASSERT_TRUE(eventstore::WriteRelayCheckpoint(checkpoint, Position(head + 3)).ok());
  auto refused = System::Start(options);
  ASSERT_FALSE(refused.ok());
  const std::string missing = "events " + std::to_string(head + 1) + " to " + std::to_string(head + 3) +
                              " were published to Kafka but are not in the log";
  EXPECT_NE(refused.status().message().find(missing), std::string::npos) << refused.status().message();
  EXPECT_TRUE(std::filesystem::exists(checkpoint));  // kept: it is the evidence

  // A checkpoint within the log is fine (and the embedded broker's start discards it).
  ASSERT_TRUE(eventstore::WriteRelayCheckpoint(checkpoint, Position(head)).ok());
  auto started = System::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
}

}  // namespace
}  // namespace portico::gateway
