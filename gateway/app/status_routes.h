// Operational routes that need the running system (API.md, "Operations"):
//   GET /readyz      200 {"status":"ready"} when the log is open and every projection has
//                    applied the log's head as it was when asked; else 503 + Retry-After.
//   GET /v1/status   {position, projections: {name: position}, relay: {...},
//                    kafka: {bootstrap, topics}}: where a downstream client (kcat) connects.
// Neither needs credentials and neither reveals any portal data.
#pragma once

#include "eventstore/event_store.h"
#include "eventstore/kafka_config.h"
#include "eventstore/relay.h"
#include "gateway/http/router.h"
#include "projections/runner.h"

namespace portico::gateway {

struct StatusSources {
  const eventstore::EventStore* store = nullptr;
  const eventstore::Relay* relay = nullptr;
  const projections::ProjectionRunner* runner = nullptr;
  const eventstore::KafkaConfig* kafka = nullptr;
  std::string bootstrap;  // resolved bootstrap servers
};

// `sources` must outlive the router.
void AddStatusRoutes(Router& router, const StatusSources& sources);

}  // namespace portico::gateway
