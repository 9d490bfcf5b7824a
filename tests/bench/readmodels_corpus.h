// The benchmark corpus of the read models: a synthetic provider with 10,000 client
// organisations (2,000 top-level, each with 4 sub-organisations), 1,000 contractor businesses,
// 100,000 users (90,000 client users, 10,000 contractor users), 1,000,000 resources, sessions
// and notes, as stamped envelope bytes in log order (positions 1..N, hash-chained, recorded
// times 1 ms apart).
//
//   client org c (0..9,999):    "org-c", parent org-(c - c % 5) unless c % 5 == 0, enabled
//   contractor k (0..999):      "biz-k", enabled
//   client users:               9 per client org, "u-<c*9+j>", levels cycling through the
//                               client presets
//   contractor users:           10 per business, "cu-<k*10+j>", contractor-manager/-base
//   resources r (0..999,999):   "res-r", owned by client org r / 100; half tasks, the rest
//                               spread over the other types; status random; a contact half of
//                               the time; 30% of tasks assigned to business (r / 100) % 1000
//                               and one of its users
//   sessions:                   10,000 of random client users
//   notes:                      50,000 on random resources, of every visibility
// The events are built directly (object API, EncodeEvent, StampEnvelope), not through Decide,
// so the generator keeps no AccessState of its own; they are the events Decide would emit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/events.h"
#include "schemas/envelope.h"

namespace portico::bench {

inline constexpr int kClientOrgs = 10'000;
inline constexpr int kBusinesses = 1'000;
inline constexpr int kUsersPerClientOrg = 9;
inline constexpr int kUsersPerBusiness = 10;
inline constexpr int kResources = 1'000'000;
inline constexpr int kResourcesPerOrg = kResources / kClientOrgs;
inline constexpr int kSessions = 10'000;
inline constexpr int kNotes = 50'000;

inline std::string ClientOrg(int c) { return "org-" + std::to_string(c); }
inline std::string Business(int k) { return "biz-" + std::to_string(k); }
inline std::string ClientUser(int i) { return "u-" + std::to_string(i); }
inline std::string ContractorUser(int i) { return "cu-" + std::to_string(i); }
inline std::string ResourceName(int r) { return "res-" + std::to_string(r); }
inline schemas::Hash SessionToken(int s) {
  schemas::Hash h{};
  for (int i = 0; i < 8; ++i) h[i] = static_cast<std::uint8_t>((s + 1) >> (8 * i));
  h[31] = 0x5a;
  return h;
}

struct ResourceFacts {
  schema::ResourceType type;
  schema::ResourceStatus status;
  int business = -1;         // assigned business, -1: none
  int assigned_user = -1;    // contractor user index, -1: none
};

struct Corpus {
  std::vector<std::string> envelopes;      // position i + 1
  std::vector<ResourceFacts> resources;    // by resource index
  std::int64_t last_recorded_us = 0;
};

class CorpusWriter {
 public:
  CorpusWriter();
  Corpus Build();

 private:
  template <typename T>
  void Emit(std::string stream, T&& body, schema::ActorKind kind = schema::ActorKind::Staff,
            const std::string& actor = "admin") {  // T&&: see domain::MakeEvent
    domain::DomainEvent event = domain::MakeEvent(std::move(stream), std::forward<T>(body));
    Append(event, kind, actor);
  }
  void Append(const domain::DomainEvent& event, schema::ActorKind kind, const std::string& actor);
  void Enable(const std::string& org);
  std::uint64_t Next(std::uint64_t n);

  Corpus corpus_;
  schemas::Hash last_hash_{};
  std::uint64_t seed_ = 0x9e3779b97f4a7c15ull;
  std::int64_t now_us_ = 1'700'000'000'000'000;
};

}  // namespace portico::bench
