#include "gateway/app/system.h"

#include <filesystem>

#include "common/log.h"
#include "eventstore/event_store.h"
#include "eventstore/kafka_config.h"
#include "eventstore/kafka_embedded.h"
#include "eventstore/relay.h"
#include <boost/asio/thread_pool.hpp>

#include "gateway/app/alert_routes.h"
#include "gateway/app/command_processor.h"
#include "gateway/app/notification_outbox.h"
#include "gateway/app/demo_data.h"
#include "gateway/app/import_routes.h"
#include "gateway/app/portal_action_routes.h"
#include "gateway/app/portal_manager_routes.h"
#include "gateway/app/registration_routes.h"
#include "gateway/app/openapi_document.h"
#include "gateway/app/portal_routes.h"
#include "gateway/app/session_sweeper.h"
#include "gateway/app/staff_routes.h"
#include "gateway/app/status_routes.h"
#include "gateway/http/file_idempotency_store.h"
#include "gateway/http/builtin_routes.h"
#include "gateway/http/metrics.h"
#include "gateway/http/router.h"
#include "gateway/http/server.h"
#include "gateway/http/staff_keys.h"
#include "projections/access_model.h"
#include "projections/alerts_model.h"
#include "projections/audit_model.h"
#include "projections/runner.h"

namespace portico::gateway {

struct System::Parts {
  eventstore::KafkaConfig kafka;
  std::unique_ptr<eventstore::EventStore> store;
  std::unique_ptr<eventstore::EmbeddedKafka> embedded;
  std::string bootstrap;
  std::unique_ptr<eventstore::Relay> relay;
  projections::AccessModel access;
  projections::AuditModel audit;
  std::unique_ptr<projections::ProjectionRunner> runner;
  std::unique_ptr<StaffKeys> staff_keys;
  std::optional<std::string> generated_admin_key;
  bool demo_seeded = false;
  MetricsRegistry metrics;
  Router router;
  StatusSources status;
  std::unique_ptr<Server> server;
  std::string http_url;
  // The write side and what the app routes share (staff_routes.h, portal_routes.h).
  std::unique_ptr<boost::asio::thread_pool> pool;  // argon2id, fsync'd appends, waits
  std::unique_ptr<boost::asio::thread_pool> import_pool;  // imports' parsing and hashing
  std::unique_ptr<projections::SessionsModel> sessions;
  std::unique_ptr<CommandProcessor> processor;
  std::unique_ptr<FileIdempotencyStore> idempotency;  // <data dir>/idempotency.log
  std::unique_ptr<SessionSweeper> sweeper;
  AppRouteDeps app;
  // Alerts, notifications, password reset, WebSockets (alert_routes.h).
  std::unique_ptr<NotificationOutbox> outbox;
  std::unique_ptr<projections::AlertsModel> alerts;
  std::atomic<bool> streams_stopping{false};
  AlertRouteDeps alerting;

  // Reverse order of start; each part may be missing when a start failed half-way.
  void Stop() {
    streams_stopping = true;
    if (server) server->Stop();
    if (sweeper) sweeper->Stop();  // before the pool joins: its timer runs there
    if (pool) pool->join();
    if (import_pool) import_pool->join();
    if (runner) runner->Stop();
    if (outbox) outbox->Stop();
    if (relay) relay->Stop();
    server.reset();
    processor.reset();
    runner.reset();
    relay.reset();
    outbox.reset();  // its producer goes before the broker it talks to
    embedded.reset();
    store.reset();
  }
};

namespace {

Status Prefix(const std::string& what, const Status& status) {
  if (status.ok()) return status;
  return Status::Unavailable(what + ": " + status.ToString());
}

Status StartLog(System::Parts& parts, const ServeOptions& options) {
  eventstore::Options store_options;
  store_options.dir = options.data_dir + "/log";
  auto store = eventstore::EventStore::Open(store_options);
  if (!store.ok()) return Prefix("event log in " + store_options.dir, store.status());
  parts.store = std::move(store).value();
  NamedLogger("gateway")->info("event log open in {} at position {}", store_options.dir,
                               parts.store->Head().value());
  return Status::Ok();
}

Status StartKafka(System::Parts& parts, const ServeOptions& options) {
  eventstore::KafkaConfig base;
  base.notifications_topic = options.notifications_topic;
  auto config = eventstore::ParseKafkaFlag(options.kafka, base);
  if (!config.ok()) return config.status();
  parts.kafka = std::move(config).value();
  if (parts.kafka.embedded()) {
    auto embedded =
        eventstore::EmbeddedKafka::Start(eventstore::EmbeddedKafka::OptionsFor(parts.kafka));
    if (!embedded.ok()) return Prefix("embedded Kafka broker", embedded.status());
    parts.embedded = std::move(embedded).value();
    parts.bootstrap = parts.embedded->bootstrap_servers();
  } else {
    parts.bootstrap = parts.kafka.bootstrap;
  }
  NamedLogger("gateway")->info("Kafka bootstrap servers: {} (topic {})", parts.bootstrap,
                               parts.kafka.events_topic);
  return Status::Ok();
}

Status StartRelay(System::Parts& parts, const ServeOptions& options) {
  auto relay_options = eventstore::MakeRelayOptions(parts.kafka, parts.bootstrap, options.data_dir);
  if (parts.kafka.embedded()) {
    // The embedded broker starts empty every time; sending the log again from the start
    // lets a subscriber (kcat, a downstream system) see the history the broker can hold.
    // The checkpoint is still checked first: it is what reveals a log cut short at open.
    auto checkpoint = eventstore::ReadRelayCheckpointWithin(relay_options.checkpoint_path, parts.store->Head());
    if (!checkpoint.ok()) return Prefix("relay", checkpoint.status());
    std::error_code ignored;
    std::filesystem::remove(relay_options.checkpoint_path, ignored);
  }
  auto relay = eventstore::Relay::Start(*parts.store, std::move(relay_options));
  if (!relay.ok()) return Prefix("relay", relay.status());
  parts.relay = std::move(relay).value();
  return Status::Ok();
}

// The notification outbox and the alerts model it is fed by (registered after "access").
Status StartNotifications(System::Parts& parts, const ServeOptions& options) {
  OutboxOptions outbox;
  outbox.bootstrap_servers = parts.bootstrap;
  outbox.topic = parts.kafka.notifications_topic;
  outbox.client_id = parts.kafka.client_id + "-notifications";
  outbox.kafka_properties = parts.kafka.properties;
  outbox.data_dir = options.data_dir;
  outbox.mail.portal_url = options.portal_url;  // "" until the HTTP address is known
  outbox.mail.reset_token_minutes = options.reset_token_minutes;
  auto started = NotificationOutbox::Start(std::move(outbox));
  if (!started.ok()) return Prefix("notifications", started.status());
  parts.outbox = std::move(started).value();
  parts.alerts = std::make_unique<projections::AlertsModel>(parts.access, parts.outbox.get());
  return Status::Ok();
}

Status StartProjections(System::Parts& parts) {
  projections::RunnerOptions runner_options;
  runner_options.bootstrap_servers = parts.bootstrap;
  runner_options.topic = parts.kafka.events_topic;
  runner_options.client_id = parts.kafka.client_id + "-projections";
  runner_options.kafka_properties = parts.kafka.properties;
  const eventstore::EventStore* store = parts.store.get();
  // A catch-up from the log reads 4,096 events per batch, as the rebuild benchmark does
  // (README, Benchmarks), and tells each model first how many are coming.
  runner_options.log_batch = 4096;
  runner_options.log_head = [store] { return store->Head(); };
  projections::LogReader read_log = [store](Position from, std::size_t max) {
    return store->ReadRun(from, max);
  };
  auto runner = projections::ProjectionRunner::Start(
      std::move(runner_options), {&parts.access, &parts.audit, parts.alerts.get()}, std::move(read_log));
  if (!runner.ok()) return Prefix("projections", runner.status());
  parts.runner = std::move(runner).value();
  return Status::Ok();
}

Status StartStaffKeys(System::Parts& parts, const ServeOptions& options) {
  auto admin_key = LoadAdminKey(options.admin_key_file);
  if (!admin_key.ok()) return admin_key.status();
  auto opened = StaffKeys::Open(options.data_dir + "/" + std::string(kStaffKeysFileName),
                                std::move(admin_key).value());
  if (!opened.ok()) return Prefix("staff keys", opened.status());
  parts.staff_keys = std::move(opened->keys);
  parts.generated_admin_key = std::move(opened->generated_admin_key);
  return Status::Ok();
}

Status StartCommands(System::Parts& parts, const ServeOptions& options) {
  parts.pool = std::make_unique<boost::asio::thread_pool>(4);
  parts.import_pool = std::make_unique<boost::asio::thread_pool>(kImportPoolThreads);
  // Sessions last used before now were used by an earlier process: no use of them is known.
  parts.sessions = std::make_unique<projections::SessionsModel>(parts.access, NowMicros());
  auto processor = CommandProcessor::Start(*parts.store, *parts.sessions, *parts.pool);
  if (!processor.ok()) return Prefix("command processor", processor.status());
  parts.processor = std::move(processor).value();
  auto idempotency = FileIdempotencyStore::Open(options.data_dir + "/" + std::string(kIdempotencyFileName));
  if (!idempotency.ok()) return Prefix("idempotency store", idempotency.status());
  parts.idempotency = std::move(idempotency).value();
  parts.app = AppRouteDeps{parts.processor.get(), parts.store.get(),  &parts.access,
                           parts.sessions.get(),  &parts.audit,       parts.runner.get(),
                           parts.staff_keys.get(), parts.idempotency.get(), parts.pool.get(),
                           parts.import_pool.get()};
  return Status::Ok();
}

// Expired sessions get their SessionEnded event every options.session_sweep_interval.
void StartSweeper(System::Parts& parts, const ServeOptions& options) {
  if (options.session_sweep_interval.count() <= 0) return;
  parts.sweeper = std::make_unique<SessionSweeper>(*parts.processor, *parts.sessions, *parts.pool,
                                                   options.session_sweep_interval);
}

// --demo on an empty log: the demo dataset, before HTTP opens (no request sees half of it).
Status SeedDemo(System::Parts& parts, const ServeOptions& options) {
  if (!options.demo || parts.store->Head().value() != 0) return Status::Ok();
  RETURN_IF_ERROR(Prefix("demo data", SeedDemoData(*parts.processor)));
  parts.demo_seeded = true;
  NamedLogger("gateway")->info("demo data seeded up to position {}", parts.store->Head().value());
  return Status::Ok();
}

void RegisterGauges(System::Parts& parts) {
  auto& m = parts.metrics;
  const auto* store = parts.store.get();
  const auto* relay = parts.relay.get();
  const auto* runner = parts.runner.get();
  m.AddGauge("portico_log_head_position", "Last durable position of the event log", {},
             [store] { return static_cast<double>(store->Head().value()); });
  m.AddGauge("portico_relay_checkpoint_position", "Last position delivered to Kafka", {},
             [relay] { return static_cast<double>(relay->Stats().checkpoint.value()); });
  m.AddGauge("portico_relay_lag_events", "Events in the log not yet delivered to Kafka", {},
             [relay] { return static_cast<double>(relay->Stats().lag); });
  m.AddGauge("portico_kafka_delivery_errors", "Failed Kafka deliveries since start", {},
             [relay] { return static_cast<double>(relay->Stats().delivery_errors); });
  m.AddGauge("portico_projection_rejected_messages", "Corrupt or foreign Kafka messages skipped",
             {}, [runner] { return static_cast<double>(runner->Stats().rejected); });
  for (const std::string name : {"access", "audit", "alerts"}) {
    m.AddGauge("portico_projection_position", "Last position applied by a read model",
               {{"projection", name}}, [runner, name] {
                 return static_cast<double>(runner->applied(name).value());
               });
    m.AddGauge("portico_projection_lag_events", "Events in the log not yet applied by a read model",
               {{"projection", name}}, [store, runner, name] {
                 const auto head = store->Head().value();
                 const auto applied = runner->applied(name).value();
                 return static_cast<double>(head > applied ? head - applied : 0);
               });
  }
}

Status StartHttp(System::Parts& parts, const ServeOptions& options) {
  auto host_port = SplitHostPort(options.http);
  if (!host_port.ok()) return host_port.status();
  parts.status = StatusSources{parts.store.get(), parts.relay.get(), parts.runner.get(),
                               &parts.kafka, parts.bootstrap};
  AddBuiltinRoutes(parts.router, parts.metrics);
  AddStatusRoutes(parts.router, parts.status);
  AddStaffRoutes(parts.router, parts.app);
  AddPortalRoutes(parts.router, parts.app);
  AddRegistrationRoutes(parts.router, parts.app);
  AddImportRoutes(parts.router, parts.app);
  AddPortalActionRoutes(parts.router, parts.app);
  AddPortalManagerRoutes(parts.router, parts.app);
  parts.alerting = AlertRouteDeps{&parts.app, parts.alerts.get(), parts.outbox.get(),
                                  options.reset_token_minutes, &parts.streams_stopping};
  AddAlertRoutes(parts.router, parts.alerting);
  AddPasswordResetRoutes(parts.router, parts.alerting);
  AddStreamRoutes(parts.router, parts.alerting);
  auto openapi = MergeOpenApi(OpenApiSources());
  if (!openapi.ok()) return openapi.status();
  AddOpenApiRoute(parts.router, *openapi);
  ServerOptions server_options;
  server_options.host = host_port->first;
  server_options.port = host_port->second;
  parts.server = std::make_unique<Server>(server_options, parts.router, &parts.metrics);
  RETURN_IF_ERROR(Prefix("HTTP server on " + options.http, parts.server->Start()));
  parts.http_url = "http://" + options.http.substr(0, options.http.rfind(':')) + ":" +
                   std::to_string(parts.server->port());
  NamedLogger("gateway")->info("HTTP on {}", parts.http_url);
  parts.outbox->StartSending(parts.http_url + "/portal");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<System>> System::Start(const ServeOptions& options) {
  auto parts = std::make_unique<Parts>();
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create the data directory " + options.data_dir + ": " +
                               ec.message());
  }
  Status started = StartLog(*parts, options);
  if (started.ok()) started = StartStaffKeys(*parts, options);
  if (started.ok()) started = StartKafka(*parts, options);
  if (started.ok()) started = StartRelay(*parts, options);
  if (started.ok()) started = StartNotifications(*parts, options);
  if (started.ok()) started = StartProjections(*parts);
  if (started.ok()) started = StartCommands(*parts, options);
  if (started.ok()) started = SeedDemo(*parts, options);
  if (started.ok()) StartSweeper(*parts, options);
  if (started.ok()) {
    RegisterGauges(*parts);
    started = StartHttp(*parts, options);
  }
  if (!started.ok()) {
    parts->Stop();
    return started;
  }
  return std::unique_ptr<System>(new System(std::move(parts)));
}

System::System(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
System::~System() { Stop(); }
void System::Stop() { parts_->Stop(); }
std::string System::http_url() const { return parts_->http_url; }
const Router& System::router() const { return parts_->router; }
bool System::demo_seeded() const { return parts_->demo_seeded; }
std::string System::kafka_bootstrap() const { return parts_->bootstrap; }
const std::optional<std::string>& System::generated_admin_key() const {
  return parts_->generated_admin_key;
}

}  // namespace portico::gateway
