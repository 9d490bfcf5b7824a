#include "domain/check.h"

#include <array>

namespace portico::domain {
namespace {

using schema::AccessMode;
using schema::OrgKind;

constexpr std::array<std::string_view, 21> kReasonNames = {
    "allowed",          "unknown_user",          "unknown_capability", "unknown_resource",
    "portal_disabled",  "user_archived",         "user_passive",       "login_disabled",
    "user_locked_out",  "org_access_disabled",   "org_restricted",     "capability_revoked",
    "grant_expired",    "capability_missing",    "not_a_resource_capability",
    "wrong_resource_type", "unrelated_resource", "out_of_scope",       "resource_not_visible",
    "note_internal",    "note_not_shared",
};

// When several scopes are satisfied, the broadest is reported.
constexpr std::array<Scope, kScopeCount> kScopePreference = {
    Scope::kOrgTree,  Scope::kOrg,         Scope::kAssignedBusiness, Scope::kAssigned,
    Scope::kContact,  Scope::kOwn,         Scope::kFull,             Scope::kClientView,
    Scope::kClientNotes, Scope::kContractorNotes, Scope::kNone,
};

Scope Broadest(ScopeMask held) {
  for (Scope s : kScopePreference) {
    if (held & Bit(s)) return s;
  }
  return Scope::kNone;
}

CheckResult Deny(Reason reason, std::string detail) {
  CheckResult r;
  r.allowed = false;
  r.reason = reason;
  r.detail = std::move(detail);
  return r;
}

CheckResult Allow(Scope scope) {
  CheckResult r;
  r.allowed = true;
  r.reason = Reason::kAllowed;
  r.scope = scope;
  r.detail = "allowed";
  return r;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Describe(const Resource& r) {
  return std::string(ResourceTypeName(r.type)) + " " + Quote(r.id.value());
}

// How a resource relates to a user of organisation `org`.
struct Relation {
  bool home = false;      // R belongs to U's organisation
  bool in_tree = false;   // R belongs to U's organisation or a sub-organisation
  bool work = false;      // U's contractor organisation or U itself is assigned R
  bool work_tree = false; // R is assigned to U's contractor organisation or a sub-organisation
  bool related() const { return in_tree || work || work_tree; }
};

Relation Relate(const AccessState& state, const User& user, const Org& org, const Resource& r) {
  Relation rel;
  rel.home = r.org == org.id;
  rel.in_tree = rel.home || state.InTree(r.org.value(), org.id.value());
  if (org.kind == OrgKind::Contractor) {
    rel.work = r.assigned_org == org.id || r.IsAssigned(user.id.value());
    rel.work_tree = !r.assigned_org.value().empty() && state.InTree(r.assigned_org.value(), org.id.value());
  }
  return rel;
}

bool Satisfies(Scope scope, const Relation& rel, const User& user, const Org& org, const Resource& r) {
  const bool own_or_work = rel.home || rel.work;
  switch (scope) {
    case Scope::kOrg: return rel.home || (org.kind == OrgKind::Contractor && r.assigned_org == org.id);
    case Scope::kOrgTree: return rel.in_tree || rel.work_tree;
    case Scope::kContact:
    case Scope::kOwn: return own_or_work && r.contact == user.id;
    case Scope::kAssigned: return own_or_work && r.IsAssigned(user.id.value());
    case Scope::kAssignedBusiness: return own_or_work && r.assigned_org == org.id;
    case Scope::kFull:
    case Scope::kClientView: return own_or_work;
    case Scope::kClientNotes: return org.kind == OrgKind::Client && rel.related();
    case Scope::kContractorNotes: return org.kind == OrgKind::Contractor && rel.related();
    case Scope::kNone: return rel.related();
  }
  return false;
}

std::string ScopeRequirement(Scope scope) {
  switch (scope) {
    case Scope::kOrg: return "belong to the user's organisation";
    case Scope::kOrgTree: return "belong to the user's organisation or a sub-organisation";
    case Scope::kContact: return "have the user as its contact";
    case Scope::kOwn: return "be the user's own (the user is its contact)";
    case Scope::kAssigned: return "be assigned to the user";
    case Scope::kAssignedBusiness: return "be assigned to the user's business";
    case Scope::kFull:
    case Scope::kClientView: return "belong to the user's organisation";
    case Scope::kClientNotes: return "be seen by a client organisation's user";
    case Scope::kContractorNotes: return "be seen by a contractor organisation's user";
    case Scope::kNone: return "be related to the user";
  }
  return "match the scope";
}

}  // namespace

std::string_view ReasonName(Reason reason) { return kReasonNames[static_cast<std::size_t>(reason)]; }

CapabilitySet EffectiveCapabilities(const AccessState& state, const User& user, std::int64_t now_us) {
  CapabilitySet caps;
  if (const Level* level = state.FindLevel(user.level.value())) caps = level->capabilities;
  for (std::size_t c = 0; c < kCapabilityCount; ++c) {
    if (user.IsRevoked(static_cast<Capability>(c))) caps.Remove(static_cast<Capability>(c));
  }
  for (const Grant& g : user.grants) {
    if (g.expires_at_us == 0 || now_us < g.expires_at_us) caps.Add(g.capability, g.scope);
  }
  return caps;
}

CheckResult CheckUserActive(const AccessState& state, const User& user, std::int64_t now_us) {
  const std::string who = "user " + Quote(user.id.value());
  if (!state.settings.portal_enabled) return Deny(Reason::kPortalDisabled, "the portal is disabled for everyone");
  if (user.archived) return Deny(Reason::kUserArchived, who + " is archived");
  if (user.type == schema::UserType::Passive) return Deny(Reason::kUserPassive, who + " is passive and never logs in");
  if (!user.login_enabled) return Deny(Reason::kLoginDisabled, who + " may not log in");
  if (now_us < user.locked_until_us) {
    return Deny(Reason::kUserLockedOut, who + " is locked out until " + std::to_string(user.locked_until_us) + " us");
  }
  const Org* org = state.FindOrg(user.org.value());
  if (org == nullptr) return Deny(Reason::kOrgAccessDisabled, "organisation " + Quote(user.org.value()) + " does not exist");
  const Org* blocking = nullptr;
  if (state.EffectiveMode(*org, &blocking) == AccessMode::Disabled) {
    std::string detail = "organisation " + Quote(blocking->id.value()) + " has portal access disabled";
    if (blocking != org) detail += " (parent of " + Quote(org->id.value()) + ")";
    return Deny(Reason::kOrgAccessDisabled, std::move(detail));
  }
  return Allow(Scope::kNone);
}

CheckResult Check(const AccessState& state, const User& user, Capability capability,
                  const Resource* resource, std::int64_t now_us) {
  CheckResult active = CheckUserActive(state, user, now_us);
  if (!active.allowed) return active;
  const CapabilityInfo& info = Info(capability);
  const std::string cap = Quote(info.name);
  const Org& org = *state.FindOrg(user.org.value());  // CheckUserActive found it

  const Org* blocking = nullptr;
  if (info.write && state.EffectiveMode(org, &blocking) == AccessMode::Restricted) {
    return Deny(Reason::kOrgRestricted, "organisation " + Quote(blocking->id.value()) +
                                            " is restricted (read-only) and " + cap + " writes");
  }

  const ScopeMask held = EffectiveCapabilities(state, user, now_us).Scopes(capability);
  if (held == 0) {
    if (user.IsRevoked(capability)) return Deny(Reason::kCapabilityRevoked, cap + " is revoked for user " + Quote(user.id.value()));
    for (const Grant& g : user.grants) {
      if (g.capability == capability) {
        return Deny(Reason::kGrantExpired, "the grant of " + cap + " to user " + Quote(user.id.value()) +
                                               " expired at " + std::to_string(g.expires_at_us) + " us");
      }
    }
    return Deny(Reason::kCapabilityMissing, "level " + Quote(user.level.value()) + " of user " +
                                                Quote(user.id.value()) + " does not include " + cap);
  }

  if (resource == nullptr) return Allow(Broadest(held));
  const Resource& r = *resource;
  if (info.target == Target::kFeature) {
    return Deny(Reason::kNotAResourceCapability, cap + " does not apply to a resource");
  }
  if (info.target == Target::kResourceType && info.type != r.type) {
    return Deny(Reason::kWrongResourceType, cap + " applies to " + std::string(ResourceTypeName(info.type)) +
                                                "s, not to " + Describe(r));
  }
  const Relation rel = Relate(state, user, org, r);
  if (!rel.related()) {
    return Deny(Reason::kUnrelatedResource, Describe(r) + " of organisation " + Quote(r.org.value()) +
                                                " is unrelated to user " + Quote(user.id.value()) +
                                                " of organisation " + Quote(org.id.value()));
  }
  Scope granted = Scope::kNone;
  bool satisfied = false;
  for (Scope s : kScopePreference) {
    if ((held & Bit(s)) && Satisfies(s, rel, user, org, r)) {
      granted = s;
      satisfied = true;
      break;
    }
  }
  if (!satisfied) {
    std::string needs;
    for (Scope s : kScopePreference) {
      if ((held & Bit(s)) == 0) continue;
      if (!needs.empty()) needs += ", or ";
      needs += ScopeRequirement(s);
    }
    return Deny(Reason::kOutOfScope, "user " + Quote(user.id.value()) + " holds " + cap + " with scope " +
                                         ScopeList(held) + ": " + Describe(r) + " would have to " + needs);
  }
  if (capability != ViewCapabilityFor(r.type, r.status)) {
    CheckResult seen = CanSeeResource(state, user, r, now_us);
    if (!seen.allowed) {
      return Deny(Reason::kResourceNotVisible, cap + " on " + Describe(r) + " needs seeing it: " + seen.detail);
    }
  }
  return Allow(granted);
}

CheckResult Check(const AccessState& state, const UserId& user_id, std::string_view capability,
                  const ResourceId* resource_id, std::int64_t now_us) {
  const User* user = state.FindUser(user_id.value());
  if (user == nullptr) return Deny(Reason::kUnknownUser, "user " + Quote(user_id.value()) + " does not exist");
  const auto cap = ParseCapability(capability);
  if (!cap) return Deny(Reason::kUnknownCapability, "capability " + Quote(capability) + " is not in the catalogue");
  const Resource* resource = nullptr;
  if (resource_id != nullptr) {
    resource = state.FindResource(resource_id->value());
    if (resource == nullptr) {
      return Deny(Reason::kUnknownResource, "resource " + Quote(resource_id->value()) + " does not exist");
    }
  }
  return Check(state, *user, *cap, resource, now_us);
}

CheckResult CanSeeResource(const AccessState& state, const User& user, const Resource& resource,
                           std::int64_t now_us) {
  return Check(state, user, ViewCapabilityFor(resource.type, resource.status), &resource, now_us);
}

CheckResult CanSeeNote(const AccessState& state, const User& user, const Note& note, std::int64_t now_us) {
  const Resource* resource = state.FindResource(note.resource.value());
  if (resource == nullptr) {
    return Deny(Reason::kUnknownResource, "resource " + Quote(note.resource.value()) + " of note " +
                                              Quote(note.id.value()) + " does not exist");
  }
  CheckResult seen = CanSeeResource(state, user, *resource, now_us);
  if (!seen.allowed) return seen;
  const std::string what = "note " + Quote(note.id.value());
  if (note.visibility == schema::NoteVisibility::Internal) {
    return Deny(Reason::kNoteInternal, what + " is internal");
  }
  if (!note.author.value().empty()) {
    const User* author = state.FindUser(note.author.value());
    if (author != nullptr && author->org == user.org) return Allow(Scope::kNone);
  }
  const Org& org = *state.FindOrg(user.org.value());
  const bool for_clients = note.visibility == schema::NoteVisibility::Client;
  const OrgKind audience = for_clients ? OrgKind::Client : OrgKind::Contractor;
  if (org.kind != audience) {
    return Deny(Reason::kNoteNotShared, what + " is shared with " + (for_clients ? "clients" : "contractors") +
                                            ", and organisation " + Quote(org.id.value()) + " is " +
                                            (for_clients ? "a contractor" : "a client"));
  }
  const bool task = resource->type == schema::ResourceType::Task;
  return Check(state, user, task ? Capability::kTasksNotesView : Capability::kNotesSharedView, resource, now_us);
}

}  // namespace portico::domain
