// The server's own metrics, registered in a MetricsRegistry:
//   portico_http_requests_total{route,method,status}      counter
//   portico_http_request_duration_seconds{route,method}   histogram (DefaultLatencyBuckets)
//   portico_http_connections_rejected_total                counter (over the connection limit)
//   portico_http_connections_evicted_total                 counter (idle ones closed to make room)
//   portico_http_connections_active                        gauge (read from a callback)
// `route` is the route's pattern, or "unmatched" for requests no route took (404, 405, and
// requests refused before routing), so label values stay bounded whatever paths clients send.
// The latency series are pre-registered per route at construction; a status counter is
// registered on its first use and then cached in an atomic slot, so Record costs atomics only.
// Thread-safe. Router and registry must outlive this object.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "gateway/http/metrics.h"
#include "gateway/http/router.h"

namespace portico::gateway {

class HttpMetrics {
 public:
  HttpMetrics(MetricsRegistry& registry, const Router& router,
              std::function<double()> active_connections);
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  // One answered request; `route` null for unmatched ones.
  void Record(const Route* route, unsigned status, double seconds);
  void RecordRejectedConnection() { rejected_.Increment(); }
  void RecordEvictedConnection() { evicted_.Increment(); }

 private:
  struct Series {
    Labels labels;  // route, method
    Histogram* latency = nullptr;
    std::array<std::atomic<Counter*>, 600> by_status{};  // status code -> counter
  };

  MetricsRegistry& registry_;
  std::vector<std::unique_ptr<Series>> routes_;  // by Route::index
  Series unmatched_;
  Counter& rejected_;
  Counter& evicted_;
};

}  // namespace portico::gateway
