// append_bench: durable events per second and latency of EventStore::Append at 1, 8 and 64
// concurrent appenders, against a raw RocksDB baseline on the same machine.
//
// Each appender is a thread calling the blocking Append in a loop: one event to its own
// stream with an exact expected version. The event is a short note in the smallest envelope
// schemas::EncodeEnvelope makes (about 310 bytes with its metadata and store fields: the
// "~200-byte event" plus the envelope); `event_bytes` reports its size. The baseline has the
// same threads each writing one 200-byte value per rocksdb::DB::Put with
// WriteOptions.sync=true (RocksDB's own write grouping), with RocksDB's default options. So
// the store writes more bytes, and more keys, per event than the baseline.
// The sides run in alternating short slices (8 of 0.25 s each by default), so that all see
// the same machine, on the same appender threads, started once per thread count. Prints one
// JSON line per thread count ("append").
//
// Unless --no_async, another side runs in the same slices, on the same store: the same number
// of appenders as the gateway makes them, through AppendAsync, each with one append in flight
// and its completions run by two executor threads (AsyncAppenders), on a line of its own
// ("append_async"). With --compare_wal_zeros, one more: the store without zeros written
// ahead of its WAL (Options::zero_wal_ahead = false), on a line of its own.
//
// Usage: append_bench [--duration_s=2] [--slices=8] [--threads=1,8,64] [--no_raw] [--no_async]
//                     [--raw_store_options] [--compare_wal_zeros] [--dir=/tmp]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include "eventstore/db.h"
#include "eventstore/event_store.h"
#include "eventstore/keys.h"
#include "eventstore/store_testing.h"
#include "tests/bench/cpu_time.h"

namespace portico::eventstore {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kEventBytes = 200;

struct Flags {
  double duration_s = 2.0;  // per side (store, raw) and thread count
  int slices = 8;           // store and raw alternate in this many slices each
  std::vector<int> threads = {1, 8, 64};
  bool raw = true;                 // also run the raw RocksDB baseline
  bool raw_store_options = false;  // the baseline on the store's DB options, not the defaults
  bool compare_wal_zeros = false;  // also a store without zeros ahead of its WAL
  bool async = true;               // also appenders through AppendAsync (AsyncAppenders)
};

// What the appenders of one pool did in the current slice, and the slice itself: start
// every appender, let them run, ask them to stop, and wait until each has stopped.
class SliceTally {
 public:
  explicit SliceTally(int appenders) : latencies_(appenders), events_(appenders, 0) {
    for (auto& latencies : latencies_) latencies.reserve(1 << 14);
  }
  SliceTally(const SliceTally&) = delete;
  SliceTally& operator=(const SliceTally&) = delete;

  int size() const { return static_cast<int>(latencies_.size()); }
  bool failed() const { return failed_; }
  // What appender `a` did since the last Take.
  std::vector<std::uint32_t>& latencies(int a) { return latencies_[a]; }
  std::uint64_t TakeEvents(int a) { return std::exchange(events_[a], 0); }

 protected:
  // Calls `start` with mutex_ held, lets the appenders run for `duration_s`, then waits until
  // each has called Stopped. Returns the seconds from the start until the last one stopped.
  double RunSlice(double duration_s, const std::function<void()>& start) {
    stop_ = false;
    const auto began = Clock::now();
    {
      std::lock_guard lock(mutex_);
      running_ = size();
      start();
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(duration_s));
    stop_ = true;
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return running_ == 0; });
    return std::chrono::duration<double>(Clock::now() - began).count();
  }
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }
  // Appender `a` made `events` durable in an operation that began at `began`; only the code
  // running appender `a` calls this.
  void Record(int a, std::uint64_t events, Clock::time_point began) {
    events_[a] += events;
    latencies_[a].push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - began).count()));
  }
  void Fail() { failed_ = true; }
  // An appender is done with this slice.
  void Stopped() {
    std::lock_guard lock(mutex_);
    if (--running_ == 0) done_.notify_one();
  }

  std::mutex mutex_;  // also guards what the pools keep per slice

 private:
  std::vector<std::vector<std::uint32_t>> latencies_;  // each touched only by its appender
  std::vector<std::uint64_t> events_;                  // each touched only by its appender
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::condition_variable done_;  // running_ reached 0
  int running_ = 0;               // GUARDED_BY(mutex_): appenders still in this slice
};

// The appender threads, started once and reused by every slice of every side, so that a
// slice measures appends and not the start of 64 threads (whose first allocations cost more
// than later ones).
class Appenders : public SliceTally {
 public:
  // Returns the events `thread` made durable in one call, 0 on failure.
  using Op = std::function<std::uint64_t(int thread)>;

  explicit Appenders(int threads) : SliceTally(threads) {
    for (int t = 0; t < threads; ++t) workers_.emplace_back([this, t] { Work(t); });
  }
  ~Appenders() {
    {
      std::lock_guard lock(mutex_);
      quitting_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
  }

  // Every thread calls `op` in a loop, timing each call, for `duration_s`. Returns the
  // seconds from the start until the last call in flight returned.
  double Run(double duration_s, const Op& op) {
    return RunSlice(duration_s, [&] {
      op_ = &op;
      ++generation_;
      wake_.notify_all();
    });
  }

 private:
  void Work(int t) {
    std::uint64_t seen = 0;
    for (;;) {
      const Op* op = nullptr;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (quitting_) return;
        op = op_;
      }
      while (!stopping()) {
        const auto before = Clock::now();
        const std::uint64_t n = (*op)(t);
        if (n == 0) {
          Fail();
          break;
        }
        Record(t, n, before);
      }
      Stopped();
    }
  }

  std::condition_variable wake_;  // a new slice (or quitting)
  const Op* op_ = nullptr;        // GUARDED_BY(mutex_)
  std::uint64_t generation_ = 0;  // GUARDED_BY(mutex_): slices started
  bool quitting_ = false;         // GUARDED_BY(mutex_)
  std::vector<std::thread> workers_;  // last: started once the rest is built
};

// Durable operations and their latencies, accumulated over several timed slices.
class Sampler {
 public:
  // Runs one slice of `duration_s` on `appenders` (Appenders or AsyncAppenders; `args` are
  // the rest of their Run's arguments) and adds what it did.
  template <typename Pool, typename... Args>
  void Run(Pool& appenders, double duration_s, const Args&... args) {
    const double cpu_before = bench::ProcessCpuSeconds();
    seconds_ += appenders.Run(duration_s, args...);
    cpu_seconds_ += bench::ProcessCpuSeconds() - cpu_before;
    if (appenders.failed()) {
      std::fprintf(stderr, "append_bench: an operation failed\n");
      std::exit(1);
    }
    for (int t = 0; t < appenders.size(); ++t) {
      std::vector<std::uint32_t>& latencies = appenders.latencies(t);
      latencies_.insert(latencies_.end(), latencies.begin(), latencies.end());
      latencies.clear();
      events_ += appenders.TakeEvents(t);
    }
  }

  double events_per_s() const { return seconds_ > 0 ? static_cast<double>(events_) / seconds_ : 0; }
  // Events per CPU second of the whole process (every thread, RocksDB's included): what the
  // side costs, which wall-clock rates hide when other work shares the cores.
  double events_per_cpu_s() const {
    return cpu_seconds_ > 0 ? static_cast<double>(events_) / cpu_seconds_ : 0;
  }
  double percentile_us(double p) {
    if (latencies_.empty()) return 0;
    std::sort(latencies_.begin(), latencies_.end());
    const auto rank = static_cast<std::size_t>(p * static_cast<double>(latencies_.size()));
    return latencies_[std::min(latencies_.size() - 1, rank)];
  }

 private:
  std::vector<std::uint32_t> latencies_;
  std::uint64_t events_ = 0;
  double seconds_ = 0;
  double cpu_seconds_ = 0;
};

// An envelope of at least kEventBytes bytes for `stream` (the bare envelope is larger).
std::string BenchEnvelope(const std::string& stream) {
  const std::string text = "note from the bench";
  const std::size_t bare = testing::NoteEnvelope(stream, text).size();
  const std::size_t pad = kEventBytes > bare ? kEventBytes - bare : 0;
  return testing::NoteEnvelope(stream, text + std::string(pad, 'x'));
}

// `threads` appenders, each with its own stream, appending one event at the exact version.
class StoreSide {
 public:
  StoreSide(const std::string& dir, int threads, bool zero_wal_ahead) {
    Options options;
    options.dir = dir;
    options.zero_wal_ahead = zero_wal_ahead;
    auto opened = EventStore::Open(options);
    if (!opened.ok()) {
      std::fprintf(stderr, "append_bench: %s\n", opened.status().ToString().c_str());
      std::exit(1);
    }
    store_ = std::move(opened).value();
    for (int t = 0; t < threads; ++t) {
      streams_.emplace_back("bench:" + std::to_string(t));
      envelopes_.push_back(BenchEnvelope(streams_.back().value()));
    }
    versions_.assign(threads, 0);
  }
  std::size_t event_bytes() const { return envelopes_[0].size(); }

  std::uint64_t Append(int t) {
    return Settle(t, store_->Append(streams_[t], Expected(t), {envelopes_[t]})) ? 1 : 0;
  }

  // The same append through AppendAsync: `done(ok)` runs on the store's writer thread.
  void AppendAsync(int t, std::function<void(bool ok)> done) {
    store_->AppendAsync(streams_[t], Expected(t), {envelopes_[t]}, std::string(),
                        [this, t, done = std::move(done)](Result<AppendResult> result) {
                          done(Settle(t, result));
                        });
  }

 private:
  ExpectedVersion Expected(int t) const {
    return ExpectedVersion::Exact(StreamVersion(versions_[t]));
  }
  // Takes appender `t`'s new stream version from `result`, or reports its error.
  bool Settle(int t, const Result<AppendResult>& result) {
    if (!result.ok()) {
      std::fprintf(stderr, "append_bench: %s\n", result.status().ToString().c_str());
      return false;
    }
    versions_[t] = result->stream_version.value();
    return true;
  }

  std::unique_ptr<EventStore> store_;
  std::vector<StreamId> streams_;
  std::vector<std::string> envelopes_;
  std::vector<std::uint64_t> versions_;  // each touched only by appender t's one append in flight
};

// Appenders as the gateway makes them: each has one append in flight at a time, through
// AppendAsync, and its callback (on the store's writer thread) posts the result to an
// executor of kExecutorThreads threads, as the gateway posts to its connections' executors;
// the appender's next append starts there. No thread sleeps per append, so a batch's answer
// costs a post per append instead of waking a thread per append.
class AsyncAppenders : public SliceTally {
 public:
  static constexpr int kExecutorThreads = 2;

  AsyncAppenders(StoreSide& side, int appenders)
      : SliceTally(appenders),
        side_(side),
        started_(appenders),
        work_(boost::asio::make_work_guard(io_)) {
    for (int i = 0; i < kExecutorThreads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~AsyncAppenders() {
    work_.reset();
    for (auto& thread : threads_) thread.join();
  }

  // Every appender appends, one append after the other, for `duration_s`. Returns the seconds
  // from the start until the last append in flight was answered.
  double Run(double duration_s) {
    return RunSlice(duration_s, [this] {
      for (int a = 0; a < size(); ++a) boost::asio::post(io_, [this, a] { Start(a); });
    });
  }

 private:
  void Start(int a) {
    started_[a] = Clock::now();
    side_.AppendAsync(a, [this, a](bool ok) {
      boost::asio::post(io_, [this, a, ok] { Finish(a, ok); });
    });
  }
  void Finish(int a, bool ok) {
    if (!ok) {
      Fail();
      Stopped();
      return;
    }
    Record(a, 1, started_[a]);
    if (stopping()) {
      Stopped();
    } else {
      Start(a);
    }
  }

  StoreSide& side_;
  std::vector<Clock::time_point> started_;  // each touched only by its appender's handlers
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;  // last: started once the rest is built
};

// The baseline: `threads` writers, each putting 200-byte values under its own keys.
class RawSide {
 public:
  RawSide(const std::string& dir, int threads, bool store_options) : counters_(threads, 0) {
    // By default RocksDB's defaults: the store's options are tuned for its single writer
    // thread (no concurrent memtable writes), which could only slow many writers down.
    rocksdb::Options options;
    options.create_if_missing = true;
    if (store_options) {
      options = rocksdb::Options(MakeDbOptions(), MakeColumnFamilyOptions(kEventsColumnFamily));
    }
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
    if (!s.ok()) {
      std::fprintf(stderr, "append_bench: %s\n", s.ToString().c_str());
      std::exit(1);
    }
    db_.reset(raw);
    write_.sync = true;
  }
  ~RawSide() { (void)db_->Close(); }

  std::uint64_t Put(int t) {
    std::string key;
    AppendFixed64(&key, static_cast<std::uint64_t>(t));
    AppendFixed64(&key, counters_[t]++);
    return db_->Put(write_, key, value_).ok() ? 1 : 0;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_;
  const std::string value_ = std::string(kEventBytes, 'x');
  std::vector<std::uint64_t> counters_;  // each written only by its thread
};

[[noreturn]] void Usage(const char* program, const std::string& why) {
  if (!why.empty()) std::fprintf(stderr, "%s: %s\n", program, why.c_str());
  std::fprintf(stderr,
               "usage: %s [--duration_s=2] [--slices=8] [--threads=1,8,64] [--no_raw] "
               "[--no_async] [--raw_store_options] [--compare_wal_zeros] [--dir=/tmp]\n",
               program);
  std::exit(2);
}

Flags ParseFlags(int argc, char** argv, std::string* dir) {
  constexpr int kMaxThreads = 1024;
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--duration_s=", 0) == 0) {
      flags.duration_s = std::atof(arg.c_str() + 13);
      if (!(flags.duration_s > 0)) Usage(argv[0], "--duration_s must be a positive number");
    } else if (arg.rfind("--slices=", 0) == 0) {
      flags.slices = std::max(1, std::atoi(arg.c_str() + 9));
    } else if (arg.rfind("--threads=", 0) == 0) {
      flags.threads.clear();
      std::stringstream list(arg.substr(10));
      for (std::string item; std::getline(list, item, ',');) {
        const int threads = std::atoi(item.c_str());
        if (threads < 1 || threads > kMaxThreads) {
          Usage(argv[0], "--threads takes numbers from 1 to " + std::to_string(kMaxThreads) +
                             ", not \"" + item + "\"");
        }
        flags.threads.push_back(threads);
      }
      if (flags.threads.empty()) Usage(argv[0], "--threads needs at least one number");
    } else if (arg == "--no_raw") {
      flags.raw = false;
    } else if (arg == "--raw_store_options") {
      flags.raw_store_options = true;
    } else if (arg == "--no_async") {
      flags.async = false;
    } else if (arg == "--compare_wal_zeros") {
      flags.compare_wal_zeros = true;
    } else if (arg.rfind("--dir=", 0) == 0) {
      *dir = arg.substr(6);
      std::error_code error;
      if (!std::filesystem::is_directory(*dir, error)) {
        Usage(argv[0], "--dir: \"" + *dir + "\" is not a directory");
      }
    } else {
      Usage(argv[0], "unknown argument \"" + arg + "\"");
    }
  }
  return flags;
}

// a / b, or 0 when b is 0 (a side that did not run).
double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

int Main(int argc, char** argv) {
  std::string base;
  const Flags flags = ParseFlags(argc, argv, &base);
  if (!base.empty()) setenv("TMPDIR", base.c_str(), 1);
  spdlog::set_level(spdlog::level::warn);
  for (int threads : flags.threads) {
    testing::TempDir dir;
    StoreSide store_side(dir.Sub("store"), threads, /*zero_wal_ahead=*/true);
    std::optional<StoreSide> unzeroed_side;
    if (flags.compare_wal_zeros) unzeroed_side.emplace(dir.Sub("unzeroed"), threads, false);
    std::optional<RawSide> raw_side;
    if (flags.raw) raw_side.emplace(dir.Sub("raw"), threads, flags.raw_store_options);
    // Alternate short slices, so that all sides see the same machine: on a shared disk the
    // cost of an fsync changes from one second to the next.
    const double slice_s = flags.duration_s / flags.slices;
    const Appenders::Op append_to_store = [&](int t) { return store_side.Append(t); };
    const Appenders::Op append_unzeroed = [&](int t) { return unzeroed_side->Append(t); };
    const Appenders::Op put_raw = [&](int t) { return raw_side->Put(t); };
    Appenders appenders(threads);
    std::optional<AsyncAppenders> async_appenders;
    if (flags.async) async_appenders.emplace(store_side, threads);
    Sampler store, async, unzeroed, raw;
    for (int slice = 0; slice < flags.slices; ++slice) {
      store.Run(appenders, slice_s, append_to_store);
      if (async_appenders) async.Run(*async_appenders, slice_s);
      if (unzeroed_side) unzeroed.Run(appenders, slice_s, append_unzeroed);
      if (raw_side) raw.Run(appenders, slice_s, put_raw);
    }
    const double store_rate = store.events_per_s();
    const double raw_rate = raw.events_per_s();
    std::printf(
        "{\"bench\":\"append\",\"threads\":%d,\"duration_s\":%.1f,\"slices\":%d,"
        "\"event_bytes\":%zu,\"store_events_per_s\":%.0f,\"store_p50_us\":%.0f,"
        "\"store_p99_us\":%.0f,\"raw_events_per_s\":%.0f,\"raw_p50_us\":%.0f,"
        "\"raw_p99_us\":%.0f,\"store_over_raw\":%.2f,\"store_events_per_cpu_s\":%.0f,"
        "\"raw_events_per_cpu_s\":%.0f,\"load_avg\":%.2f}\n",
        threads, flags.duration_s, flags.slices, store_side.event_bytes(), store_rate,
        store.percentile_us(0.50), store.percentile_us(0.99), raw_rate, raw.percentile_us(0.50),
        raw.percentile_us(0.99), Ratio(store_rate, raw_rate),
        store.events_per_cpu_s(), raw.events_per_cpu_s(), bench::LoadAverage());
    if (async_appenders) {
      const double async_rate = async.events_per_s();
      std::printf(
          "{\"bench\":\"append_async\",\"appenders\":%d,\"executor_threads\":%d,"
          "\"store_events_per_s\":%.0f,\"store_p50_us\":%.0f,\"store_p99_us\":%.0f,"
          "\"raw_events_per_s\":%.0f,\"store_over_raw\":%.2f,\"store_events_per_cpu_s\":%.0f}\n",
          threads, AsyncAppenders::kExecutorThreads, async_rate, async.percentile_us(0.50),
          async.percentile_us(0.99), raw_rate, Ratio(async_rate, raw_rate),
          async.events_per_cpu_s());
    }
    if (unzeroed_side) {
      const double unzeroed_rate = unzeroed.events_per_s();
      std::printf(
          "{\"bench\":\"append_wal_zeros\",\"threads\":%d,\"store_events_per_s\":%.0f,"
          "\"unzeroed_events_per_s\":%.0f,\"unzeroed_p50_us\":%.0f,\"unzeroed_p99_us\":%.0f,"
          "\"store_over_unzeroed\":%.2f}\n",
          threads, store_rate, unzeroed_rate, unzeroed.percentile_us(0.50),
          unzeroed.percentile_us(0.99), Ratio(store_rate, unzeroed_rate));
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace portico::eventstore

int main(int argc, char** argv) { return portico::eventstore::Main(argc, argv); }
