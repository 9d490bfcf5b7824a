// The access questions of the audit, answered on a folded state with the domain's own check
// (domain/check.h), so the replay never has a rule of its own:
//   - UserAccess: everything one user could see or do at a moment: whether it may use the
//     portal at all, each feature capability, and on each resource related to it, each
//     capability that applies to the resource, plus the notes it could read;
//   - WhoCan: every user who could see or act on one resource (optionally with one
//     capability), each with the scope and the level or grant that allows it.
// "Related resources" are the only ones the check can allow (rule 6 of check.h): those of the
// user's organisation and its sub-organisations, those assigned to it (contractors), and
// those assigned to the user itself. Capabilities are listed in catalogue order, users,
// resources and notes by id.
//
// Pure functions of the state and `now_us`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/catalogue.h"
#include "domain/check.h"
#include "domain/state.h"
#include "replay/json_out.h"

namespace portico::replay {

// One capability a user holds on something, and why.
struct Permission {
  domain::Capability capability = domain::Capability::kTasksCreate;
  domain::Scope scope = domain::Scope::kNone;
  // Where it comes from: "level" (with the level's id) or "grant" (with its times).
  bool from_grant = false;
  std::string level;
  std::int64_t granted_at_us = 0;
  std::int64_t expires_at_us = 0;  // 0: never

  bool operator==(const Permission& o) const { return capability == o.capability && scope == o.scope; }
};

struct ResourceAccess {
  std::string resource_id;
  std::vector<Permission> permissions;  // capabilities allowed on it, catalogue order
};

struct UserAccess {
  std::string user_id;
  domain::CheckResult active;               // domain::CheckUserActive
  std::vector<Permission> features;         // capabilities allowed without a resource
  std::vector<ResourceAccess> resources;    // related resources with at least one permission
  std::vector<std::string> notes;           // notes it could read (domain::CanSeeNote)
};

// Which level or grant gives `user` the capability with `scope` at now_us.
Permission Explain(const domain::AccessState& state, const domain::User& user, domain::Capability capability,
                   domain::Scope scope, std::int64_t now_us);

// The ids of the resources the check can allow `user`, sorted.
std::vector<std::string> RelatedResources(const domain::AccessState& state, const domain::User& user);

// Capabilities that apply to a resource of this type (the check's rule 5), catalogue order.
std::vector<domain::Capability> CapabilitiesFor(schema::ResourceType type);

UserAccess ComputeUserAccess(const domain::AccessState& state, const domain::User& user, std::int64_t now_us);

struct WhoCanEntry {
  std::string user_id;
  std::vector<Permission> permissions;  // allowed
  std::vector<std::pair<domain::Capability, domain::CheckResult>> denied;  // with include_denied
};

// Every user, sorted by id, with the capabilities (`capability`, or every one that applies
// to the resource) the check allows on `resource`. Users allowed nothing are left out unless
// `include_denied`, which also lists each denied capability with its reason.
std::vector<WhoCanEntry> WhoCan(const domain::AccessState& state, const domain::Resource& resource,
                                std::optional<domain::Capability> capability, std::int64_t now_us,
                                bool include_denied);

// JSON forms.
boost::json::object PermissionJson(const Permission& permission);
boost::json::object CheckJson(const domain::CheckResult& result);
void WriteCheck(JsonWriter& writer, const domain::CheckResult& result);  // the same, written
boost::json::object UserAccessJson(const domain::AccessState& state, const UserAccess& access);

}  // namespace portico::replay
