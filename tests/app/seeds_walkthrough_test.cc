// Seeds walk-through (issue 5): for each access chart of the seeds (000 AroFlo clients, 001
// AroFlo contractors, 002 Daftra, 003 Autotask), a user on each of its presets logs in over
// HTTP and the portal routes must show exactly what the chart allows, no more and no less:
//   GET /v1/portal/me                      its level and exactly the chart's capabilities, and
//                                          the counts of open tasks, quotes and invoices;
//   GET /v1/portal/resources               unfiltered, by every type, every status, and
//                                          every type and status together;
//   GET /v1/portal/resources/{id}          for every resource of the dataset: 200 or 404;
//   GET /v1/portal/resources/{id}/notes    for every resource: exactly the notes allowed;
// and staff GET /v1/check agrees for every capability, without a resource and on every
// resource it applies to. The whole path is real: HTTP, command, log, Kafka, projections.
//
// The expected answers come from the chart rows (seeds_charts.h) through seeds_oracle.h; the
// spot rows below state some of them by hand, cell by cell, so that the oracle itself is held
// to the seeds too.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/running_system.h"
#include "app/seeds_charts.h"
#include "app/seeds_dataset.h"
#include "app/seeds_oracle.h"
#include "domain/catalogue.h"

namespace portico::app_testing::seeds {
namespace {

namespace json = boost::json;

// Differences between what the system answered and what the chart allows, reported together.
class Mismatches {
 public:
  void Add(std::string what) { list_.push_back(std::move(what)); }
  void Report(const std::string& who) const {
    std::ostringstream out;
    for (std::size_t i = 0; i < list_.size() && i < 40; ++i) out << "\n  " << list_[i];
    if (list_.size() > 40) out << "\n  ... and " << (list_.size() - 40) << " more";
    EXPECT_TRUE(list_.empty()) << who << ": " << list_.size() << " answers differ from the chart:" << out.str();
  }

 private:
  std::vector<std::string> list_;
};

std::string Str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ",") + x;
  return "{" + out + "}";
}

// A resource of the dataset as the portal shows it.
bool SameResource(const json::value& shown, const ResourceSpec& r) {
  std::set<std::string> assigned;
  for (const auto& u : shown.at("assigned_user_ids").as_array()) assigned.insert(Str(u));
  return Str(shown.at("resource_id")) == r.id && Str(shown.at("type")) == r.type &&
         Str(shown.at("org_id")) == r.org && Str(shown.at("status")) == r.status &&
         Str(shown.at("title")) == r.title() && Str(shown.at("contact_user_id")) == r.contact &&
         Str(shown.at("assigned_org_id")) == r.assigned_org &&
         assigned == std::set<std::string>(r.assigned_users.begin(), r.assigned_users.end());
}

struct Spot {
  const char* seed;
  const char* lines;
  const char* cell;
  const char* user;
  const char* resource;
  const char* note;  // "" for the resource itself
  bool visible;
};

struct CapabilitySpot {
  const char* seed;
  const char* lines;
  const char* cell;
  const char* user;
  const char* capability;
  const char* resource;  // "" for none
  bool allowed;
};

class SeedsWalkthrough : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("seeds-walkthrough");
    data_ = new Dataset(BuildDataset());
    tokens_ = new std::map<std::string, std::string>();
    if (sys_->started()) {
      submitted_ = Submit(*sys_, *data_);
      head_ = sys_->Head();
    }
  }
  static void TearDownTestSuite() {
    delete sys_;
    delete data_;
    delete tokens_;
    sys_ = nullptr;
    data_ = nullptr;
    tokens_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(sys_->started() && submitted_) << "the dataset could not be built"; }

  static std::string Fresh(const std::string& target) {
    return target + (target.find('?') == std::string::npos ? "?" : "&") +
           "min_position=" + std::to_string(head_);
  }
  // One session per user for the whole suite (logins are rate limited per address).
  static std::string Token(const std::string& user) {
    auto& token = (*tokens_)[user];
    if (token.empty()) token = sys_->LoginOk(user);
    return token;
  }
  static HttpReply Get(const std::string& target, const std::string& bearer) {
    return sys_->client().Get(Fresh(target), bearer);
  }

  // A staff command whose effect the next reads must see: head_ moves to the log's head, and
  // the access model is waited for before any portal request (a portal request checks its
  // session before it waits for min_position).
  static void StaffCommand(boost::beast::http::verb verb, const std::string& target, const json::value& body) {
    const auto reply = sys_->Staff(verb, target, body);
    ASSERT_EQ(reply.status, 200u) << target << ": " << reply.body;
    head_ = sys_->Head();
    ASSERT_EQ(sys_->client().Get(Fresh("/v1/check?user_id=cmgr&capability=tasks.create"), kAdminKey).status, 200u);
  }

  // The answer of GET /v1/check, as {allowed, reason}.
  static std::pair<bool, std::string> StaffCheck(const std::string& user, const std::string& capability,
                                                 const std::string& resource = "") {
    std::string target = "/v1/check?user_id=" + user + "&capability=" + capability;
    if (!resource.empty()) target += "&resource_id=" + resource;
    const auto reply = sys_->client().Get(Fresh(target), kAdminKey);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    const auto body = reply.json();
    if (!body.is_object()) return {false, ""};
    return {body.at("allowed").as_bool(), Str(body.at("reason"))};
  }

  static const ChartColumn& ColumnOf(const std::string& user) {
    static const std::vector<const ChartColumn*> columns = {
        &AroFloClientManager(), &AroFloClientBase(),        &AroFloContractorManager(), &AroFloContractorBase(),
        &DaftraClientPermissions(), &AutotaskBasic(),       &AutotaskAdvanced(),        &AutotaskManager()};
    const std::string& level = data_->FindUser(user)->level;
    for (const ChartColumn* c : columns) {
      if (c->level == level) return *c;
    }
    ADD_FAILURE() << "no chart column for level " << level;
    return *columns.front();
  }

  // Logs `user` in and walks every portal route and /v1/check over the whole dataset.
  static void Walk(const std::string& user) {
    const ChartColumn& column = ColumnOf(user);
    SCOPED_TRACE(std::string(column.title) + ", as user " + user);
    ASSERT_EQ(data_->FindUser(user)->level, column.level);
    const Oracle oracle(*data_, column, user);
    const std::string token = Token(user);
    ASSERT_FALSE(token.empty());
    Mismatches diff;
    CheckHome(token, user, column, oracle, diff);
    CheckListings(token, oracle, diff);
    CheckEachResource(token, oracle, diff);
    CheckStaffCheck(user, oracle, diff);
    diff.Report(std::string(column.title) + " / " + user);
  }

  static void CheckHome(const std::string& token, const std::string& user, const ChartColumn& column,
                        const Oracle& oracle, Mismatches& diff) {
    const auto me = Get("/v1/portal/me", token);
    ASSERT_EQ(me.status, 200u) << me.body;
    const auto body = me.json();
    EXPECT_EQ(Str(body.at("user").at("user_id")), user);
    EXPECT_EQ(Str(body.at("org").at("org_id")), data_->FindUser(user)->org);
    EXPECT_EQ(Str(body.at("level").at("level_id")), column.level);
    std::set<std::pair<std::string, std::string>> shown;
    for (const auto& c : body.at("capabilities").as_array()) shown.emplace(Str(c.at("capability")), Str(c.at("scope")));
    for (const auto& c : oracle.Capabilities()) {
      if (!shown.count(c)) diff.Add("/me lacks " + c.first + " [" + c.second + "]");
    }
    for (const auto& c : shown) {
      if (!oracle.Capabilities().count(c)) diff.Add("/me lists " + c.first + " [" + c.second + "], not in the chart");
    }
    const auto& counts = body.at("counts");
    const std::pair<const char*, const char*> kinds[] = {
        {"open_tasks", "task"}, {"open_quotes", "quote"}, {"open_invoices", "invoice"}};
    for (const auto& [field, type] : kinds) {
      const auto expected = oracle.VisibleResources(type, "current").size();
      if (counts.at(field).to_number<std::size_t>() != expected) {
        diff.Add(std::string("/me counts.") + field + " = " + Str(counts.at(field)) + ", chart allows " +
                 std::to_string(expected));
      }
    }
  }

  static void CheckListing(const std::string& token, const Oracle& oracle, const std::string& type,
                           const std::string& status, Mismatches& diff) {
    std::string target = "/v1/portal/resources";
    if (!type.empty()) target += "?type=" + type;
    if (!status.empty()) target += (type.empty() ? "?status=" : "&status=") + status;
    const auto reply = Get(target, token);
    if (reply.status != 200u) return diff.Add(target + " answered " + std::to_string(reply.status));
    std::set<std::string> shown;
    const auto body = reply.json();
    for (const auto& r : body.at("resources").as_array()) {
      const std::string id = Str(r.at("resource_id"));
      shown.insert(id);
      const ResourceSpec* spec = data_->FindResource(id);
      if (spec != nullptr && !SameResource(r, *spec)) diff.Add(target + " shows " + id + " altered: " + json::serialize(r));
    }
    const auto expected = oracle.VisibleResources(type, status);
    if (shown != expected) diff.Add(target + " shows " + Join(shown) + ", chart allows " + Join(expected));
  }

  static void CheckListings(const std::string& token, const Oracle& oracle, Mismatches& diff) {
    CheckListing(token, oracle, "", "", diff);
    for (const auto& status : Statuses()) CheckListing(token, oracle, "", status, diff);
    for (const auto& type : ResourceTypes()) {
      CheckListing(token, oracle, type, "", diff);
      for (const auto& status : Statuses()) CheckListing(token, oracle, type, status, diff);
    }
  }

  static void CheckEachResource(const std::string& token, const Oracle& oracle, Mismatches& diff) {
    for (const auto& r : data_->resources) {
      const bool visible = oracle.Visible(r);
      const auto one = Get("/v1/portal/resources/" + r.id, token);
      const auto notes = Get("/v1/portal/resources/" + r.id + "/notes", token);
      if (!visible) {
        if (one.status != 404u || one.content_type != "application/problem+json") {
          diff.Add("GET " + r.id + " answered " + std::to_string(one.status) + ", chart hides it");
        }
        if (notes.status != 404u) diff.Add("GET " + r.id + "/notes answered " + std::to_string(notes.status) + ", chart hides it");
        continue;
      }
      if (one.status != 200u || !SameResource(one.json(), r)) {
        diff.Add("GET " + r.id + " answered " + std::to_string(one.status) + " " + one.body + ", chart shows it");
      }
      if (notes.status != 200u) {
        diff.Add("GET " + r.id + "/notes answered " + std::to_string(notes.status));
        continue;
      }
      std::set<std::string> shown;
      const auto body = notes.json();
      for (const auto& n : body.at("notes").as_array()) {
        shown.insert(Str(n.at("note_id")));
        if (Str(n.at("visibility")) == "internal") diff.Add("GET " + r.id + "/notes shows internal " + Str(n.at("note_id")));
      }
      const auto expected = oracle.VisibleNotes(r.id);
      if (shown != expected) diff.Add("GET " + r.id + "/notes shows " + Join(shown) + ", chart allows " + Join(expected));
    }
    if (Get("/v1/portal/resources/no-such-resource", token).status != 404u) diff.Add("an unknown id is not a 404");
  }

  static void CheckStaffCheck(const std::string& user, const Oracle& oracle, Mismatches& diff) {
    for (const auto& info : domain::Catalogue()) {
      const std::string cap(info.name);
      const auto reply = sys_->client().Get(Fresh("/v1/check?user_id=" + user + "&capability=" + cap), kAdminKey);
      const auto body = reply.json();
      if (reply.status != 200u || body.at("allowed").as_bool() != oracle.Holds(cap) ||
          (!oracle.Holds(cap) && Str(body.at("reason")) != "capability_missing")) {
        diff.Add("/v1/check " + cap + " answered " + reply.body);
      }
      const std::string target = TargetOf(cap);
      if (target.empty()) continue;
      for (const auto& r : data_->resources) {
        if (target != "any" && target != r.type) continue;
        const auto on = sys_->client().Get(
            Fresh("/v1/check?user_id=" + user + "&capability=" + cap + "&resource_id=" + r.id), kAdminKey);
        const auto answer = on.json();
        const bool expected = oracle.Allowed(cap, r);
        if (on.status != 200u || answer.at("allowed").as_bool() != expected) {
          diff.Add("/v1/check " + cap + " on " + r.id + " answered " + on.body + ", chart " +
                   (expected ? "allows" : "forbids"));
        } else if (!expected && cap == ViewCapabilityOf(r) && Str(answer.at("reason")) != oracle.ViewDenialReason(r)) {
          diff.Add("/v1/check " + cap + " on " + r.id + " gives reason " + Str(answer.at("reason")) + ", expected " +
                   oracle.ViewDenialReason(r));
        }
      }
    }
  }

  // Each spot row is checked against the oracle (so that the oracle reads the chart right)
  // and against the portal routes.
  static void CheckSpots(const std::vector<Spot>& spots) {
    for (const Spot& s : spots) {
      SCOPED_TRACE(std::string("seed ") + s.seed + " " + s.lines + " " + s.cell + " [" + s.user + ", " + s.resource +
                   (s.note[0] ? std::string(", note ") + s.note : std::string()) + "]");
      const Oracle oracle(*data_, ColumnOf(s.user), s.user);
      const ResourceSpec* r = data_->FindResource(s.resource);
      ASSERT_NE(r, nullptr);
      const std::string token = Token(s.user);
      if (s.note[0] == '\0') {
        EXPECT_EQ(oracle.Visible(*r), s.visible) << "the oracle misreads the chart";
        EXPECT_EQ(Get("/v1/portal/resources/" + r->id, token).status, s.visible ? 200u : 404u);
        continue;
      }
      const std::string note_id = r->id + "." + s.note;
      EXPECT_EQ(oracle.VisibleNotes(r->id).count(note_id) == 1, s.visible) << "the oracle misreads the chart";
      const auto notes = Get("/v1/portal/resources/" + r->id + "/notes", token);
      bool shown = false;
      if (notes.status == 200u) {
        const auto body = notes.json();
        for (const auto& n : body.at("notes").as_array()) shown = shown || Str(n.at("note_id")) == note_id;
      }
      EXPECT_EQ(shown, s.visible) << notes.body;
    }
  }

  static void CheckCapabilitySpots(const std::vector<CapabilitySpot>& spots) {
    for (const CapabilitySpot& s : spots) {
      SCOPED_TRACE(std::string("seed ") + s.seed + " " + s.lines + " " + s.cell + " [" + s.user + ", " +
                   s.capability + (s.resource[0] ? std::string(", ") + s.resource : std::string()) + "]");
      const Oracle oracle(*data_, ColumnOf(s.user), s.user);
      if (s.resource[0] != '\0') {
        const ResourceSpec* r = data_->FindResource(s.resource);
        ASSERT_NE(r, nullptr);
        EXPECT_EQ(oracle.Allowed(s.capability, *r), s.allowed) << "the oracle misreads the chart";
      } else {
        EXPECT_EQ(oracle.Holds(s.capability), s.allowed) << "the oracle misreads the chart";
      }
      const auto [allowed, reason] = StaffCheck(s.user, s.capability, s.resource);
      EXPECT_EQ(allowed, s.allowed) << reason;
    }
  }

  static inline RunningSystem* sys_ = nullptr;
  static inline Dataset* data_ = nullptr;
  static inline std::map<std::string, std::string>* tokens_ = nullptr;
  static inline bool submitted_ = false;
  static inline std::uint64_t head_ = 0;
};

// -- Seed 000: AroFlo client chart of access ---------------------------------------------------

TEST_F(SeedsWalkthrough, Seed000AroFloClientChart) {
  Walk("cmgr");   // Manager column
  Walk("cbase");  // Base column
  Walk("gmgr");   // Manager column, of the other client: sees globex only
  Walk("cpromoted");  // created on Base, promoted to Manager
  CheckSpots({
      {"000", "l49", "Access current tasks / Manager: another contact's", "cmgr", "t-current-cbase2", "", true},
      {"000", "l49", "Access current tasks / Manager: one without contact", "cmgr", "t-current-plain", "", true},
      {"000", "l49", "Access current tasks / Manager: not a sub-organisation's", "cmgr", "n-t-current-nbasic", "",
       false},
      {"000", "l49", "Access current tasks / Manager: never another client's", "cmgr", "g-t-current-gmgr", "", false},
      {"000", "l52", "Access current tasks / Base: Task contact only (its own)", "cbase", "t-current-cbase", "", true},
      {"000", "l52", "Access current tasks / Base: Task contact only (another contact's)", "cbase",
       "t-current-cbase2", "", false},
      {"000", "l52", "Access current tasks / Base: another client's, though its contact", "cbase", "g-trap-cbase", "",
       false},
      {"000", "l54", "Access completed tasks / Manager", "cmgr", "t-completed-abasic", "", true},
      {"000", "l57", "Access completed tasks / Base: its own", "cbase", "t-completed-cbase", "", true},
      {"000", "l57", "Access completed tasks / Base: another's", "cbase", "t-completed-plain", "", false},
      {"000", "l59", "Access periodic tasks / Manager", "cmgr", "t-periodic-cbase", "", true},
      {"000", "l59", "Access periodic tasks / Base, even as its contact", "cbase", "t-periodic-cbase", "", false},
      {"000", "l61", "Access quotes / Manager", "cmgr", "quote-completed", "", true},
      {"000", "l61", "Access quotes / Base, even as its contact", "cbase", "quote-current", "", false},
      {"000", "l65", "Access projects / Manager", "cmgr", "project-periodic", "", true},
      {"000", "l65", "Access projects / Base", "cbase", "project-current", "", false},
      {"000", "l67", "Access locations / Manager", "cmgr", "location-current", "", true},
      {"000", "l67", "Access locations / Base", "cbase", "location-current", "", false},
      {"000", "l69", "Access reports / Manager", "cmgr", "report-periodic", "", true},
      {"000", "l72", "Access reports / Base: Client view only", "cbase", "report-periodic", "", true},
      {"000", "-", "not in the chart: invoices", "cmgr", "invoice-current", "", false},
      {"000", "l79", "'Show Client' notes", "cbase", "t-current-cbase", "client", true},
      {"000", "l79", "notes not shown to the client", "cbase", "t-current-cbase", "internal", false},
      {"000", "l79", "notes for contractors", "cmgr", "t-current-cbase", "contractor", false},
      {"000", "l79", "shown to the client after being internal", "cmgr", "t-completed-cmgr", "shown", true},
      {"000", "l79", "withdrawn from the client", "cmgr", "t-completed-cmgr", "withdrawn", false},
      {"000", "l79", "notes of a task the Base contact cannot see", "cbase", "t-current-cbase2", "client", false},
      {"000", "l59", "Access periodic tasks / Manager: a task moved in from another client", "cmgr",
       "t-periodic-moved-in", "", true},
      {"000", "l61", "Access quotes / Manager: a quote moved to another client", "cmgr", "quote-moved-away", "",
       false},
      {"000", "l61", "Access quotes / Manager: the other client, once it is theirs", "gmgr", "quote-moved-away", "",
       true},
      {"000", "l57", "Access completed tasks / Base: no longer its contact", "cbase", "t-completed-closed", "",
       false},
      {"000", "l49", "Access current tasks / Manager, promoted from Base", "cpromoted", "t-current-plain", "", true},
      {"000", "l79", "notes follow a task moved in", "cmgr", "t-periodic-moved-in", "client", true},
  });
  CheckCapabilitySpots({
      {"000", "l45", "Create tasks / Base", "cbase", "tasks.create", "", true},
      {"000", "l47", "Add task notes / Base: its own task", "cbase", "tasks.notes.add", "t-current-cbase", true},
      {"000", "l47", "Add task notes / Base: a task it cannot see", "cbase", "tasks.notes.add", "t-current-plain",
       false},
      {"000", "l47", "Add task notes / Manager", "cmgr", "tasks.notes.add", "t-periodic-plain", true},
  });
}

TEST_F(SeedsWalkthrough, Seed000RestrictedShowsWhatEnabledShows) {
  // 000 l17-20: "Restricted ... provides the same access as Enabled" and "will be updated in
  // the future to allow client logins a more restrictive access"; portico's restricted is
  // that stricter mode: read-only. The portal shows exactly what it shows when enabled (for
  // the sub-organisation too, which is only as open as its parent), and nothing writes.
  using boost::beast::http::verb;
  StaffCommand(verb::post, "/v1/orgs/acme/access", {{"mode", "restricted"}});
  for (const char* user : {"cmgr", "cbase", "nbasic"}) {
    SCOPED_TRACE(std::string("000 l17-20 restricted, as ") + user);
    const Oracle oracle(*data_, ColumnOf(user), user);
    Mismatches diff;
    CheckListings(Token(user), oracle, diff);
    CheckEachResource(Token(user), oracle, diff);
    diff.Report(std::string("restricted / ") + user);
    EXPECT_EQ(StaffCheck(user, "tasks.create"), std::make_pair(false, std::string("org_restricted")));
    for (const auto& id : oracle.VisibleResources("task")) {
      EXPECT_EQ(StaffCheck(user, "tasks.notes.add", id), std::make_pair(false, std::string("org_restricted"))) << id;
      EXPECT_TRUE(StaffCheck(user, ViewCapabilityOf(*data_->FindResource(id)), id).first) << id;
    }
  }
  StaffCommand(verb::post, "/v1/orgs/acme/access", {{"mode", "enabled"}});
  EXPECT_TRUE(StaffCheck("cbase", "tasks.create").first);
  EXPECT_TRUE(StaffCheck("cbase", "tasks.notes.add", "t-current-cbase").first);
}

// -- Seed 001: AroFlo contractor chart of access -----------------------------------------------

TEST_F(SeedsWalkthrough, Seed001AroFloContractorChart) {
  Walk("ctm");  // Manager column
  Walk("ctb");  // Base column
  CheckSpots({
      {"001", "l75-78", "Current Tasks / Manager: assigned to the business", "ctm", "t-current-cmgr", "", true},
      {"001", "l75-78", "Current Tasks / Manager: assigned to the user, at another business", "ctm",
       "t-current-abasic", "", true},
      {"001", "l75-78", "Current Tasks / Manager: a sub-organisation's job given to the business", "ctm",
       "n-t-current-sparkies", "", true},
      {"001", "l75-78", "Current Tasks / Manager: another business's job", "ctm", "t-current-volt", "", false},
      {"001", "l75-78", "Current Tasks / Manager: not assigned at all", "ctm", "t-current-plain", "", false},
      {"001", "l80", "Current Tasks / Base: assigned to the user", "ctb", "t-current-cbase", "", true},
      {"001", "l80", "Current Tasks / Base: the business's, not the user's", "ctb", "t-current-cmgr", "", false},
      {"001", "l80", "Current Tasks / Base: a colleague's", "ctb", "t-current-cbase2", "", false},
      {"001", "l94", "Completed Tasks / Manager", "ctm", "t-completed-cbase2", "", true},
      {"001", "l97", "Completed Tasks / Base: Assigned tasks only", "ctb", "t-completed-cbase", "", true},
      {"001", "l97", "Completed Tasks / Base: not assigned to it", "ctb", "t-completed-cmgr", "", false},
      {"001", "l58-134", "no periodic tasks / Manager", "ctm", "t-periodic-cmgr", "", false},
      {"001", "l58-134", "no periodic tasks / Base", "ctb", "t-periodic-cbase", "", false},
      {"001", "l58-134", "no quotes, even assigned to the business", "ctm", "quote-current", "", false},
      {"001", "l58-134", "no invoices, even assigned to the user", "ctb", "invoice-current", "", false},
      {"001", "l58-134", "never another client's job", "ctm", "g-t-current-gmgr", "", false},
      {"001", "l115-118", "View Task Notes / Manager: Contractor notes", "ctm", "t-current-cmgr", "contractor", true},
      {"001", "l115-118", "View Task Notes / Manager: not client notes", "ctm", "t-current-cmgr", "client", false},
      {"001", "l120", "View Task Notes / Base: Contractor notes", "ctb", "t-current-cbase", "contractor", true},
      {"001", "l120", "View Task Notes / Base: not client notes", "ctb", "t-current-cbase", "client", false},
      {"001", "l120", "View Task Notes / Base: not internal notes", "ctb", "t-current-cbase", "internal", false},
      {"001", "l120", "View Task Notes / Base: made visible to contractors", "ctb", "t-current-cbase",
       "to-contractors", true},
      {"001", "l80", "Current Tasks / Base: reassigned to another business's worker", "ctb", "t-current-reassigned",
       "", false},
      {"001", "l75-78", "Current Tasks / Manager: reassigned to another business", "ctm", "t-current-reassigned",
       "", false},
      {"001", "l97", "Completed Tasks / Base: assigned to it when closed", "ctb", "t-completed-closed", "", true},
      {"001", "l120", "notes follow the task when it is reassigned", "ctb", "t-completed-closed", "contractor",
       true},
  });
  CheckCapabilitySpots({
      {"001", "l82", "Assign Tasks / Manager", "ctm", "tasks.assign", "t-current-cmgr", true},
      {"001", "l82", "Assign Tasks / Base", "ctb", "tasks.assign", "t-current-cbase", false},
      {"001", "l87", "Access Task Checklists / Base", "ctb", "tasks.checklists", "t-current-cbase", true},
      {"001", "l87", "Access Task Checklists / Base: a task it cannot see", "ctb", "tasks.checklists",
       "t-current-cmgr", false},
      {"001", "l89", "Add Labour/Materials / Base", "ctb", "tasks.labour.add", "t-completed-cbase", true},
      {"001", "l100", "Upload Photos / Manager", "ctm", "tasks.photos.upload", "t-current-abasic", true},
      {"001", "l108", "Add or Remove Assets / Manager", "ctm", "tasks.assets.manage", "t-current-cmgr", true},
      {"001", "l108", "Add or Remove Assets / Base", "ctb", "tasks.assets.manage", "t-current-cbase", false},
      {"001", "l122-124", "Add Task Notes / Base", "ctb", "tasks.notes.add", "f-ctb", true},
      {"001", "l127-130", "Compliance Forms / Manager: its own", "ctm", "forms.compliance", "f-ctm", true},
      {"001", "l127-130", "Compliance Forms / Manager: another's", "ctm", "forms.compliance", "f-ctb", false},
      {"001", "l132", "Compliance Forms / Base: its own", "ctb", "forms.compliance", "f-ctb", true},
      {"001", "l132", "Compliance Forms / Base: another's, on a task it sees", "ctb", "forms.compliance", "f-ctm",
       false},
  });
}

// -- Seed 002: Daftra client permissions ---------------------------------------------------------

TEST_F(SeedsWalkthrough, Seed002DaftraClientPermissions) {
  Walk("dself");
  CheckSpots({
      {"002", "l32", "View Shared Notes / Attachments: attachments", "dself", "file-periodic", "", true},
      {"002", "l48", "View & Pay Invoices", "dself", "invoice-completed", "", true},
      {"002", "l48", "View & Pay Invoices: not a sub-organisation's", "dself", "n-invoice", "", false},
      {"002", "l48", "View & Pay Invoices: never another client's", "dself", "g-invoice", "", false},
      {"002", "l50", "View & Approve Estimates", "dself", "estimate-current", "", true},
      {"002", "l52", "View Work Orders", "dself", "work_order-periodic", "", true},
      {"002", "l54", "View Appointments", "dself", "appointment-completed", "", true},
      {"002", "l27-56", "not in the list: tasks, even as contact", "dself", "t-current-plain", "", false},
      {"002", "l27-56", "not in the list: quotes", "dself", "quote-current", "", false},
      {"002", "l27-56", "not in the list: devices", "dself", "device-current", "", false},
      {"002", "l32,l46", "a note shared with the client", "dself", "invoice-current", "client", true},
      {"002", "l46", "a note not shared ('Share with Client' unticked)", "dself", "invoice-current", "internal",
       false},
      {"002", "l46", "shared, then unticked", "dself", "invoice-current", "withdrawn", false},
      {"002", "l46", "ticked later", "dself", "invoice-current", "shown", true},
      {"002", "l32", "a note on an attachment", "dself", "file-current", "client", true},
      {"002", "l32", "a note for contractors", "dself", "file-current", "contractor", false},
      {"002", "l32", "an attachment re-sent (was a sub-organisation's invoice)", "dself", "file-was-invoice", "",
       true},
      {"002", "l46", "its shared note follows it", "dself", "file-was-invoice", "client", true},
  });
  CheckCapabilitySpots({
      {"002", "l30", "View his Profile", "dself", "profile.view", "", true},
      {"002", "l48", "Pay Invoices", "dself", "invoices.pay", "invoice-current", true},
      {"002", "l48", "Pay another client's invoice", "dself", "invoices.pay", "g-invoice", false},
      {"002", "l50", "Approve Estimates", "dself", "estimates.approve", "estimate-periodic", true},
      {"002", "l56", "Statement", "dself", "statement.view", "", true},
      {"002", "l27-56", "not in the list: raising tasks", "dself", "tasks.create", "", false},
  });
}

TEST_F(SeedsWalkthrough, Seed002DisableClientOnlineAccess) {
  // 002 l11-13: "Disable Client Online Access ... no permissions will be available to them":
  // the session no longer opens anything, and no check allows anything; unticking it gives
  // everything back.
  using boost::beast::http::verb;
  const std::string token = Token("dself");
  ASSERT_EQ(Get("/v1/portal/resources/invoice-current", token).status, 200u);
  auto settings = sys_->client().Get(Fresh("/v1/settings"), kAdminKey).json();
  ASSERT_TRUE(settings.is_object());
  settings.as_object().erase("position");
  settings.as_object()["portal_enabled"] = false;
  StaffCommand(verb::put, "/v1/settings", settings);
  EXPECT_EQ(Get("/v1/portal/me", token).status, 401u);
  EXPECT_EQ(Get("/v1/portal/resources", token).status, 401u);
  EXPECT_EQ(Get("/v1/portal/resources/invoice-current", token).status, 401u);
  EXPECT_EQ(Get("/v1/portal/resources/invoice-current/notes", token).status, 401u);
  EXPECT_EQ(sys_->Login("dself", RunningSystem::PasswordOf("dself")).status, 401u);
  for (const ChartCell& cell : DaftraClientPermissions().cells) {
    EXPECT_EQ(StaffCheck("dself", cell.capability), std::make_pair(false, std::string("portal_disabled")))
        << cell.capability;
  }
  EXPECT_EQ(StaffCheck("dself", "invoices.pay", "invoice-current"),
            std::make_pair(false, std::string("portal_disabled")));

  settings.as_object()["portal_enabled"] = true;
  StaffCommand(verb::put, "/v1/settings", settings);
  tokens_->clear();  // disabling the portal ended every session (SessionEnded portal_disabled)
  const Oracle oracle(*data_, DaftraClientPermissions(), "dself");
  Mismatches diff;
  CheckListing(Token("dself"), oracle, "", "", diff);
  diff.Report("portal enabled again / dself");
  EXPECT_TRUE(StaffCheck("dself", "invoices.pay", "invoice-current").first);
}

// -- Seed 003: Autotask standard Client Portal security levels ---------------------------------

TEST_F(SeedsWalkthrough, Seed003AutotaskSecurityLevels) {
  Walk("abasic");
  Walk("aadv");
  Walk("amgr");
  Walk("nbasic");  // Basic in the sub-organisation
  Walk("ademoted");  // created on Manager, demoted to Basic
  CheckSpots({
      {"003", "l17", "Basic: its own ticket", "abasic", "t-current-abasic", "", true},
      {"003", "l17", "Basic: its own closed ticket", "abasic", "t-completed-abasic", "", true},
      {"003", "l17", "Basic: a colleague's ticket", "abasic", "t-current-cbase", "", false},
      {"003", "l17", "Basic: its recurring ticket", "abasic", "t-periodic-abasic", "", false},
      {"003", "l17", "Basic: another client's ticket, though its contact", "abasic", "g-trap-abasic", "", false},
      {"003", "l32-38", "Basic: devices", "abasic", "device-completed", "", false},
      {"003", "l17", "Advanced: the organisation's tickets", "aadv", "t-current-cbase", "", true},
      {"003", "l17", "Advanced: recurring tickets", "aadv", "t-periodic-plain", "", true},
      {"003", "l5", "Advanced: a sub-organisation's ticket", "aadv", "n-t-current-nbasic", "", false},
      {"003", "l32-38", "Advanced: devices", "aadv", "device-periodic", "", true},
      {"003", "l17", "Advanced: no invoices", "aadv", "invoice-current", "", false},
      {"003", "l5,l24", "Manager: a sub-organisation's ticket", "amgr", "n-t-current-nbasic", "", true},
      {"003", "l5,l24", "Manager: a sub-organisation's device", "amgr", "n-device", "", true},
      {"003", "l17", "Manager: a sub-organisation's invoice", "amgr", "n-invoice", "", true},
      {"003", "l17", "Manager: quotes", "amgr", "quote-periodic", "", true},
      {"003", "l17", "Manager: no locations", "amgr", "location-current", "", false},
      {"003", "l5", "Manager: never another client's", "amgr", "g-device", "", false},
      {"003", "l5", "the sub-organisation's Basic user: its own ticket", "nbasic", "n-t-current-nbasic", "", true},
      {"003", "l5", "the sub-organisation's user never sees its parent's", "nbasic", "t-current-plain", "", false},
      {"003", "l17", "Basic: client notes of its ticket", "abasic", "t-current-abasic", "client", true},
      {"003", "l17", "Basic: no contractor notes", "abasic", "t-current-abasic", "contractor", false},
      {"003", "l5", "Manager: client notes of a sub-organisation's ticket", "amgr", "n-t-completed-nbasic",
       "client", true},
      {"003", "l17", "Manager: no notes on devices (files and notes are apart)", "amgr", "device-current", "client",
       false},
      {"003", "l17", "Basic, demoted from Manager: its own closed ticket", "ademoted", "t-completed-closed", "",
       true},
      {"003", "l17", "Basic, demoted from Manager: no longer the organisation's", "ademoted", "t-current-plain", "",
       false},
      {"003", "l5", "Advanced: a ticket moved down to the sub-organisation", "aadv", "n-t-completed-moved-down",
       "", false},
      {"003", "l5,l24", "Manager: a ticket moved down to the sub-organisation", "amgr", "n-t-completed-moved-down",
       "", true},
      {"003", "l17", "Basic: a ticket moved to it", "nbasic", "n-t-completed-moved-down", "", true},
  });
  CheckCapabilitySpots({
      {"003", "l3", "Basic: update its profile", "abasic", "profile.update", "", true},
      {"003", "l2-3", "Basic: manage users", "abasic", "users.manage", "", false},
      {"003", "l2-3", "Advanced: manage users", "aadv", "users.manage", "", false},
      {"003", "l2-3,l7-19", "Manager: manage users", "amgr", "users.manage", "", true},
      {"003", "l17", "Basic: notes on its own ticket", "abasic", "tasks.notes.add", "t-current-abasic", true},
      {"003", "l17", "Basic: notes on a colleague's ticket", "abasic", "tasks.notes.add", "t-current-cbase", false},
  });
}

}  // namespace
}  // namespace portico::app_testing::seeds
