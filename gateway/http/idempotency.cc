#include "gateway/http/idempotency.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "common/hex.h"
#include "gateway/http/problem.h"
#include "gateway/http/response.h"

namespace portico::gateway {
namespace {

constexpr std::string_view kHeader = "Idempotency-Key";

// Reads are safe to retry and change nothing, so they have nothing to replay: storing their
// replies would only let a reused key serve stale data and let a caller grow the store (and
// idempotency.log) with every fresh key.
bool IsRead(const Request& request) {
  return request.method() == Verb::get || request.method() == Verb::head;
}

bool IsValidKey(std::string_view key) {
  return !key.empty() && key.size() <= 255 &&
         std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// What a retry of a secret-bearing request gets instead of the secret.
Problem SecretAlreadyIssued(std::string_view detail) {
  Problem problem;
  problem.status = 409;
  problem.type = "urn:portico:problem:secret-already-issued";
  problem.title = "Secret already issued";
  problem.detail = std::string(detail);
  return problem;
}

StoredReply ToStored(const Response& response) {
  return {response.result_int(), std::string(response[boost::beast::http::field::content_type]),
          response.body()};
}

}  // namespace

IdempotencyStore::Claim InMemoryIdempotencyStore::Begin(std::string_view key,
                                                        std::string_view fingerprint) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(std::string(key));
  if (inserted) {
    it->second.fingerprint = std::string(fingerprint);
    return {State::kNew, std::nullopt};
  }
  if (it->second.fingerprint != fingerprint) return {State::kMismatch, std::nullopt};
  if (!it->second.reply) return {State::kInFlight, std::nullopt};
  return {State::kReplay, it->second.reply};
}

void InMemoryIdempotencyStore::Complete(std::string_view key, StoredReply reply) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end() || it->second.reply) return;
  it->second.reply = std::move(reply);
  completed_.emplace_back(key);
  while (completed_.size() > capacity_) {
    entries_.erase(completed_.front());
    completed_.pop_front();
  }
}

void InMemoryIdempotencyStore::Abandon(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(key));
  if (it != entries_.end() && !it->second.reply) entries_.erase(it);
}

std::string RequestFingerprint(const Request& request, std::string_view actor) {
  static const bool sodium_ready = sodium_init() >= 0;
  (void)sodium_ready;
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  auto add = [&state](std::string_view part) {
    // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    const std::uint64_t size = part.size();
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(&size), sizeof size);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
  };
  add(boost::beast::http::to_string(request.method()));
  add(request.target());
  add(actor);
  add(request.body());
  std::array<unsigned char, crypto_generichash_BYTES> hash;
  crypto_generichash_final(&state, hash.data(), hash.size());
  return HexEncode(hash.data(), hash.size());
}

std::string_view CallerKindName(CallerKind kind) {
  switch (kind) {
    case CallerKind::kStaff: return "staff";
    case CallerKind::kPortalUser: return "portal";
    case CallerKind::kAnonymous: break;
  }
  return "anonymous";
}

std::string ScopedIdempotencyKey(std::string_view kind, std::string_view actor, std::string_view key) {
  std::string out;
  out.reserve(kind.size() + actor.size() + key.size() + 8);
  out.append(kind).append(":").append(std::to_string(actor.size())).append(":");
  out.append(actor).append(":").append(key);
  return out;
}

boost::asio::awaitable<Response> WithIdempotency(IdempotencyStore& store, Request& request,
                                                 RouteContext& context, const Handler& handler,
                                                 ReplyRetention retention, std::string_view secret_detail) {
  auto header = request.find(kHeader);
  if (header == request.end() || IsRead(request)) co_return co_await handler(request, context);
  if (!IsValidKey(header->value())) {
    co_return ProblemResponse(
        Problem::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters")
            .WithField(std::string(kHeader)));
  }
  const std::string key =
      ScopedIdempotencyKey(CallerKindName(context.caller), context.actor, header->value());
  auto claim = store.Begin(key, RequestFingerprint(request, context.actor));
  switch (claim.state) {
    case IdempotencyStore::State::kReplay: {
      if (claim.reply->status == StoredReply::kRunAgain) {
        Response again = co_await handler(request, context);
        again.set("Idempotent-Replayed", "true");
        co_return again;
      }
      Response replay = TextResponse(static_cast<HttpStatus>(claim.reply->status),
                                     claim.reply->content_type, claim.reply->body);
      replay.set("Idempotent-Replayed", "true");
      co_return replay;
    }
    case IdempotencyStore::State::kMismatch:
      co_return ProblemResponse(Problem::FailedPrecondition(
          "this Idempotency-Key was already used for a different request"));
    case IdempotencyStore::State::kInFlight:
      co_return ProblemResponse(
          Problem::Conflict("a request with this Idempotency-Key is still being processed"));
    case IdempotencyStore::State::kNew:
      break;
  }
  // Abandons the claim unless completed: also when the handler throws, or its coroutine is
  // destroyed (connection closed) before it finishes.
  struct ClaimGuard {
    IdempotencyStore& store;
    const std::string& key;
    bool completed = false;
    ~ClaimGuard() {
      if (!completed) store.Abandon(key);
    }
  } guard{store, key};
  Response response = co_await handler(request, context);
  if (response.result_int() / 100 == 2) {
    switch (retention) {
      case ReplyRetention::kStore: store.Complete(key, ToStored(response)); break;
      case ReplyRetention::kSecret:
        store.Complete(key, ToStored(ProblemResponse(SecretAlreadyIssued(secret_detail))));
        break;
      case ReplyRetention::kRunAgain: store.Complete(key, StoredReply{StoredReply::kRunAgain, {}, {}}); break;
    }
    guard.completed = true;
  }
  co_return response;
}

Handler Idempotent(IdempotencyStore& store, Handler handler, ReplyRetention retention,
                   std::string secret_detail) {
  return [&store, handler = std::move(handler), retention, detail = std::move(secret_detail)](
             Request& request, RouteContext& context) -> boost::asio::awaitable<Response> {
    co_return co_await WithIdempotency(store, request, context, handler, retention, detail);
  };
}

}  // namespace portico::gateway
