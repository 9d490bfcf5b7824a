// CommandProcessor: the write side of the gateway.
//
// It holds a domain::AccessState "write model", folded from the whole log at start. Commands
// are pipelined so that concurrent commands share the store's group commit:
//
//   under the lock, in order:  Decide against the write model, encode the events with the
//                              caller's metadata, fold them into the model at the positions
//                              and time they will get, and queue their append
//                              (AppendAtomicallyAsync)
//   without the lock:          the store makes the appends durable, batch by batch
//   once durable:              mark the sessions the command ended as ended on this node,
//                              then reply
//
// So the model runs ahead of the log by the commands still being stored ("speculative"), and
// a command may be decided against events that are not yet durable. That is safe because
// every append carries the log head it expects (AppendOptions::expected_head, and the time it
// will record): if one append fails, every append queued after it fails too (their expected
// heads lie beyond the real one), so nothing decided against the failed events is ever
// stored or acknowledged; those commands fail with Unavailable ("retry"). (An append the
// store answers from its idempotency key skips the head check; the processor fails it itself
// when an earlier append of its model was not stored.) The model is then
// rebuilt from the log before the next command is decided. A command's reply waits until
// every command decided before it is durable, including commands that append nothing or are
// rejected (their answer may rest on events still being stored).
//
// A command's events may span several streams (disabling an organisation ends its users'
// sessions on their own streams; an import of 100,000 users touches 100,000 streams). They
// are one atomic append of one part per run of consecutive events on one stream: one synced
// batch, so a crash never leaves a command half-stored. Each part has its own idempotency
// key (the caller's, scoped, then "#1", "#2"... for the later parts).
//
// This node is expected to be the log's only writer; a foreign append makes the next of ours
// fail its expected head, and the model is rebuilt (the log is the truth).
//
// Thread-safe. The destructor waits for the commands being stored.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <functional>
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
  using Done = std::function<void(Result<CommandOutcome>)>;

  // Folds the log from position 1. `store`, `sessions` and `pool` must outlive the processor.
  static Result<std::unique_ptr<CommandProcessor>> Start(eventstore::EventStore& store,
                                                         projections::SessionsModel& sessions,
                                                         boost::asio::thread_pool& pool);
  ~CommandProcessor();
  CommandProcessor(const CommandProcessor&) = delete;
  CommandProcessor& operator=(const CommandProcessor&) = delete;

  // Decides the command now and calls `done` once it is durable (or failed): on the store's
  // writer thread, or on this thread when the answer is already known. `done` must be quick.
  // `idempotency_key` becomes the correlation id and the events' idempotency key (empty:
  // none); the store's idempotency key is it scoped by the actor (kind and id), so that two
  // actors' keys never collide.
  void SubmitWithCallback(const domain::Command& command, const CommandActor& actor,
                          const std::string& idempotency_key, Done done);

  // Blocking: waits for the fsync. For tools and tests; handlers use SubmitAsync.
  Result<CommandOutcome> Submit(const domain::Command& command, const CommandActor& actor,
                                const std::string& idempotency_key = {});

  // Decides on the calling thread (briefly under the lock) and resumes the coroutine once
  // the command is durable, without holding a thread meanwhile.
  boost::asio::awaitable<Result<CommandOutcome>> SubmitAsync(domain::Command command,
                                                             CommandActor actor,
                                                             std::string idempotency_key = {});

  // Runs fn(const domain::AccessState&) under the pipeline's lock (a consistent write model,
  // including the commands still being stored).
  template <typename F>
  auto Read(F&& fn) {
    std::lock_guard lock(mu_);
    RebuildIfStaleLocked();  // never show the events of a command that failed to be stored
    return std::forward<F>(fn)(static_cast<const domain::AccessState&>(state_));
  }

  boost::asio::thread_pool& pool() { return pool_; }
  eventstore::EventStore& store() { return store_; }

 private:
  struct Pending;  // a command whose appends are queued

  // After a failed append, rebuilds the model from the log (see SyncWithLogLocked). Requires mu_.
  void RebuildIfStaleLocked();

  CommandProcessor(eventstore::EventStore& store, projections::SessionsModel& sessions,
                   boost::asio::thread_pool& pool)
      : store_(store), sessions_(sessions), pool_(pool) {}
  // Folds the log from state_.position + 1 up to `to` inclusive. Requires mu_.
  Status CatchUpLocked(Position to);
  // Brings the model to the log's head: rebuilt from scratch after a failed append, caught up
  // with foreign appends when nothing of ours is being stored. Requires mu_.
  Status SyncWithLogLocked();
  // Encodes, folds and queues the appends of decided events. Requires mu_.
  void AppendLocked(std::vector<domain::DomainEvent> events, const CommandActor& actor,
                    const std::string& idempotency_key, std::int64_t now_us, Done done);
  // Answers `done` with `result` once every command decided so far is durable.
  void AnswerAfterPending(Result<CommandOutcome> result, Done done);
  // The writer thread's callback for the append of `pending`, whose parts' first events
  // were folded at `expected_firsts`.
  void OnAppended(const std::shared_ptr<Pending>& pending,
                  const std::vector<Position>& expected_firsts,
                  Result<std::vector<eventstore::AppendResult>> result);

  eventstore::EventStore& store_;
  projections::SessionsModel& sessions_;
  boost::asio::thread_pool& pool_;

  std::mutex mu_;
  domain::AccessState state_;     // GUARDED_BY(mu_): the log plus the commands being stored
  std::int64_t recorded_at_us_ = 0;  // GUARDED_BY(mu_): of the last event folded
  std::uint64_t generation_ = 1;  // GUARDED_BY(mu_): bumped by each rebuild of state_

  // Lock order: mu_, then acks_mu_ (never the reverse). The writer thread takes only acks_mu_.
  std::mutex acks_mu_;
  std::condition_variable drained_;
  std::shared_ptr<Pending> tail_;      // GUARDED_BY(acks_mu_): the last command queued
  std::uint64_t failed_generation_ = 0;  // GUARDED_BY(acks_mu_): the newest that went wrong
  // GUARDED_BY(acks_mu_): the newest generation with an append that was not stored (a
  // failure, where failed_generation_ also counts appends stored other than as folded).
  std::uint64_t unstored_generation_ = 0;
  std::size_t in_flight_ = 0;          // GUARDED_BY(acks_mu_): commands with queued appends
};

std::int64_t NowMicros();

// argon2id (crypto_pwhash_str, interactive limits). Slow: call it on the worker pool.
Result<std::string> HashPassword(const std::string& password);
// How many passwords HashPassword has hashed since the process started: what a request
// cost in argon2id work (tests check that a refused request cost none).
std::uint64_t PasswordsHashed();
// crypto_pwhash_str_verify. Slow: call it on the worker pool.
bool VerifyPassword(const std::string& hash, const std::string& password);

}  // namespace portico::gateway
