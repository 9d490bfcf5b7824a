// A metrics registry rendered in the Prometheus text format (version 0.0.4) for GET /metrics.
//
// Counters and histograms are registered once (GetCounter / GetHistogram take a mutex) and
// then updated through the returned reference with atomics only: keep the reference, do not
// look it up per event. References stay valid for the registry's life. Gauges are callbacks
// read at scrape time (projection positions, lag, batch sizes, Kafka delivery errors): they
// run under the registry's mutex, must be quick and thread-safe, must not call into the
// registry, and must stay callable for the registry's life.
//
// Names follow Prometheus rules ([a-zA-Z_:][a-zA-Z0-9_:]*); a name is one type and one help
// text. Registering the same name with another type throws std::invalid_argument (a
// programming error); the same name and labels again returns the existing series. Label
// values are escaped on output. Everything here is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portico::gateway {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Histogram {
 public:
  // `bounds`: the upper bounds of the buckets, increasing; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count per bound, then the total count (for +Inf).
  std::vector<std::uint64_t> CumulativeCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, +Inf last
  std::atomic<double> sum_{0};
};

// Seconds: 1 ms to 10 s.
std::vector<double> DefaultLatencyBuckets();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {},
                          std::vector<double> bounds = DefaultLatencyBuckets());
  void AddGauge(std::string_view name, std::string_view help, const Labels& labels,
                std::function<double()> read);

  // Every family, sorted by name, in the Prometheus text format.
  std::string Render() const;

 private:
  struct Family;
  Family& GetFamily(std::string_view name, std::string_view help, std::string_view type);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // GUARDED_BY(mutex_)
};

}  // namespace portico::gateway
