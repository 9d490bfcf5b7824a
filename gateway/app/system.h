// The whole of portico in one process (DESIGN.md, "Running"): the event log, the Kafka broker
// (embedded, or a real cluster's address), the relay from the log to Kafka, the projection
// runner with its read models, and the HTTP server.
//
// Start() brings the parts up in dependency order and Stop() takes them down in reverse:
// the HTTP server drains first, so no request sees a half-stopped system, then the runner,
// the relay (flushing what it can), the broker and the log. A failure at start stops what
// was started and says which part failed.
//
// Thread-safe after Start: the accessors may be called from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "gateway/http/router.h"
#include "gateway/serve_options.h"

namespace portico::gateway {

class System {
 public:
  static Result<std::unique_ptr<System>> Start(const ServeOptions& options);
  ~System();
  System(const System&) = delete;
  System& operator=(const System&) = delete;

  void Stop();

  // "http://127.0.0.1:8080"
  std::string http_url() const;
  // Every route served (tests check each is in the OpenAPI document).
  const Router& router() const;
  // The Kafka bootstrap servers in use (the embedded broker's loopback address when embedded).
  std::string kafka_bootstrap() const;
  // Set when this start generated the first staff key (print it once).
  const std::optional<std::string>& generated_admin_key() const;
  // --demo: true when this start seeded the demo dataset (the log was empty), false when the
  // log already held events (the demo data, or other history) or --demo was not given.
  bool demo_seeded() const;

  struct Parts;  // system.cc

 private:
  explicit System(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace portico::gateway
