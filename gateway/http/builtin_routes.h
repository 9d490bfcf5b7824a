// Built-in operational routes:
//   GET /healthz  {"status":"ok"}: the process is alive and serving HTTP.
//   GET /metrics  the registry in the Prometheus text format (text/plain; version=0.0.4).
// Neither needs credentials. The registry must outlive the router.
#pragma once

#include "gateway/http/metrics.h"
#include "gateway/http/router.h"

namespace portico::gateway {

void AddBuiltinRoutes(Router& router, const MetricsRegistry& metrics);

}  // namespace portico::gateway
