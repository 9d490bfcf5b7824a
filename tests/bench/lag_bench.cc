// Lag and rebuild benchmarks (issue 4). A plain program printing JSON lines; it asserts nothing.
//
//   lag:     "from append acknowledged to visible in the access read model, p50 and p99, under
//            a steady 5,000 events/s. Target: p99 at most 25 ms."
//            One process: the RocksDB store (synced group commit), the relay, the embedded
//            Kafka broker, a ProjectionRunner feeding an AccessModel. Paced appenders (several
//            threads, each on its own schedule, so the total is --rate events/s) append real
//            domain events (ResourceUpserted for random resources of a few organisations) and
//            record, per append, its ack time and last position. An observer thread waits on
//            the runner for each next position and records when it became visible. The lag of
//            an append is visible(last position) - ack; the first --warmup seconds are left out.
//   rebuild: "rebuild all read models from 1,000,000 events in the log, in events/s. Target: at
//            least 500,000 events/s." The read-model benchmark corpus (readmodels_corpus.h:
//            organisations, users, resources..., the events Decide would emit) is written into
//            a temp log, then (a) a ProjectionRunner rebuilds every read model `portico serve`
//            runs (gateway/app/system.cc: access, alerts, audit; the portal view and the
//            sessions are queries over the access model) by its catch-up from the log at start,
//            and (b) a plain sequential ReadAll + Apply loop does the same; both are timed, in
//            wall-clock seconds and in CPU seconds of the whole process (on a shared machine
//            the wall clock includes waiting for a core), with the load average they ran under.
//            Also timed on the same log: the write model's start (CommandProcessor::Start folds
//            it all, which portico serve does while the runner catches up).
//
// Usage: lag_bench [--mode lag|rebuild|both] [--rate EVENTS_PER_S] [--seconds S] [--warmup S]
//                  [--threads N] [--per-append N] [--events N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "domain/events.h"
#include "eventstore/event_store.h"
#include "eventstore/kafka_config.h"
#include "eventstore/kafka_embedded.h"
#include "eventstore/relay.h"
#include "gateway/app/command_processor.h"
#include "projections/access_model.h"
#include "projections/alerts_model.h"
#include "projections/audit_model.h"
#include "projections/runner.h"
#include "projections/sessions_model.h"
#include "schemas/envelope.h"
#include "readmodels_corpus.h"
#include "tests/bench/cpu_time.h"

namespace portico {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Flags {
  std::string mode = "both";
  double rate = 5000;
  double seconds = 10;
  double warmup = 1;
  int threads = 16;
  int per_append = 5;  // 8 threads of 1-event appends reached only ~3,060 events/s here
  std::uint64_t events = 1'000'000;
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const std::size_t i = std::min(sorted.size() - 1, static_cast<std::size_t>(q * static_cast<double>(sorted.size())));
  return sorted[i];
}

projections::LogReader Reader(const eventstore::EventStore& store) {
  return [s = &store](Position from, std::size_t max) { return s->ReadRun(from, max); };
}

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix) {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / (prefix + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::string Encode(const domain::DomainEvent& event) {
  schemas::EventMeta meta;
  meta.actor_kind = schema::ActorKind::Staff;
  meta.actor_id = "sync";
  return domain::EncodeEvent(event, meta);
}

constexpr int kOrgs = 5;
constexpr int kResourcesPerOrg = 2000;

// ResourceUpserted for resource `r` (of organisation r % kOrgs), version `v`.
domain::DomainEvent Upsert(std::uint64_t r, std::uint64_t v) {
  schema::ResourceUpsertedT body;
  body.resource_id = "res-" + std::to_string(r);
  body.type = static_cast<schema::ResourceType>(r % 4 == 0 ? 0 : r % 11);
  body.org_id = "org-" + std::to_string(r % kOrgs);
  body.title = "Resource " + std::to_string(r) + " v" + std::to_string(v);
  body.status = static_cast<schema::ResourceStatus>(v % 3);
  return domain::MakeEvent(domain::ResourceStream(body.resource_id), std::move(body));
}

int RunLag(const Flags& flags) {
  TempDir dir("portico-lag-bench-");
  eventstore::Options store_options;
  store_options.dir = (dir.path / "log").string();
  auto store = eventstore::EventStore::Open(store_options);
  auto kafka = eventstore::EmbeddedKafka::Start(eventstore::EmbeddedKafka::OptionsFor(eventstore::KafkaConfig{}));
  if (!store.ok() || !kafka.ok()) {
    std::fprintf(stderr, "setup failed: %s %s\n", store.status().ToString().c_str(), kafka.status().ToString().c_str());
    return 1;
  }
  // The organisations the resources belong to, enabled.
  for (int o = 0; o < kOrgs; ++o) {
    schema::OrgRegisteredT org;
    org.org_id = "org-" + std::to_string(o);
    org.name = "Organisation " + std::to_string(o);
    schema::OrgAccessChangedT access;
    access.org_id = org.org_id;
    access.mode = schema::AccessMode::Enabled;
    const std::string stream = domain::OrgStream(org.org_id);
    std::vector<std::string> envelopes{Encode(domain::MakeEvent(stream, std::move(org))),
                                       Encode(domain::MakeEvent(stream, std::move(access)))};
    auto appended = (*store)->Append(StreamId(stream), eventstore::ExpectedVersion::Any(), std::move(envelopes));
    if (!appended.ok()) {
      std::fprintf(stderr, "setup append failed: %s\n", appended.status().ToString().c_str());
      return 1;
    }
  }

  auto relay = eventstore::Relay::Start(
      **store, eventstore::MakeRelayOptions({}, (*kafka)->bootstrap_servers(), dir.path.string()));
  projections::AccessModel access;
  projections::RunnerOptions runner_options;
  runner_options.bootstrap_servers = (*kafka)->bootstrap_servers();
  auto runner = projections::ProjectionRunner::Start(runner_options, {&access}, Reader(**store));
  if (!relay.ok() || !runner.ok()) {
    std::fprintf(stderr, "start failed: %s %s\n", relay.status().ToString().c_str(), runner.status().ToString().c_str());
    return 1;
  }
  if (!(*runner)->WaitForPosition((*store)->Head(), 30s)) {
    std::fprintf(stderr, "the runner did not catch up with the setup events\n");
    return 1;
  }

  const std::uint64_t first_position = (*store)->Head().value() + 1;
  const auto total_appends = static_cast<std::uint64_t>(flags.rate * flags.seconds / flags.per_append);
  const std::uint64_t max_position = first_position + total_appends * static_cast<std::uint64_t>(flags.per_append) + 16;

  // visible[p]: when the model was first seen at >= p (observer thread only, read after join).
  std::vector<Clock::time_point> visible(max_position + 1);
  std::atomic<bool> stop_observer{false};
  std::thread observer([&] {
    std::uint64_t seen = first_position - 1;
    while (!stop_observer.load(std::memory_order_relaxed) || seen < (*store)->Head().value()) {
      if (!(*runner)->WaitForPosition(Position(seen + 1), 20ms)) {
        if (stop_observer.load() && !(*runner)->WaitForPosition(Position(seen + 1), 10s)) break;
        continue;
      }
      const auto now = Clock::now();
      const std::uint64_t applied = std::min<std::uint64_t>(access.applied().value(), max_position);
      for (std::uint64_t p = seen + 1; p <= applied; ++p) visible[p] = now;
      seen = std::max(seen, applied);
    }
  });

  struct Ack {
    Clock::time_point at;
    std::uint64_t last_position;
  };
  std::vector<std::vector<Ack>> acks(static_cast<std::size_t>(flags.threads));
  std::atomic<std::uint64_t> failures{0}, behind{0};
  const auto start = Clock::now() + 50ms;
  const double interval_s = flags.per_append / flags.rate;  // between two appends, all threads together
  std::vector<std::thread> appenders;
  for (int t = 0; t < flags.threads; ++t) {
    appenders.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t) * 7919 + 1);
      auto& mine = acks[static_cast<std::size_t>(t)];
      mine.reserve(total_appends / static_cast<std::uint64_t>(flags.threads) + 1);
      for (std::uint64_t j = static_cast<std::uint64_t>(t); j < total_appends; j += static_cast<std::uint64_t>(flags.threads)) {
        const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(static_cast<double>(j) * interval_s));
        if (Clock::now() < due) {
          std::this_thread::sleep_until(due);
        } else if (Clock::now() - due > 5ms) {
          ++behind;
        }
        const std::uint64_t r = rng() % (kOrgs * kResourcesPerOrg);
        std::vector<std::string> envelopes;
        std::string stream;
        for (int k = 0; k < flags.per_append; ++k) {
          domain::DomainEvent e = Upsert(r, j * static_cast<std::uint64_t>(flags.per_append) + static_cast<std::uint64_t>(k));
          stream = e.stream;
          envelopes.push_back(Encode(e));
        }
        auto appended = (*store)->Append(StreamId(stream), eventstore::ExpectedVersion::Any(), std::move(envelopes));
        const auto acked = Clock::now();
        if (!appended.ok()) {
          ++failures;
          continue;
        }
        mine.push_back({acked, appended->last_position.value()});
      }
    });
  }
  for (auto& a : appenders) a.join();
  const auto appended_until = Clock::now();
  stop_observer = true;
  observer.join();
  const auto stats = (*runner)->Stats();
  const auto relay_stats = (*relay)->Stats();
  (*runner)->Stop();
  (*relay)->Stop();

  const auto warm = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(flags.warmup));
  std::vector<double> lags;
  std::uint64_t events = 0, never_visible = 0, seen_before_ack = 0;
  for (const auto& mine : acks) {
    events += mine.size() * static_cast<std::uint64_t>(flags.per_append);
    for (const Ack& a : mine) {
      if (a.at < warm) continue;
      const Clock::time_point v = visible[a.last_position];
      if (v == Clock::time_point{}) {
        ++never_visible;
        continue;
      }
      if (v < a.at) ++seen_before_ack;
      lags.push_back(std::max(0.0, Ms(v - a.at)));
    }
  }
  std::sort(lags.begin(), lags.end());
  const double duration = Seconds(appended_until - start);
  std::printf(
      "{\"bench\":\"lag\",\"target_rate\":%.0f,\"achieved_events_per_s\":%.0f,\"duration_s\":%.2f,"
      "\"threads\":%d,\"per_append\":%d,\"appends_measured\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
      "\"max_ms\":%.3f,\"target_p99_ms\":25,\"never_visible\":%" PRIu64 ",\"visible_before_ack\":%" PRIu64
      ",\"appends_late_over_5ms\":%" PRIu64 ",\"append_failures\":%" PRIu64
      ",\"applied_from_kafka\":%" PRIu64 ",\"applied_from_log\":%" PRIu64 ",\"relay_delivered\":%" PRIu64 "}\n",
      flags.rate, static_cast<double>(events) / duration, duration, flags.threads, flags.per_append, lags.size(),
      Percentile(lags, 0.50), Percentile(lags, 0.99), lags.empty() ? 0.0 : lags.back(), never_visible,
      seen_before_ack, behind.load(), failures.load(), stats.applied_from_kafka, stats.applied_from_log,
      relay_stats.messages_delivered);
  std::fflush(stdout);
  return failures.load() == 0 && never_visible == 0 ? 0 : 1;
}

int RunRebuild(const Flags& flags) {
  TempDir dir("portico-rebuild-bench-");
  const auto build_start = Clock::now();
  bench::Corpus corpus = bench::CorpusWriter().Build();
  if (corpus.envelopes.size() > flags.events) corpus.envelopes.resize(flags.events);
  const std::uint64_t n = corpus.envelopes.size();
  const double build_s = Seconds(Clock::now() - build_start);

  // Load the log: runs of consecutive events on one stream form one append, sent with
  // AppendAsync so group commit makes large batches; unsynced, since the load is not measured.
  eventstore::Options store_options;
  store_options.dir = (dir.path / "log").string();
  store_options.sync = false;
  auto store = eventstore::EventStore::Open(store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "open failed: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const auto load_start = Clock::now();
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t in_flight = 0, load_failures = 0;
  for (std::size_t i = 0; i < corpus.envelopes.size();) {
    const std::string stream = schema::GetEnvelope(corpus.envelopes[i].data())->stream_id()->str();
    std::vector<std::string> envelopes;
    for (; i < corpus.envelopes.size() && envelopes.size() < 1000 &&
           schema::GetEnvelope(corpus.envelopes[i].data())->stream_id()->str() == stream;
         ++i) {
      envelopes.push_back(std::move(corpus.envelopes[i]));
    }
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < 20'000; });
      ++in_flight;
    }
    (*store)->AppendAsync(StreamId(stream), eventstore::ExpectedVersion::Any(), std::move(envelopes), eventstore::AppendOptions{},
                          [&](Result<eventstore::AppendResult> r) {
                            std::lock_guard lock(mu);
                            if (!r.ok()) ++load_failures;
                            --in_flight;
                            cv.notify_all();
                          });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  corpus = {};
  const double load_s = Seconds(Clock::now() - load_start);
  const Position head = (*store)->Head();
  if (load_failures != 0 || head.value() != n) {
    std::fprintf(stderr, "load failed: %" PRIu64 " failures, head %" PRIu64 " of %" PRIu64 "\n", load_failures,
                 head.value(), n);
    return 1;
  }

  // (a) The runner's catch-up from the log at start, every read model.
  auto kafka = eventstore::EmbeddedKafka::Start(eventstore::EmbeddedKafka::OptionsFor(eventstore::KafkaConfig{}));
  if (!kafka.ok()) {
    std::fprintf(stderr, "kafka failed: %s\n", kafka.status().ToString().c_str());
    return 1;
  }
  double runner_s = 0;
  bench::ProcessCost runner_cost;
  std::uint64_t from_log = 0;
  {
    projections::AccessModel access;
    projections::AlertsModel alerts(access);
    projections::AuditModel audit;
    projections::RunnerOptions options;
    options.bootstrap_servers = (*kafka)->bootstrap_servers();
    options.catch_up_from_log_at_start = true;
    options.log_batch = 4096;
    options.log_head = [s = store->get()] { return s->Head(); };  // as portico serve does
    const auto start = Clock::now();
    const bench::ProcessCost cost_start = bench::ProcessCostNow();
    auto runner = projections::ProjectionRunner::Start(options, {&access, &alerts, &audit}, Reader(**store));
    if (!runner.ok() || !(*runner)->WaitForPosition(head, 10min)) {
      std::fprintf(stderr, "runner rebuild failed\n");
      return 1;
    }
    runner_s = Seconds(Clock::now() - start);
    runner_cost = bench::ProcessCostNow() - cost_start;
    from_log = (*runner)->Stats().applied_from_log;
  }

  // The write model's start on the same log: CommandProcessor::Start folds it all, as
  // portico serve does next to the runner's catch-up (one thread).
  double processor_s = 0, processor_cpu = 0;
  {
    projections::AccessModel access;
    projections::SessionsModel sessions(access, /*observing_since_us=*/0);
    boost::asio::thread_pool pool(1);
    const auto start = Clock::now();
    const double cpu_start = bench::ProcessCpuSeconds();
    auto processor = gateway::CommandProcessor::Start(**store, sessions, pool);
    if (!processor.ok()) {
      std::fprintf(stderr, "command processor start failed: %s\n", processor.status().ToString().c_str());
      return 1;
    }
    processor_s = Seconds(Clock::now() - start);
    processor_cpu = bench::ProcessCpuSeconds() - cpu_start;
  }

  // How much of that is reading the log: ReadAll alone over the whole log.
  double read_s = 0, read_cpu = 0;
  {
    const auto start = Clock::now();
    const double cpu_start = bench::ProcessCpuSeconds();
    for (Position from{1}; from.value() <= head.value();) {
      auto batch = (*store)->ReadAll(from, 4096);
      if (!batch.ok() || batch->empty()) {
        std::fprintf(stderr, "read failed at %" PRIu64 "\n", from.value());
        return 1;
      }
      from = Position(batch->back().position.value() + 1);
    }
    read_s = Seconds(Clock::now() - start);
    read_cpu = bench::ProcessCpuSeconds() - cpu_start;
  }

  // (b) A plain sequential replay on one thread: ReadAll, verify, Apply to every model.
  double direct_s = 0, direct_cpu = 0;
  {
    projections::AccessModel access;
    projections::AlertsModel alerts(access);
    projections::AuditModel audit;
    const auto start = Clock::now();
    const double cpu_start = bench::ProcessCpuSeconds();
    for (Position from{1}; from.value() <= head.value();) {
      auto batch = (*store)->ReadAll(from, 4096);
      if (!batch.ok() || batch->empty()) {
        std::fprintf(stderr, "read failed at %" PRIu64 "\n", from.value());
        return 1;
      }
      for (const auto& e : *batch) {
        auto env = schemas::VerifyEnvelope(e.bytes);
        if (!env.ok() || !access.Apply(**env, e.position).ok() || !alerts.Apply(**env, e.position).ok() ||
            !audit.Apply(**env, e.position).ok()) {
          std::fprintf(stderr, "apply failed at %" PRIu64 "\n", e.position.value());
          return 1;
        }
      }
      from = Position(batch->back().position.value() + 1);
    }
    direct_s = Seconds(Clock::now() - start);
    direct_cpu = bench::ProcessCpuSeconds() - cpu_start;
  }

  std::printf(
      "{\"bench\":\"rebuild\",\"events\":%" PRIu64 ",\"models\":[\"access\",\"alerts\",\"audit\"],\"corpus_build_s\":%.2f,"
      "\"log_load_s\":%.2f,\"runner_catch_up_s\":%.3f,\"runner_events_per_s\":%.0f,\"runner_applied_from_log\":%" PRIu64
      ",\"direct_replay_s\":%.3f,\"direct_events_per_s\":%.0f,\"read_all_only_s\":%.3f,"
      "\"read_all_only_events_per_s\":%.0f,\"target_events_per_s\":500000,\"runner_cpu_s\":%.3f,"
      "\"runner_events_per_cpu_s\":%.0f,\"runner_system_s\":%.3f,\"runner_minor_faults\":%ld,\"direct_cpu_s\":%.3f,\"direct_events_per_cpu_s\":%.0f,"
      "\"read_all_only_cpu_s\":%.3f,\"command_processor_start_s\":%.3f,\"command_processor_start_cpu_s\":%.3f,"
      "\"load_average_1m\":%.2f}\n",
      n, build_s, load_s, runner_s, static_cast<double>(n) / runner_s, from_log, direct_s,
      static_cast<double>(n) / direct_s, read_s, static_cast<double>(n) / read_s, runner_cost.cpu_s(),
      static_cast<double>(n) / runner_cost.cpu_s(), runner_cost.system_s, runner_cost.minor_faults, direct_cpu, static_cast<double>(n) / direct_cpu, read_cpu,
      processor_s, processor_cpu, bench::LoadAverage());
  std::fflush(stdout);
  return 0;
}

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (arg == "--mode" && (v = value())) flags.mode = v;
    else if (arg == "--rate" && (v = value())) flags.rate = std::atof(v);
    else if (arg == "--seconds" && (v = value())) flags.seconds = std::atof(v);
    else if (arg == "--warmup" && (v = value())) flags.warmup = std::atof(v);
    else if (arg == "--threads" && (v = value())) flags.threads = std::atoi(v);
    else if (arg == "--per-append" && (v = value())) flags.per_append = std::atoi(v);
    else if (arg == "--events" && (v = value())) flags.events = std::strtoull(v, nullptr, 10);
    else return false;
  }
  return (flags.mode == "lag" || flags.mode == "rebuild" || flags.mode == "both") && flags.rate > 0 &&
         flags.seconds > 0 && flags.threads > 0 && flags.per_append > 0 && flags.events > 0;
}

}  // namespace
}  // namespace portico

int main(int argc, char** argv) {
  portico::Flags flags;
  if (!portico::ParseFlags(argc, argv, flags)) {
    std::fprintf(stderr,
                 "usage: lag_bench [--mode lag|rebuild|both] [--rate EVENTS_PER_S] [--seconds S] [--warmup S]\n"
                 "                 [--threads N] [--per-append N] [--events N]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  int rc = 0;
  if (flags.mode != "rebuild") rc |= portico::RunLag(flags);
  if (flags.mode != "lag") rc |= portico::RunRebuild(flags);
  return rc;
}
