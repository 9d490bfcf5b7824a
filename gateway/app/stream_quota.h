// How many live streams (GET /v1/stream WebSockets) each caller may hold open at once.
//
// Why: a WebSocket holds one of the server's connection slots for as long as it stays open,
// and the server never evicts it as idle (gateway/http/server.h), so without a cap one portal
// user or staff key could hold every slot. The cap is per caller (a user id or a staff key's
// name), not per client address: behind a reverse proxy all clients share one address.
//
// Thread-safe. The quota must outlive its leases.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace portico::gateway {

class StreamQuota {
 public:
  // One caller's place, given back when the lease is destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();

   private:
    friend class StreamQuota;
    Lease(StreamQuota* quota, std::string caller) : quota_(quota), caller_(std::move(caller)) {}
    StreamQuota* quota_;  // null once moved from
    std::string caller_;
  };

  explicit StreamQuota(std::size_t per_caller) : per_caller_(per_caller) {}

  // A place for `caller`; nothing while it holds per_caller() leases already.
  std::optional<Lease> TryAcquire(const std::string& caller);

  std::size_t per_caller() const { return per_caller_; }

 private:
  void Release(const std::string& caller);

  const std::size_t per_caller_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;  // GUARDED_BY(mutex_); no zero counts
};

}  // namespace portico::gateway
