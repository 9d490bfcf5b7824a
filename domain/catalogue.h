// The capability catalogue: the public contract of what a portal user can do (DESIGN.md).
//
// Grants name capabilities and levels list them, by the names below; a capability is held
// with one or more scopes. The catalogue says, for each capability:
//   - its name and the scopes it may carry. A capability listed without a scope where scopes
//     exist means `org`; where `org` is not among its scopes (tasks.notes.view, forms.compliance,
//     reports.view) the scope must be named;
//   - whether it only reads (allowed in a *restricted* organisation) or writes;
//   - what it applies to: nothing (a feature, e.g. tasks.create), any resource, or resources of
//     one type (e.g. invoices.pay applies to invoices).
//
// Scopes, as the access check (domain/check.h) reads them against a resource R and user U:
//   org                R belongs to U's organisation (for a contractor organisation: or is
//                      assigned to it)
//   org_tree           as org, or R belongs to a sub-organisation of U's organisation
//   contact            U is R's contact ("task contact only", AroFlo)
//   assigned           U is one of R's assigned users
//   assigned_business  R is assigned to U's organisation (a contractor business)
//   own                U is R's contact: the user's own forms (forms.compliance)
//   client_notes       client-visible notes (tasks.notes.view), for client organisations
//   contractor_notes   contractor-visible notes (tasks.notes.view), for contractors
//   full, client_view  how much of a report the user sees (reports.view)
// All functions are pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "schemas/events_generated.h"

namespace portico::domain {

enum class Capability : std::uint8_t {
  kTasksCreate,
  kTasksNotesAdd,
  kTasksAssign,
  kTasksChecklists,
  kTasksLabourAdd,
  kTasksPhotosUpload,
  kTasksAssetsManage,
  kTasksViewCurrent,
  kTasksViewCompleted,
  kTasksViewPeriodic,
  kTasksNotesView,
  kFormsCompliance,
  kQuotesView,
  kEstimatesView,
  kEstimatesApprove,
  kInvoicesView,
  kInvoicesPay,
  kStatementView,
  kWorkOrdersView,
  kWorkRequestsSubmit,
  kAppointmentsView,
  kProjectsView,
  kLocationsView,
  kDevicesView,
  kFilesView,
  kNotesSharedView,
  kReportsView,
  kProfileView,
  kProfileUpdate,
  kUsersManage,
  kAlertsSubscribe,
};
inline constexpr std::size_t kCapabilityCount = 31;

// kNone is the scope of a capability that has no scopes.
enum class Scope : std::uint8_t {
  kNone,
  kOrg,
  kOrgTree,
  kContact,
  kAssigned,
  kAssignedBusiness,
  kOwn,
  kClientNotes,
  kContractorNotes,
  kFull,
  kClientView,
};
inline constexpr std::size_t kScopeCount = 11;

// A set of scopes, one bit per Scope.
using ScopeMask = std::uint16_t;
constexpr ScopeMask Bit(Scope s) { return static_cast<ScopeMask>(1u << static_cast<unsigned>(s)); }

// What a capability is exercised on.
enum class Target : std::uint8_t {
  kFeature,       // no resource (tasks.create, profile.view...)
  kAnyResource,   // a resource of any type (notes.shared.view, forms.compliance)
  kResourceType,  // a resource of CapabilityInfo::type
};

struct CapabilityInfo {
  Capability id;
  std::string_view name;
  ScopeMask scopes;  // allowed scopes; Bit(kNone) alone for a capability without scopes
  bool write;        // false: read-only, still allowed in a restricted organisation
  Target target;
  schema::ResourceType type;  // meaningful when target == kResourceType
};

// Every capability, in enum order.
const std::array<CapabilityInfo, kCapabilityCount>& Catalogue();
const CapabilityInfo& Info(Capability c);
inline std::string_view CapabilityName(Capability c) { return Info(c).name; }
std::optional<Capability> ParseCapability(std::string_view name);

std::string_view ScopeName(Scope s);  // "" for kNone
std::optional<Scope> ParseScope(std::string_view name);  // "" is not a scope name here

// The scope a level entry or grant stands for: "" means kNone for a capability without
// scopes and kOrg where org is allowed. InvalidArgument names the capability and its scopes
// when the scope is unknown, not allowed for it, or required.
Result<Scope> ResolveScope(Capability c, std::string_view scope);

// "org, org_tree, contact" for messages.
std::string ScopeList(ScopeMask mask);

// The capability that lets a user see a resource of this type (tasks by their status).
Capability ViewCapabilityFor(schema::ResourceType type, schema::ResourceStatus status);

// "task", "work_order"...; ParseResourceType is its inverse.
std::string_view ResourceTypeName(schema::ResourceType type);
std::optional<schema::ResourceType> ParseResourceType(std::string_view name);
std::string_view ResourceStatusName(schema::ResourceStatus status);
std::optional<schema::ResourceStatus> ParseResourceStatus(std::string_view name);

}  // namespace portico::domain
