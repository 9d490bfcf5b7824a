#include "gateway/app/command_processor.h"

#include <atomic>

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <future>

#include "common/log.h"
#include "domain/decide.h"
#include "domain/evolve.h"
#include "gateway/http/async.h"
#include "gateway/http/idempotency.h"
#include "schemas/envelope.h"
#include "schemas/envelope_run.h"

namespace portico::gateway {

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
std::atomic<std::uint64_t> passwords_hashed{0};
}  // namespace

std::uint64_t PasswordsHashed() { return passwords_hashed.load(std::memory_order_relaxed); }

Result<std::string> HashPassword(const std::string& password) {
  passwords_hashed.fetch_add(1, std::memory_order_relaxed);
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

// A command whose append is queued, from Decide until the store answers it.
struct CommandProcessor::Pending {
  std::uint64_t generation = 0;    // of the model it was decided against
  std::int64_t recorded_at_us = 0;  // the time its events were folded with
  CommandOutcome outcome;
  Done done;
  // GUARDED_BY(acks_mu_):
  Status failure;  // why it was not stored
  bool finished = false;
  bool stored = false;
  // Commands decided after it that append nothing (or were rejected): answered after it.
  std::vector<std::pair<Result<CommandOutcome>, Done>> followers;
};

namespace {

// The event store's key for a caller's Idempotency-Key: scoped by the actor, as the HTTP
// layer scopes its replies (gateway/http/idempotency.h), so that callers never share keys.
std::string StoreKey(const CommandActor& actor, const std::string& idempotency_key) {
  if (idempotency_key.empty()) return {};
  std::string_view kind = "system";
  if (actor.kind == schema::ActorKind::Staff) kind = CallerKindName(CallerKind::kStaff);
  if (actor.kind == schema::ActorKind::PortalUser) kind = CallerKindName(CallerKind::kPortalUser);
  return ScopedIdempotencyKey(kind, actor.id, idempotency_key);
}

Status NotStoredBecauseOfEarlier() {
  return Status::Unavailable(
      "the command was not stored: a command decided just before it failed to be stored; retry");
}

}  // namespace

Result<std::unique_ptr<CommandProcessor>> CommandProcessor::Start(
    eventstore::EventStore& store, projections::SessionsModel& sessions,
    boost::asio::thread_pool& pool) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::unique_ptr<CommandProcessor> processor(new CommandProcessor(store, sessions, pool));
  std::lock_guard lock(processor->mu_);
  RETURN_IF_ERROR(processor->CatchUpLocked(store.Head()));
  return processor;
}

CommandProcessor::~CommandProcessor() {
  std::unique_lock lock(acks_mu_);
  drained_.wait(lock, [&] { return in_flight_ == 0; });
}

Status CommandProcessor::CatchUpLocked(Position to) {
  constexpr std::size_t kChunk = 4096;
  while (state_.position < to.value()) {
    const std::uint64_t first = state_.position + 1;
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, to.value() - state_.position));
    // The log's bytes as stored: each is verified here for structure and position, not for its
    // hash, as the projection runner does on its catch-up (runner.h says why). A start on a
    // large log would otherwise pay BLAKE2b for every event once more, next to the runner.
    ASSIGN_OR_RETURN(const schemas::EnvelopeRun run, store_.ReadRun(Position(first), want));
    if (run.size() == 0) {
      return Status::Internal("log ends at " + std::to_string(state_.position) +
                              ", expected it to reach " + std::to_string(to.value()));
    }
    for (std::size_t i = 0; i < run.size(); ++i) {
      ASSIGN_OR_RETURN(const schema::Envelope* envelope, schemas::VerifyEnvelopeAt(run[i], first + i));
      domain::Evolve(state_, *envelope);
      recorded_at_us_ = envelope->recorded_at_us();
    }
  }
  return Status::Ok();
}

Status CommandProcessor::SyncWithLogLocked() {
  bool stale = false;
  bool idle = false;
  {
    std::lock_guard acks(acks_mu_);
    stale = failed_generation_ >= generation_;
    idle = tail_ == nullptr || tail_->finished;
    if (stale) tail_.reset();  // its generation's appends can only fail from now on
  }
  if (stale) {
    // Appends queued by the stale model fail their expected head, so the log holds exactly
    // what was stored.
    ++generation_;
    state_ = domain::AccessState{};
    recorded_at_us_ = 0;
    return CatchUpLocked(store_.Head());
  }
  // Anything appended by another writer (none today) is folded before deciding.
  if (idle) return CatchUpLocked(store_.Head());
  return Status::Ok();
}

void CommandProcessor::RebuildIfStaleLocked() {
  {
    std::lock_guard acks(acks_mu_);
    if (failed_generation_ < generation_) return;
  }
  if (Status synced = SyncWithLogLocked(); !synced.ok()) {
    NamedLogger("gateway")->error("rebuilding the write model after a failed append: {}", synced.ToString());
  }
}

void CommandProcessor::SubmitWithCallback(const domain::Command& command,
                                          const CommandActor& actor,
                                          const std::string& idempotency_key, Done done) {
  std::unique_lock lock(mu_);
  Result<CommandOutcome> answer = CommandOutcome{};
  if (Status synced = SyncWithLogLocked(); !synced.ok()) {
    answer = synced;
  } else {
    // Recorded times never go back, and the model is folded with the time the store records.
    const std::int64_t now = std::max(NowMicros(), recorded_at_us_);
    auto events = domain::Decide(state_, command, now);
    if (events.ok() && !events->empty()) {
      AppendLocked(std::move(events).value(), actor, idempotency_key, now, std::move(done));
      return;
    }
    if (events.ok()) {
      answer->position = Position(state_.position);
    } else {
      answer = events.status();
    }
  }
  // Nothing to append: answer once what the answer rests on is durable.
  {
    std::lock_guard acks(acks_mu_);
    if (tail_ != nullptr && !tail_->finished) {
      tail_->followers.emplace_back(std::move(answer), std::move(done));
      return;
    }
    if (tail_ != nullptr && !tail_->stored) answer = NotStoredBecauseOfEarlier();
  }
  lock.unlock();
  done(std::move(answer));
}

void CommandProcessor::AppendLocked(std::vector<domain::DomainEvent> events,
                                    const CommandActor& actor, const std::string& idempotency_key,
                                    std::int64_t now_us, Done done) {
  auto pending = std::make_shared<Pending>();
  pending->generation = generation_;
  pending->recorded_at_us = now_us;
  pending->done = std::move(done);

  // One part per run of consecutive events on one stream, appended atomically.
  std::vector<eventstore::StreamAppend> parts;
  std::vector<Position> expected_firsts;  // the position each part's first event will get
  const std::string store_key = StoreKey(actor, idempotency_key);
  for (std::size_t i = 0; i < events.size();) {
    eventstore::StreamAppend part{StreamId(events[i].stream), eventstore::ExpectedVersion::Any(),
                                  {}, {}};
    expected_firsts.emplace_back(state_.position + 1);
    // The store checks each part against the head it expects, so that nothing decided
    // against a model that went wrong is stored (see the header).
    part.options.expected_head = Position(state_.position);
    part.options.recorded_at_us = now_us;
    if (!store_key.empty()) {
      part.options.idempotency_key =
          parts.empty() ? store_key : store_key + "#" + std::to_string(parts.size());
    }
    for (; i < events.size() && events[i].stream == part.stream.value(); ++i) {
      schemas::EventMeta meta;
      meta.actor_kind = actor.kind;
      meta.actor_id = actor.id;
      meta.on_behalf_of = actor.on_behalf_of;
      meta.correlation_id = idempotency_key;
      meta.idempotency_key = idempotency_key;
      part.envelopes.push_back(domain::EncodeEvent(events[i], std::move(meta)));
      // Fold it as the store will stamp it (Evolve reads the position and the time).
      std::string stamped = part.envelopes.back();
      schemas::StoreFields fields;
      fields.position = state_.position + 1;
      fields.recorded_at_us = now_us;
      (void)schemas::StampEnvelope(stamped, fields);
      domain::Evolve(state_, *schema::GetEnvelope(stamped.data()));
    }
    parts.push_back(std::move(part));
  }
  recorded_at_us_ = now_us;
  for (const auto& event : events) {
    if (const auto* ended = event.body.AsSessionEnded()) {
      pending->outcome.ended_sessions.emplace_back(ended->session_id);
    }
  }
  pending->outcome.position = Position(state_.position);
  pending->outcome.events = std::move(events);
  {
    std::lock_guard acks(acks_mu_);
    tail_ = pending;
    ++in_flight_;
  }
  store_.AppendAtomicallyAsync(
      std::move(parts), [this, pending, firsts = std::move(expected_firsts)](auto result) {
        OnAppended(pending, firsts, std::move(result));
      });
}

void CommandProcessor::OnAppended(const std::shared_ptr<Pending>& pending,
                                  const std::vector<Position>& expected_firsts,
                                  Result<std::vector<eventstore::AppendResult>> result) {
  // Stored, but not as folded (a part deduplicated by the store's idempotency key, or
  // another time): the command stands, the model is rebuilt.
  bool misfolded = false;
  bool deduplicated = false;
  if (result.ok()) {
    for (std::size_t i = 0; i < result->size(); ++i) {
      const eventstore::AppendResult& part = (*result)[i];
      deduplicated = deduplicated || part.deduplicated;
      misfolded = misfolded || part.deduplicated || part.first_position != expected_firsts[i] ||
                  part.recorded_at_us != pending->recorded_at_us;
    }
  }
  std::vector<std::pair<Result<CommandOutcome>, Done>> followers;
  {
    std::lock_guard acks(acks_mu_);
    if (!result.ok()) {
      // An earlier failure of this model makes every later append fail its expected head;
      // but an append in a batch whose write failed midway may be durable, and says so.
      const bool after_earlier_failure = failed_generation_ >= pending->generation &&
                                         !eventstore::IsOutcomeUnknown(result.status());
      pending->failure = after_earlier_failure ? NotStoredBecauseOfEarlier() : result.status();
    }
    // ...except a deduplicated part: the store answers it from its idempotency key before
    // looking at the head. Decided after an append of this model that was not stored, it
    // must not be acknowledged either (nor the commands that wait on it).
    if (deduplicated && unstored_generation_ >= pending->generation) {
      pending->failure = NotStoredBecauseOfEarlier();
    }
    if (!result.ok()) unstored_generation_ = std::max(unstored_generation_, pending->generation);
    if (!result.ok() || misfolded) {
      failed_generation_ = std::max(failed_generation_, pending->generation);
    }
    if (result.ok()) pending->outcome.position = result->back().last_position;
    pending->finished = true;
    pending->stored = pending->failure.ok();
    followers.swap(pending->followers);
  }
  if (pending->stored) {
    CommandOutcome& outcome = pending->outcome;
    if (!outcome.ended_sessions.empty()) sessions_.MarkEnded(outcome.ended_sessions, outcome.position);
    pending->done(std::move(outcome));
  } else {
    pending->done(pending->failure);
  }
  for (auto& [answer, done] : followers) {
    if (pending->stored) {
      done(std::move(answer));
    } else if (eventstore::IsOutcomeUnknown(pending->failure)) {
      done(pending->failure);  // what it waited on may be durable: no "not stored" either
    } else {
      done(NotStoredBecauseOfEarlier());
    }
  }
  // Last: once in_flight_ reaches 0 the destructor may run.
  std::lock_guard acks(acks_mu_);
  --in_flight_;
  drained_.notify_all();
}

Result<CommandOutcome> CommandProcessor::Submit(const domain::Command& command,
                                                const CommandActor& actor,
                                                const std::string& idempotency_key) {
  auto promise = std::make_shared<std::promise<Result<CommandOutcome>>>();
  auto future = promise->get_future();
  SubmitWithCallback(command, actor, idempotency_key,
                     [promise](Result<CommandOutcome> result) { promise->set_value(std::move(result)); });
  return future.get();
}

// Not a coroutine itself: the command, actor and key move into the callback's closure, so no
// coroutine frame of ours holds by-value parameters (GCC 12 mis-destroys some of those).
boost::asio::awaitable<Result<CommandOutcome>> CommandProcessor::SubmitAsync(
    domain::Command command, CommandActor actor, std::string idempotency_key) {
  return AwaitCallback<Result<CommandOutcome>>(
      [this, command = std::move(command), actor = std::move(actor),
       key = std::move(idempotency_key)](auto done) {
        SubmitWithCallback(command, actor, key, std::move(done));
      });
}

}  // namespace portico::gateway
