#include "gateway/http/http_metrics.h"

#include <string>

namespace portico::gateway {
namespace {

constexpr const char* kRequests = "portico_http_requests_total";
constexpr const char* kRequestsHelp = "HTTP requests answered, by route pattern and status";
constexpr const char* kLatency = "portico_http_request_duration_seconds";
constexpr const char* kLatencyHelp = "Time from a complete request to its reply being ready";

}  // namespace

HttpMetrics::HttpMetrics(MetricsRegistry& registry, const Router& router,
                         std::function<double()> active_connections)
    : registry_(registry),
      rejected_(registry.GetCounter("portico_http_connections_rejected_total",
                                    "Connections refused because of the connection limit")),
      evicted_(registry.GetCounter("portico_http_connections_evicted_total",
                                   "Idle connections closed at the connection limit to serve a new one")) {
  auto init = [&registry](Series& series, Labels labels) {
    series.labels = std::move(labels);
    series.latency = &registry.GetHistogram(kLatency, kLatencyHelp, series.labels);
  };
  for (const auto& route : router.routes()) {
    routes_.push_back(std::make_unique<Series>());
    init(*routes_.back(), {{"route", route->pattern},
                           {"method", std::string(boost::beast::http::to_string(route->method))}});
  }
  init(unmatched_, {{"route", "unmatched"}, {"method", "any"}});
  registry.AddGauge("portico_http_connections_active", "Open HTTP connections", {},
                    std::move(active_connections));
}

void HttpMetrics::Record(const Route* route, unsigned status, double seconds) {
  Series& series =
      route != nullptr && route->index < routes_.size() ? *routes_[route->index] : unmatched_;
  series.latency->Observe(seconds);
  if (status >= series.by_status.size()) status = 0;
  auto& slot = series.by_status[status];
  Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    Labels labels = series.labels;
    labels.emplace_back("status", std::to_string(status));
    counter = &registry_.GetCounter(kRequests, kRequestsHelp, labels);
    slot.store(counter, std::memory_order_release);
  }
  counter->Increment();
}

}  // namespace portico::gateway
