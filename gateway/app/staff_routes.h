// The staff routes of API.md ("Staff routes"), behind RequireStaff: the staff key's name is
// the actor of the events a route causes. Commands go through the CommandProcessor and reply
// {"position": N, ...}; GETs read the read models (min_position honoured).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "eventstore/event_store.h"
#include "gateway/app/command_processor.h"
#include "gateway/http/idempotency.h"
#include "gateway/http/router.h"
#include "gateway/http/staff_keys.h"
#include "projections/access_model.h"
#include "projections/audit_model.h"
#include "projections/runner.h"
#include "projections/sessions_model.h"

namespace portico::gateway {

// What the app routes need; every pointer must outlive the router.
struct AppRouteDeps {
  CommandProcessor* processor = nullptr;
  eventstore::EventStore* store = nullptr;
  projections::AccessModel* access = nullptr;
  projections::SessionsModel* sessions = nullptr;
  projections::AuditModel* audit = nullptr;
  projections::ProjectionRunner* runner = nullptr;
  const StaffKeys* keys = nullptr;
  IdempotencyStore* idempotency = nullptr;  // optional: Idempotency-Key replies
  boost::asio::thread_pool* pool = nullptr;
  // Imports' bulk work (parsing, argon2id of password rows), kept off `pool` (import_routes.h).
  boost::asio::thread_pool* import_pool = nullptr;
};

// `deps` must outlive the router.
void AddStaffRoutes(Router& router, const AppRouteDeps& deps);

}  // namespace portico::gateway
