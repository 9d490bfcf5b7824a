// The relay: tails the event log and produces every event, in position order, to Kafka.
//
// The log comes first. Appends never wait for the relay or for Kafka; the relay follows the log
// from its own durable checkpoint on its own thread. If the broker is down the relay keeps
// retrying (the producer never times a message out) while commands are still accepted; once
// the broker is back, every event is delivered and nothing is missing.
//
// Message format on the events topic (a public contract; downstream systems rely on it):
//   key       the stream id ("user:u1"), UTF-8
//   value     the FlatBuffers Envelope bytes exactly as stored in the log (schemas/events.fbs)
//   timestamp the event's recorded time (recorded_at_us / 1000, CreateTime)
//   headers   (all values are UTF-8 text, so kcat -f '%h' shows them)
//     event_type      "UserCreated" (schemas::EventTypeName)
//     event_id        32 lower-case hex digits
//     position        global position, decimal
//     stream          the stream id (same as the key)
//     stream_version  decimal
//     schema_version  decimal (schemas::kSchemaVersion of the writer)
//
// Why the key is the stream id: Kafka only orders messages within a partition, and the
// partition is chosen by the key. With the stream id as key, all events of one stream stay in
// order in one partition even after an operator adds partitions, and downstream systems can
// compact or partition by stream. The read models need more than per-stream order: they need
// global position order. portico gets it this way:
//   - the events topic has ONE partition by default, and the relay produces in position order
//     with an idempotent producer (enable.idempotence=true, acks=all), so the partition holds
//     the log in order;
//   - every consumer (projections/runner.h) applies events strictly in position order: it
//     expects position == applied + 1, skips a message with position <= applied as a duplicate
//     (the relay is at-least-once across restarts), and fills a gap (position > applied + 1:
//     Kafka lost history to retention or the embedded broker's 5 MiB cap, a projection is new,
//     or a partition was added) by reading the log before it applies the message.
// So a read model is correct whatever Kafka kept or however it was partitioned; Kafka only
// decides how much catch-up comes from the log.
//
// Delivery and the checkpoint:
// - The checkpoint is the highest position P such that every event up to P has a successful
//   delivery report. It advances only on delivery reports, never on produce().
// - It is persisted (throttled, and at Stop) to `checkpoint_path`, atomically (temp file,
//   fsync, rename, fsync of the directory). Format, one line of text:
//     "portico-relay-checkpoint v1 position=<decimal>\n"
// - On start the relay produces from checkpoint + 1. Events delivered after the last persisted
//   checkpoint are produced again: delivery is at-least-once and consumers dedupe by position.
// - A failed delivery report (or a fatal idempotence error) never lets the checkpoint pass the
//   failed position: the relay waits for its in-flight messages to settle (recreating the
//   producer after a fatal error), then produces again from checkpoint + 1, with a back-off.
// - With the embedded broker the topic is empty at every start while the checkpoint is not;
//   consumers fill that from the log (see above).
//
// Thread safety: Stats(), checkpoint() and WaitForCheckpoint() may be called from any thread.
// The store must outlive the relay. Stop() (also run by the destructor) flushes for at most
// `stop_flush_timeout`, persists the checkpoint and returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/strong_type.h"
#include "eventstore/event_store.h"
#include "eventstore/kafka_config.h"

namespace portico::eventstore {

struct RelayOptions {
  std::string bootstrap_servers;  // resolved: the embedded broker's address or a real cluster's
  std::string topic = "portico.events";
  std::string client_id = "portico-relay";
  // Extra librdkafka properties (security.*, sasl.*), applied after portico's own.
  std::vector<std::pair<std::string, std::string>> kafka_properties;
  // The durable checkpoint, e.g. <data dir>/relay.checkpoint. Created when missing.
  std::string checkpoint_path;
  std::size_t batch_events = 1024;         // events read from the log per ReadAll
  std::size_t max_in_flight = 50'000;      // produced but not yet reported
  std::chrono::milliseconds linger{2};     // producer batching delay (linger.ms)
  std::chrono::milliseconds checkpoint_interval{200};  // at most one checkpoint write per
  std::chrono::milliseconds stop_flush_timeout{2000};
  std::chrono::milliseconds max_retry_backoff{5000};   // after failed deliveries
};

// Options for `config`: its events topic, client id "<client_id>-relay" and properties, the
// resolved `bootstrap_servers` (the embedded broker's address when config.embedded()) and the
// checkpoint <data_dir>/relay.checkpoint.
RelayOptions MakeRelayOptions(const KafkaConfig& config, std::string bootstrap_servers,
                              const std::string& data_dir);

struct RelayStats {
  Position checkpoint;           // every event <= checkpoint is delivered
  Position persisted_checkpoint;  // what relay.checkpoint says
  Position produced;             // the highest position handed to the producer
  Position head;                 // the log's head when Stats() ran
  std::uint64_t lag = 0;         // head - checkpoint
  std::uint64_t messages_produced = 0;
  std::uint64_t messages_delivered = 0;
  std::uint64_t delivery_errors = 0;   // failed delivery reports and failed produce() calls
  std::uint64_t rewinds = 0;           // restarts from checkpoint + 1 after a failure
  std::uint64_t producer_restarts = 0;  // after fatal producer errors
};

class Relay {
 public:
  // Reads the checkpoint (0 when the file is missing), creates the idempotent producer and
  // starts the relay thread. Fails with Corruption if the checkpoint file is damaged and with
  // FailedPrecondition if it is past the log's head (a checkpoint for another log).
  static Result<std::unique_ptr<Relay>> Start(const EventStore& store, RelayOptions options);

  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Stops the thread; idempotent. See the contract above.
  void Stop();

  Position checkpoint() const;
  RelayStats Stats() const;

  // Blocks until checkpoint() >= p or the timeout passes; returns whether it got there.
  bool WaitForCheckpoint(Position p, std::chrono::milliseconds timeout) const;

 private:
  class Impl;
  explicit Relay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The checkpoint file, exposed for tools and tests. Reading a missing file gives Position(0).
Result<Position> ReadRelayCheckpoint(const std::string& path);
Status WriteRelayCheckpoint(const std::string& path, Position checkpoint);

// The checkpoint at `path` (ReadRelayCheckpoint), refused when it is past `head`. The
// checkpoint is the one record of the head kept outside the log's write-ahead log: a damaged
// WAL record ends the log there at open (point-in-time recovery), silently, and events already
// published past that point show up here. FailedPrecondition naming the missing positions and
// what to do. Relay::Start checks this; so must whoever discards a checkpoint before starting.
Result<Position> ReadRelayCheckpointWithin(const std::string& path, Position head);

}  // namespace portico::eventstore
