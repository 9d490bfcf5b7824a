// Where portico's Kafka is and what its topics are called: the `--kafka` flag and friends.
//
// `--kafka embedded` (the default) means: start librdkafka's mock cluster in this process on
// loopback (eventstore/kafka_embedded.h) and use its bootstrap address. `--kafka
// HOST:PORT,HOST:PORT` means a real cluster. The topic names and the client id can be
// configured; extra librdkafka properties (security.protocol, sasl.*, ...) are applied to every
// client portico creates (the relay's producer, the projections' consumers).
//
// A plain value type; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace portico::eventstore {

inline constexpr std::string_view kEmbeddedKafka = "embedded";

struct KafkaConfig {
  // "embedded", or a comma-separated list of HOST:PORT bootstrap servers.
  std::string bootstrap = std::string(kEmbeddedKafka);
  // Every event, in log order (see eventstore/relay.h for the message format).
  std::string events_topic = "portico.events";
  // Reserved for alerts/notifications; created by the embedded broker.
  std::string notifications_topic = "portico.notifications";
  // Kafka client.id prefix ("portico-relay", ...).
  std::string client_id = "portico";
  // Extra librdkafka properties, name=value, applied to every client after portico's own.
  std::vector<std::pair<std::string, std::string>> properties;

  bool embedded() const { return bootstrap == kEmbeddedKafka; }
};

// Parses the value of `--kafka`: "embedded" or "HOST:PORT[,HOST:PORT...]" (a HOST may be a
// bracketed IPv6 address). Returns `base` with `bootstrap` replaced; InvalidArgument names the
// bad entry.
Result<KafkaConfig> ParseKafkaFlag(std::string_view value, KafkaConfig base = {});

// Kafka's rules for a topic name: 1..249 characters of [A-Za-z0-9._-], not "." or "..".
Status ValidateTopicName(std::string_view topic);

// Checks the whole config: the bootstrap list (or "embedded"), both topic names (which must
// differ) and a non-empty client id.
Status ValidateKafkaConfig(const KafkaConfig& config);

}  // namespace portico::eventstore
