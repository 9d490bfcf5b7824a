// What a user on a chart column may see and do in the walk-through's dataset, derived from the
// chart's rows (seeds_charts.h) and the meaning DESIGN.md and domain/catalogue.h give each
// scope, never from the code under test:
//
//   a resource is visible when the user holds the view capability of its type (tasks: of its
//   status) with a scope the resource satisfies;
//   org                it belongs to the user's organisation (a contractor's: or is assigned
//                      to it);
//   org_tree           as org, or it belongs to a sub-organisation;
//   contact, own       the user is its contact (and it is the user's organisation's or work);
//   assigned           the user is among its assigned users;
//   assigned_business  it is assigned to the user's business;
//   full, client_view  it belongs to the user's organisation (or is its work);
//   client_notes / contractor_notes   the user's organisation is a client / a contractor;
//   no scope           it is related to the user at all.
//   Nothing unrelated to the user (another client's, another business's work) ever is.
// A capability acting on a resource needs the resource to be visible, of the capability's
// type, and in one of the capability's scopes. A note is visible when its resource is, it is
// not internal, it is shared with the kind of organisation the user belongs to, and the user
// holds tasks.notes.view (on a task) or notes.shared.view (on anything else) on the resource.
#pragma once

#include <map>
#include <set>
#include <string>

#include "app/seeds_charts.h"
#include "app/seeds_dataset.h"

namespace portico::app_testing::seeds {

// The resource type a capability acts on: a type, "any", or "" for a feature.
inline std::string TargetOf(const std::string& capability) {
  static const std::map<std::string, std::string> targets = {
      {"tasks.notes.add", "task"},       {"tasks.assign", "task"},          {"tasks.checklists", "task"},
      {"tasks.labour.add", "task"},      {"tasks.photos.upload", "task"},   {"tasks.assets.manage", "task"},
      {"tasks.view.current", "task"},    {"tasks.view.completed", "task"},  {"tasks.view.periodic", "task"},
      {"tasks.notes.view", "task"},      {"forms.compliance", "any"},       {"quotes.view", "quote"},
      {"estimates.view", "estimate"},    {"estimates.approve", "estimate"}, {"invoices.view", "invoice"},
      {"invoices.pay", "invoice"},       {"work_orders.view", "work_order"},
      {"appointments.view", "appointment"}, {"projects.view", "project"}, {"locations.view", "location"},
      {"devices.view", "device"},        {"files.view", "file"},            {"notes.shared.view", "any"},
      {"reports.view", "report"},
  };
  const auto it = targets.find(capability);
  return it == targets.end() ? "" : it->second;
}

// The capability that shows a resource of this type and status (DESIGN.md's catalogue).
inline std::string ViewCapabilityOf(const ResourceSpec& r) {
  if (r.type == "task") return "tasks.view." + r.status;
  static const std::map<std::string, std::string> views = {
      {"quote", "quotes.view"},       {"estimate", "estimates.view"},   {"invoice", "invoices.view"},
      {"work_order", "work_orders.view"}, {"appointment", "appointments.view"},
      {"project", "projects.view"},   {"location", "locations.view"},   {"report", "reports.view"},
      {"device", "devices.view"},     {"file", "files.view"},
  };
  return views.at(r.type);
}

class Oracle {
 public:
  Oracle(const Dataset& data, const ChartColumn& column, const std::string& user_id)
      : data_(data), user_(*data.FindUser(user_id)) {
    for (const ChartCell& cell : column.cells) {
      if (cell.granted) held_[cell.capability].insert(cell.scope);
    }
  }

  // (capability, scope) pairs the chart column grants: what /v1/portal/me lists.
  std::set<std::pair<std::string, std::string>> Capabilities() const {
    std::set<std::pair<std::string, std::string>> out;
    for (const auto& [cap, scopes] : held_) {
      for (const auto& s : scopes) out.emplace(cap, s);
    }
    return out;
  }

  bool Holds(const std::string& capability) const { return held_.count(capability) != 0; }

  bool Visible(const ResourceSpec& r) const { return Allowed(ViewCapabilityOf(r), r); }

  bool Allowed(const std::string& capability, const ResourceSpec& r) const {
    const std::string target = TargetOf(capability);
    if (target.empty() || (target != "any" && target != r.type)) return false;
    const auto held = held_.find(capability);
    if (held == held_.end() || !Related(r)) return false;
    bool in_scope = false;
    for (const auto& scope : held->second) in_scope = in_scope || Satisfies(scope, r);
    if (!in_scope) return false;
    return capability == ViewCapabilityOf(r) || Visible(r);
  }

  // The reason GET /v1/check gives when the view capability is refused.
  std::string ViewDenialReason(const ResourceSpec& r) const {
    if (!Holds(ViewCapabilityOf(r))) return "capability_missing";
    if (!Related(r)) return "unrelated_resource";
    return "out_of_scope";
  }

  bool NoteVisible(const NoteSpec& n) const {
    const ResourceSpec& r = *data_.FindResource(n.resource);
    if (!Visible(r) || n.visibility == "internal") return false;
    if (n.visibility != (Contractor() ? "contractor" : "client")) return false;
    return Allowed(r.type == "task" ? "tasks.notes.view" : "notes.shared.view", r);
  }

  std::set<std::string> VisibleResources(const std::string& type = "", const std::string& status = "") const {
    std::set<std::string> out;
    for (const auto& r : data_.resources) {
      if ((type.empty() || r.type == type) && (status.empty() || r.status == status) && Visible(r)) {
        out.insert(r.id);
      }
    }
    return out;
  }

  std::set<std::string> VisibleNotes(const std::string& resource) const {
    std::set<std::string> out;
    for (const auto& n : data_.notes) {
      if (n.resource == resource && NoteVisible(n)) out.insert(n.id);
    }
    return out;
  }

 private:
  bool Contractor() const { return data_.FindOrg(user_.org)->kind == "contractor"; }

  // `org` is the user's organisation or one of its sub-organisations.
  bool InMyTree(const std::string& org) const {
    for (const OrgSpec* o = data_.FindOrg(org); o != nullptr; o = data_.FindOrg(o->parent)) {
      if (o->id == user_.org) return true;
    }
    return false;
  }
  bool Home(const ResourceSpec& r) const { return r.org == user_.org; }
  bool AssignedToMe(const ResourceSpec& r) const {
    for (const auto& u : r.assigned_users) {
      if (u == user_.id) return true;
    }
    return false;
  }
  // The resource is the user's business's work (contractors only).
  bool Work(const ResourceSpec& r) const {
    return Contractor() && (r.assigned_org == user_.org || AssignedToMe(r));
  }
  bool Related(const ResourceSpec& r) const {
    return InMyTree(r.org) || Work(r) || (Contractor() && !r.assigned_org.empty() && InMyTree(r.assigned_org));
  }

  bool Satisfies(const std::string& scope, const ResourceSpec& r) const {
    const bool mine = Home(r) || Work(r);
    if (scope == "org") return Home(r) || (Contractor() && r.assigned_org == user_.org);
    if (scope == "org_tree") return InMyTree(r.org) || (Contractor() && InMyTree(r.assigned_org));
    if (scope == "contact" || scope == "own") return mine && r.contact == user_.id;
    if (scope == "assigned") return mine && AssignedToMe(r);
    if (scope == "assigned_business") return Contractor() && r.assigned_org == user_.org;
    if (scope == "full" || scope == "client_view") return mine;
    if (scope == "client_notes") return !Contractor();
    if (scope == "contractor_notes") return Contractor();
    return scope.empty();  // a capability without scopes: related is enough
  }

  const Dataset& data_;
  const UserSpec& user_;
  std::map<std::string, std::set<std::string>> held_;
};

}  // namespace portico::app_testing::seeds
