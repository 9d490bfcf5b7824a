// replay_bench [EVENTS] [DIR]: writes EVENTS (default 1,000,000) access events through the
// EventStore into a temporary log (or DIR/log, kept, when DIR is given and already holds one),
// then times `verify` (the whole chain, every own hash recomputed with libsodium's BLAKE2b) and
// `as-of` at the head (fold with domain::Evolve, then the state as JSON), each through the
// command's function as the CLI runs it. Prints one JSON line per measure, with events/s of
// wall-clock time and per CPU-second of the whole process (all its threads), and the load
// average: on a shared machine the second says what the work costs, the first what it got.
//
// The history: 300 organisations, 30,000 users with grants, level changes, logins and
// logouts, 60,000 resources and notes: every event is one Evolve really folds.
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "domain/events.h"
#include "eventstore/db.h"
#include "eventstore/event_store.h"
#include "replay/commands.h"
#include "replay/log_db.h"
#include "replay/replayer.h"
#include "tests/bench/cpu_time.h"

namespace {

using namespace portico;
using Clock = std::chrono::steady_clock;
using bench::LoadAverage;
using bench::ProcessCpuSeconds;

constexpr int kOrgs = 300;
constexpr int kUsers = 30000;

std::string Id(const char* prefix, std::uint64_t n) { return prefix + std::to_string(n); }

// The i-th event of the benchmark history.
domain::DomainEvent MakeEvent(std::uint64_t i) {
  if (i < kOrgs) {
    schema::OrgRegisteredT e;
    e.org_id = Id("org", i);
    e.name = "Organisation " + std::to_string(i);
    e.kind = i % 5 == 0 ? schema::OrgKind::Contractor : schema::OrgKind::Client;
    return domain::MakeEvent(domain::OrgStream(e.org_id), std::move(e));
  }
  if (i < 2 * kOrgs) {
    schema::OrgAccessChangedT e;
    e.org_id = Id("org", i - kOrgs);
    e.mode = schema::AccessMode::Enabled;
    return domain::MakeEvent(domain::OrgStream(e.org_id), std::move(e));
  }
  if (i < 2 * kOrgs + kUsers) {
    const std::uint64_t u = i - 2 * kOrgs;
    schema::UserCreatedT e;
    e.user_id = Id("user", u);
    e.org_id = Id("org", u % kOrgs);
    e.username = e.user_id + "@example.com";
    e.display_name = "User " + std::to_string(u);
    e.user_type = u % kOrgs % 5 == 0 ? schema::UserType::Contractor : schema::UserType::Active;
    e.level = u % 3 == 0 ? "client-manager" : "client-base";
    e.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
    return domain::MakeEvent(domain::UserStream(e.user_id), std::move(e));
  }
  const std::uint64_t k = i - 2 * kOrgs - kUsers;
  const std::string user = Id("user", (k * 7919) % kUsers);
  switch (k % 8) {
    case 0: {
      schema::SessionStartedT e;
      e.session_id = Id("s", k);
      e.user_id = user;
      e.token_hash = std::make_unique<schema::Hash256>();
      auto* bytes = e.token_hash->mutable_bytes();
      for (int b = 0; b < 8; ++b) bytes->Mutate(b, static_cast<std::uint8_t>(k >> (8 * b)));
      bytes->Mutate(31, 1);
      e.idle_timeout_us = 30LL * 60 * 1000000;
      e.absolute_expires_at_us = 4'000'000'000'000'000;
      return domain::MakeEvent(domain::UserStream(user), std::move(e));
    }
    case 1: {
      schema::SessionEndedT e;  // ends the session started just before, on the same user
      e.session_id = Id("s", k - 1);
      e.user_id = Id("user", ((k - 1) * 7919) % kUsers);
      e.reason = schema::SessionEndReason::Logout;
      return domain::MakeEvent(domain::UserStream(e.user_id), std::move(e));
    }
    case 2: {
      schema::PermissionGrantedT e;
      e.user_id = user;
      e.capability = k % 3 == 0 ? "invoices.view" : "quotes.view";
      e.scope = "org";
      return domain::MakeEvent(domain::UserStream(user), std::move(e));
    }
    case 3: {
      schema::ResourceUpsertedT e;
      e.resource_id = Id("res", k % 60000);
      e.type = static_cast<schema::ResourceType>(k % 11);
      e.org_id = Id("org", k % kOrgs);
      e.title = "Resource " + std::to_string(k);
      e.status = static_cast<schema::ResourceStatus>(k % 3);
      e.contact_user_id = user;
      return domain::MakeEvent(domain::ResourceStream(e.resource_id), std::move(e));
    }
    case 4: {
      schema::NoteSharedT e;
      e.note_id = Id("note", k);
      e.resource_id = Id("res", k % 60000);
      e.body = "Visited the site, replaced the filter; next visit in three months.";
      e.visibility = schema::NoteVisibility::Client;
      return domain::MakeEvent(domain::NoteStream(e.note_id), std::move(e));
    }
    case 5: {
      schema::UserLevelChangedT e;
      e.user_id = user;
      e.level = k % 2 == 0 ? "client-manager" : "client-base";
      return domain::MakeEvent(domain::UserStream(user), std::move(e));
    }
    case 6: {
      schema::LoginFailedT e;
      e.user_id = user;
      e.reason = schema::LoginFailureReason::BadPassword;
      e.consecutive_failures = 1;
      return domain::MakeEvent(domain::UserStream(user), std::move(e));
    }
    default: {
      schema::PermissionRevokedT e;
      e.user_id = user;
      e.capability = "quotes.view";
      return domain::MakeEvent(domain::UserStream(user), std::move(e));
    }
  }
}

void Generate(const std::string& log_dir, std::uint64_t events) {
  eventstore::Options options;
  options.dir = log_dir;
  options.sync = false;
  auto store = eventstore::EventStore::Open(options);
  if (!store.ok()) {
    std::cerr << "cannot open the store: " << store.status().ToString() << '\n';
    std::exit(1);
  }
  schemas::EventMeta meta;
  meta.actor_kind = schema::ActorKind::Staff;
  meta.actor_id = "bench";
  meta.correlation_id = "bench-correlation";
  std::atomic<std::uint64_t> done{0}, failed{0};
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < events; ++i) {
    const domain::DomainEvent event = MakeEvent(i);
    // Ordered appends: the store keeps the order of submission within its writer queue. Wait
    // for the phase boundaries so that later events find what they refer to.
    if (i == kOrgs || i == 2 * kOrgs || i == 2 * kOrgs + kUsers || i % 4096 == 0) {
      while (done.load() < i) std::this_thread::yield();
    }
    (*store)->AppendAsync(StreamId(event.stream), eventstore::ExpectedVersion::Any(),
                          {domain::EncodeEvent(event, meta)}, eventstore::AppendOptions{}, [&](Result<eventstore::AppendResult> r) {
                            if (!r.ok()) failed.fetch_add(1);
                            done.fetch_add(1);
                          });
  }
  while (done.load() < events) std::this_thread::yield();
  store->reset();
  // Flush every column family, as a long-running server's RocksDB eventually does: the small
  // families ("default", "streams") would otherwise pin every WAL file, and each open would
  // replay them all (see the report: max_total_wal_size).
  {
    auto db = eventstore::Db::Open(log_dir, false);
    if (db.ok()) {
      for (auto* cf : {(*db)->meta(), (*db)->events(), (*db)->streams(), (*db)->idempotency()}) {
        (void)(*db)->db()->Flush(rocksdb::FlushOptions(), cf);
      }
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("{\"bench\":\"replay_generate\",\"events\":%llu,\"failed\":%llu,\"seconds\":%.3f,\"events_per_second\":%.0f}\n",
              static_cast<unsigned long long>(events), static_cast<unsigned long long>(failed.load()), seconds,
              static_cast<double>(events) / seconds);
}

template <typename Options, typename Fn>
void Time(const char* name, Fn fn, const Options& options, std::uint64_t events) {
  std::ofstream sink("/dev/null");
  std::ostringstream err;
  const auto start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  const int code = fn(options, sink, err);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = ProcessCpuSeconds() - cpu_start;
  std::printf("{\"bench\":\"%s\",\"events\":%llu,\"exit_code\":%d,\"seconds\":%.3f,\"events_per_second\":%.0f,"
              "\"cpu_seconds\":%.3f,\"events_per_cpu_second\":%.0f,\"load_average_1m\":%.2f}\n",
              name, static_cast<unsigned long long>(events), code, seconds, static_cast<double>(events) / seconds, cpu,
              static_cast<double>(events) / cpu, LoadAverage());
  if (code != 0) std::cerr << err.str();
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  std::uint64_t events = 1'000'000;
  if (argc > 1) {
    char* end = nullptr;
    events = std::strtoull(argv[1], &end, 10);
    if (argc > 3 || *argv[1] == '-' || *end != '\0' || events == 0) {
      std::fprintf(stderr, "usage: replay_bench [EVENTS (at least 1)] [DIR]\n");
      return 2;
    }
  }
  std::string data_dir;
  bool temporary = false;
  if (argc > 2) {
    data_dir = argv[2];
  } else {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/portico-replay-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    data_dir = pattern;
    temporary = true;
  }
  if (!std::filesystem::exists(data_dir + "/log/CURRENT")) Generate(data_dir + "/log", events);
  spdlog::set_level(spdlog::level::warn);

  replay::CommonOptions common;
  common.data_dir = data_dir;
  common.progress = replay::ProgressMode::kOff;
  common.pretty = false;

  replay::VerifyOptions verify;
  verify.common = common;
  Time("replay_verify", &replay::Verify, verify, events);

  replay::AsOfOptions as_of;
  as_of.common = common;
  Time("replay_as_of", &replay::AsOf, as_of, events);

  // The fold alone (no JSON of the final state).
  {
    auto db = replay::LogDb::Open(data_dir + "/log", replay::OpenMode::kReadOnly);
    replay::Replayer replayer(**db, replay::ReplayOptions{});
    const auto start = Clock::now();
    const double cpu_start = ProcessCpuSeconds();
    const Status s = replayer.AdvanceTo(Position(events));
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = ProcessCpuSeconds() - cpu_start;
    std::printf("{\"bench\":\"replay_fold\",\"events\":%llu,\"ok\":%s,\"users\":%zu,\"seconds\":%.3f,\"events_per_second\":%.0f,"
                "\"cpu_seconds\":%.3f,\"events_per_cpu_second\":%.0f}\n",
                static_cast<unsigned long long>(events), s.ok() ? "true" : "false", replayer.state().users.size(),
                seconds, static_cast<double>(events) / seconds, cpu, static_cast<double>(events) / cpu);
  }
  if (temporary) std::filesystem::remove_all(data_dir);
  return 0;
}
