// The embedded Kafka broker: librdkafka's mock cluster, started in this process.
//
// `--kafka embedded` (the default) runs portico in one process with a real Kafka protocol
// path: the mock brokers listen on loopback TCP ports (127.0.0.1, ephemeral), so the relay, the
// projections and any external client (kcat -b <bootstrap_servers()>) talk to them like to any
// Kafka cluster.
//
// Security: the brokers listen on loopback only and trust every local process (no
// authentication, no ACLs; a request for an unknown topic creates it, which the mock cannot
// turn off). The embedded broker is for one machine; use a real cluster otherwise. Requests
// are capped at kMaxRequestBytes.
//
// Limits of the mock (librdkafka 2.0.2): everything is in memory and lost when this object
// dies; each partition keeps about 5 MiB (or 100,000 batches) and drops the oldest, which is
// why every consumer must be able to catch up from the log; topics are made here, since the
// mock does not serve CreateTopics; it does not look up offsets by timestamp.
//
// Contract:
// - Start() creates the cluster and the topics in `options.topics` (partition count and
//   replication factor 1 by default; the relay and projections rely on one partition being
//   enough, see eventstore/relay.h). It fails with Unavailable if the cluster cannot start.
// - bootstrap_servers() is "127.0.0.1:PORT[,...]"; log it and report it in /v1/status.
// - SetBrokerDown/Up simulate a broker outage (connections are closed and refused; the data is
//   kept). Broker ids are 1..broker_count().
// - The destructor stops the cluster. Clients still connected then see their broker vanish;
//   stop the relay and the projection runners first.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "eventstore/kafka_config.h"

namespace portico::eventstore {

class EmbeddedKafka {
 public:
  struct Topic {
    std::string name;
    int partitions = 1;
  };
  struct Options {
    int brokers = 1;
    std::vector<Topic> topics;
  };

  // The largest request the brokers accept; a client that announces a larger one is
  // disconnected. Room for a full batch of every producer's default message.max.bytes.
  static constexpr int kMaxRequestBytes = 4 << 20;

  // Options for `config`: its events and notifications topics, one partition each.
  static Options OptionsFor(const KafkaConfig& config);

  static Result<std::unique_ptr<EmbeddedKafka>> Start(const Options& options);

  ~EmbeddedKafka();
  EmbeddedKafka(const EmbeddedKafka&) = delete;
  EmbeddedKafka& operator=(const EmbeddedKafka&) = delete;

  // "127.0.0.1:PORT,..." for bootstrap.servers.
  const std::string& bootstrap_servers() const;
  int broker_count() const;

  // Creates (or, when it exists, leaves alone) a topic.
  Status CreateTopic(const std::string& name, int partitions = 1);

  // Fault injection, for tests and demonstrations.
  Status SetBrokerDown(int broker_id);
  Status SetBrokerUp(int broker_id);
  Status SetAllBrokersDown();
  Status SetAllBrokersUp();

 private:
  struct Impl;
  explicit EmbeddedKafka(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portico::eventstore
