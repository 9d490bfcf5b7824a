#include "common/kafka_client.h"

namespace portico {

Result<KafkaConfPtr> NewKafkaConf(std::string_view client, const KafkaSettings& own,
                                  const KafkaSettings& extra) {
  KafkaConfPtr conf(rd_kafka_conf_new());
  char err[512];
  for (const KafkaSettings* settings : {&own, &extra}) {
    for (const auto& [name, value] : *settings) {
      if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), err, sizeof err) !=
          RD_KAFKA_CONF_OK) {
        return Status::InvalidArgument(std::string(client) + ": Kafka property " + name + ": " + err);
      }
    }
  }
  return conf;
}

Result<rd_kafka_t*> NewKafkaHandle(std::string_view client, rd_kafka_type_t type, KafkaConfPtr conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof err);
  if (rk == nullptr) {
    return Status::Unavailable(std::string(client) + ": cannot create the Kafka " +
                               (type == RD_KAFKA_PRODUCER ? "producer" : "consumer") + ": " + err);
  }
  static_cast<void>(conf.release());  // rd_kafka_new owns it now
  return rk;
}

spdlog::level::level_enum KafkaLogLevel(int syslog_level) {
  if (syslog_level <= 3) return spdlog::level::err;
  if (syslog_level == 4) return spdlog::level::warn;
  if (syslog_level <= 6) return spdlog::level::info;
  return spdlog::level::debug;
}

}  // namespace portico
