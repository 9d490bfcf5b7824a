#include "gateway/app/command_processor.h"

#include <sodium.h>

#include <chrono>
#include <condition_variable>

#include "domain/decide.h"
#include "domain/evolve.h"
#include "gateway/http/async.h"

namespace portico::gateway {

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::string> HashPassword(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Unavailable("out of memory hashing a password");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<std::unique_ptr<CommandProcessor>> CommandProcessor::Start(
    eventstore::EventStore& store, projections::SessionsModel& sessions,
    boost::asio::thread_pool& pool) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::unique_ptr<CommandProcessor> processor(new CommandProcessor(store, sessions, pool));
  std::lock_guard lock(processor->mu_);
  RETURN_IF_ERROR(processor->CatchUpLocked(store.Head()));
  return processor;
}

Status CommandProcessor::CatchUpLocked(Position to) {
  constexpr std::size_t kChunk = 4096;
  while (state_.position < to.value()) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, to.value() - state_.position));
    ASSIGN_OR_RETURN(auto events, store_.ReadAll(Position(state_.position + 1), want));
    if (events.empty()) {
      return Status::Internal("log ends at " + std::to_string(state_.position) +
                              ", expected it to reach " + std::to_string(to.value()));
    }
    for (const auto& event : events) RETURN_IF_ERROR(domain::EvolveBytes(state_, event.bytes));
  }
  return Status::Ok();
}

Result<CommandOutcome> CommandProcessor::Submit(const domain::Command& command,
                                                const CommandActor& actor,
                                                const std::string& idempotency_key) {
  std::lock_guard lock(mu_);
  // Anything appended by another writer since (none today) is folded before deciding.
  RETURN_IF_ERROR(CatchUpLocked(store_.Head()));
  ASSIGN_OR_RETURN(auto events, domain::Decide(state_, command, NowMicros()));
  CommandOutcome outcome;
  if (events.empty()) {
    outcome.position = Position(state_.position);
    return outcome;
  }
  // One append per run of consecutive events on one stream (see the header: a known gap).
  // The appends are queued together (AppendAsync, in order, so their positions follow the
  // events' order) and the group commit writes them in as few synced batches as it can: an
  // import of 100,000 users costs a few dozen fsyncs, not 100,000.
  struct Pending {
    std::mutex mu;
    std::condition_variable done;
    std::size_t left = 0;
    Status error;
    Position last;
  } pending;
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (std::size_t i = 0; i < events.size();) {
    const std::string& stream = events[i].stream;
    std::vector<std::string> envelopes;
    std::size_t j = i;
    for (; j < events.size() && events[j].stream == stream; ++j) {
      schemas::EventMeta meta;
      meta.actor_kind = actor.kind;
      meta.actor_id = actor.id;
      meta.on_behalf_of = actor.on_behalf_of;
      meta.correlation_id = idempotency_key;
      meta.idempotency_key = idempotency_key;
      envelopes.push_back(domain::EncodeEvent(events[j], std::move(meta)));
    }
    groups.emplace_back(stream, std::move(envelopes));
    i = j;
  }
  pending.left = groups.size();
  for (std::size_t group = 0; group < groups.size(); ++group) {
    std::string key;
    if (!idempotency_key.empty()) {
      key = group == 0 ? idempotency_key : idempotency_key + "#" + std::to_string(group);
    }
    store_.AppendAsync(StreamId(groups[group].first), eventstore::ExpectedVersion::Any(),
                       std::move(groups[group].second), std::move(key),
                       [&pending](Result<eventstore::AppendResult> appended) {
                         std::lock_guard done_lock(pending.mu);
                         if (!appended.ok()) {
                           if (pending.error.ok()) pending.error = appended.status();
                         } else if (appended->last_position.value() > pending.last.value()) {
                           pending.last = appended->last_position;
                         }
                         if (--pending.left == 0) pending.done.notify_all();
                       });
  }
  {
    std::unique_lock wait_lock(pending.mu);
    pending.done.wait(wait_lock, [&pending] { return pending.left == 0; });
  }
  if (!pending.error.ok()) {
    // Fold whatever did get appended, so the write model matches the log.
    (void)CatchUpLocked(store_.Head());
    return pending.error;
  }
  const Position last = pending.last;
  RETURN_IF_ERROR(CatchUpLocked(last));
  for (const auto& event : events) {
    if (const auto* ended = event.body.AsSessionEnded()) {
      outcome.ended_sessions.emplace_back(ended->session_id);
    }
  }
  if (!outcome.ended_sessions.empty()) sessions_.MarkEnded(outcome.ended_sessions, last);
  outcome.position = last;
  outcome.events = std::move(events);
  return outcome;
}

// Not a coroutine itself: the command, actor and key move into the pool's closure, so no
// coroutine frame of ours holds by-value parameters (GCC 12 mis-destroys some of those).
boost::asio::awaitable<Result<CommandOutcome>> CommandProcessor::SubmitAsync(
    domain::Command command, CommandActor actor, std::string idempotency_key) {
  return OnWorkerPool(pool_, [this, command = std::move(command), actor = std::move(actor),
                              key = std::move(idempotency_key)] {
    return Submit(command, actor, key);
  });
}

}  // namespace portico::gateway
