#include "projections/kafka_follower.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "common/kafka_client.h"
#include "common/log.h"
#include "common/throttle.h"
#include "schemas/envelope.h"

namespace portico::projections {
namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> Logger() {
  static auto logger = NamedLogger("projections");
  return logger;
}

// Verifies envelope bytes from Kafka: FlatBuffers structure, a committed position and the
// envelope's own hash. (Events from the log reader come checked by the store.)
Result<const schema::Envelope*> VerifyEvent(std::string_view bytes) {
  ASSIGN_OR_RETURN(const schema::Envelope* env, schemas::VerifyEnvelope(bytes));
  if (env->position() == 0) {
    return Status::Corruption("envelope has no position (it was never committed)");
  }
  if (schemas::ComputeEnvelopeHash(bytes, *env) != schemas::ToHash(env->hash())) {
    return Status::Corruption("envelope hash does not match its bytes");
  }
  return env;
}

std::optional<std::string_view> Header(rd_kafka_headers_t* headers, const char* name) {
  const void* value = nullptr;
  std::size_t size = 0;
  if (headers == nullptr ||
      rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  if (value == nullptr) return std::string_view();
  return std::string_view(static_cast<const char*>(value), size);
}

}  // namespace

Result<const schema::Envelope*> VerifyKafkaMessage(const rd_kafka_message_t& m) {
  if (m.payload == nullptr || m.len == 0) return Status::Corruption("empty value");
  const std::string_view value(static_cast<const char*>(m.payload), m.len);
  ASSIGN_OR_RETURN(const schema::Envelope* env, VerifyEvent(value));
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) headers = nullptr;
  const auto position = Header(headers, "position");
  if (!position) return Status::Corruption("no position header: not a portico event");
  std::uint64_t header_position = 0;
  const auto [end, ec] =
      std::from_chars(position->data(), position->data() + position->size(), header_position);
  if (ec != std::errc() || end != position->data() + position->size()) {
    return Status::Corruption("bad position header '" + std::string(*position) + "'");
  }
  if (header_position != env->position()) {
    return Status::Corruption("position header says " + std::to_string(header_position) +
                              " but the envelope says " + std::to_string(env->position()));
  }
  const std::string_view stream = env->stream_id()->string_view();
  if (const auto header_stream = Header(headers, "stream");
      header_stream && *header_stream != stream) {
    return Status::Corruption("stream header '" + std::string(*header_stream) +
                              "' differs from the envelope's '" + std::string(stream) + "'");
  }
  if (m.key != nullptr &&
      std::string_view(static_cast<const char*>(m.key), m.key_len) != stream) {
    return Status::Corruption("key differs from the envelope's stream '" + std::string(stream) +
                              "'");
  }
  return env;
}

Result<std::unique_ptr<KafkaFollower>> KafkaFollower::Create(const RunnerOptions& options,
                                                             const std::atomic<bool>& quiet) {
  std::unique_ptr<KafkaFollower> follower(new KafkaFollower(options, quiet));
  const KafkaSettings settings = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"client.id", options.client_id},
      {"group.id", options.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      {"fetch.wait.max.ms", "10"},
      {"fetch.error.backoff.ms", "50"},
      {"reconnect.backoff.ms", "20"},
      {"reconnect.backoff.max.ms", "1000"},
      {"socket.nagle.disable", "true"},
      {"log.connection.close", "false"},
  };
  ASSIGN_OR_RETURN(KafkaConfPtr conf, NewKafkaConf("projections", settings, options.kafka_properties));
  rd_kafka_conf_set_opaque(conf.get(), follower.get());
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaFollower::OnError);
  rd_kafka_conf_set_log_cb(conf.get(), &KafkaFollower::OnLog);
  ASSIGN_OR_RETURN(follower->rk_, NewKafkaHandle("projections", RD_KAFKA_CONSUMER, std::move(conf)));
  rd_kafka_poll_set_consumer(follower->rk_);
  return follower;
}

KafkaFollower::KafkaFollower(const RunnerOptions& options, const std::atomic<bool>& quiet)
    : options_(options), quiet_(quiet) {}

KafkaFollower::~KafkaFollower() {
  if (rk_ == nullptr) return;
  rd_kafka_consumer_close(rk_);
  rd_kafka_destroy(rk_);
}

KafkaFollower::Message KafkaFollower::Poll(std::chrono::milliseconds timeout) {
  MaybeAssign();
  return Message(rd_kafka_consumer_poll(rk_, static_cast<int>(timeout.count())));
}

// Guessing partition 0 instead of waiting for the broker to name the partitions would miss,
// for good, every event on the others.
void KafkaFollower::MaybeAssign() {
  if (assigned_ || Clock::now() < next_assign_attempt_) return;
  Result<std::vector<std::int32_t>> partitions = TopicPartitions();
  if (partitions.ok() && Assign(*partitions)) {
    assigned_ = true;
    return;
  }
  if (!partitions.ok()) {
    Logger()->warn("projections: no partitions known yet for topic {} ({}); retrying in {} ms",
                   options_.topic, partitions.status().message(), assign_backoff_.count());
  }
  next_assign_attempt_ = Clock::now() + assign_backoff_;
  assign_backoff_ = std::min(assign_backoff_ * 2, kMaxAssignBackoff);
}

// The topic's partition ids, sorted; Unavailable naming the reason when the broker does not
// say (yet).
Result<std::vector<std::int32_t>> KafkaFollower::TopicPartitions() {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, options_.topic.c_str(), nullptr);
  if (rkt == nullptr) {
    return Status::Unavailable(std::string("cannot create the topic handle: ") +
                               rd_kafka_err2str(rd_kafka_last_error()));
  }
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, rkt, &metadata, kMetadataTimeoutMs);
  std::vector<std::int32_t> partitions;
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topic_cnt == 1) {
    err = metadata->topics[0].err;
    for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < metadata->topics[0].partition_cnt;
         ++i) {
      partitions.push_back(metadata->topics[0].partitions[i].id);
    }
  }
  if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  rd_kafka_topic_destroy(rkt);
  if (partitions.empty()) {
    return Status::Unavailable(err == RD_KAFKA_RESP_ERR_NO_ERROR
                                   ? std::string("the topic has no partitions")
                                   : std::string(rd_kafka_err2str(err)));
  }
  std::sort(partitions.begin(), partitions.end());
  return partitions;
}

// Assigns `partitions` from `start_offset`; false, logged, when librdkafka refuses.
bool KafkaFollower::Assign(const std::vector<std::int32_t>& partitions) {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (const std::int32_t p : partitions) {
    rd_kafka_topic_partition_list_add(list, options_.topic.c_str(), p)->offset =
        options_.start_offset;
  }
  const rd_kafka_resp_err_t assign_err = rd_kafka_assign(rk_, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (assign_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Logger()->error("projections: assigning {} failed: {}", options_.topic,
                    rd_kafka_err2str(assign_err));
    return false;
  }
  Logger()->info("projections following {} ({} partition(s)) at {} from offset {}",
                 options_.topic, partitions.size(), options_.bootstrap_servers,
                 options_.start_offset);
  return true;
}

void KafkaFollower::OnError(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaFollower*>(opaque);
  if (self->quiet_.load()) return;
  if (Every(self->last_error_log_, std::chrono::seconds(5))) {
    Logger()->warn("projections: Kafka error {}: {}",
                   rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
  }
}

void KafkaFollower::OnLog(const rd_kafka_t* /*rk*/, int level, const char* facility,
                          const char* message) {
  Logger()->log(KafkaLogLevel(level), "librdkafka [{}] {}", facility, message);
}

}  // namespace portico::projections
