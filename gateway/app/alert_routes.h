// The routes of alerts, notifications, password reset and live updates (issue 6):
//   alert_routes.cc           staff: alert sets, assigning them, "Notify Client";
//                             portal: subscriptions and the in-portal inbox
//   password_reset_routes.cc  portal: "I forgot my password" and using the reset link
//   stream_routes.cc          GET /v1/stream, the WebSocket of live updates
// Each Add* is registered from gateway/app/system.cc; `deps` must outlive the router.
#pragma once

#include <boost/json/object.hpp>
#include <atomic>
#include <cstdint>

#include "gateway/app/notification_outbox.h"
#include "gateway/app/staff_routes.h"
#include "gateway/http/router.h"
#include "projections/alerts_model.h"

namespace portico::gateway {

struct AlertRouteDeps {
  const AppRouteDeps* app = nullptr;
  const projections::AlertsModel* alerts = nullptr;
  NotificationOutbox* outbox = nullptr;  // null: no mails (the reset link cannot be sent)
  std::int64_t reset_token_minutes = 15;
  const std::atomic<bool>* stopping = nullptr;  // set when the system stops: WebSockets end
};

// An alert as GET /v1/portal/alerts and the WebSocket show it.
boost::json::object AlertToJson(const projections::Alert& alert);

void AddAlertRoutes(Router& router, const AlertRouteDeps& deps);
void AddPasswordResetRoutes(Router& router, const AlertRouteDeps& deps);
void AddStreamRoutes(Router& router, const AlertRouteDeps& deps);

}  // namespace portico::gateway
