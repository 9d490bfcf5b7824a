// pipeline_bench: events/s through the whole path, store -> relay -> embedded Kafka -> runner
// -> a counting projection, and the rebuild speed of a new projection from the log.
//
//   pipeline_bench [events=100000] [events_per_append=100] [pad_bytes=0]
//
// Appends go through the real store (synced), one append of `events_per_append` envelopes at a
// time from one thread; the relay and the runner follow concurrently. Prints one line per
// phase. Runs in a temp dir and cleans up.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include <spdlog/spdlog.h>

#include "eventstore/event_store.h"
#include "eventstore/kafka_embedded.h"
#include "eventstore/relay.h"
#include "projections/runner.h"
#include "schemas/envelope.h"

namespace {

using namespace portico;
using Clock = std::chrono::steady_clock;

class CountingProjection : public projections::Projection {
 public:
  std::string_view name() const override { return "count"; }
  Position applied() const override { return Position(applied_.load()); }
  Status Apply(const schema::Envelope& /*event*/, Position position) override {
    applied_.store(position.value());
    return Status::Ok();
  }

 private:
  std::atomic<std::uint64_t> applied_{0};
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  const std::uint64_t per_append = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100;
  const std::size_t pad = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 0;
  if (events == 0 || per_append == 0) {
    std::fprintf(stderr, "usage: pipeline_bench [events] [events_per_append] [pad_bytes]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);

  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("portico-pipeline-bench-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  int rc = 0;
  {
    eventstore::Options store_options;
    store_options.dir = (dir / "log").string();
    auto store = eventstore::EventStore::Open(store_options);
    auto kafka = eventstore::EmbeddedKafka::Start(
        eventstore::EmbeddedKafka::OptionsFor(eventstore::KafkaConfig{}));
    if (!store.ok() || !kafka.ok()) {
      std::fprintf(stderr, "setup failed: %s %s\n", store.status().ToString().c_str(),
                   kafka.status().ToString().c_str());
      return 1;
    }
    auto relay = eventstore::Relay::Start(
        **store, eventstore::MakeRelayOptions({}, (*kafka)->bootstrap_servers(), dir.string()));
    auto reader = [s = store->get()](Position from, std::size_t max) {
      return s->ReadRun(from, max);
    };
    projections::RunnerOptions runner_options;
    runner_options.bootstrap_servers = (*kafka)->bootstrap_servers();
    runner_options.catch_up_from_log_at_start = false;
    CountingProjection live;
    auto runner = projections::ProjectionRunner::Start(runner_options, {&live}, reader);
    if (!relay.ok() || !runner.ok()) {
      std::fprintf(stderr, "start failed: %s %s\n", relay.status().ToString().c_str(),
                   runner.status().ToString().c_str());
      return 1;
    }

    const auto start = Clock::now();
    Position last{0};
    for (std::uint64_t i = 0; i < events; i += per_append) {
      const std::string stream = "org:o" + std::to_string(i % 1000);
      std::vector<std::string> envelopes;
      for (std::uint64_t j = 0; j < per_append && i + j < events; ++j) {
        schemas::EventMeta meta;
        meta.stream_id = stream;
        schema::EventBodyUnion body;
        schema::OrgRegisteredT org;
        org.org_id = stream;
        org.name = "org " + std::to_string(i + j) + std::string(pad, 'x');
        body.Set(std::move(org));
        envelopes.push_back(schemas::EncodeEnvelope(meta, body));
      }
      auto appended = (*store)->Append(StreamId(stream), eventstore::ExpectedVersion::Any(),
                                       std::move(envelopes));
      if (!appended.ok()) {
        std::fprintf(stderr, "append failed: %s\n", appended.status().ToString().c_str());
        return 1;
      }
      last = appended->last_position;
    }
    const double append_s = Seconds(start);
    const bool relayed = (*relay)->WaitForCheckpoint(last, std::chrono::minutes(5));
    const double relay_s = Seconds(start);
    const bool projected = (*runner)->WaitForPosition(last, std::chrono::minutes(5));
    const double project_s = Seconds(start);
    const auto stats = (*runner)->Stats();
    std::printf("events %llu, %llu per append, envelope ~%zu bytes\n",
                static_cast<unsigned long long>(events),
                static_cast<unsigned long long>(per_append), 120 + pad);
    std::printf("append (synced)         %8.0f events/s  (%.2f s)\n", events / append_s, append_s);
    std::printf("relay delivered         %8.0f events/s  (%.2f s after the first append)%s\n",
                events / relay_s, relay_s, relayed ? "" : "  INCOMPLETE");
    std::printf("projection applied      %8.0f events/s  (%.2f s; %llu via Kafka, %llu from the "
                "log)%s\n",
                events / project_s, project_s,
                static_cast<unsigned long long>(stats.applied_from_kafka),
                static_cast<unsigned long long>(stats.applied_from_log),
                projected ? "" : "  INCOMPLETE");
    if (!relayed || !projected) rc = 1;

    // A new projection rebuilt from the log at start.
    CountingProjection rebuilt;
    projections::RunnerOptions rebuild_options = runner_options;
    rebuild_options.catch_up_from_log_at_start = true;
    rebuild_options.client_id = "pipeline-bench-rebuild";
    const auto rebuild_start = Clock::now();
    auto rebuild = projections::ProjectionRunner::Start(rebuild_options, {&rebuilt}, reader);
    if (!rebuild.ok() || !(*rebuild)->WaitForPosition(last, std::chrono::minutes(5))) {
      std::fprintf(stderr, "rebuild failed\n");
      rc = 1;
    } else {
      const double rebuild_s = Seconds(rebuild_start);
      std::printf("new projection rebuilt  %8.0f events/s  (%.2f s, from the log)\n",
                  events / rebuild_s, rebuild_s);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return rc;
}
