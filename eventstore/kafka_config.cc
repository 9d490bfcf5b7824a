#include "eventstore/kafka_config.h"

#include <charconv>

namespace portico::eventstore {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status ValidateHostPort(std::string_view entry) {
  std::string_view host;
  std::string_view port;
  if (!entry.empty() && entry.front() == '[') {  // [::1]:9092
    const auto close = entry.find(']');
    if (close == std::string_view::npos || close + 1 >= entry.size() || entry[close + 1] != ':') {
      return Status::InvalidArgument("kafka bootstrap entry '" + std::string(entry) +
                                     "' is not [IPV6]:PORT");
    }
    host = entry.substr(1, close - 1);
    port = entry.substr(close + 2);
  } else {
    const auto colon = entry.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument("kafka bootstrap entry '" + std::string(entry) +
                                     "' lacks a :PORT");
    }
    host = entry.substr(0, colon);
    port = entry.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Status::InvalidArgument("kafka bootstrap entry '" + std::string(entry) +
                                     "': write IPv6 addresses as [ADDR]:PORT");
    }
  }
  if (host.empty()) {
    return Status::InvalidArgument("kafka bootstrap entry '" + std::string(entry) +
                                   "' has no host");
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    return Status::InvalidArgument("kafka bootstrap entry '" + std::string(entry) +
                                   "' has a bad port");
  }
  return Status::Ok();
}

}  // namespace

Result<KafkaConfig> ParseKafkaFlag(std::string_view value, KafkaConfig base) {
  value = Trim(value);
  if (value.empty()) return Status::InvalidArgument("--kafka is empty");
  if (value == kEmbeddedKafka) {
    base.bootstrap = std::string(kEmbeddedKafka);
    return base;
  }
  std::string normalised;
  std::string_view rest = value;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view entry = Trim(rest.substr(0, comma));
    RETURN_IF_ERROR(ValidateHostPort(entry));
    if (!normalised.empty()) normalised += ',';
    normalised += entry;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  base.bootstrap = std::move(normalised);
  return base;
}

Status ValidateTopicName(std::string_view topic) {
  if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") {
    return Status::InvalidArgument("bad Kafka topic name '" + std::string(topic) + "'");
  }
  for (const char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("bad Kafka topic name '" + std::string(topic) +
                                     "': only A-Z a-z 0-9 . _ - are allowed");
    }
  }
  return Status::Ok();
}

Status ValidateKafkaConfig(const KafkaConfig& config) {
  if (!config.embedded()) {
    ASSIGN_OR_RETURN(auto parsed, ParseKafkaFlag(config.bootstrap));
    (void)parsed;
  }
  RETURN_IF_ERROR(ValidateTopicName(config.events_topic));
  RETURN_IF_ERROR(ValidateTopicName(config.notifications_topic));
  if (config.events_topic == config.notifications_topic) {
    return Status::InvalidArgument("the events and notifications topics must differ");
  }
  if (config.client_id.empty()) return Status::InvalidArgument("empty Kafka client id");
  return Status::Ok();
}

}  // namespace portico::eventstore
