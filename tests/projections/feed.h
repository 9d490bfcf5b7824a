// Helpers for the read-model tests: a domain World (tests/domain/world.h: a MemoryLog driven by
// real commands, so the events come from Decide, EncodeEnvelope and StampEnvelope) whose log is
// fed, in order, to the projections under test; and a shared scenario of organisations,
// users, resources and notes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/check.h"
#include "domain/world.h"
#include "projections/projection.h"
#include "schemas/envelope.h"

namespace portico::projections::testing {

using domain::testing::kMinute;
using domain::testing::kT0;
using domain::testing::World;

// Applies the log's envelopes after the projection's position, in order, up to `through`
// (default: the end of the log).
inline void CatchUp(Projection& projection, const domain::MemoryLog& log, Position through = Position(~0ull)) {
  const auto& envelopes = log.envelopes();
  const std::size_t end = std::min<std::size_t>(envelopes.size(), through.value());
  for (std::size_t i = projection.applied().value(); i < end; ++i) {
    auto envelope = schemas::VerifyEnvelope(envelopes[i]);
    ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
    const Status st = projection.Apply(**envelope, Position(i + 1));
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
}

// The position of the first event of this type after `after`, or 0.
inline Position FindEvent(const domain::MemoryLog& log, schema::EventBody type, Position after = Position(0)) {
  const auto& envelopes = log.envelopes();
  for (std::size_t i = after.value(); i < envelopes.size(); ++i) {
    if (schema::GetEnvelope(envelopes[i].data())->body_type() == type) return Position(i + 1);
  }
  return Position(0);
}

// The scenario's portal users, each a different shape of access.
struct Cast {
  static inline const std::vector<std::string> kUsers = {
      "alice",  // acme, portal-manager: org_tree (sees acme-east too), quotes, invoices
      "bob",    // acme, client-base: only tasks it is the contact of
      "carol",  // acme-east (sub-organisation of acme), client-manager
      "hank",   // acme, portal-advanced
      "gina",   // globex, client-self-service: invoices, estimates, files, work orders...
      "ivan",   // initech (restricted: read-only), client-manager
      "dave",   // sparky (contractor), contractor-manager: assigned business + assigned
      "erin",   // sparky-north (sub-organisation of sparky), contractor-base: assigned only
      "fred",   // sparky, contractor-base
      "pat",    // acme, passive: never logs in, sees nothing
  };
};

// Registers the organisations and users of Cast, then `resources` resources spread over the
// organisations, types and statuses (some with contacts, assigned users and businesses), and
// notes of every visibility on some of them. Deterministic.
inline void BuildScenario(World& w, int resources = 300) {
  using schema::OrgKind;
  w.Org("acme");
  w.Org("acme-east", OrgKind::Client, "acme");
  w.Org("globex");
  w.Org("initech", OrgKind::Client, "", schema::AccessMode::Restricted);
  w.Org("sparky", OrgKind::Contractor);
  w.Org("sparky-north", OrgKind::Contractor, "sparky");
  w.User("alice", "acme", "portal-manager");
  w.User("bob", "acme", "client-base");
  w.User("carol", "acme-east", "client-manager");
  w.User("hank", "acme", "portal-advanced");
  w.User("gina", "globex", "client-self-service");
  w.User("ivan", "initech", "client-manager");
  w.User("dave", "sparky", "contractor-manager", schema::UserType::Contractor);
  w.User("erin", "sparky-north", "contractor-base", schema::UserType::Contractor);
  w.User("fred", "sparky", "contractor-base", schema::UserType::Contractor);
  w.User("pat", "acme", "client-base", schema::UserType::Passive);

  const std::vector<std::string> orgs = {"acme", "acme-east", "globex", "initech", "sparky"};
  const std::vector<std::vector<std::string>> contacts = {
      {"bob", "alice", "pat"}, {"carol"}, {"gina"}, {"ivan"}, {"dave"}};
  std::uint64_t seed = 42;
  auto next = [&](std::uint64_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
  };
  for (int i = 0; i < resources; ++i) {
    const std::size_t o = next(orgs.size());
    const auto type = static_cast<schema::ResourceType>(next(11));
    const auto status = static_cast<schema::ResourceStatus>(next(3));
    const std::string contact = next(3) == 0 ? "" : contacts[o][next(contacts[o].size())];
    std::vector<std::string> assigned;
    std::string assigned_org;
    if (next(3) == 0) {
      static const std::vector<std::vector<std::string>> teams = {{"erin"}, {"fred"}, {"dave", "erin"}, {"bob"}};
      assigned = teams[next(teams.size())];
      if (next(2) == 0) assigned_org = next(2) == 0 ? "sparky" : "sparky-north";
    }
    w.Resource("r" + std::to_string(i), type, orgs[o], status, contact, assigned, assigned_org);
  }
  // Notes: staff notes of every visibility on some resources, and portal users' own notes.
  for (int i = 0; i < resources; i += 7) {
    const std::string r = "r" + std::to_string(i);
    w.Note("n" + std::to_string(i) + "-internal", r, schema::NoteVisibility::Internal);
    w.Note("n" + std::to_string(i) + "-client", r, schema::NoteVisibility::Client);
    w.Note("n" + std::to_string(i) + "-contractor", r, schema::NoteVisibility::Contractor);
    for (const char* author : {"alice", "dave"}) {
      const domain::User* u = w.state().FindUser(author);
      const domain::Resource* res = w.state().FindResource(r);
      const bool may = domain::CanSeeResource(w.state(), *u, *res, w.now).allowed &&
                       (res->type != schema::ResourceType::Task ||
                        domain::Check(w.state(), *u, domain::Capability::kTasksNotesAdd, res, w.now).allowed);
      if (may) w.Note("n" + std::to_string(i) + "-" + author, r, schema::NoteVisibility::Client, author);
    }
  }
}

}  // namespace portico::projections::testing
