// The access check: may user U perform capability C (on resource R)? Every "no" says why.
//
// The rule (DESIGN.md), in the order it is evaluated (the first failure is the reason):
//   1. the portal is on for everyone;                                   kPortalDisabled
//   2. U is unarchived, active or contractor (never passive), allowed
//      to log in and not locked out (now < locked_until);                kUserArchived, kUserPassive,
//                                                                         kLoginDisabled, kUserLockedOut
//   3. U's organisation has access enabled, or restricted and C only
//      reads; an organisation is only as open as its ancestors;          kOrgAccessDisabled, kOrgRestricted
//   4. C is in U's level plus its unexpired grants, minus revocations;   kCapabilityRevoked, kGrantExpired,
//                                                                         kCapabilityMissing
//   5. with a resource R: C applies to R's type;                          kNotAResourceCapability,
//                                                                         kWrongResourceType
//   6. R is related to U: it belongs to U's organisation or a sub-
//      organisation of it; for a contractor organisation, also when R is
//      assigned to it (or a sub-organisation) or U is among R's assigned
//      users. A user is never allowed a resource unrelated to it;       kUnrelatedResource
//   7. R satisfies one of the scopes U holds C with (domain/catalogue.h:
//      org, org_tree, contact, assigned, assigned_business, own, notes,
//      reports);                                                          kOutOfScope
//   8. acting on R (any C other than R's own view capability) needs U to
//      see R (CanSeeResource).                                            kResourceNotVisible
// Without a resource, steps 5-8 are skipped: "may U use C at all?".
//
// must_reset_password does not enter the check: the gateway makes the user change it first.
// All functions are pure; `now_us` is the time of the question.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/ids.h"
#include "domain/level.h"
#include "domain/state.h"

namespace portico::domain {

enum class Reason : std::uint8_t {
  kAllowed,
  kUnknownUser,
  kUnknownCapability,
  kUnknownResource,
  kPortalDisabled,
  kUserArchived,
  kUserPassive,
  kLoginDisabled,
  kUserLockedOut,
  kOrgAccessDisabled,
  kOrgRestricted,
  kCapabilityRevoked,
  kGrantExpired,
  kCapabilityMissing,
  kNotAResourceCapability,
  kWrongResourceType,
  kUnrelatedResource,
  kOutOfScope,
  kResourceNotVisible,
  kNoteInternal,
  kNoteNotShared,
};

// "portal_disabled", "out_of_scope"...: a stable name for the API.
std::string_view ReasonName(Reason reason);

struct CheckResult {
  bool allowed = false;
  Reason reason = Reason::kAllowed;
  std::string detail;         // human text naming the rule, e.g. "organisation 'acme' is restricted (read-only)"
  Scope scope = Scope::kNone;  // when allowed: the scope that allowed it (the broadest held)

  explicit operator bool() const { return allowed; }
};

// The check by ids, as GET /v1/check asks it; `resource` may be nullptr.
CheckResult Check(const AccessState& state, const UserId& user, std::string_view capability,
                  const ResourceId* resource, std::int64_t now_us);

// The check on resolved entities; `resource` may be nullptr.
CheckResult Check(const AccessState& state, const User& user, Capability capability,
                  const Resource* resource, std::int64_t now_us);

// The same check with the user's organisation at hand: `org` must be
// state.FindOrg(user.org.value()) (nullptr when there is none). For read models that keep
// their own index of organisations, so that the check need not find it by its id again.
CheckResult Check(const AccessState& state, const User& user, const Org* org, Capability capability,
                  const Resource* resource, std::int64_t now_us);

// Steps 1-3 for a read: may this user use the portal at all right now?
CheckResult CheckUserActive(const AccessState& state, const User& user, std::int64_t now_us);

// May the user see the resource: the check of its type's view capability
// (ViewCapabilityFor: tasks by status).
CheckResult CanSeeResource(const AccessState& state, const User& user, const Resource& resource,
                           std::int64_t now_us);

// May the user see the note. Never an internal note. Otherwise the user must see the note's
// resource, and either belong to the organisation of the portal user who wrote the note, or:
//   - a client note: be in a client organisation and hold, on the resource, tasks.notes.view
//     with scope client_notes (for a task) or notes.shared.view (other resources);
//   - a contractor note: the same for contractor organisations and scope contractor_notes.
CheckResult CanSeeNote(const AccessState& state, const User& user, const Note& note,
                       std::int64_t now_us);

// U's level (minus revocations) plus its unexpired grants, with their scopes: what
// GET /v1/users/{id} and /v1/portal/me list. It ignores the gates of steps 1-3.
CapabilitySet EffectiveCapabilities(const AccessState& state, const User& user, std::int64_t now_us);

}  // namespace portico::domain
