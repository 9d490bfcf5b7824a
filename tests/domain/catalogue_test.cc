// The capability catalogue is a public contract: its names and scopes are DESIGN.md's table.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "domain/catalogue.h"

namespace portico::domain {
namespace {

// DESIGN.md, "The capability catalogue", row by row.
const std::map<std::string, std::string>& DesignTable() {
  static const std::map<std::string, std::string> table = [] {
    std::map<std::string, std::string> t;
    for (const char* c : {"tasks.create", "tasks.notes.add", "tasks.assign", "tasks.checklists", "tasks.labour.add",
                          "tasks.photos.upload", "tasks.assets.manage", "profile.view", "profile.update",
                          "users.manage", "alerts.subscribe"}) {
      t[c] = "";
    }
    for (const char* c : {"tasks.view.current", "tasks.view.completed", "tasks.view.periodic"}) {
      t[c] = "org, org_tree, contact, assigned, assigned_business";
    }
    t["tasks.notes.view"] = "client_notes, contractor_notes";
    t["forms.compliance"] = "own";
    for (const char* c : {"quotes.view", "estimates.view", "estimates.approve", "invoices.view", "invoices.pay",
                          "statement.view", "work_orders.view", "work_requests.submit", "appointments.view",
                          "projects.view", "locations.view", "devices.view", "files.view", "notes.shared.view"}) {
      t[c] = "org, org_tree";
    }
    t["reports.view"] = "full, client_view";
    return t;
  }();
  return table;
}

TEST(Catalogue, MatchesTheDesignTableExactly) {
  std::map<std::string, std::string> ours;
  for (const CapabilityInfo& info : Catalogue()) ours[std::string(info.name)] = ScopeList(info.scopes);
  EXPECT_EQ(ours, DesignTable());
  EXPECT_EQ(Catalogue().size(), DesignTable().size());
}

TEST(Catalogue, NamesParseBack) {
  for (const CapabilityInfo& info : Catalogue()) {
    ASSERT_TRUE(ParseCapability(info.name).has_value()) << info.name;
    EXPECT_EQ(*ParseCapability(info.name), info.id);
  }
  EXPECT_FALSE(ParseCapability("tasks.delete").has_value());
  EXPECT_FALSE(ParseCapability("").has_value());
}

TEST(Catalogue, ReadsAndWrites) {
  const std::set<std::string> writes = {"tasks.create",        "tasks.notes.add",   "tasks.assign",
                                        "tasks.checklists",    "tasks.labour.add",  "tasks.photos.upload",
                                        "tasks.assets.manage", "forms.compliance",  "estimates.approve",
                                        "invoices.pay",        "work_requests.submit", "profile.update",
                                        "users.manage",        "alerts.subscribe"};
  for (const CapabilityInfo& info : Catalogue()) {
    EXPECT_EQ(info.write, writes.count(std::string(info.name)) == 1) << info.name;
  }
}

TEST(Catalogue, ScopeDefaultsToOrgWhereScopesExist) {
  EXPECT_EQ(*ResolveScope(Capability::kQuotesView, ""), Scope::kOrg);
  EXPECT_EQ(*ResolveScope(Capability::kTasksViewCurrent, ""), Scope::kOrg);
  EXPECT_EQ(*ResolveScope(Capability::kTasksCreate, ""), Scope::kNone);
  EXPECT_EQ(*ResolveScope(Capability::kTasksViewCurrent, "assigned_business"), Scope::kAssignedBusiness);
}

TEST(Catalogue, ScopeRejections) {
  auto r = ResolveScope(Capability::kTasksCreate, "org");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "capability 'tasks.create' takes no scope, got 'org'");
  r = ResolveScope(Capability::kQuotesView, "contact");
  EXPECT_EQ(r.status().message(), "scope 'contact' is not allowed for capability 'quotes.view' (allowed: org, org_tree)");
  r = ResolveScope(Capability::kReportsView, "");
  EXPECT_EQ(r.status().message(), "capability 'reports.view' needs a scope: one of full, client_view");
  r = ResolveScope(Capability::kTasksNotesView, "everything");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(Catalogue, ViewCapabilityPerResourceType) {
  using schema::ResourceStatus;
  using schema::ResourceType;
  EXPECT_EQ(ViewCapabilityFor(ResourceType::Task, ResourceStatus::Current), Capability::kTasksViewCurrent);
  EXPECT_EQ(ViewCapabilityFor(ResourceType::Task, ResourceStatus::Completed), Capability::kTasksViewCompleted);
  EXPECT_EQ(ViewCapabilityFor(ResourceType::Task, ResourceStatus::Periodic), Capability::kTasksViewPeriodic);
  const std::map<ResourceType, std::string> expected = {
      {ResourceType::Quote, "quotes.view"},           {ResourceType::Estimate, "estimates.view"},
      {ResourceType::Invoice, "invoices.view"},       {ResourceType::WorkOrder, "work_orders.view"},
      {ResourceType::Appointment, "appointments.view"}, {ResourceType::Project, "projects.view"},
      {ResourceType::Location, "locations.view"},     {ResourceType::Report, "reports.view"},
      {ResourceType::Device, "devices.view"},         {ResourceType::File, "files.view"},
  };
  for (const auto& [type, cap] : expected) {
    EXPECT_EQ(CapabilityName(ViewCapabilityFor(type, ResourceStatus::Current)), cap);
    // Every view capability is a read and applies to its own type.
    const CapabilityInfo& info = Info(ViewCapabilityFor(type, ResourceStatus::Current));
    EXPECT_FALSE(info.write);
    EXPECT_EQ(info.type, type);
  }
}

TEST(Catalogue, ResourceTypeNames) {
  for (const char* name : {"task", "quote", "estimate", "invoice", "work_order", "appointment", "project",
                           "location", "report", "device", "file"}) {
    const auto type = ParseResourceType(name);
    ASSERT_TRUE(type.has_value()) << name;
    EXPECT_EQ(ResourceTypeName(*type), name);
  }
  EXPECT_FALSE(ParseResourceType("form").has_value());
  EXPECT_EQ(*ParseResourceStatus("periodic"), schema::ResourceStatus::Periodic);
}

}  // namespace
}  // namespace portico::domain
