#include "eventstore/relay.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <librdkafka/rdkafka.h>

#include "common/durable_file.h"
#include "common/kafka_client.h"
#include "common/log.h"
#include "common/throttle.h"
#include "schemas/envelope.h"

namespace portico::eventstore {
namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> Logger() {
  static auto logger = NamedLogger("relay");
  return logger;
}

constexpr std::string_view kCheckpointPrefix = "portico-relay-checkpoint v1 position=";

}  // namespace

Result<Position> ReadRelayCheckpoint(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Position(0);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Internal("cannot read relay checkpoint " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::string_view view = text;
  if (view.size() < kCheckpointPrefix.size() + 2 || !view.starts_with(kCheckpointPrefix) ||
      view.back() != '\n') {
    return Status::Corruption("relay checkpoint " + path + " is damaged");
  }
  view.remove_prefix(kCheckpointPrefix.size());
  view.remove_suffix(1);
  std::uint64_t value = 0;
  const auto [end, err] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (err != std::errc() || end != view.data() + view.size()) {
    return Status::Corruption("relay checkpoint " + path + " has a bad position");
  }
  return Position(value);
}

Status WriteRelayCheckpoint(const std::string& path, Position checkpoint) {
  return ReplaceFileDurably(path, std::string(kCheckpointPrefix) + std::to_string(checkpoint.value()) + "\n");
}

class Relay::Impl {
 public:
  Impl(const EventStore& store, RelayOptions options, Position checkpoint)
      : store_(store), options_(std::move(options)) {
    checkpoint_ = checkpoint.value();
    persisted_ = checkpoint.value();
    produced_ = checkpoint.value();
    next_ = checkpoint.value() + 1;
  }

  ~Impl() { Stop(); }

  Status CreateProducer() {
    const std::string queue_max =
        std::to_string(std::min<std::size_t>(options_.max_in_flight + 1024, 10'000'000));
    const KafkaSettings settings = {
        {"bootstrap.servers", options_.bootstrap_servers},
        {"client.id", options_.client_id},
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"linger.ms", std::to_string(options_.linger.count())},
        // 0 = never time a message out: a down broker means retry, not loss.
        {"message.timeout.ms", "0"},
        {"queue.buffering.max.messages", queue_max},
        // Java's default partitioner, so other clients agree on stream -> partition.
        {"partitioner", "murmur2_random"},
        {"reconnect.backoff.ms", "20"},
        {"reconnect.backoff.max.ms", "1000"},
        {"retry.backoff.ms", "50"},
        {"socket.nagle.disable", "true"},
        {"log.connection.close", "false"},
    };
    ASSIGN_OR_RETURN(KafkaConfPtr conf, NewKafkaConf("relay", settings, options_.kafka_properties));
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::OnDelivery);
    rd_kafka_conf_set_error_cb(conf.get(), &Impl::OnError);
    rd_kafka_conf_set_log_cb(conf.get(), &Impl::OnLog);
    ASSIGN_OR_RETURN(rk_, NewKafkaHandle("relay", RD_KAFKA_PRODUCER, std::move(conf)));
    rkt_ = rd_kafka_topic_new(rk_, options_.topic.c_str(), nullptr);
    if (rkt_ == nullptr) {
      const std::string why = rd_kafka_err2str(rd_kafka_last_error());
      DestroyProducer();
      return Status::Unavailable("relay: cannot open topic " + options_.topic + ": " + why);
    }
    return Status::Ok();
  }

  void StartThread() {
    Logger()->info("relay started: topic {} at {}, from position {} (checkpoint {})",
                   options_.topic, options_.bootstrap_servers, next_, checkpoint_.load());
    thread_ = std::thread([this] { Run(); });
  }

  void Stop() {
    if (stop_.exchange(true)) {
      if (thread_.joinable()) thread_.join();
      return;
    }
    if (thread_.joinable()) thread_.join();
    if (rk_ != nullptr) DestroyProducer();  // Start failed before the thread ran
  }

  Position checkpoint() const { return Position(checkpoint_.load()); }

  RelayStats Stats() const {
    RelayStats s;
    s.checkpoint = Position(checkpoint_.load());
    s.persisted_checkpoint = Position(persisted_.load());
    s.produced = Position(produced_.load());
    s.head = store_.Head();
    s.lag = s.head > s.checkpoint ? s.head.value() - s.checkpoint.value() : 0;
    s.messages_produced = n_produced_.load();
    s.messages_delivered = n_delivered_.load();
    s.delivery_errors = n_errors_.load();
    s.rewinds = n_rewinds_.load();
    s.producer_restarts = n_restarts_.load();
    return s;
  }

  bool WaitForCheckpoint(Position p, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return checkpoint_.load() >= p.value(); });
  }

 private:
  // ---- The relay thread -------------------------------------------------------------------

  void Run() {
    while (!stop_.load()) {
      rd_kafka_poll(rk_, 0);  // delivery reports and errors, via the callbacks below
      if (fatal_) {
        RecreateProducer();
        continue;
      }
      if (rewind_) {
        if (in_flight_ > 0) {
          rd_kafka_poll(rk_, 20);  // let the rest settle first
          continue;
        }
        Rewind();
        continue;
      }
      MaybePersist(/*force=*/false);
      if (in_flight_ >= options_.max_in_flight) {
        rd_kafka_poll(rk_, 10);
        continue;
      }
      if (store_.Head().value() < next_) {
        store_.WaitForPositionAfter(Position(next_ - 1), std::chrono::milliseconds(10));
        continue;
      }
      const std::size_t room = options_.max_in_flight - in_flight_;
      auto batch = store_.ReadAll(Position(next_), std::min(options_.batch_events, room));
      if (!batch.ok()) {
        ++n_errors_;
        if (Every(last_read_error_log_, std::chrono::seconds(5))) {
          Logger()->error("relay: reading the log at position {} failed: {}", next_,
                          batch.status().ToString());
        }
        BackOff();
        continue;
      }
      for (const StoredEvent& event : *batch) {
        if (stop_.load()) break;
        if (event.position.value() != next_) {
          Logger()->error("relay: the log returned position {} where {} was expected",
                          event.position.value(), next_);
          BackOff();
          break;
        }
        if (!Produce(event)) break;
        produced_ = next_;
        ++next_;
      }
    }
    Shutdown();
  }

  // Hands one event to the producer. False when it did not take it (the caller retries the
  // same position later).
  bool Produce(const StoredEvent& event) {
    const schema::Envelope& env = event.envelope();
    const std::string stream = env.stream_id()->str();
    const auto* id = env.event_id()->bytes();
    const std::string event_id = schemas::HexEncode(id->Data(), id->size());
    const std::string position = std::to_string(event.position.value());
    const std::string stream_version = std::to_string(env.stream_version());
    const std::string schema_version = std::to_string(env.schema_version());
    const std::string_view event_type = schemas::EventTypeName(env.body_type());
    while (!stop_.load()) {
      rd_kafka_headers_t* headers = rd_kafka_headers_new(6);
      rd_kafka_header_add(headers, "event_type", -1, event_type.data(),
                          static_cast<ssize_t>(event_type.size()));
      rd_kafka_header_add(headers, "event_id", -1, event_id.data(),
                          static_cast<ssize_t>(event_id.size()));
      rd_kafka_header_add(headers, "position", -1, position.data(),
                          static_cast<ssize_t>(position.size()));
      rd_kafka_header_add(headers, "stream", -1, stream.data(),
                          static_cast<ssize_t>(stream.size()));
      rd_kafka_header_add(headers, "stream_version", -1, stream_version.data(),
                          static_cast<ssize_t>(stream_version.size()));
      rd_kafka_header_add(headers, "schema_version", -1, schema_version.data(),
                          static_cast<ssize_t>(schema_version.size()));
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk_, RD_KAFKA_V_RKT(rkt_),
          RD_KAFKA_V_KEY(const_cast<char*>(stream.data()), stream.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(event.bytes.data()), event.bytes.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
          RD_KAFKA_V_TIMESTAMP(env.recorded_at_us() / 1000),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(
              static_cast<std::uintptr_t>(event.position.value()))),
          RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {  // the producer owns `headers` now
        ++in_flight_;
        ++n_produced_;
        return true;
      }
      rd_kafka_headers_destroy(headers);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk_, 10);
        continue;
      }
      ++n_errors_;
      if (Every(last_produce_error_log_, std::chrono::seconds(5))) {
        Logger()->error("relay: producing position {} ({} bytes) failed: {}; retrying",
                        event.position.value(), event.bytes.size(), rd_kafka_err2str(err));
      }
      BackOff();
      return false;
    }
    return false;
  }

  static void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    self->HandleDelivery(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(
                             message->_private)),
                         message->err);
  }

  void HandleDelivery(std::uint64_t position, rd_kafka_resp_err_t err) {
    if (in_flight_ > 0) --in_flight_;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (shutting_down_) return;  // purged at Stop: produced again at the next start
      ++n_errors_;
      if (!rewind_ || Every(last_delivery_error_log_, std::chrono::seconds(5))) {
        Logger()->warn("relay: delivery of position {} failed: {}; producing again from {}",
                       position, rd_kafka_err2str(err), checkpoint_.load() + 1);
      }
      rewind_ = true;
      return;
    }
    ++n_delivered_;
    std::uint64_t cp = checkpoint_.load();
    if (position <= cp) return;
    if (position != cp + 1) {
      delivered_above_.insert(position);
      return;
    }
    cp = position;
    while (!delivered_above_.empty() && *delivered_above_.begin() <= cp + 1) {
      cp = std::max(cp, *delivered_above_.begin());
      delivered_above_.erase(delivered_above_.begin());
    }
    {
      std::lock_guard lock(mu_);
      checkpoint_ = cp;
    }
    cv_.notify_all();
    backoff_ = std::chrono::milliseconds(0);
  }

  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    const auto code = static_cast<rd_kafka_resp_err_t>(err);
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
      char why[512];
      const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, why, sizeof why);
      Logger()->error("relay: fatal producer error {}: {}; recreating the producer",
                      rd_kafka_err2name(fatal), why);
      self->fatal_ = true;
      return;
    }
    if (self->shutting_down_) return;
    if (Every(self->last_error_log_, std::chrono::seconds(5))) {
      if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        Logger()->warn("relay: all Kafka brokers are down ({}); retrying, the log keeps "
                       "accepting commands, checkpoint {}",
                       reason, self->checkpoint_.load());
      } else {
        Logger()->warn("relay: Kafka error {}: {}", rd_kafka_err2name(code), reason);
      }
    }
  }

  static void OnLog(const rd_kafka_t* /*rk*/, int level, const char* fac, const char* buf) {
    Logger()->log(KafkaLogLevel(level), "librdkafka [{}] {}", fac, buf);
  }

  void Rewind() {
    ++n_rewinds_;
    delivered_above_.clear();  // they will be produced (and reported) again
    next_ = checkpoint_.load() + 1;
    rewind_ = false;
    BackOff();
  }

  void RecreateProducer() {
    ++n_restarts_;
    DestroyProducer();
    while (!stop_.load()) {
      const Status status = CreateProducer();
      if (status.ok()) break;
      Logger()->error("relay: {}", status.ToString());
      BackOff();
    }
    delivered_above_.clear();
    in_flight_ = 0;
    rewind_ = false;
    fatal_ = false;
    next_ = checkpoint_.load() + 1;
    if (rk_ == nullptr) stop_ = true;  // stopped while unable to recreate
  }

  void DestroyProducer() {
    if (rk_ == nullptr) return;
    const bool was = shutting_down_;
    shutting_down_ = true;
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_, 0);
    if (rkt_ != nullptr) rd_kafka_topic_destroy(rkt_);
    rkt_ = nullptr;
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
    shutting_down_ = was;
  }

  void Shutdown() {
    if (rk_ != nullptr) {
      const rd_kafka_resp_err_t err =
          rd_kafka_flush(rk_, static_cast<int>(options_.stop_flush_timeout.count()));
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        Logger()->warn("relay: stopping with {} message(s) undelivered; they are produced "
                       "again at the next start",
                       in_flight_);
      }
      DestroyProducer();
    }
    MaybePersist(/*force=*/true);
    Logger()->info("relay stopped at checkpoint {}", checkpoint_.load());
  }

  void MaybePersist(bool force) {
    const std::uint64_t cp = checkpoint_.load();
    if (cp == persisted_.load()) return;
    const auto now = Clock::now();
    if (!force && now - last_persist_ < options_.checkpoint_interval) return;
    last_persist_ = now;
    const Status status = WriteRelayCheckpoint(options_.checkpoint_path, Position(cp));
    if (!status.ok()) {
      if (Every(last_persist_error_log_, std::chrono::seconds(5))) {
        Logger()->error("relay: writing the checkpoint failed: {}", status.ToString());
      }
      return;
    }
    persisted_ = cp;
  }

  // Sleeps for the current back-off (doubling up to max_retry_backoff), waking on Stop().
  void BackOff() {
    backoff_ = std::clamp(backoff_ * 2, std::chrono::milliseconds(50), options_.max_retry_backoff);
    const auto until = Clock::now() + backoff_;
    while (!stop_.load() && Clock::now() < until) {
      if (rk_ != nullptr) {
        rd_kafka_poll(rk_, 10);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }

  const EventStore& store_;
  const RelayOptions options_;
  std::thread thread_;
  std::atomic<bool> stop_{false};

  // Owned by the relay thread (the callbacks run inside rd_kafka_poll/flush on it).
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* rkt_ = nullptr;
  std::uint64_t next_ = 1;      // the next position to produce
  std::size_t in_flight_ = 0;   // produced, no delivery report yet
  bool rewind_ = false;         // a delivery failed: produce again from checkpoint + 1
  bool fatal_ = false;          // the producer is unusable: recreate it
  bool shutting_down_ = false;  // purging: failed reports are expected
  std::set<std::uint64_t> delivered_above_;  // delivered positions > checkpoint + 1
  std::chrono::milliseconds backoff_{0};
  Clock::time_point last_persist_{};
  Clock::time_point last_read_error_log_{}, last_produce_error_log_{}, last_delivery_error_log_{},
      last_error_log_{}, last_persist_error_log_{};

  // Read by other threads.
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::atomic<std::uint64_t> checkpoint_{0};  // written under mu_ (for cv_)
  std::atomic<std::uint64_t> persisted_{0};
  std::atomic<std::uint64_t> produced_{0};
  std::atomic<std::uint64_t> n_produced_{0}, n_delivered_{0}, n_errors_{0}, n_rewinds_{0},
      n_restarts_{0};
};

RelayOptions MakeRelayOptions(const KafkaConfig& config, std::string bootstrap_servers,
                              const std::string& data_dir) {
  RelayOptions options;
  options.bootstrap_servers = std::move(bootstrap_servers);
  options.topic = config.events_topic;
  options.client_id = config.client_id + "-relay";
  options.kafka_properties = config.properties;
  options.checkpoint_path = (std::filesystem::path(data_dir) / "relay.checkpoint").string();
  return options;
}

Result<Position> ReadRelayCheckpointWithin(const std::string& path, Position head) {
  ASSIGN_OR_RETURN(const Position checkpoint, ReadRelayCheckpoint(path));
  if (checkpoint <= head) return checkpoint;
  return Status::FailedPrecondition(
      "relay checkpoint " + std::to_string(checkpoint.value()) + " in " + path + " is past the log head " +
      std::to_string(head.value()) + ": events " + std::to_string(head.value() + 1) + " to " +
      std::to_string(checkpoint.value()) +
      " were published to Kafka but are not in the log. Either the log lost them (a damaged "
      "write-ahead log ends it early at open: restore the data directory from a backup) or the "
      "checkpoint belongs to another log (then remove it, and downstream consumers will see "
      "those positions again)");
}

Result<std::unique_ptr<Relay>> Relay::Start(const EventStore& store, RelayOptions options) {
  if (options.bootstrap_servers.empty()) {
    return Status::InvalidArgument("relay: no bootstrap servers");
  }
  if (options.checkpoint_path.empty()) {
    return Status::InvalidArgument("relay: no checkpoint path");
  }
  if (options.batch_events == 0 || options.max_in_flight == 0) {
    return Status::InvalidArgument("relay: batch_events and max_in_flight must be > 0");
  }
  ASSIGN_OR_RETURN(const Position checkpoint, ReadRelayCheckpointWithin(options.checkpoint_path, store.Head()));
  auto impl = std::make_unique<Impl>(store, std::move(options), checkpoint);
  RETURN_IF_ERROR(impl->CreateProducer());
  impl->StartThread();
  return std::unique_ptr<Relay>(new Relay(std::move(impl)));
}

Relay::Relay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Relay::~Relay() { Stop(); }

void Relay::Stop() { impl_->Stop(); }

Position Relay::checkpoint() const { return impl_->checkpoint(); }

RelayStats Relay::Stats() const { return impl_->Stats(); }

bool Relay::WaitForCheckpoint(Position p, std::chrono::milliseconds timeout) const {
  return impl_->WaitForCheckpoint(p, timeout);
}

}  // namespace portico::eventstore
