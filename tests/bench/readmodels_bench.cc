// Read-model benchmarks (issue 4), printing one JSON line per measurement:
//   rebuild   events/s applying the corpus (readmodels_corpus.h, ~1.18M events) to each read
//             model, every envelope verified first as the runner does (target >= 500,000/s);
//   memory    resident memory the read models add at 100,000 users and 1,000,000 resources,
//             from /proc/self/statm before and after building each (target <= 1 GiB);
//   check     AccessModel::Check (shared lock + domain::Check, by ids, as GET /v1/check asks)
//             on one thread: checks/s over the whole query mix, and p99 latency timed per call
//             with steady_clock, minus the median cost of a back-to-back clock pair measured in
//             the same run (targets: >= 1,000,000 checks/s, p99 <= 2 us);
//   and, for context, the same checks without the lock, listings, portal home pages and
//   session validations.
// Single-threaded throughout. Takes about a minute and ~3 GB of memory at peak.
#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>
#include <x86intrin.h>

#include "domain/catalogue.h"
#include "domain/evolve.h"
#include "projections/access_model.h"
#include "projections/alerts_model.h"
#include "projections/audit_model.h"
#include "projections/portal_view.h"
#include "projections/sessions_model.h"
#include "readmodels_corpus.h"
#include "tests/bench/cpu_time.h"

namespace portico::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// CPU time of this thread: what "on one core" means when the machine runs other work too.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall and thread CPU seconds of one run of fn.
struct Timing {
  double wall, cpu;
};
template <typename F>
Timing Time(F&& fn) {
  const auto wall = Clock::now();
  const double cpu = ThreadCpuSeconds();
  fn();
  return {Seconds(wall), ThreadCpuSeconds() - cpu};
}

// ns per dependent random read over `mib` MiB (a pointer chase): this machine's memory latency,
// which bounds a lookup in a model far larger than the caches.
double MemoryLatencyNs(std::size_t mib) {
  const std::size_t n = mib * 1024 * 1024 / 64;
  std::vector<std::uint64_t> order(n), next(n * 8);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::uint64_t seed = 7;
  for (std::size_t i = n - 1; i > 0; --i) {  // Fisher-Yates
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    std::swap(order[i], order[(seed >> 33) % (i + 1)]);
  }
  for (std::size_t i = 0; i < n; ++i) next[order[i] * 8] = order[(i + 1) % n] * 8;
  std::uint64_t p = 0;
  constexpr std::size_t kSteps = 3'000'000;
  const Timing t = Time([&] {
    for (std::size_t i = 0; i < kSteps; ++i) p = next[p];
  });
  return p == ~0ull ? 0 : t.cpu * 1e9 / kSteps;
}

double ResidentMiB() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// Verifies and applies every envelope, the model told first how many are coming, as the
// runner's catch-up from the log tells it (Projection::ExpectEvents).
Timing Rebuild(projections::Projection& model, const std::vector<std::string>& envelopes) {
  return Time([&] {
    model.ExpectEvents(envelopes.size());
    for (std::size_t i = 0; i < envelopes.size(); ++i) {
      auto env = schemas::VerifyEnvelope(envelopes[i]);
      if (!env.ok() || !model.Apply(**env, Position(i + 1)).ok()) {
        std::fprintf(stderr, "apply failed at %zu\n", i + 1);
        std::exit(1);
      }
    }
  });
}

// Every read model `portico serve` runs (gateway/app/system.cc: access, audit, alerts; the
// portal view and the sessions are queries over the access model), fed as the runner feeds
// them: each event verified once, then applied to each model in order. Prints the whole rebuild
// and, for the report, each model's share of the apply time (TSC ticks around each call).
void RebuildAll(const std::vector<std::string>& envelopes) {
  const double rss0 = ResidentMiB();
  auto access = std::make_unique<projections::AccessModel>();
  auto alerts = std::make_unique<projections::AlertsModel>(*access);
  auto audit = std::make_unique<projections::AuditModel>();
  std::array<std::uint64_t, 4> ticks{};  // verify, access, alerts, audit
  const Timing t = Time([&] {
    for (projections::Projection* model :
         std::initializer_list<projections::Projection*>{access.get(), alerts.get(), audit.get()}) {
      model->ExpectEvents(envelopes.size());
    }
    for (std::size_t i = 0; i < envelopes.size(); ++i) {
      const Position p(i + 1);
      const std::uint64_t t0 = __rdtsc();
      auto env = schemas::VerifyEnvelope(envelopes[i]);
      const std::uint64_t t1 = __rdtsc();
      const bool ok = env.ok() && access->Apply(**env, p).ok();
      const std::uint64_t t2 = __rdtsc();
      const bool ok2 = ok && alerts->Apply(**env, p).ok();
      const std::uint64_t t3 = __rdtsc();
      if (!ok2 || !audit->Apply(**env, p).ok()) {
        std::fprintf(stderr, "apply failed at %zu\n", i + 1);
        std::exit(1);
      }
      const std::uint64_t t4 = __rdtsc();
      ticks[0] += t1 - t0;
      ticks[1] += t2 - t1;
      ticks[2] += t3 - t2;
      ticks[3] += t4 - t3;
    }
  });
  const double rss1 = ResidentMiB();
  const double total = static_cast<double>(ticks[0] + ticks[1] + ticks[2] + ticks[3]);
  const double n = static_cast<double>(envelopes.size());
  const auto ns = [&](std::size_t k) { return t.cpu * 1e9 / n * static_cast<double>(ticks[k]) / total; };
  std::printf("{\"bench\":\"rebuild\",\"model\":\"serve\",\"models\":[\"access\",\"alerts\",\"audit\"],"
              "\"events\":%zu,\"seconds\":%.3f,\"events_per_s\":%.0f,\"cpu_seconds\":%.3f,\"events_per_cpu_s\":%.0f,"
              "\"cpu_ns_per_event\":{\"verify\":%.0f,\"access\":%.0f,\"alerts\":%.0f,\"audit\":%.0f},"
              "\"memory_mib\":%.1f,\"note\":\"one thread, each event verified once and applied to each model, as the "
              "runner does; the split is by TSC ticks around each call\"}\n",
              envelopes.size(), t.wall, n / t.wall, t.cpu, n / t.cpu, ns(0), ns(1), ns(2), ns(3), rss1 - rss0);
  std::fflush(stdout);
}

struct Query {
  const domain::UserId* user;
  std::string_view capability;
  const domain::ResourceId* resource;  // nullptr: a feature check
};

// The query mix: 70% a client user on a resource of its own organisation with that resource's
// view capability; 10% the same on a random organisation's resource (mostly unrelated); 10% a
// contractor user on a task assigned to its business; 10% a feature capability (no resource).
std::vector<Query> MakeQueries(const Corpus& corpus, const std::vector<domain::UserId>& clients,
                               const std::vector<domain::UserId>& contractors,
                               const std::vector<domain::ResourceId>& resources, std::size_t n) {
  std::vector<int> assigned;
  for (int r = 0; r < kResources; ++r) {
    if (corpus.resources[r].business >= 0) assigned.push_back(r);
  }
  std::uint64_t seed = 12345;
  auto next = [&](std::uint64_t m) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % m;
  };
  auto view = [&](int r) {
    return domain::CapabilityName(domain::ViewCapabilityFor(corpus.resources[r].type, corpus.resources[r].status));
  };
  static constexpr std::string_view kFeatures[] = {"tasks.create", "profile.view", "users.manage", "alerts.subscribe"};
  std::vector<Query> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t kind = next(10);
    const int u = static_cast<int>(next(clients.size()));
    if (kind < 7) {
      const int r = (u / kUsersPerClientOrg) * kResourcesPerOrg + static_cast<int>(next(kResourcesPerOrg));
      out.push_back({&clients[u], view(r), &resources[r]});
    } else if (kind < 8) {
      const int r = static_cast<int>(next(kResources));
      out.push_back({&clients[u], view(r), &resources[r]});
    } else if (kind < 9) {
      const int r = assigned[next(assigned.size())];
      const int cu = corpus.resources[r].business * kUsersPerBusiness + static_cast<int>(next(kUsersPerBusiness));
      out.push_back({&contractors[cu], view(r), &resources[r]});
    } else {
      out.push_back({&clients[u], kFeatures[next(4)], nullptr});
    }
  }
  return out;
}

// Where a check's time goes, for the report: the id lookups alone (FindUser, ParseCapability,
// FindResource), then domain::Check on entities resolved beforehand.
void CheckBreakdown(const projections::AccessModel& access, const std::vector<Query>& queries, std::int64_t now) {
  access.Read([&](const projections::AccessIndex& index) {
    const domain::AccessState& s = index.state();
    std::size_t found = 0;
    const Timing map_lookups = Time([&] {
      for (const Query& q : queries) {
        found += s.FindUser(q.user->value()) != nullptr;
        if (q.resource != nullptr) found += s.FindResource(q.resource->value()) != nullptr;
      }
    });
    const Timing parse = Time([&] {
      for (const Query& q : queries) found += domain::ParseCapability(q.capability).has_value();
    });
    struct Resolved {
      const domain::User* user;
      domain::Capability capability;
      const domain::Resource* resource;
    };
    std::vector<Resolved> resolved;
    resolved.reserve(queries.size());
    for (const Query& q : queries) {
      resolved.push_back({s.FindUser(q.user->value()), *domain::ParseCapability(q.capability),
                          q.resource != nullptr ? s.FindResource(q.resource->value()) : nullptr});
    }
    const Timing checks = Time([&] {
      for (const Resolved& r : resolved) found += domain::Check(s, *r.user, r.capability, r.resource, now).allowed;
    });
    // What domain::Check spends finding the user's organisation by its id string: it does so
    // at least three times per check (CheckUserActive, Check, EffectiveMode's walk).
    const Timing orgs = Time([&] {
      for (const Resolved& r : resolved) {
        for (int i = 0; i < 3; ++i) found += s.FindOrg(r.user->org.value()) != nullptr;
      }
    });
    const Timing caps = Time([&] {
      for (const Resolved& r : resolved) found += domain::EffectiveCapabilities(s, *r.user, now).Has(r.capability);
    });
    const double n = static_cast<double>(queries.size());
    std::printf("{\"bench\":\"check_breakdown\",\"queries\":%zu,\"unit\":\"CPU ns per check\","
                "\"user_and_resource_by_id_in_AccessState_maps\":%.0f,"
                "\"domain_ParseCapability\":%.0f,\"domain_Check_on_resolved_entities\":%.0f,"
                "\"of_which_3x_FindOrg_of_the_users_org\":%.0f,\"of_which_EffectiveCapabilities\":%.0f}\n",
                queries.size(), map_lookups.cpu * 1e9 / n, parse.cpu * 1e9 / n,
                checks.cpu * 1e9 / n, orgs.cpu * 1e9 / n, caps.cpu * 1e9 / n);
    std::fflush(stdout);
    return found;
  });
}

struct Latency {
  double clock_overhead_ns, p50, p99, p999, max;
};

// Per-call latencies of fn(i) for i in [0, n), minus the median clock-pair overhead.
template <typename F>
Latency MeasureLatency(std::size_t n, F&& fn) {
  std::vector<std::int64_t> pair(1'000'000);
  for (auto& d : pair) {
    const auto a = Clock::now();
    d = (Clock::now() - a).count();
  }
  std::nth_element(pair.begin(), pair.begin() + static_cast<std::ptrdiff_t>(pair.size() / 2), pair.end());
  const double overhead = static_cast<double>(pair[pair.size() / 2]);
  std::vector<std::int64_t> ns(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = Clock::now();
    fn(i);
    ns[i] = (Clock::now() - a).count();
  }
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    return std::max(0.0, static_cast<double>(ns[static_cast<std::size_t>(q * static_cast<double>(n - 1))]) - overhead);
  };
  return {overhead, at(0.5), at(0.99), at(0.999), at(1.0)};
}

void PrintLatency(const char* bench, std::size_t n, const Latency& l, const char* extra = "") {
  std::printf(
      "{\"bench\":\"%s\",\"samples\":%zu,\"method\":\"steady_clock around each call, minus the median "
      "back-to-back clock pair of the same run\",\"clock_overhead_ns\":%.0f,\"p50_ns\":%.0f,\"p99_ns\":%.0f,"
      "\"p999_ns\":%.0f,\"max_ns\":%.0f%s}\n",
      bench, n, l.clock_overhead_ns, l.p50, l.p99, l.p999, l.max, extra);
  std::fflush(stdout);
}

enum class Mode { kAll, kAccessOnly, kRebuildOnly };

int Main(Mode mode) {
  const bool only_access = mode == Mode::kAccessOnly;
  const double memory_latency = MemoryLatencyNs(256);
  auto start = Clock::now();
  const Corpus corpus = CorpusWriter().Build();
  std::size_t bytes = 0;
  for (const auto& e : corpus.envelopes) bytes += e.size();
  const std::size_t events = corpus.envelopes.size();
  std::printf("{\"bench\":\"corpus\",\"events\":%zu,\"envelope_bytes\":%zu,\"users\":%d,\"resources\":%d,"
              "\"orgs\":%d,\"seconds\":%.2f}\n",
              events, bytes, kClientOrgs * kUsersPerClientOrg + kBusinesses * kUsersPerBusiness, kResources,
              kClientOrgs + kBusinesses, Seconds(start));
  std::printf("{\"bench\":\"machine\",\"cpus\":%ld,\"load_average_1m\":%.2f,\"random_read_ns_256mib\":%.0f,"
              "\"note\":\"wall-clock figures include waiting for a CPU when the load exceeds the CPUs; *_cpu figures "
              "count this thread's CPU time only\"}\n",
              sysconf(_SC_NPROCESSORS_ONLN), LoadAverage(), memory_latency);
  std::fflush(stdout);

  // Verification alone, which every rebuild pays once per event.
  const Timing t_verify = Time([&] {
    for (const std::string& e : corpus.envelopes) {
      if (!schemas::VerifyEnvelope(e).ok()) std::exit(1);
    }
  });
  projections::AccessModel access;
  projections::AuditModel audit;
  const double rss0 = ResidentMiB();
  const Timing t_access = Rebuild(access, corpus.envelopes);
  const double rss1 = ResidentMiB();
  const Timing t_audit = only_access ? Timing{} : Rebuild(audit, corpus.envelopes);
  const double rss2 = ResidentMiB();
  const auto rate = [&](double seconds) { return seconds > 0 ? static_cast<double>(events) / seconds : 0.0; };
  for (const auto& [name, t] : {std::pair{"access", t_access}, std::pair{"audit", t_audit}}) {
    std::printf("{\"bench\":\"rebuild\",\"model\":\"%s\",\"events\":%zu,\"seconds\":%.3f,\"events_per_s\":%.0f,"
                "\"cpu_seconds\":%.3f,\"events_per_cpu_s\":%.0f}\n",
                name, events, t.wall, rate(t.wall), t.cpu, rate(t.cpu));
  }
  // All models as the runner feeds them: each event verified once, then applied to each.
  const double all_wall = t_access.wall + t_audit.wall - t_verify.wall;
  const double all_cpu = t_access.cpu + t_audit.cpu - t_verify.cpu;
  std::printf("{\"bench\":\"rebuild\",\"model\":\"access+audit\",\"events\":%zu,\"seconds\":%.3f,\"events_per_s\":%.0f,"
              "\"cpu_seconds\":%.3f,\"events_per_cpu_s\":%.0f,\"verify_cpu_seconds\":%.3f,"
              "\"note\":\"access + audit - one verification pass: each event verified once and applied to both, as "
              "the runner does\",\"target_events_per_s\":500000}\n",
              events, all_wall, rate(all_wall), all_cpu, rate(all_cpu), t_verify.cpu);
  std::printf("{\"bench\":\"memory\",\"access_mib\":%.1f,\"audit_mib\":%.1f,\"total_mib\":%.1f,\"target_mib\":1024,"
              "\"users\":%d,\"resources\":%d,\"events\":%zu}\n",
              rss1 - rss0, rss2 - rss1, rss2 - rss0, kClientOrgs * kUsersPerClientOrg + kBusinesses * kUsersPerBusiness,
              kResources, events);
  std::fflush(stdout);
  RebuildAll(corpus.envelopes);
  if (mode == Mode::kRebuildOnly) return 0;

  std::vector<domain::UserId> clients, contractors;
  for (int i = 0; i < kClientOrgs * kUsersPerClientOrg; ++i) clients.emplace_back(ClientUser(i));
  for (int i = 0; i < kBusinesses * kUsersPerBusiness; ++i) contractors.emplace_back(ContractorUser(i));
  std::vector<domain::ResourceId> resources;
  resources.reserve(kResources);
  for (int r = 0; r < kResources; ++r) resources.emplace_back(ResourceName(r));
  constexpr std::size_t kQueries = 1'000'000;
  const std::vector<Query> queries = MakeQueries(corpus, clients, contractors, resources, kQueries);
  const std::int64_t now = corpus.last_recorded_us + 1000;

  // Throughput: three passes over the mix, no per-call timing.
  std::size_t allowed = 0;
  constexpr int kPasses = 3;
  const Timing t = Time([&] {
    for (int pass = 0; pass < kPasses; ++pass) {
      for (const Query& q : queries) allowed += access.Check(*q.user, q.capability, q.resource, now).allowed;
    }
  });
  const double checks = static_cast<double>(kQueries * kPasses);
  std::printf("{\"bench\":\"check\",\"path\":\"AccessModel::Check\",\"checks\":%.0f,\"seconds\":%.3f,"
              "\"checks_per_s\":%.0f,\"cpu_seconds\":%.3f,\"checks_per_cpu_s\":%.0f,\"allowed_fraction\":%.3f,"
              "\"threads\":1,\"target_checks_per_s\":1000000}\n",
              checks, t.wall, checks / t.wall, t.cpu, checks / t.cpu, static_cast<double>(allowed) / checks);
  std::fflush(stdout);
  const Latency lat = MeasureLatency(kQueries, [&](std::size_t i) {
    allowed += access.Check(*queries[i].user, queries[i].capability, queries[i].resource, now).allowed;
  });
  PrintLatency("check_latency", kQueries, lat, ",\"path\":\"AccessModel::Check\",\"target_p99_ns\":2000");

  // For context: domain::Check alone, under one shared lock for the whole pass.
  const Timing bare = access.Read([&](const projections::AccessIndex& index) {
    return Time([&] {
      for (const Query& q : queries) allowed += domain::Check(index.state(), *q.user, q.capability, q.resource, now).allowed;
    });
  });
  std::printf("{\"bench\":\"check\",\"path\":\"domain::Check without the lock\",\"checks\":%zu,\"seconds\":%.3f,"
              "\"checks_per_s\":%.0f,\"cpu_seconds\":%.3f,\"checks_per_cpu_s\":%.0f,\"threads\":1}\n",
              kQueries, bare.wall, static_cast<double>(kQueries) / bare.wall, bare.cpu,
              static_cast<double>(kQueries) / bare.cpu);
  CheckBreakdown(access, queries, now);
  if (only_access) return 0;
  std::fflush(stdout);

  // Listings and portal pages of random client users.
  constexpr std::size_t kPages = 20'000;
  std::size_t listed = 0;
  const Latency list_lat = MeasureLatency(kPages, [&](std::size_t i) {
    listed += access.ListVisibleResources(clients[(i * 7919) % clients.size()], {}, now).size();
  });
  char extra[160];
  std::snprintf(extra, sizeof extra, ",\"path\":\"AccessModel::ListVisibleResources, no filter\",\"mean_listed\":%.1f",
                static_cast<double>(listed) / kPages);
  PrintLatency("list_latency", kPages, list_lat, extra);
  projections::PortalView portal(access);
  const Latency home_lat = MeasureLatency(kPages, [&](std::size_t i) {
    listed += portal.Home(clients[(i * 7919) % clients.size()], now).ok();
  });
  PrintLatency("portal_home_latency", kPages, home_lat, ",\"path\":\"PortalView::Home\"");

  projections::SessionsModel sessions(access, /*observing_since_us=*/0);
  std::size_t valid = 0;
  const Latency session_lat = MeasureLatency(kQueries, [&](std::size_t i) {
    valid += sessions.Validate(SessionToken(static_cast<int>(i % kSessions)), now).valid();
  });
  std::snprintf(extra, sizeof extra, ",\"path\":\"SessionsModel::Validate\",\"valid_fraction\":%.3f",
                static_cast<double>(valid) / kQueries);
  PrintLatency("session_validate_latency", kQueries, session_lat, extra);

  projections::AuditFilter by_org;
  by_org.org_id = ClientOrg(1234);
  by_org.limit = 100;
  const Latency audit_lat = MeasureLatency(kPages, [&](std::size_t i) {
    by_org.org_id = ClientOrg(static_cast<int>(i % kClientOrgs));
    listed += audit.Query(by_org).records.size();
  });
  PrintLatency("audit_query_latency", kPages, audit_lat, ",\"path\":\"AuditModel::Query by org, 100 per page\"");

  // For the report: the domain's own fold into a bare AccessState, time and memory, without
  // the projection around it (last, so that it does not disturb the figures above).
  const double rss3 = ResidentMiB();
  auto folded = std::make_unique<domain::AccessState>();
  const Timing t_fold = Time([&] {
    for (const std::string& e : corpus.envelopes) domain::Evolve(*folded, **schemas::VerifyEnvelope(e));
  });
  std::printf("{\"bench\":\"rebuild_breakdown\",\"events\":%zu,\"verify_only_events_per_cpu_s\":%.0f,"
              "\"domain_evolve_with_verify_events_per_cpu_s\":%.0f,\"domain_state_mib\":%.1f}\n",
              events, rate(t_verify.cpu), rate(t_fold.cpu), ResidentMiB() - rss3);
  return allowed == 0 ? 1 : 0;
}

}  // namespace
}  // namespace portico::bench

// --access-only: the access model's rebuild, memory and checks, nothing else.
// --rebuild-only: the rebuilds and memory, no checks or queries.
int main(int argc, char** argv) {
  using portico::bench::Mode;
  const std::string_view arg = argc > 1 ? argv[1] : "";
  if (argc > 2 || (!arg.empty() && arg != "--access-only" && arg != "--rebuild-only")) {
    std::fprintf(stderr, "usage: readmodels_bench [--access-only | --rebuild-only]\n");
    return 2;
  }
  return portico::bench::Main(arg == "--access-only"    ? Mode::kAccessOnly
                              : arg == "--rebuild-only" ? Mode::kRebuildOnly
                                                        : Mode::kAll);
}
