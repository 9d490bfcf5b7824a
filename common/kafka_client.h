// What every librdkafka client of portico has in common (the relay's and the outbox's
// producers, the projections' consumer, the embedded broker's host handle):
// - NewKafkaConf: a configuration from portico's own settings, then the operator's extra
//   properties (security.protocol, sasl.*, ...), which may override them;
// - NewKafkaHandle: the client made from it;
// - KafkaLogLevel: librdkafka's syslog levels as spdlog levels, for the log callbacks that put
//   librdkafka's own lines into the module's logger instead of stderr.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include "common/status.h"

namespace portico {

using KafkaSettings = std::vector<std::pair<std::string, std::string>>;

struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using KafkaConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;

// A new configuration with `own` set, then `extra`. A property librdkafka refuses is
// InvalidArgument "<client>: Kafka property NAME: why".
Result<KafkaConfPtr> NewKafkaConf(std::string_view client, const KafkaSettings& own,
                                  const KafkaSettings& extra = {});

// rd_kafka_new from `conf`, which it takes over; the caller owns the handle (rd_kafka_destroy).
// Unavailable "<client>: cannot create the Kafka producer|consumer: why" when librdkafka
// refuses.
Result<rd_kafka_t*> NewKafkaHandle(std::string_view client, rd_kafka_type_t type, KafkaConfPtr conf);

// 0 emerg .. 3 err: error; 4 warning: warn; 5 notice, 6 info: info; 7 debug: debug.
spdlog::level::level_enum KafkaLogLevel(int syslog_level);

}  // namespace portico
