// AccessModel: the "access" projection. It answers the domain's check (allowed, reason) and
// lists what a portal user may see: resources by type and status, one resource, its notes.
//
// The model is a domain::AccessState folded by domain::Evolve, plus the one index listings
// need that the state lacks (AccessIndex); a check is a few hash lookups, a listing walks the
// indexes of the user's organisation (AccessIndex explains which), never every resource.
//
// Position and model live together: Apply() folds the event and sets applied() under one
// lock. The model keeps no snapshot: it is rebuilt from the log at every start (the runner
// catches up from the log before following Kafka), so a restart neither loses nor
// double-applies an event. Rebuilding runs at several hundred thousand events per second
// (tests/bench/readmodels_bench.cc).
//
// Thread safety: Apply() and MarkSessionsEnded() take the lock exclusively; every query and
// Read() take it shared, so a query sees the model at one position, never half an event.
// applied() is lock-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/check.h"
#include "domain/ids.h"
#include "domain/state.h"
#include "projections/access_index.h"
#include "projections/projection.h"

namespace portico::projections {

class AccessModel final : public Projection {
 public:
  AccessModel() = default;
  AccessModel(const AccessModel&) = delete;
  AccessModel& operator=(const AccessModel&) = delete;

  std::string_view name() const override { return "access"; }
  Position applied() const override { return Position(applied_.load(std::memory_order_acquire)); }

  // Refuses (FailedPrecondition, nothing changed) a position other than applied() + 1, or an
  // envelope whose own position differs from `position`.
  Status Apply(const schema::Envelope& event, Position position) override;
  void ExpectEvents(std::uint64_t count) override;

  // GET /v1/check: domain::Check on the current model.
  domain::CheckResult Check(const domain::UserId& user, std::string_view capability,
                            const domain::ResourceId* resource, std::int64_t now_us) const;

  // GET /v1/portal/resources: the resources the user may see that match the filter, sorted by
  // id. Empty for an unknown or inactive user.
  std::vector<domain::Resource> ListVisibleResources(const domain::UserId& user, const ResourceFilter& filter,
                                                     std::int64_t now_us) const;

  // GET /v1/portal/resources/{id}: nullopt when unknown or not visible (the gateway's 404).
  std::optional<domain::Resource> GetVisibleResource(const domain::UserId& user, const domain::ResourceId& resource,
                                                     std::int64_t now_us) const;

  // GET /v1/portal/resources/{id}/notes: the notes the user may see, in the order shared;
  // nullopt when the resource is unknown or not visible (404).
  std::optional<std::vector<domain::Note>> VisibleNotes(const domain::UserId& user,
                                                        const domain::ResourceId& resource,
                                                        std::int64_t now_us) const;

  // Runs fn(const AccessIndex&) under the shared lock and returns what it returns. The index
  // (and its state()) must not escape fn: copy what you need. Do not call back into this
  // model from fn.
  template <typename F>
  auto Read(F&& fn) const {
    std::shared_lock lock(mu_);
    return std::forward<F>(fn)(static_cast<const AccessIndex&>(index_));
  }

  // Node-local, for SessionsModel: these sessions were ended by an append that is durable at
  // `ended_at` (the position of their SessionEnded events); until the model applies that
  // position, AccessIndex::IsEndedHere says so.
  void MarkSessionsEnded(const std::vector<domain::SessionId>& sessions, Position ended_at);

  // BLAKE2b-256 (hex) of the canonical serialization of the model (state_digest.h): equal
  // for two models that applied the same events, however they came.
  std::string Digest() const;

 private:
  mutable std::shared_mutex mu_;
  AccessIndex index_;  // GUARDED_BY(mu_)
  std::atomic<std::uint64_t> applied_{0};
};

}  // namespace portico::projections
