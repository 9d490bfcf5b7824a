// NotificationOutbox's checkpoint (gateway/app/notification_outbox.h), on a real embedded
// Kafka broker: mails at or below the checkpoint are not sent again after a restart, and a
// damaged checkpoint file stops the start instead of sending every mail ever sent again. The
// development mailer's files are its owner's alone.
#include "gateway/app/notification_outbox.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/kafka_embedded.h"

namespace portico::gateway {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class NotificationOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("portico-outbox-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    eventstore::EmbeddedKafka::Options options;
    options.topics.push_back({"portico.notifications", 1});
    auto kafka = eventstore::EmbeddedKafka::Start(options);
    ASSERT_TRUE(kafka.ok()) << kafka.status().ToString();
    kafka_ = std::move(kafka).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<std::unique_ptr<NotificationOutbox>> StartOutbox() {
    OutboxOptions options;
    options.bootstrap_servers = kafka_->bootstrap_servers();
    options.data_dir = dir_.string();
    auto outbox = NotificationOutbox::Start(std::move(options));
    if (outbox.ok()) (*outbox)->StartSending("http://portal.test");
    return outbox;
  }

  static std::vector<projections::MailIntent> Welcome(const std::string& user, std::uint64_t position) {
    projections::MailIntent m;
    m.notification_id = "welcome-" + std::to_string(position);
    m.kind = "welcome";
    m.user_id = user;
    m.to = user + "@example.com";
    m.display_name = user;
    m.username = user;
    return {m};
  }

  static bool AwaitDelivered(const NotificationOutbox& outbox, std::uint64_t n) {
    const auto until = Clock::now() + std::chrono::seconds(20);
    while (outbox.delivered() < n && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return outbox.delivered() >= n;
  }

  std::set<std::string> MailFiles() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_ / "mail")) names.insert(entry.path().filename().string());
    return names;
  }

  std::string Checkpoint() const {
    std::ifstream in(dir_ / "notifications.checkpoint", std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  void WriteCheckpoint(const std::string& text) const {
    std::ofstream(dir_ / "notifications.checkpoint", std::ios::binary | std::ios::trunc) << text;
  }

  fs::path dir_;
  std::unique_ptr<eventstore::EmbeddedKafka> kafka_;
};

TEST_F(NotificationOutboxTest, MailsUpToTheCheckpointAreNotSentAgainAfterARestart) {
  {
    auto outbox = StartOutbox();
    ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
    (*outbox)->Deliver(Welcome("ann", 5), Position(5));
    (*outbox)->Deliver(Welcome("bob", 7), Position(7));
    ASSERT_TRUE(AwaitDelivered(**outbox, 2));
  }  // stopped: the checkpoint is saved
  EXPECT_EQ(Checkpoint(), "7\n");
  EXPECT_EQ(MailFiles(), (std::set<std::string>{"welcome-5.eml", "welcome-7.eml"}));
  // Mails may carry reset links: only the owner reads them.
  EXPECT_EQ(fs::status(dir_ / "mail").permissions(), fs::perms::owner_all);
  EXPECT_EQ(fs::status(dir_ / "mail" / "welcome-5.eml").permissions(), fs::perms::owner_read | fs::perms::owner_write);
  fs::remove_all(dir_ / "mail");

  // After the restart the alerts model offers every event's mails again, from the start.
  auto outbox = StartOutbox();
  ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
  (*outbox)->Deliver(Welcome("ann", 5), Position(5));
  (*outbox)->Deliver(Welcome("bob", 7), Position(7));
  (*outbox)->Deliver(Welcome("cy", 9), Position(9));
  ASSERT_TRUE(AwaitDelivered(**outbox, 1));
  (*outbox)->Stop();
  EXPECT_EQ((*outbox)->delivered(), 1u);
  EXPECT_EQ(MailFiles(), std::set<std::string>{"welcome-9.eml"});
  EXPECT_EQ(Checkpoint(), "9\n");
}

TEST_F(NotificationOutboxTest, ADamagedCheckpointStopsTheStartNamingIt) {
  for (const std::string damaged : {"", "\n", "garbage\n", "-1\n", "12x\n", "18446744073709551616\n"}) {
    WriteCheckpoint(damaged);
    auto outbox = StartOutbox();
    ASSERT_FALSE(outbox.ok()) << "checkpoint '" << damaged << "' was accepted";
    EXPECT_EQ(outbox.status().code(), StatusCode::kCorruption);
    EXPECT_NE(outbox.status().message().find("notifications.checkpoint"), std::string::npos)
        << outbox.status().ToString();
  }

  WriteCheckpoint("41");  // no newline: still a position
  auto outbox = StartOutbox();
  ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
  (*outbox)->Deliver(Welcome("ann", 41), Position(41));
  (*outbox)->Deliver(Welcome("bob", 42), Position(42));
  ASSERT_TRUE(AwaitDelivered(**outbox, 1));
  (*outbox)->Stop();
  EXPECT_EQ(MailFiles(), std::set<std::string>{"welcome-42.eml"});
}

}  // namespace
}  // namespace portico::gateway
