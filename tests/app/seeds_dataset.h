// The walk-through's dataset: a provider's clients and contractors, built through the staff
// routes of a RunningSystem exactly as the provider's own systems would.
//
//   acme        client, with the sub-organisation acme-north; users on every client preset
//   acme-north  client, parent acme
//   globex      a second client, whose data no user of acme or sparkies may ever see
//   sparkies    contractor business working for acme; users on both contractor presets
//   volt        another contractor business (its tasks are not sparkies' work)
//
// Resources: every type in every status (current, completed, periodic). Tasks come in
// variants chosen so that each scope makes a difference (who is the contact, which users and
// which business they are assigned to); the other types carry contacts and assignments too,
// as traps for levels that must not see them whatever their attributes. Every resource has a
// note of each visibility, and a few notes change visibility after being shared. Some
// resources are re-sent with other attributes (first_sent) and two users change level.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "app/running_system.h"

namespace portico::app_testing::seeds {

struct OrgSpec {
  std::string id;
  std::string kind;    // client | contractor
  std::string parent;  // "" for none
};

struct UserSpec {
  std::string id;
  std::string org;
  std::string level;
  std::string type;                // active | contractor
  std::string created_on = "";     // when not "", the level it was created on, changed since
};

struct ResourceSpec {
  std::string id;
  std::string type;    // task, quote, ...
  std::string org;
  std::string status;  // current | completed | periodic
  std::string contact;
  std::vector<std::string> assigned_users;
  std::string assigned_org;
  std::string title() const { return "Resource " + id; }
};

struct NoteSpec {
  std::string id;
  std::string resource;
  std::string visibility;          // the final one
  std::string shared_as = "";      // when not "", the visibility it was first shared with
};

inline const std::vector<std::string>& ResourceTypes() {
  static const std::vector<std::string> types = {"task",        "quote",   "estimate", "invoice",
                                                 "work_order",  "appointment", "project",  "location",
                                                 "report",      "device",  "file"};
  return types;
}
inline const std::vector<std::string>& Statuses() {
  static const std::vector<std::string> statuses = {"current", "completed", "periodic"};
  return statuses;
}
inline const std::vector<std::string>& Visibilities() {
  static const std::vector<std::string> v = {"internal", "client", "contractor"};
  return v;
}

struct Dataset {
  std::vector<OrgSpec> orgs;
  std::vector<UserSpec> users;
  std::vector<ResourceSpec> resources;  // as they are in the end
  std::vector<NoteSpec> notes;
  // Resources the provider's system sent once before their final version in `resources`
  // (moved to another organisation, reassigned, closed, retyped). Their notes are shared
  // between the two versions: they must follow the resource.
  std::vector<ResourceSpec> first_sent;

  const OrgSpec* FindOrg(const std::string& id) const {
    for (const auto& o : orgs) {
      if (o.id == id) return &o;
    }
    return nullptr;
  }
  const UserSpec* FindUser(const std::string& id) const {
    for (const auto& u : users) {
      if (u.id == id) return &u;
    }
    return nullptr;
  }
  const ResourceSpec* FindResource(const std::string& id) const {
    for (const auto& r : resources) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }
};

inline Dataset BuildDataset() {
  Dataset d;
  d.orgs = {{"acme", "client", ""},
            {"acme-north", "client", "acme"},
            {"globex", "client", ""},
            {"sparkies", "contractor", ""},
            {"volt", "contractor", ""}};
  d.users = {
      {"cmgr", "acme", "client-manager", "active"},       // seed 000 Manager
      {"cbase", "acme", "client-base", "active"},         // seed 000 Base
      {"cbase2", "acme", "client-base", "active"},        // another Base contact of acme
      {"dself", "acme", "client-self-service", "active"}, // seed 002
      {"abasic", "acme", "portal-basic", "active"},       // seed 003 Basic
      {"aadv", "acme", "portal-advanced", "active"},      // seed 003 Advanced
      {"amgr", "acme", "portal-manager", "active"},       // seed 003 Manager
      {"nbasic", "acme-north", "portal-basic", "active"}, // seed 003 Basic, sub-organisation
      {"gmgr", "globex", "client-manager", "active"},     // seed 000 Manager of the other client
      {"ctm", "sparkies", "contractor-manager", "contractor"},  // seed 001 Manager
      {"ctb", "sparkies", "contractor-base", "contractor"},     // seed 001 Base
      {"ctb2", "sparkies", "contractor-base", "contractor"},    // a colleague of ctb
      {"vb", "volt", "contractor-base", "contractor"},          // another business's worker
      {"cpromoted", "acme", "client-manager", "active", "client-base"},  // promoted to Manager
      {"ademoted", "acme", "portal-basic", "active", "portal-manager"},   // demoted to Basic
  };
  // Tasks of acme, in every status: who is the contact and who does the work.
  for (const auto& s : Statuses()) {
    const std::string t = "t-" + s + "-";
    d.resources.push_back({t + "cbase", "task", "acme", s, "cbase", {"ctb"}, "sparkies"});
    d.resources.push_back({t + "cbase2", "task", "acme", s, "cbase2", {"ctb2"}, "sparkies"});
    d.resources.push_back({t + "cmgr", "task", "acme", s, "cmgr", {}, "sparkies"});   // the business only
    d.resources.push_back({t + "abasic", "task", "acme", s, "abasic", {"ctm"}, "volt"});  // ctm, at volt
    d.resources.push_back({t + "volt", "task", "acme", s, "aadv", {"vb"}, "volt"});   // not sparkies' work
    d.resources.push_back({t + "plain", "task", "acme", s, "", {}, ""});
    d.resources.push_back({"n-" + t + "nbasic", "task", "acme-north", s, "nbasic", {}, ""});
    d.resources.push_back({"g-" + t + "gmgr", "task", "globex", s, "gmgr", {"vb"}, "volt"});
  }
  // Compliance forms: tasks recorded against the contractor who fills them in (its contact).
  d.resources.push_back({"f-ctm", "task", "acme", "current", "ctm", {"ctb"}, "sparkies"});
  d.resources.push_back({"f-ctb", "task", "acme", "current", "ctb", {"ctb"}, "sparkies"});
  // A sub-organisation's job given to sparkies.
  d.resources.push_back({"n-t-current-sparkies", "task", "acme-north", "current", "nbasic", {}, "sparkies"});
  // globex tasks whose contact is, by a slip of the provider's system, a user of acme.
  d.resources.push_back({"g-trap-cbase", "task", "globex", "current", "cbase", {}, ""});
  d.resources.push_back({"g-trap-abasic", "task", "globex", "completed", "abasic", {}, "volt"});
  // Every other type in every status for acme; one of each in acme-north and globex.
  const std::vector<std::string>& statuses = Statuses();
  for (std::size_t i = 1; i < ResourceTypes().size(); ++i) {
    const std::string& type = ResourceTypes()[i];
    d.resources.push_back({type + "-current", type, "acme", "current", "cbase", {"ctb", "ctm"}, "sparkies"});
    d.resources.push_back({type + "-completed", type, "acme", "completed", "abasic", {}, ""});
    d.resources.push_back({type + "-periodic", type, "acme", "periodic", "", {}, ""});
    d.resources.push_back({"n-" + type, type, "acme-north", statuses[i % 3], "nbasic", {}, "sparkies"});
    d.resources.push_back({"g-" + type, type, "globex", statuses[i % 3], "gmgr", {"vb"}, "volt"});
  }
  // Re-sent by the provider's system: the first version, then the final one.
  d.first_sent = {
      {"t-current-reassigned", "task", "acme", "current", "cbase2", {"ctb"}, "sparkies"},
      {"t-completed-closed", "task", "acme", "current", "cbase", {"ctb2"}, "sparkies"},
      {"t-periodic-moved-in", "task", "globex", "periodic", "gmgr", {"vb"}, "volt"},
      {"quote-moved-away", "quote", "acme", "current", "cbase", {"ctb"}, "sparkies"},
      {"n-t-completed-moved-down", "task", "acme", "completed", "cbase", {"ctb"}, ""},
      {"file-was-invoice", "invoice", "acme-north", "current", "nbasic", {}, ""},
  };
  d.resources.push_back({"t-current-reassigned", "task", "acme", "current", "cbase2", {"vb"}, "volt"});
  d.resources.push_back({"t-completed-closed", "task", "acme", "completed", "ademoted", {"ctb"}, "sparkies"});
  d.resources.push_back({"t-periodic-moved-in", "task", "acme", "periodic", "", {"ctm"}, "sparkies"});
  d.resources.push_back({"quote-moved-away", "quote", "globex", "current", "gmgr", {"vb"}, "volt"});
  d.resources.push_back({"n-t-completed-moved-down", "task", "acme-north", "completed", "nbasic", {}, ""});
  d.resources.push_back({"file-was-invoice", "file", "acme", "periodic", "", {}, ""});
  for (const auto& r : d.resources) {
    for (const auto& v : Visibilities()) d.notes.push_back({r.id + "." + v, r.id, v});
  }
  // Shared, then withdrawn; internal, then shown to the client.
  for (const char* r : {"t-current-cbase", "invoice-current", "t-completed-cmgr"}) {
    d.notes.push_back({std::string(r) + ".withdrawn", r, "internal", "client"});
    d.notes.push_back({std::string(r) + ".shown", r, "client", "internal"});
    d.notes.push_back({std::string(r) + ".to-contractors", r, "contractor", "internal"});
  }
  return d;
}

inline boost::json::array JsonStrings(const std::vector<std::string>& v) {
  boost::json::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

// Creates the dataset through the staff routes; false (with test failures) when a command is
// refused. Every user gets the password RunningSystem::PasswordOf(id) and the user name
// "<id>@example.com", so RunningSystem::LoginOk(id) logs it in.
inline bool Submit(const RunningSystem& sys, const Dataset& d) {
  using boost::beast::http::verb;
  bool ok = true;
  auto expect = [&ok](const HttpReply& reply, const std::string& what) {
    EXPECT_EQ(reply.status, 200u) << what << ": " << reply.body;
    ok = ok && reply.status == 200u;
  };
  for (const auto& o : d.orgs) {
    boost::json::object body{{"org_id", o.id}, {"name", "Org " + o.id}, {"kind", o.kind}};
    if (!o.parent.empty()) body["parent_org_id"] = o.parent;
    expect(sys.Staff(verb::post, "/v1/orgs", body), o.id);
    expect(sys.Staff(verb::post, "/v1/orgs/" + o.id + "/access", {{"mode", "enabled"}}), o.id);
  }
  for (const auto& u : d.users) {
    expect(sys.Staff(verb::post, "/v1/orgs/" + u.org + "/users",
                     {{"user_id", u.id},
                      {"username", u.id + "@example.com"},
                      {"display_name", "User " + u.id},
                      {"email", u.id + "@example.com"},
                      {"user_type", u.type},
                      {"level", u.created_on.empty() ? u.level : u.created_on},
                      {"password", RunningSystem::PasswordOf(u.id)}}),
           u.id);
    if (!u.created_on.empty()) {
      expect(sys.Staff(verb::put, "/v1/users/" + u.id + "/level", {{"level", u.level}}), u.id);
    }
  }
  auto send = [&](const ResourceSpec& r) {
    boost::json::object body{{"type", r.type}, {"org_id", r.org}, {"title", r.title()}, {"status", r.status}};
    if (!r.contact.empty()) body["contact_user_id"] = r.contact;
    if (!r.assigned_users.empty()) body["assigned_user_ids"] = JsonStrings(r.assigned_users);
    if (!r.assigned_org.empty()) body["assigned_org_id"] = r.assigned_org;
    expect(sys.Staff(verb::put, "/v1/resources/" + r.id, body), r.id);
  };
  auto share = [&](const NoteSpec& n) {
    const std::string first = n.shared_as.empty() ? n.visibility : n.shared_as;
    expect(sys.Staff(verb::post, "/v1/notes",
                     {{"note_id", n.id}, {"resource_id", n.resource}, {"body", "Note " + n.id},
                      {"visibility", first}}),
           n.id);
    if (!n.shared_as.empty()) {
      expect(sys.Staff(verb::post, "/v1/notes/" + n.id + "/visibility", {{"visibility", n.visibility}}), n.id);
    }
  };
  auto first_sent = [&d](const std::string& resource) {
    for (const auto& r : d.first_sent) {
      if (r.id == resource) return true;
    }
    return false;
  };
  for (const auto& r : d.first_sent) send(r);
  for (const auto& n : d.notes) {
    if (first_sent(n.resource)) share(n);
  }
  for (const auto& r : d.resources) send(r);
  for (const auto& n : d.notes) {
    if (!first_sent(n.resource)) share(n);
  }
  return ok;
}

}  // namespace portico::app_testing::seeds
