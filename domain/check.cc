#include "domain/check.h"

#include <array>
#include <bit>
#include <charconv>
#include <initializer_list>

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

// Most checks on a large model are denials, so the detail text is built in one allocation:
// the parts are concatenated into a string reserved to their total size (no temporaries).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (std::string_view p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (std::string_view p : parts) out.append(p);
  return out;
}

// A number as text without a heap allocation; valid while this object lives.
class Num {
 public:
  explicit Num(std::int64_t v) : end_(std::to_chars(buf_.data(), buf_.data() + buf_.size(), v).ptr) {}
  operator std::string_view() const { return {buf_.data(), static_cast<std::size_t>(end_ - buf_.data())}; }

 private:
  std::array<char, 24> buf_{};
  char* end_;
};

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
  r.detail = "allowed";  // short enough for the small-string buffer: no allocation
  return r;
}

// "task 'id'" for messages, as the parts of a Cat.
#define PORTICO_DESCRIBE(r) ResourceTypeName((r).type), " '", (r).id.value(), "'"

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

std::string_view ScopeRequirement(Scope scope) {
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

// What steps 1-3 found out about an active user, so that the rest of the check (and a nested
// CanSeeResource) need not look the organisation up by its id again.
struct ActiveUser {
  const Org* org = nullptr;
  AccessMode mode = AccessMode::Disabled;  // the organisation's effective mode
  const Org* blocking = nullptr;           // the org that imposes it
};

// Steps 1-3: allowed (and `active` filled in) when the user may use the portal now. `org` is
// state.FindOrg(user.org.value()).
CheckResult GateUser(const AccessState& state, const User& user, const Org* org, std::int64_t now_us,
                     ActiveUser& active) {
  if (!state.settings.portal_enabled) return Deny(Reason::kPortalDisabled, "the portal is disabled for everyone");
  const std::string_view id = user.id.value();
  if (user.archived) return Deny(Reason::kUserArchived, Cat({"user '", id, "' is archived"}));
  if (user.type == schema::UserType::Passive) {
    return Deny(Reason::kUserPassive, Cat({"user '", id, "' is passive and never logs in"}));
  }
  if (!user.login_enabled) return Deny(Reason::kLoginDisabled, Cat({"user '", id, "' may not log in"}));
  if (now_us < user.locked_until_us) {
    return Deny(Reason::kUserLockedOut, Cat({"user '", id, "' is locked out until ", Num(user.locked_until_us), " us"}));
  }
  if (org == nullptr) {
    return Deny(Reason::kOrgAccessDisabled, Cat({"organisation '", user.org.value(), "' does not exist"}));
  }
  active.org = org;
  active.mode = state.EffectiveMode(*org, &active.blocking);
  if (active.mode == AccessMode::Disabled) {
    const std::string_view blocking = active.blocking->id.value();
    if (active.blocking == org) {
      return Deny(Reason::kOrgAccessDisabled, Cat({"organisation '", blocking, "' has portal access disabled"}));
    }
    return Deny(Reason::kOrgAccessDisabled, Cat({"organisation '", blocking, "' has portal access disabled (parent of '",
                                                 org->id.value(), "')"}));
  }
  return Allow(Scope::kNone);
}

// The scopes the user holds `c` with: EffectiveCapabilities(state, user, now_us).Scopes(c),
// without building the whole set.
ScopeMask HeldScopes(const AccessState& state, const User& user, Capability c, std::int64_t now_us) {
  ScopeMask held = 0;
  if (!user.IsRevoked(c)) {
    if (const Level* level = state.FindLevel(user.level.value())) held = level->capabilities.Scopes(c);
  }
  for (const Grant& g : user.grants) {
    if (g.capability == c && (g.expires_at_us == 0 || now_us < g.expires_at_us)) held |= Bit(g.scope);
  }
  return held;
}

// Steps 4-8 for a user that passed steps 1-3.
CheckResult CheckActive(const AccessState& state, const User& user, const ActiveUser& active, Capability capability,
                        const Resource* resource, std::int64_t now_us) {
  const CapabilityInfo& info = Info(capability);
  const std::string_view cap = info.name;
  const Org& org = *active.org;

  if (info.write && active.mode == AccessMode::Restricted) {
    return Deny(Reason::kOrgRestricted, Cat({"organisation '", active.blocking->id.value(),
                                             "' is restricted (read-only) and '", cap, "' writes"}));
  }

  const ScopeMask held = HeldScopes(state, user, capability, now_us);
  if (held == 0) {
    const std::string_view id = user.id.value();
    if (user.IsRevoked(capability)) {
      return Deny(Reason::kCapabilityRevoked, Cat({"'", cap, "' is revoked for user '", id, "'"}));
    }
    for (const Grant& g : user.grants) {
      if (g.capability == capability) {
        return Deny(Reason::kGrantExpired, Cat({"the grant of '", cap, "' to user '", id, "' expired at ",
                                                Num(g.expires_at_us), " us"}));
      }
    }
    return Deny(Reason::kCapabilityMissing, Cat({"level '", user.level.value(), "' of user '", id,
                                                 "' does not include '", cap, "'"}));
  }

  if (resource == nullptr) return Allow(Broadest(held));
  const Resource& r = *resource;
  if (info.target == Target::kFeature) {
    return Deny(Reason::kNotAResourceCapability, Cat({"'", cap, "' does not apply to a resource"}));
  }
  if (info.target == Target::kResourceType && info.type != r.type) {
    return Deny(Reason::kWrongResourceType, Cat({"'", cap, "' applies to ", ResourceTypeName(info.type), "s, not to ",
                                                 PORTICO_DESCRIBE(r)}));
  }
  const Relation rel = Relate(state, user, org, r);
  if (!rel.related()) {
    return Deny(Reason::kUnrelatedResource, Cat({PORTICO_DESCRIBE(r), " of organisation '", r.org.value(),
                                                 "' is unrelated to user '", user.id.value(), "' of organisation '",
                                                 org.id.value(), "'"}));
  }
  for (Scope s : kScopePreference) {
    if ((held & Bit(s)) && Satisfies(s, rel, user, org, r)) {
      if (capability != ViewCapabilityFor(r.type, r.status)) {
        // Step 8: the view check of the same user at the same time passes steps 1-3 as this
        // one did, so it starts at step 4 with what they found.
        CheckResult seen = CheckActive(state, user, active, ViewCapabilityFor(r.type, r.status), &r, now_us);
        if (!seen.allowed) {
          return Deny(Reason::kResourceNotVisible, Cat({"'", cap, "' on ", PORTICO_DESCRIBE(r),
                                                        " needs seeing it: ", seen.detail}));
        }
      }
      return Allow(s);
    }
  }
  std::string needs;
  for (Scope s : kScopePreference) {
    if ((held & Bit(s)) == 0) continue;
    if (!needs.empty()) needs += ", or ";
    needs += ScopeRequirement(s);
  }
  return Deny(Reason::kOutOfScope, Cat({"user '", user.id.value(), "' holds '", cap, "' with scope ", ScopeList(held),
                                        ": ", PORTICO_DESCRIBE(r), " would have to ", needs}));
}

#undef PORTICO_DESCRIBE

}  // namespace

std::string_view ReasonName(Reason reason) { return kReasonNames[static_cast<std::size_t>(reason)]; }

CapabilitySet EffectiveCapabilities(const AccessState& state, const User& user, std::int64_t now_us) {
  CapabilitySet caps;
  if (const Level* level = state.FindLevel(user.level.value())) caps = level->capabilities;
  // Only the revoked bits, lowest first (most users have none).
  for (std::uint32_t bits = user.revoked; bits != 0; bits &= bits - 1) {
    caps.Remove(static_cast<Capability>(std::countr_zero(bits)));
  }
  for (const Grant& g : user.grants) {
    if (g.expires_at_us == 0 || now_us < g.expires_at_us) caps.Add(g.capability, g.scope);
  }
  return caps;
}

CheckResult CheckUserActive(const AccessState& state, const User& user, std::int64_t now_us) {
  ActiveUser active;
  return GateUser(state, user, state.FindOrg(user.org.value()), now_us, active);
}

CheckResult Check(const AccessState& state, const User& user, const Org* org, Capability capability,
                  const Resource* resource, std::int64_t now_us) {
  ActiveUser active;
  CheckResult gate = GateUser(state, user, org, now_us, active);
  if (!gate.allowed) return gate;
  return CheckActive(state, user, active, capability, resource, now_us);
}

CheckResult Check(const AccessState& state, const User& user, Capability capability,
                  const Resource* resource, std::int64_t now_us) {
  return Check(state, user, state.FindOrg(user.org.value()), capability, resource, now_us);
}

CheckResult Check(const AccessState& state, const UserId& user_id, std::string_view capability,
                  const ResourceId* resource_id, std::int64_t now_us) {
  const User* user = state.FindUser(user_id.value());
  if (user == nullptr) return Deny(Reason::kUnknownUser, Cat({"user '", user_id.value(), "' does not exist"}));
  const auto cap = ParseCapability(capability);
  if (!cap) return Deny(Reason::kUnknownCapability, Cat({"capability '", capability, "' is not in the catalogue"}));
  const Resource* resource = nullptr;
  if (resource_id != nullptr) {
    resource = state.FindResource(resource_id->value());
    if (resource == nullptr) {
      return Deny(Reason::kUnknownResource, Cat({"resource '", resource_id->value(), "' does not exist"}));
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
    return Deny(Reason::kUnknownResource, Cat({"resource '", note.resource.value(), "' of note '", note.id.value(),
                                               "' does not exist"}));
  }
  ActiveUser active;
  CheckResult seen = GateUser(state, user, state.FindOrg(user.org.value()), now_us, active);
  if (seen.allowed) seen = CheckActive(state, user, active, ViewCapabilityFor(resource->type, resource->status),
                                       resource, now_us);
  if (!seen.allowed) return seen;
  const std::string_view id = note.id.value();
  if (note.visibility == schema::NoteVisibility::Internal) {
    return Deny(Reason::kNoteInternal, Cat({"note '", id, "' is internal"}));
  }
  if (!note.author.value().empty()) {
    const User* author = state.FindUser(note.author.value());
    if (author != nullptr && author->org == user.org) return Allow(Scope::kNone);
  }
  const Org& org = *active.org;
  const bool for_clients = note.visibility == schema::NoteVisibility::Client;
  const OrgKind audience = for_clients ? OrgKind::Client : OrgKind::Contractor;
  if (org.kind != audience) {
    return Deny(Reason::kNoteNotShared, Cat({"note '", id, "' is shared with ", for_clients ? "clients" : "contractors",
                                             ", and organisation '", org.id.value(), "' is ",
                                             for_clients ? "a contractor" : "a client"}));
  }
  const bool task = resource->type == schema::ResourceType::Task;
  return CheckActive(state, user, active, task ? Capability::kTasksNotesView : Capability::kNotesSharedView, resource,
                     now_us);
}

}  // namespace portico::domain
