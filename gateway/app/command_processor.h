// CommandProcessor: the write side of the gateway.
//
// It holds a domain::AccessState "write model", folded from the whole log at start and kept
// current by folding back every event it appends. Submit() runs one command through one
// serialised pipeline (a mutex): Decide against the write model, encode the events with the
// caller's metadata, append them durably, fold them back, release the lock. Because the one
// pipeline decides against a model that already holds every earlier append of this node,
// the appends use ExpectedVersion::Any.
//
// Known gap: a command whose events span several streams (disabling an organisation ends
// its users' sessions on their own streams) is appended as several appends, one per run of
// consecutive events on one stream, queued together so the group commit writes them in as
// few synced batches as it can (an import of 100,000 users is 100,000 streams). A crash
// between batches leaves a prefix durable.
// Cross-stream atomicity needs a multi-stream append in the store.
//
// Sessions ended by a command (SessionEnded events) are marked ended on this node
// (SessionsModel::MarkEnded) before Submit returns, so their tokens fail at once here.
//
// Blocking: Submit waits on fsync; run it on the worker pool (SubmitAsync does that).
// Thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/strong_type.h"
#include "domain/commands.h"
#include "domain/events.h"
#include "domain/state.h"
#include "eventstore/event_store.h"
#include "projections/sessions_model.h"

namespace portico::gateway {

struct CommandActor {
  schema::ActorKind kind = schema::ActorKind::Staff;
  std::string id;
  std::string on_behalf_of;
};

struct CommandOutcome {
  Position position;                      // last appended event, or the head for no events
  std::vector<domain::DomainEvent> events;  // as decided and appended
  std::vector<domain::SessionId> ended_sessions;
};

class CommandProcessor {
 public:
  // Folds the log from position 1. `store`, `sessions` and `pool` must outlive the processor.
  static Result<std::unique_ptr<CommandProcessor>> Start(eventstore::EventStore& store,
                                                         projections::SessionsModel& sessions,
                                                         boost::asio::thread_pool& pool);

  // Blocking; see above. `idempotency_key` becomes the correlation id (empty: none).
  Result<CommandOutcome> Submit(const domain::Command& command, const CommandActor& actor,
                                const std::string& idempotency_key = {});

  // Submit on the worker pool.
  boost::asio::awaitable<Result<CommandOutcome>> SubmitAsync(domain::Command command,
                                                             CommandActor actor,
                                                             std::string idempotency_key = {});

  // Runs fn(const domain::AccessState&) under the pipeline's lock (a consistent write model).
  template <typename F>
  auto Read(F&& fn) {
    std::lock_guard lock(mu_);
    return std::forward<F>(fn)(static_cast<const domain::AccessState&>(state_));
  }

  boost::asio::thread_pool& pool() { return pool_; }
  eventstore::EventStore& store() { return store_; }

 private:
  CommandProcessor(eventstore::EventStore& store, projections::SessionsModel& sessions,
                   boost::asio::thread_pool& pool)
      : store_(store), sessions_(sessions), pool_(pool) {}
  // Folds the log from state_.position + 1 up to `to` inclusive. Requires mu_.
  Status CatchUpLocked(Position to);

  eventstore::EventStore& store_;
  projections::SessionsModel& sessions_;
  boost::asio::thread_pool& pool_;
  std::mutex mu_;
  domain::AccessState state_;  // GUARDED_BY(mu_)
};

std::int64_t NowMicros();

// argon2id (crypto_pwhash_str, interactive limits). Slow: call it on the worker pool.
Result<std::string> HashPassword(const std::string& password);
// crypto_pwhash_str_verify. Slow: call it on the worker pool.
bool VerifyPassword(const std::string& hash, const std::string& password);

}  // namespace portico::gateway
