#include "common/kafka_client.h"

#include <gtest/gtest.h>

#include <string>

namespace portico {
namespace {

std::string Get(const rd_kafka_conf_t* conf, const char* name) {
  char value[256];
  std::size_t size = sizeof value;
  if (rd_kafka_conf_get(conf, name, value, &size) != RD_KAFKA_CONF_OK) return "<unset>";
  return value;
}

TEST(NewKafkaConfTest, SetsPorticosSettingsThenTheOperatorsWhichMayOverrideThem) {
  Result<KafkaConfPtr> conf = NewKafkaConf(
      "relay", {{"client.id", "portico-relay"}, {"linger.ms", "5"}}, {{"linger.ms", "20"}});
  ASSERT_TRUE(conf.ok()) << conf.status().ToString();
  EXPECT_EQ(Get(conf->get(), "client.id"), "portico-relay");
  EXPECT_EQ(Get(conf->get(), "linger.ms"), "20");
}

TEST(NewKafkaConfTest, ARefusedPropertyIsNamedWithTheClient) {
  for (const KafkaSettings& extra : {KafkaSettings{{"no.such.property", "1"}},
                                     KafkaSettings{{"linger.ms", "not a number"}}}) {
    Result<KafkaConfPtr> conf = NewKafkaConf("notifications", {{"client.id", "x"}}, extra);
    ASSERT_FALSE(conf.ok());
    EXPECT_EQ(conf.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(conf.status().message().find("notifications: Kafka property " + extra[0].first),
              std::string::npos)
        << conf.status().message();
  }
}

TEST(NewKafkaHandleTest, MakesAClientOfTheAskedTypeFromTheConfiguration) {
  Result<KafkaConfPtr> conf = NewKafkaConf("test", {{"client.id", "portico-test"}});
  ASSERT_TRUE(conf.ok());
  Result<rd_kafka_t*> rk = NewKafkaHandle("test", RD_KAFKA_PRODUCER, std::move(*conf));
  ASSERT_TRUE(rk.ok()) << rk.status().ToString();
  EXPECT_EQ(rd_kafka_type(*rk), RD_KAFKA_PRODUCER);
  EXPECT_EQ(Get(rd_kafka_conf(*rk), "client.id"), "portico-test");
  rd_kafka_destroy(*rk);
}

TEST(NewKafkaHandleTest, AConfigurationLibrdkafkaRefusesIsUnavailableNamingTheClient) {
  // Each property is valid on its own; rd_kafka_new refuses the pair (transactions need
  // idempotence).
  Result<KafkaConfPtr> conf = NewKafkaConf(
      "relay", {{"transactional.id", "t"}, {"enable.idempotence", "false"}});
  ASSERT_TRUE(conf.ok()) << conf.status().ToString();
  Result<rd_kafka_t*> rk = NewKafkaHandle("relay", RD_KAFKA_PRODUCER, std::move(*conf));
  ASSERT_FALSE(rk.ok());
  EXPECT_EQ(rk.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(rk.status().message().find("relay: cannot create the Kafka producer: "),
            std::string::npos)
      << rk.status().message();
}

TEST(KafkaLogLevelTest, SyslogLevelsMapOntoSpdlogs) {
  EXPECT_EQ(KafkaLogLevel(0), spdlog::level::err);
  EXPECT_EQ(KafkaLogLevel(3), spdlog::level::err);
  EXPECT_EQ(KafkaLogLevel(4), spdlog::level::warn);
  EXPECT_EQ(KafkaLogLevel(5), spdlog::level::info);
  EXPECT_EQ(KafkaLogLevel(6), spdlog::level::info);
  EXPECT_EQ(KafkaLogLevel(7), spdlog::level::debug);
}

}  // namespace
}  // namespace portico
