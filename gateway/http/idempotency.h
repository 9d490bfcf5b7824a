// Idempotency-Key support for commands (API.md): the same key with the same request returns
// the first reply and appends nothing; with another request it is a 422.
//
// Keys belong to their caller: a key is kept as ScopedIdempotencyKey(caller kind, actor, key),
// here and in the event store (CommandProcessor scopes the key it hands the store the same
// way), so two callers (a staff key and a portal user, or two portal users) using the same
// key never see each other's replies nor make each other's requests fail. A request's
// fingerprint is the BLAKE2b-256 of its method, target, actor and body, so a key reused by
// the same caller on another route or with another body is a 422. An IdempotencyStore maps
// scoped key -> {fingerprint, stored reply}:
//   Begin(key, fp)   kNew: the caller runs the command, then Complete or Abandon;
//                    kReplay: `reply` is the stored reply of the same request;
//                    kMismatch: the key was used for another request (422);
//                    kInFlight: the same key is being run right now (409, Retry-After: 1).
//   Complete(key, r) stores the reply of a kNew claim; Abandon(key) forgets the claim.
// Only successful (2xx) replies are stored: a rejected command may be retried with the same
// key once the caller has fixed what was wrong. A reply that carries a secret (a registration
// code) is never stored: its route uses ReplyRetention::kSecret, which stores in its place a 409
// problem saying the secret was already issued (see there). A reply too large to keep (an
// import's) is not stored either: its route uses ReplyRetention::kRunAgain, and answers a retry
// itself.
//
// Surviving restarts: InMemoryIdempotencyStore forgets everything on restart (and evicts the
// oldest completed entries beyond its capacity). That is safe for appends, because the key is
// also passed to the event store, whose idempotency keys are durable: a command retried after
// a restart is refused there and appends nothing. FileIdempotencyStore
// (file_idempotency_store.h), which the running system uses, also replays the exact first
// reply across restarts.
//
// WithIdempotency runs a handler under these rules when the request has an Idempotency-Key
// header (1 to 255 visible ASCII characters, else 400 naming the header) and simply runs it
// when it has none. Idempotency is for commands only: a GET or HEAD ignores the header (a read
// is safe to retry) and stores nothing, so a reused key never replays a stale read. Wrap it inside authentication, so context.actor is set:
//   RequireStaff(keys, Idempotent(store, handler)).
// Implementations must be thread-safe. The store must outlive the router.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/http/router.h"
#include "gateway/http/types.h"

namespace portico::gateway {

struct StoredReply {
  // The status kRunAgain marks a request done whose reply was not kept
  // (ReplyRetention::kRunAgain): a retry runs its handler again.
  static constexpr unsigned kRunAgain = 0;

  unsigned status = 200;
  std::string content_type;
  std::string body;
};

class IdempotencyStore {
 public:
  enum class State { kNew, kReplay, kMismatch, kInFlight };
  struct Claim {
    State state = State::kNew;
    std::optional<StoredReply> reply;  // set for kReplay
  };

  virtual ~IdempotencyStore() = default;
  virtual Claim Begin(std::string_view key, std::string_view fingerprint) = 0;
  virtual void Complete(std::string_view key, StoredReply reply) = 0;
  virtual void Abandon(std::string_view key) = 0;
};

class InMemoryIdempotencyStore final : public IdempotencyStore {
 public:
  explicit InMemoryIdempotencyStore(std::size_t capacity = 100'000) : capacity_(capacity) {}

  Claim Begin(std::string_view key, std::string_view fingerprint) override;
  void Complete(std::string_view key, StoredReply reply) override;
  void Abandon(std::string_view key) override;

 private:
  struct Entry {
    std::string fingerprint;
    std::optional<StoredReply> reply;  // empty while in flight
  };

  const std::size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
  std::deque<std::string> completed_;               // oldest first; GUARDED_BY(mutex_)
};

// Hex BLAKE2b-256 of method, target, actor and body.
std::string RequestFingerprint(const Request& request, std::string_view actor);

// The key under which `key`, sent by the caller of kind `kind` ("staff", "portal"...) named
// `actor`, is kept: "<kind>:<actor's length>:<actor>:<key>", unambiguous for any actor.
std::string ScopedIdempotencyKey(std::string_view kind, std::string_view actor, std::string_view key);
// The caller kind's name used in scoped keys.
std::string_view CallerKindName(CallerKind kind);

// What WithIdempotency keeps of a successful reply.
enum class ReplyRetention {
  kStore,  // the reply itself: a retry gets it again
  // Never the reply (it holds a secret shown only once): a retry with the same key and
  // request gets a 409 problem (type urn:portico:problem:secret-already-issued) with
  // `secret_detail` as its detail, and appends nothing.
  kSecret,
  // Not the reply, which can be large (an import lists every row): a retry with the same key
  // and request runs the handler again, which must find the work already done and answer
  // from it (the import route answers from the recorded import, with "replayed": true). A
  // retry with another request is still a 422 and one in flight still a 409.
  kRunAgain,
};

boost::asio::awaitable<Response> WithIdempotency(IdempotencyStore& store, Request& request,
                                                 RouteContext& context, const Handler& handler,
                                                 ReplyRetention retention = ReplyRetention::kStore,
                                                 std::string_view secret_detail = {});

// `handler` wrapped in WithIdempotency with `retention` (and, for kSecret, `secret_detail`).
Handler Idempotent(IdempotencyStore& store, Handler handler,
                   ReplyRetention retention = ReplyRetention::kStore, std::string secret_detail = {});

}  // namespace portico::gateway
