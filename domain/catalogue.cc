#include "domain/catalogue.h"

#include <string>
#include <unordered_map>

namespace portico::domain {
namespace {

using schema::ResourceType;
using C = Capability;
using S = Scope;

constexpr ScopeMask kNoScope = Bit(S::kNone);
constexpr ScopeMask kTaskViewScopes =
    Bit(S::kOrg) | Bit(S::kOrgTree) | Bit(S::kContact) | Bit(S::kAssigned) | Bit(S::kAssignedBusiness);
constexpr ScopeMask kOrgScopes = Bit(S::kOrg) | Bit(S::kOrgTree);
constexpr ScopeMask kNoteScopes = Bit(S::kClientNotes) | Bit(S::kContractorNotes);
constexpr ScopeMask kReportScopes = Bit(S::kFull) | Bit(S::kClientView);

constexpr bool kRead = false;
constexpr bool kWrite = true;

// The table of DESIGN.md. Reads: view/statement/profile.view and the like; writes:
// create/add/assign/approve/pay/submit/update/upload/manage, and checklists, compliance forms
// and alert subscriptions, which record something.
constexpr std::array<CapabilityInfo, kCapabilityCount> kCatalogue = {{
    {C::kTasksCreate, "tasks.create", kNoScope, kWrite, Target::kFeature, ResourceType::Task},
    {C::kTasksNotesAdd, "tasks.notes.add", kNoScope, kWrite, Target::kResourceType, ResourceType::Task},
    {C::kTasksAssign, "tasks.assign", kNoScope, kWrite, Target::kResourceType, ResourceType::Task},
    {C::kTasksChecklists, "tasks.checklists", kNoScope, kWrite, Target::kResourceType, ResourceType::Task},
    {C::kTasksLabourAdd, "tasks.labour.add", kNoScope, kWrite, Target::kResourceType, ResourceType::Task},
    {C::kTasksPhotosUpload, "tasks.photos.upload", kNoScope, kWrite, Target::kResourceType, ResourceType::Task},
    {C::kTasksAssetsManage, "tasks.assets.manage", kNoScope, kWrite, Target::kResourceType, ResourceType::Task},
    {C::kTasksViewCurrent, "tasks.view.current", kTaskViewScopes, kRead, Target::kResourceType, ResourceType::Task},
    {C::kTasksViewCompleted, "tasks.view.completed", kTaskViewScopes, kRead, Target::kResourceType, ResourceType::Task},
    {C::kTasksViewPeriodic, "tasks.view.periodic", kTaskViewScopes, kRead, Target::kResourceType, ResourceType::Task},
    {C::kTasksNotesView, "tasks.notes.view", kNoteScopes, kRead, Target::kResourceType, ResourceType::Task},
    {C::kFormsCompliance, "forms.compliance", Bit(S::kOwn), kWrite, Target::kAnyResource, ResourceType::Task},
    {C::kQuotesView, "quotes.view", kOrgScopes, kRead, Target::kResourceType, ResourceType::Quote},
    {C::kEstimatesView, "estimates.view", kOrgScopes, kRead, Target::kResourceType, ResourceType::Estimate},
    {C::kEstimatesApprove, "estimates.approve", kOrgScopes, kWrite, Target::kResourceType, ResourceType::Estimate},
    {C::kInvoicesView, "invoices.view", kOrgScopes, kRead, Target::kResourceType, ResourceType::Invoice},
    {C::kInvoicesPay, "invoices.pay", kOrgScopes, kWrite, Target::kResourceType, ResourceType::Invoice},
    {C::kStatementView, "statement.view", kOrgScopes, kRead, Target::kFeature, ResourceType::Task},
    {C::kWorkOrdersView, "work_orders.view", kOrgScopes, kRead, Target::kResourceType, ResourceType::WorkOrder},
    {C::kWorkRequestsSubmit, "work_requests.submit", kOrgScopes, kWrite, Target::kFeature, ResourceType::Task},
    {C::kAppointmentsView, "appointments.view", kOrgScopes, kRead, Target::kResourceType, ResourceType::Appointment},
    {C::kProjectsView, "projects.view", kOrgScopes, kRead, Target::kResourceType, ResourceType::Project},
    {C::kLocationsView, "locations.view", kOrgScopes, kRead, Target::kResourceType, ResourceType::Location},
    {C::kDevicesView, "devices.view", kOrgScopes, kRead, Target::kResourceType, ResourceType::Device},
    {C::kFilesView, "files.view", kOrgScopes, kRead, Target::kResourceType, ResourceType::File},
    {C::kNotesSharedView, "notes.shared.view", kOrgScopes, kRead, Target::kAnyResource, ResourceType::Task},
    {C::kReportsView, "reports.view", kReportScopes, kRead, Target::kResourceType, ResourceType::Report},
    {C::kProfileView, "profile.view", kNoScope, kRead, Target::kFeature, ResourceType::Task},
    {C::kProfileUpdate, "profile.update", kNoScope, kWrite, Target::kFeature, ResourceType::Task},
    {C::kUsersManage, "users.manage", kNoScope, kWrite, Target::kFeature, ResourceType::Task},
    {C::kAlertsSubscribe, "alerts.subscribe", kNoScope, kWrite, Target::kFeature, ResourceType::Task},
}};

constexpr bool CatalogueIsInEnumOrder() {
  for (std::size_t i = 0; i < kCatalogue.size(); ++i) {
    if (static_cast<std::size_t>(kCatalogue[i].id) != i) return false;
  }
  return true;
}
static_assert(CatalogueIsInEnumOrder(), "kCatalogue must list capabilities in enum order");

constexpr std::array<std::string_view, kScopeCount> kScopeNames = {
    "", "org", "org_tree", "contact", "assigned", "assigned_business", "own", "client_notes",
    "contractor_notes", "full", "client_view"};

struct NamedType {
  ResourceType type;
  std::string_view name;
};
constexpr std::array<NamedType, 11> kResourceTypes = {{
    {ResourceType::Task, "task"},
    {ResourceType::Quote, "quote"},
    {ResourceType::Estimate, "estimate"},
    {ResourceType::Invoice, "invoice"},
    {ResourceType::WorkOrder, "work_order"},
    {ResourceType::Appointment, "appointment"},
    {ResourceType::Project, "project"},
    {ResourceType::Location, "location"},
    {ResourceType::Report, "report"},
    {ResourceType::Device, "device"},
    {ResourceType::File, "file"},
}};

constexpr std::array<std::string_view, 3> kStatusNames = {"current", "completed", "periodic"};

}  // namespace

const std::array<CapabilityInfo, kCapabilityCount>& Catalogue() { return kCatalogue; }

const CapabilityInfo& Info(Capability c) { return kCatalogue[static_cast<std::size_t>(c)]; }

std::optional<Capability> ParseCapability(std::string_view name) {
  // On the path of every check by ids: by hash rather than 31 string comparisons.
  static const std::unordered_map<std::string_view, Capability> by_name = [] {
    std::unordered_map<std::string_view, Capability> map;
    for (const auto& info : kCatalogue) map.emplace(info.name, info.id);
    return map;
  }();
  const auto it = by_name.find(name);
  if (it == by_name.end()) return std::nullopt;
  return it->second;
}

std::string_view ScopeName(Scope s) { return kScopeNames[static_cast<std::size_t>(s)]; }

std::optional<Scope> ParseScope(std::string_view name) {
  for (std::size_t i = 1; i < kScopeNames.size(); ++i) {
    if (kScopeNames[i] == name) return static_cast<Scope>(i);
  }
  return std::nullopt;
}

std::string ScopeList(ScopeMask mask) {
  std::string out;
  for (std::size_t i = 1; i < kScopeCount; ++i) {
    if ((mask & Bit(static_cast<Scope>(i))) == 0) continue;
    if (!out.empty()) out += ", ";
    out += kScopeNames[i];
  }
  return out;
}

Result<Scope> ResolveScope(Capability c, std::string_view scope) {
  const CapabilityInfo& info = Info(c);
  const std::string cap(info.name);
  if (info.scopes == Bit(Scope::kNone)) {
    if (scope.empty()) return Scope::kNone;
    return Status::InvalidArgument("capability '" + cap + "' takes no scope, got '" +
                                   std::string(scope) + "'");
  }
  if (scope.empty()) {
    if (info.scopes & Bit(Scope::kOrg)) return Scope::kOrg;
    return Status::InvalidArgument("capability '" + cap + "' needs a scope: one of " +
                                   ScopeList(info.scopes));
  }
  const auto parsed = ParseScope(scope);
  if (!parsed || (info.scopes & Bit(*parsed)) == 0) {
    return Status::InvalidArgument("scope '" + std::string(scope) + "' is not allowed for capability '" +
                                   cap + "' (allowed: " + ScopeList(info.scopes) + ")");
  }
  return *parsed;
}

Capability ViewCapabilityFor(ResourceType type, schema::ResourceStatus status) {
  switch (type) {
    case ResourceType::Task:
      switch (status) {
        case schema::ResourceStatus::Completed: return C::kTasksViewCompleted;
        case schema::ResourceStatus::Periodic: return C::kTasksViewPeriodic;
        case schema::ResourceStatus::Current: break;
      }
      return C::kTasksViewCurrent;
    case ResourceType::Quote: return C::kQuotesView;
    case ResourceType::Estimate: return C::kEstimatesView;
    case ResourceType::Invoice: return C::kInvoicesView;
    case ResourceType::WorkOrder: return C::kWorkOrdersView;
    case ResourceType::Appointment: return C::kAppointmentsView;
    case ResourceType::Project: return C::kProjectsView;
    case ResourceType::Location: return C::kLocationsView;
    case ResourceType::Report: return C::kReportsView;
    case ResourceType::Device: return C::kDevicesView;
    case ResourceType::File: return C::kFilesView;
  }
  return C::kFilesView;  // unreachable for a verified enum value
}

std::string_view ResourceTypeName(ResourceType type) {
  for (const auto& t : kResourceTypes) {
    if (t.type == type) return t.name;
  }
  return "unknown";
}

std::optional<ResourceType> ParseResourceType(std::string_view name) {
  for (const auto& t : kResourceTypes) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

std::string_view ResourceStatusName(schema::ResourceStatus status) {
  const auto i = static_cast<std::size_t>(status);
  return i < kStatusNames.size() ? kStatusNames[i] : "unknown";
}

std::optional<schema::ResourceStatus> ParseResourceStatus(std::string_view name) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<schema::ResourceStatus>(i);
  }
  return std::nullopt;
}

}  // namespace portico::domain
