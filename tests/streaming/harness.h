// Shared pieces of the streaming tests: a real RocksDB store in a temp dir, the embedded
// Kafka broker over loopback, the relay, a projection runner, a digest projection that records
// exactly what it was given, and raw Kafka clients that bypass portico.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/sinks/base_sink.h>

#include "common/log.h"
#include "eventstore/event_store.h"
#include "eventstore/kafka_config.h"
#include "eventstore/kafka_embedded.h"
#include "eventstore/relay.h"
#include "projections/projection.h"
#include "projections/runner.h"
#include "schemas/envelope.h"

namespace portico::streaming_test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Generous bounds for things that must happen; never asserted as durations.
inline constexpr auto kLong = 30s;

// A read model that records every event it was given: position and the event's own hash.
class DigestProjection : public projections::Projection {
 public:
  explicit DigestProjection(std::string name = "digest") : name_(std::move(name)) {}

  std::string_view name() const override { return name_; }

  Position applied() const override {
    std::lock_guard lock(mu_);
    return applied_;
  }

  Status Apply(const schema::Envelope& event, Position position) override {
    std::lock_guard lock(mu_);
    if (fail_at_ && position == *fail_at_) return Status::Internal("refuses this event");
    positions_.push_back(position.value());
    hashes_.push_back(schemas::HexEncode(schemas::ToHash(event.hash())));
    applied_ = position;
    return Status::Ok();
  }

  // "<applied>\n" then "<position> <hash>\n" per event.
  std::optional<std::string> Snapshot() const override {
    std::lock_guard lock(mu_);
    std::string out = std::to_string(applied_.value()) + "\n";
    for (std::size_t i = 0; i < positions_.size(); ++i) {
      out += std::to_string(positions_[i]) + " " + hashes_[i] + "\n";
    }
    return out;
  }

  Status Restore(std::string_view blob) override {
    std::vector<std::uint64_t> positions;
    std::vector<std::string> hashes;
    std::size_t line_end = blob.find('\n');
    if (line_end == std::string_view::npos) return Status::Corruption("no header line");
    const std::uint64_t applied = std::stoull(std::string(blob.substr(0, line_end)));
    blob.remove_prefix(line_end + 1);
    while (!blob.empty()) {
      line_end = blob.find('\n');
      if (line_end == std::string_view::npos) return Status::Corruption("torn line");
      const std::string_view line = blob.substr(0, line_end);
      const auto space = line.find(' ');
      positions.push_back(std::stoull(std::string(line.substr(0, space))));
      hashes.emplace_back(line.substr(space + 1));
      blob.remove_prefix(line_end + 1);
    }
    std::lock_guard lock(mu_);
    positions_ = std::move(positions);
    hashes_ = std::move(hashes);
    applied_ = Position(applied);
    return Status::Ok();
  }

  void ExpectEvents(std::uint64_t count) override {
    std::lock_guard lock(mu_);
    expected_events_.push_back(count);
  }

  void FailAt(Position p) {
    std::lock_guard lock(mu_);
    fail_at_ = p;
  }
  // The counts of every ExpectEvents call, in order.
  std::vector<std::uint64_t> expected_events() const {
    std::lock_guard lock(mu_);
    return expected_events_;
  }
  std::vector<std::uint64_t> positions() const {
    std::lock_guard lock(mu_);
    return positions_;
  }
  std::vector<std::string> hashes() const {
    std::lock_guard lock(mu_);
    return hashes_;
  }

 private:
  const std::string name_;
  mutable std::mutex mu_;
  Position applied_{0};
  std::vector<std::uint64_t> positions_;
  std::vector<std::string> hashes_;
  std::optional<Position> fail_at_;
  std::vector<std::uint64_t> expected_events_;
};

inline std::vector<std::uint64_t> Range(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t p = from; p <= to; ++p) out.push_back(p);
  return out;
}

// An OrgRegistered envelope for `stream`, optionally padded to about `pad` bytes.
inline std::string OrgEvent(const std::string& stream, int i, std::size_t pad = 0) {
  schemas::EventMeta meta;
  meta.stream_id = stream;
  meta.actor_kind = schema::ActorKind::Staff;
  meta.actor_id = "tester";
  schema::EventBodyUnion body;
  schema::OrgRegisteredT org;
  org.org_id = stream;
  org.name = "org " + std::to_string(i) + std::string(pad, 'x');
  body.Set(std::move(org));
  return schemas::EncodeEnvelope(meta, body);
}

// Collects what a named logger writes, so a test can look for a line.
class CapturingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

struct RawMessage {
  std::int64_t offset = -1;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;

  std::optional<std::string> Header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return std::nullopt;
  }
};

// Produces one message with a plain (non-portico) producer; returns its offset, or -1.
inline std::int64_t ProduceRaw(const std::string& bootstrap, const std::string& topic,
                               const std::optional<std::string>& key, const std::string& value,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "linger.ms", "0", err, sizeof err);
  static std::int64_t delivered_offset;
  delivered_offset = -1;
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) delivered_offset = m->offset;
  });
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) return -1;
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size() + 1);
  for (const auto& [n, v] : headers) {
    rd_kafka_header_add(hdrs, n.c_str(), -1, v.data(), static_cast<ssize_t>(v.size()));
  }
  char* key_data = key ? const_cast<char*>(key->data()) : nullptr;
  const std::size_t key_size = key ? key->size() : 0;
  const rd_kafka_resp_err_t perr = rd_kafka_producev(
      rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key_data, key_size),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
  if (perr != RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_headers_destroy(hdrs);
  rd_kafka_flush(rk, 10'000);
  rd_kafka_destroy(rk);
  return delivered_offset;
}

// Reads partition 0 of `topic` from the beginning until `count` messages came or `timeout`.
inline std::vector<RawMessage> ReadTopic(const std::string& bootstrap, const std::string& topic,
                                         std::size_t count,
                                         std::chrono::milliseconds timeout = kLong) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "streaming-test-reader", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "fetch.wait.max.ms", "10", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  std::vector<RawMessage> out;
  if (rk == nullptr) return out;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      RawMessage raw;
      raw.offset = m->offset;
      if (m->key != nullptr) raw.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload != nullptr) {
        raw.value.assign(static_cast<const char*>(m->payload), m->len);
      }
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* value = nullptr;
        std::size_t size = 0;
        for (std::size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) ==
                                RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          raw.headers.emplace_back(name, std::string(static_cast<const char*>(value), size));
        }
      }
      out.push_back(std::move(raw));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

// The whole path: store -> relay -> embedded Kafka -> runner -> projections.
//
// One embedded cluster serves a whole suite (stopping librdkafka's mock cluster sometimes
// takes a second); each test gets its own events topic on it and its own store.
class StreamingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto kafka = eventstore::EmbeddedKafka::Start({});
    ASSERT_TRUE(kafka.ok()) << kafka.status().ToString();
    shared_kafka_ = std::move(kafka).value().release();
  }
  static void TearDownTestSuite() {
    delete shared_kafka_;
    shared_kafka_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(shared_kafka_, nullptr);
    kafka_ = shared_kafka_;
    static int topics = 0;
    topic_ = "t" + std::to_string(++topics) + ".portico.events";
    ASSERT_TRUE(kafka_->CreateTopic(topic_, 1).ok());

    std::random_device rd;
    dir_ = fs::temp_directory_path() /
           ("portico-streaming-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_);
    eventstore::Options options;
    options.dir = (dir_ / "log").string();
    auto store = eventstore::EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void TearDown() override {
    runners_.clear();
    relay_.reset();
    if (kafka_ != nullptr) {
      EXPECT_TRUE(kafka_->SetAllBrokersUp().ok());
    }
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  eventstore::RelayOptions RelayOptions() const {
    eventstore::RelayOptions options;
    options.bootstrap_servers = kafka_->bootstrap_servers();
    options.topic = topic_;
    options.checkpoint_path = (dir_ / "relay.checkpoint").string();
    options.stop_flush_timeout = 1s;
    return options;
  }

  void StartRelay() { StartRelay(RelayOptions()); }
  void StartRelay(eventstore::RelayOptions options) {
    auto relay = eventstore::Relay::Start(*store_, std::move(options));
    ASSERT_TRUE(relay.ok()) << relay.status().ToString();
    relay_ = std::move(relay).value();
  }

  projections::RunnerOptions RunnerOptions() const {
    projections::RunnerOptions options;
    options.bootstrap_servers = kafka_->bootstrap_servers();
    options.topic = topic_;
    options.poll_timeout = 20ms;
    const eventstore::EventStore* store = store_.get();
    options.log_head = [store] { return store->Head(); };
    return options;
  }

  projections::LogReader Reader() const {
    const eventstore::EventStore* store = store_.get();
    return [store](Position from, std::size_t max) { return store->ReadRun(from, max); };
  }

  // Projections live in the fixture, so they outlive every runner.
  DigestProjection* NewProjection(std::string name = "digest") {
    projections_.push_back(std::make_unique<DigestProjection>(std::move(name)));
    return projections_.back().get();
  }

  projections::ProjectionRunner* StartRunner(std::vector<projections::Projection*> projections,
                                             projections::RunnerOptions options) {
    auto runner = projections::ProjectionRunner::Start(std::move(options),
                                                       std::move(projections), Reader());
    EXPECT_TRUE(runner.ok()) << runner.status().ToString();
    if (!runner.ok()) return nullptr;
    runners_.push_back(std::move(runner).value());
    return runners_.back().get();
  }

  // Appends `count` events over `streams` streams, `per_append` envelopes per append.
  // Returns the last position.
  Position Append(int count, int streams = 5, int per_append = 1, std::size_t pad = 0) {
    Position last{0};
    for (int i = 0; i < count; i += per_append) {
      const std::string stream = "org:o" + std::to_string((next_event_ + i) % streams);
      std::vector<std::string> envelopes;
      for (int j = 0; j < per_append && i + j < count; ++j) {
        envelopes.push_back(OrgEvent(stream, next_event_ + i + j, pad));
      }
      auto result = store_->Append(StreamId(stream), eventstore::ExpectedVersion::Any(),
                                   std::move(envelopes));
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (!result.ok()) return last;
      last = result->last_position;
    }
    next_event_ += count;
    return last;
  }

  // The hashes of the log's events 1..to, read sequentially: the reference read model.
  std::vector<std::string> LogHashes(Position to) const {
    std::vector<std::string> out;
    auto events = store_->ReadAll(Position(1), to.value());
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (!events.ok()) return out;
    for (const auto& e : *events) {
      out.push_back(schemas::HexEncode(schemas::ToHash(e.envelope().hash())));
    }
    return out;
  }

  static inline eventstore::EmbeddedKafka* shared_kafka_ = nullptr;

  fs::path dir_;
  std::string topic_;
  std::unique_ptr<eventstore::EventStore> store_;
  eventstore::EmbeddedKafka* kafka_ = nullptr;
  std::unique_ptr<eventstore::Relay> relay_;
  std::vector<std::unique_ptr<DigestProjection>> projections_;
  std::vector<std::unique_ptr<projections::ProjectionRunner>> runners_;
  int next_event_ = 0;
};

}  // namespace portico::streaming_test
