#include "eventstore/kafka_embedded.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "common/kafka_client.h"
#include "common/log.h"

namespace portico::eventstore {
namespace {

std::shared_ptr<spdlog::logger> Logger() {
  static auto logger = NamedLogger("kafka");
  return logger;
}

void OnLog(const rd_kafka_t* /*rk*/, int level, const char* fac, const char* buf) {
  Logger()->log(KafkaLogLevel(level), "embedded broker: [{}] {}", fac, buf);
}

}  // namespace

struct EmbeddedKafka::Impl {
  rd_kafka_t* rk = nullptr;                   // hosts the mock cluster
  rd_kafka_mock_cluster_t* cluster = nullptr;  // owned; destroyed before rk
  std::string bootstrap;
  int brokers = 0;

  ~Impl() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};

EmbeddedKafka::Options EmbeddedKafka::OptionsFor(const KafkaConfig& config) {
  Options options;
  options.topics.push_back({config.events_topic, 1});
  options.topics.push_back({config.notifications_topic, 1});
  return options;
}

Result<std::unique_ptr<EmbeddedKafka>> EmbeddedKafka::Start(const Options& options) {
  if (options.brokers < 1) return Status::InvalidArgument("the embedded broker needs >= 1 broker");
  auto impl = std::make_unique<Impl>();
  const KafkaSettings settings = {
      // The hosting handle never connects anywhere; keep it quiet about that.
      {"log_level", "3"},
      {"client.id", "portico-embedded-broker"},
      // The mock brokers take their request size limit from this handle (librdkafka 2.0.2
      // checks each request's announced size against its receive.message.max.bytes, default
      // 100 MB, before reading the request in): without a bound, any local process could make
      // them reserve 100 MB per request. Our producers send batches of at most
      // message.max.bytes (librdkafka's default, 1,000,000), and a partition keeps only about
      // 5 MiB anyway.
      {"receive.message.max.bytes", std::to_string(kMaxRequestBytes)},
  };
  ASSIGN_OR_RETURN(KafkaConfPtr conf, NewKafkaConf("embedded broker", settings));
  rd_kafka_conf_set_log_cb(conf.get(), &OnLog);
  ASSIGN_OR_RETURN(impl->rk, NewKafkaHandle("embedded broker", RD_KAFKA_PRODUCER, std::move(conf)));
  impl->cluster = rd_kafka_mock_cluster_new(impl->rk, options.brokers);
  if (impl->cluster == nullptr) {
    return Status::Unavailable("embedded broker: rd_kafka_mock_cluster_new failed");
  }
  impl->bootstrap = rd_kafka_mock_cluster_bootstraps(impl->cluster);
  impl->brokers = options.brokers;
  std::unique_ptr<EmbeddedKafka> kafka(new EmbeddedKafka(std::move(impl)));
  for (const auto& topic : options.topics) {
    RETURN_IF_ERROR(kafka->CreateTopic(topic.name, topic.partitions));
  }
  Logger()->info("embedded Kafka broker listening; bootstrap.servers={} ({} broker(s))",
                 kafka->bootstrap_servers(), options.brokers);
  return kafka;
}

EmbeddedKafka::EmbeddedKafka(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EmbeddedKafka::~EmbeddedKafka() = default;

const std::string& EmbeddedKafka::bootstrap_servers() const { return impl_->bootstrap; }

int EmbeddedKafka::broker_count() const { return impl_->brokers; }

Status EmbeddedKafka::CreateTopic(const std::string& name, int partitions) {
  RETURN_IF_ERROR(ValidateTopicName(name));
  if (partitions < 1) return Status::InvalidArgument("a topic needs >= 1 partition");
  const rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(impl_->cluster, name.c_str(), partitions, /*replication=*/1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return Status::Unavailable("embedded broker: cannot create topic " + name + ": " +
                               rd_kafka_err2str(err));
  }
  return Status::Ok();
}

Status EmbeddedKafka::SetBrokerDown(int broker_id) {
  const rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_down(impl_->cluster, broker_id);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::InvalidArgument("embedded broker " + std::to_string(broker_id) +
                                   ": set_down: " + rd_kafka_err2str(err));
  }
  Logger()->warn("embedded broker {} set down", broker_id);
  return Status::Ok();
}

Status EmbeddedKafka::SetBrokerUp(int broker_id) {
  const rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_up(impl_->cluster, broker_id);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::InvalidArgument("embedded broker " + std::to_string(broker_id) +
                                   ": set_up: " + rd_kafka_err2str(err));
  }
  Logger()->info("embedded broker {} set up", broker_id);
  return Status::Ok();
}

Status EmbeddedKafka::SetAllBrokersDown() {
  for (int id = 1; id <= impl_->brokers; ++id) RETURN_IF_ERROR(SetBrokerDown(id));
  return Status::Ok();
}

Status EmbeddedKafka::SetAllBrokersUp() {
  for (int id = 1; id <= impl_->brokers; ++id) RETURN_IF_ERROR(SetBrokerUp(id));
  return Status::Ok();
}

}  // namespace portico::eventstore
