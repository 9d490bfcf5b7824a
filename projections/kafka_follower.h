// KafkaFollower: the projection runner's consumer of the events topic (runner.h says how the
// runner uses it). It
// - assigns itself every partition of the topic from RunnerOptions::start_offset, once the
//   broker names them: until then (the broker is down, the topic does not exist yet) Poll
//   consumes nothing and asks again, after a pause that doubles from 100 ms up to 5 s;
// - puts librdkafka's own log lines and errors into the "projections" logger (at most one
//   error line every 5 s, and none once `quiet` is set, while the runner stops).
// VerifyKafkaMessage checks a message before anything reads its envelope.
//
// Internal to the runner: one thread polls it; it is destroyed (the consumer closed) after
// that thread has ended.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "common/status.h"
#include "projections/runner.h"
#include "schemas/events_generated.h"

namespace portico::projections {

class KafkaFollower {
 public:
  struct MessageDeleter {
    void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  };
  using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

  // A consumer of `options.topic` at `options.bootstrap_servers`, with options' client id,
  // group id and extra properties. InvalidArgument names a property librdkafka refuses;
  // Unavailable when it cannot create the consumer. `quiet` must outlive the follower.
  static Result<std::unique_ptr<KafkaFollower>> Create(const RunnerOptions& options,
                                                       const std::atomic<bool>& quiet);
  ~KafkaFollower();  // closes the consumer
  KafkaFollower(const KafkaFollower&) = delete;
  KafkaFollower& operator=(const KafkaFollower&) = delete;

  // Assigns the partitions when that is due, then waits up to `timeout` for the next message
  // (which may carry a consumer error in its `err`); null when none came.
  Message Poll(std::chrono::milliseconds timeout);

 private:
  KafkaFollower(const RunnerOptions& options, const std::atomic<bool>& quiet);

  void MaybeAssign();
  Result<std::vector<std::int32_t>> TopicPartitions();
  bool Assign(const std::vector<std::int32_t>& partitions);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message);

  static constexpr std::chrono::milliseconds kFirstAssignBackoff{100};
  static constexpr std::chrono::milliseconds kMaxAssignBackoff{5000};
  // Short, so that the runner's Stop() is not held up for long while the broker is unreachable.
  static constexpr int kMetadataTimeoutMs = 500;

  const RunnerOptions options_;
  const std::atomic<bool>& quiet_;
  rd_kafka_t* rk_ = nullptr;
  bool assigned_ = false;
  std::chrono::steady_clock::time_point next_assign_attempt_{};
  std::chrono::milliseconds assign_backoff_ = kFirstAssignBackoff;
  std::chrono::steady_clock::time_point last_error_log_{};
};

// Everything a message must satisfy before its envelope is used (runner.h): a valid Envelope
// whose hash matches its bytes, with a non-zero position; a `position` header equal to it; the
// `stream` header and the key, when present, equal to its stream id. Corruption says which
// failed.
Result<const schema::Envelope*> VerifyKafkaMessage(const rd_kafka_message_t& m);

}  // namespace portico::projections
