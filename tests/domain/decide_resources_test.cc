// Decide for resources and notes.
#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/domain/world.h"

namespace portico::domain {
namespace {

using schema::NoteVisibility;
using schema::ResourceStatus;
using schema::ResourceType;
using testing::World;

// The ids of the resources an org index lists under `org`, sorted.
std::vector<std::string> Listed(const AccessState& s, const StringMap<IndexSet>& index, const std::string& org) {
  std::vector<std::string> ids;
  const auto it = index.find(org);
  if (it != index.end()) {
    for (const auto i : it->second) ids.push_back(s.resources.at(i).id.value());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

class Resources : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("acme");
    w.Org("globex");
    w.ContractorOrg("sparks");
    w.User("bob", "acme", "client-base");
    w.User("mgr", "acme", "client-manager");
    w.User("gx", "globex", "client-manager");
  }
  UpsertResource Task(const std::string& id) {
    UpsertResource c;
    c.resource_id = ResourceId(id);
    c.type = ResourceType::Task;
    c.org_id = OrgId("acme");
    c.title = "Fix the gate";
    c.contact_user_id = UserId("bob");
    return c;
  }
  World w;
};

TEST_F(Resources, UpsertRegistersAndUpdates) {
  UpsertResource c = Task("t1");
  c.assigned_user_ids = {UserId("mgr"), UserId("bob"), UserId("mgr")};
  c.assigned_org_id = OrgId("sparks");
  auto events = w.Do(c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, "resource:t1");
  EXPECT_EQ(events[0].body.AsResourceUpserted()->assigned_user_ids, (std::vector<std::string>{"bob", "mgr"}));
  const Resource* r = w.state().FindResource("t1");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->IsAssigned("bob"));
  EXPECT_FALSE(r->IsAssigned("gx"));
  EXPECT_EQ(Listed(w.state(), w.state().resources_by_assigned_org, "sparks"), std::vector<std::string>{"t1"});
  // Moving it to another organisation moves it in the indexes and out of bob's sight.
  EXPECT_TRUE(w.Can("bob", "tasks.view.current", "t1").allowed);
  c.org_id = OrgId("globex");
  c.contact_user_id = UserId("gx");
  c.assigned_user_ids.clear();
  c.assigned_org_id = OrgId("");
  c.status = ResourceStatus::Completed;
  w.Do(c);
  EXPECT_EQ(w.state().resources_by_org.count("acme"), 0u);
  EXPECT_EQ(Listed(w.state(), w.state().resources_by_org, "globex"), std::vector<std::string>{"t1"});
  EXPECT_EQ(w.state().resources_by_assigned_org.count("sparks"), 0u);
  EXPECT_EQ(w.Can("bob", "tasks.view.completed", "t1").reason, Reason::kUnrelatedResource);
  EXPECT_TRUE(w.Can("gx", "tasks.view.completed", "t1").allowed);
}

TEST_F(Resources, UpsertRejections) {
  UpsertResource c = Task("");
  EXPECT_REJECTED(w.Try(c), kInvalidArgument, "resource id is empty");
  c = Task("t1");
  c.type = static_cast<ResourceType>(40);
  EXPECT_REJECTED(w.Try(c), kInvalidArgument, "unknown resource type");
  c = Task("t1");
  c.status = static_cast<ResourceStatus>(3);
  EXPECT_REJECTED(w.Try(c), kInvalidArgument, "resource status is not current, completed or periodic");
  c = Task("t1");
  c.title = std::string(501, 't');
  EXPECT_REJECTED(w.Try(c), kInvalidArgument, "resource title is longer than 500 bytes");
  c = Task("t1");
  c.org_id = OrgId("nope");
  EXPECT_REJECTED(w.Try(c), kNotFound, "organisation 'nope' does not exist");
  c = Task("t1");
  c.contact_user_id = UserId("ghost");
  EXPECT_REJECTED(w.Try(c), kNotFound, "user 'ghost' does not exist");
  c = Task("t1");
  c.assigned_user_ids = {UserId("ghost")};
  EXPECT_REJECTED(w.Try(c), kNotFound, "user 'ghost' does not exist");
  c = Task("t1");
  c.assigned_org_id = OrgId("nope");
  EXPECT_REJECTED(w.Try(c), kNotFound, "organisation 'nope' does not exist");
  c = Task("t1");
  c.assigned_org_id = OrgId("globex");
  EXPECT_REJECTED(w.Try(c), kFailedPrecondition,
                  "resource 't1' can only be assigned to a contractor business, and 'globex' is a client");
  c = Task("t1");
  c.assigned_user_ids.assign(1001, UserId("bob"));
  EXPECT_REJECTED(w.Try(c), kInvalidArgument, "a resource has at most 1000 assigned users");
  EXPECT_EQ(w.state().FindResource("t1"), nullptr);
}

TEST_F(Resources, NotesAndTheirRejections) {
  w.Do(Task("t1"));
  UpsertResource other = Task("t2");
  other.contact_user_id = UserId("mgr");
  w.Do(other);
  auto events = w.Do(ShareNote{NoteId("n1"), ResourceId("t1"), "Line one\nLine two", NoteVisibility::Client, UserId("")});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, "note:n1");
  EXPECT_EQ(w.state().notes_by_resource.at("t1"), (std::vector<std::string>{"n1"}));

  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n1"), ResourceId("t1"), "x", NoteVisibility::Client, UserId("")}),
                  kAlreadyExists, "note 'n1' already exists");
  EXPECT_REJECTED(w.Try(ShareNote{NoteId(""), ResourceId("t1"), "x", NoteVisibility::Client, UserId("")}),
                  kInvalidArgument, "note id is empty");
  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n2"), ResourceId("nope"), "x", NoteVisibility::Client, UserId("")}),
                  kNotFound, "resource 'nope' does not exist");
  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n2"), ResourceId("t1"), "", NoteVisibility::Client, UserId("")}),
                  kInvalidArgument, "note body is empty");
  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n2"), ResourceId("t1"), std::string(65537, 'x'), NoteVisibility::Client,
                                  UserId("")}),
                  kInvalidArgument, "note body is longer than 65536 bytes");
  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n2"), ResourceId("t1"), "x", static_cast<NoteVisibility>(3), UserId("")}),
                  kInvalidArgument, "note visibility is not internal, client or contractor");
  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n2"), ResourceId("t1"), "x", NoteVisibility::Client, UserId("ghost")}),
                  kNotFound, "user 'ghost' does not exist");
  // A portal user writes only on what it sees: bob is not t2's contact.
  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n2"), ResourceId("t2"), "x", NoteVisibility::Client, UserId("bob")}),
                  kFailedPrecondition, "user 'bob' may not write notes on resource 't2'");
  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n2"), ResourceId("t1"), "x", NoteVisibility::Client, UserId("gx")}),
                  kFailedPrecondition, "user 'gx' may not write notes on resource 't1'");
  // ... and needs tasks.notes.add on a task.
  w.Do(RevokePermission{UserId("bob"), "tasks.notes.add"});
  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n2"), ResourceId("t1"), "x", NoteVisibility::Client, UserId("bob")}),
                  kFailedPrecondition, "'tasks.notes.add' is revoked for user 'bob'");
  w.Do(ArchiveUser{UserId("bob")});
  EXPECT_REJECTED(w.Try(ShareNote{NoteId("n2"), ResourceId("t1"), "x", NoteVisibility::Client, UserId("bob")}),
                  kFailedPrecondition, "user 'bob' is archived");

  EXPECT_REJECTED(w.Try(ChangeNoteVisibility{NoteId("nope"), NoteVisibility::Internal}), kNotFound,
                  "note 'nope' does not exist");
  EXPECT_REJECTED(w.Try(ChangeNoteVisibility{NoteId("n1"), static_cast<NoteVisibility>(7)}), kInvalidArgument,
                  "note visibility is not internal, client or contractor");
  w.Do(ChangeNoteVisibility{NoteId("n1"), NoteVisibility::Internal});
  EXPECT_EQ(w.state().FindNote("n1")->visibility, NoteVisibility::Internal);
}

}  // namespace
}  // namespace portico::domain
