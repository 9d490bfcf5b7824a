// Decide for portal managers: a portal user holding users.manage manages the users of its own
// organisation with the staff commands: only users holding strictly less than itself (never
// itself, nor a peer with the same rights), and never handing out a level above its own
// capabilities (domain/commands.h, PortalManagerAction).
#include "domain/decide_workflows_internal.h"

namespace portico::domain::internal {
namespace {

// The scopes a held set of scopes reaches: org_tree reaches org; org reaches the narrower
// scopes within the organisation (contact, assigned, assigned_business, own); full reaches
// client_view. A manager holding tasks.view.current with org_tree may thus hand out a level
// with tasks.view.current contact (Autotask's Manager creating Basic users).
ScopeMask Reach(ScopeMask held) {
  if (held & Bit(Scope::kOrgTree)) held |= Bit(Scope::kOrg);
  if (held & Bit(Scope::kOrg)) {
    held |= Bit(Scope::kContact) | Bit(Scope::kAssigned) | Bit(Scope::kAssignedBusiness) | Bit(Scope::kOwn);
  }
  if (held & Bit(Scope::kFull)) held |= Bit(Scope::kClientView);
  return held;
}

// True when every capability `inner` holds, with every scope, `outer` holds too (within the
// reach of its scopes): `inner` is not above `outer`.
bool IsSubset(const CapabilitySet& inner, const CapabilitySet& outer) {
  for (const auto& info : Catalogue()) {
    if ((inner.Scopes(info.id) & ~Reach(outer.Scopes(info.id))) != 0) return false;
  }
  return true;
}

struct Manager {
  const User* user = nullptr;
  CapabilitySet capabilities;
};

Status NoSuchUser(const UserId& id) { return Status::NotFound("user " + Quoted(id.value()) + " does not exist"); }

// The target exists, is in the manager's organisation (else NotFound, like an unknown user),
// is not the manager itself, and holds strictly less than the manager: a subset of its
// capabilities that is not all of them. A peer with the same rights (another manager on the
// same level) is not manageable: neither could otherwise archive, lock out or take over the
// other. Handing out a level is another matter (RequireLevelWithin): an equal one is allowed.
Status RequireManageable(const AccessState& s, const Manager& m, const UserId& target, std::int64_t now_us) {
  const User* user = s.FindUser(target.value());
  if (user == nullptr || user->org != m.user->org) return NoSuchUser(target);
  if (user == m.user) {
    return Status::PermissionDenied("a portal manager cannot manage its own account here (its own password: "
                                    "POST /v1/portal/password)");
  }
  const CapabilitySet held = EffectiveCapabilities(s, *user, now_us);
  if (!IsSubset(held, m.capabilities)) {
    return Status::PermissionDenied("user " + Quoted(target.value()) + " holds capabilities beyond the manager's own");
  }
  if (IsSubset(m.capabilities, held)) {
    return Status::PermissionDenied("user " + Quoted(target.value()) +
                                    " holds the same capabilities as the manager: only staff may manage a peer");
  }
  return Status::Ok();
}

// The level exists and grants nothing beyond the manager's own capabilities (whether the
// organisation allows it is CreateUser's and ChangeUserLevel's own rule).
Status RequireLevelWithin(const AccessState& s, const Manager& m, const LevelId& id) {
  const Level* level = s.FindLevel(id.value());
  if (level == nullptr) return Status::NotFound("level " + Quoted(id.value()) + " does not exist");
  if (!IsSubset(level->capabilities, m.capabilities)) {
    return Status::PermissionDenied("level " + Quoted(id.value()) + " is above the manager's own capabilities");
  }
  return Status::Ok();
}

class ManagerRules {
 public:
  ManagerRules(const AccessState& s, const Manager& m, std::int64_t now) : s_(s), m_(m), now_(now) {}

  Status operator()(const CreateUser& c) const {
    if (c.org_id != m_.user->org) return Status::NotFound("organisation " + Quoted(c.org_id.value()) + " does not exist");
    return RequireLevelWithin(s_, m_, c.level);
  }
  Status operator()(const ChangeUserLevel& c) const {
    RETURN_IF_ERROR(RequireManageable(s_, m_, c.user_id, now_));
    return RequireLevelWithin(s_, m_, c.level);
  }
  Status operator()(const SetPassword& c) const { return RequireManageable(s_, m_, c.user_id, now_); }
  Status operator()(const ForcePasswordReset& c) const { return RequireManageable(s_, m_, c.user_id, now_); }
  Status operator()(const EndUserSessions& c) const { return RequireManageable(s_, m_, c.user_id, now_); }
  Status operator()(const ArchiveUser& c) const { return RequireManageable(s_, m_, c.user_id, now_); }

 private:
  const AccessState& s_;
  const Manager& m_;
  const std::int64_t now_;
};

}  // namespace

Result<Events> DecideOne(const AccessState& s, const PortalManagerAction& c, std::int64_t now_us) {
  RETURN_IF_ERROR(CheckPortalManagerAction(s, c, now_us));
  return std::visit([&](const auto& action) { return DecideOne(s, action, now_us); }, c.action);
}

}  // namespace portico::domain::internal

namespace portico::domain {

Status CheckPortalManagerAction(const AccessState& s, const PortalManagerAction& c, std::int64_t now_us) {
  internal::Manager manager;
  ASSIGN_OR_RETURN(manager.user,
                   internal::RequirePortalCapability(s, c.manager, Capability::kUsersManage, nullptr, now_us));
  manager.capabilities = EffectiveCapabilities(s, *manager.user, now_us);
  return std::visit(internal::ManagerRules(s, manager, now_us), c.action);
}

}  // namespace portico::domain
