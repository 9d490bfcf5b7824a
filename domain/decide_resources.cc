// Decide for resources (the provider's records, as far as visibility needs them) and notes.
#include <algorithm>

#include "domain/check.h"
#include "domain/decide_internal.h"
#include "domain/validate.h"

namespace portico::domain::internal {
namespace {

constexpr std::size_t kMaxAssignedUsers = 1000;

Status CheckVisibility(schema::NoteVisibility v) {
  if (!InRange(v)) return Status::InvalidArgument("note visibility is not internal, client or contractor");
  return Status::Ok();
}

}  // namespace

Result<Events> DecideOne(const AccessState& s, const UpsertResource& c, std::int64_t) {
  RETURN_IF_ERROR(ValidateId("resource id", c.resource_id.value()));
  if (!InRange(c.type)) return Status::InvalidArgument("unknown resource type");
  if (!InRange(c.status)) return Status::InvalidArgument("resource status is not current, completed or periodic");
  RETURN_IF_ERROR(ValidateText("resource title", c.title, kMaxTitleLength, true));
  RETURN_IF_ERROR(RequireOrg(s, c.org_id).status());
  if (!c.contact_user_id.value().empty()) {
    RETURN_IF_ERROR(RequireUser(s, c.contact_user_id, /*allow_archived=*/true).status());
  }
  if (c.assigned_user_ids.size() > kMaxAssignedUsers) {
    return Status::InvalidArgument("a resource has at most " + std::to_string(kMaxAssignedUsers) + " assigned users");
  }
  std::vector<std::string> assigned;
  for (const UserId& id : c.assigned_user_ids) {
    RETURN_IF_ERROR(RequireUser(s, id, /*allow_archived=*/true).status());
    assigned.push_back(id.value());
  }
  std::sort(assigned.begin(), assigned.end());
  assigned.erase(std::unique(assigned.begin(), assigned.end()), assigned.end());
  if (!c.assigned_org_id.value().empty()) {
    ASSIGN_OR_RETURN(const Org* business, RequireOrg(s, c.assigned_org_id));
    if (business->kind != schema::OrgKind::Contractor) {
      return Status::FailedPrecondition("resource " + Quoted(c.resource_id.value()) +
                                        " can only be assigned to a contractor business, and " +
                                        Quoted(business->id.value()) + " is a client");
    }
  }
  schema::ResourceUpsertedT upserted;
  upserted.resource_id = c.resource_id.value();
  upserted.type = c.type;
  upserted.org_id = c.org_id.value();
  upserted.title = c.title;
  upserted.status = c.status;
  upserted.contact_user_id = c.contact_user_id.value();
  upserted.assigned_user_ids = std::move(assigned);
  upserted.assigned_org_id = c.assigned_org_id.value();
  Events out;
  out.push_back(MakeEvent(ResourceStream(c.resource_id.value()), std::move(upserted)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const ShareNote& c, std::int64_t now_us) {
  RETURN_IF_ERROR(ValidateId("note id", c.note_id.value()));
  if (s.FindNote(c.note_id.value()) != nullptr) {
    return Status::AlreadyExists("note " + Quoted(c.note_id.value()) + " already exists");
  }
  RETURN_IF_ERROR(ValidateId("resource id", c.resource_id.value()));
  const Resource* resource = s.FindResource(c.resource_id.value());
  if (resource == nullptr) return Status::NotFound("resource " + Quoted(c.resource_id.value()) + " does not exist");
  RETURN_IF_ERROR(ValidateText("note body", c.body, kMaxNoteLength, false, /*multiline=*/true));
  RETURN_IF_ERROR(CheckVisibility(c.visibility));
  if (!c.author_user_id.value().empty()) {
    ASSIGN_OR_RETURN(const User* author, RequireUser(s, c.author_user_id));
    CheckResult may = CanSeeResource(s, *author, *resource, now_us);
    if (may.allowed && resource->type == schema::ResourceType::Task) {
      may = Check(s, *author, Capability::kTasksNotesAdd, resource, now_us);
    }
    if (!may.allowed) {
      return Status::FailedPrecondition("user " + Quoted(author->id.value()) + " may not write notes on resource " +
                                        Quoted(resource->id.value()) + ": " + may.detail);
    }
  }
  schema::NoteSharedT shared;
  shared.note_id = c.note_id.value();
  shared.resource_id = c.resource_id.value();
  shared.body = c.body;
  shared.visibility = c.visibility;
  shared.author_user_id = c.author_user_id.value();
  Events out;
  out.push_back(MakeEvent(NoteStream(c.note_id.value()), std::move(shared)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const ChangeNoteVisibility& c, std::int64_t) {
  RETURN_IF_ERROR(ValidateId("note id", c.note_id.value()));
  if (s.FindNote(c.note_id.value()) == nullptr) return Status::NotFound("note " + Quoted(c.note_id.value()) + " does not exist");
  RETURN_IF_ERROR(CheckVisibility(c.visibility));
  schema::NoteVisibilityChangedT changed;
  changed.note_id = c.note_id.value();
  changed.visibility = c.visibility;
  Events out;
  out.push_back(MakeEvent(NoteStream(c.note_id.value()), std::move(changed)));
  return out;
}

}  // namespace portico::domain::internal
