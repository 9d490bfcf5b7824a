#include "projections/audit_model.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <utility>

#include <boost/container/small_vector.hpp>

#include "projections/next_position.h"

namespace portico::projections {
namespace {

using schema::EventBody;

std::string_view Sv(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->c_str(), s->size());
}

struct StreamPrefix {
  std::string_view prefix;
  KeyKind kind;
};
constexpr std::array<StreamPrefix, 5> kStreamPrefixes = {{
    {"user:", KeyKind::kUser},
    {"org:", KeyKind::kOrg},
    {"resource:", KeyKind::kResource},
    {"note:", KeyKind::kNote},
    {"level:", KeyKind::kLevel},
}};

// A stream name as a key: "user:u1" is the user key u1, and so on; any other name is a kStream
// key holding the whole name.
std::uint32_t StreamKey(KeyTable& keys, std::string_view stream) {
  for (const auto& [prefix, kind] : kStreamPrefixes) {
    if (stream.starts_with(prefix)) return keys.Intern(kind, stream.substr(prefix.size()));
  }
  return keys.Intern(KeyKind::kStream, stream);
}

std::string StreamName(const KeyTable& keys, std::uint32_t key) {
  const KeyKind kind = keys.kind(key);
  for (const auto& [prefix, k] : kStreamPrefixes) {
    if (k == kind) return std::string(prefix).append(keys.id(key));
  }
  return std::string(keys.id(key));
}

// The keys an event is about (audit_model.h lists them), posted once each.
class Subjects {
 public:
  explicit Subjects(KeyTable& keys) : keys_(keys) {}

  // The user, and its organisation unless with_org is false.
  std::uint32_t User(std::string_view id, bool with_org = true) {
    if (id.empty()) return KeyTable::kNone;
    const std::uint32_t key = Add(keys_.Intern(KeyKind::kUser, id));
    if (with_org) Add(keys_.link(key));
    return key;
  }
  std::uint32_t Org(std::string_view id) { return id.empty() ? KeyTable::kNone : Add(keys_.Intern(KeyKind::kOrg, id)); }
  // The resource and its organisation.
  void Resource(std::uint32_t key) {
    Add(key);
    Add(keys_.link(key));
  }
  void Resource(std::string_view id) {
    if (!id.empty()) Resource(keys_.Intern(KeyKind::kResource, id));
  }
  // The user, organisation or resource (with its organisation) a stream key is of; nothing
  // for other streams. Every event on "user:u1" is about u1, whatever its body says.
  void Stream(std::uint32_t key) {
    switch (keys_.kind(key)) {
      case KeyKind::kUser:
        Add(key);
        Add(keys_.link(key));
        break;
      case KeyKind::kOrg: Add(key); break;
      case KeyKind::kResource: Resource(key); break;
      default: break;
    }
  }
  // The note's resource and that resource's organisation.
  void Note(std::string_view id) {
    const std::uint32_t resource = keys_.link(keys_.Intern(KeyKind::kNote, id));
    if (resource != KeyTable::kNone) Resource(resource);
  }
  void Actor(std::string_view id) {
    if (!id.empty()) Add(keys_.Intern(KeyKind::kActor, id));
  }

  void Post(std::uint64_t position) {
    for (std::uint32_t key : subjects_) keys_.Post(key, position);  // Post skips a repeat
  }

 private:
  std::uint32_t Add(std::uint32_t key) {
    if (key != KeyTable::kNone && std::find(subjects_.begin(), subjects_.end(), key) == subjects_.end()) {
      subjects_.push_back(key);
    }
    return key;
  }

  KeyTable& keys_;
  boost::container::small_vector<std::uint32_t, 8> subjects_;  // no allocation for most events
};

// A portal user's action on a resource (EstimateApproved, PaymentIntentRecorded): the resource
// with its organisation, and the user (as for ResourceUpserted's users, not its organisation).
template <typename Body>
void AboutResourceAction(Subjects& about, const Body& body) {
  about.Resource(Sv(body.resource_id()));
  about.User(Sv(body.user_id()), /*with_org=*/false);
}

// The user id of a user-stream event, or "" for other types.
std::string_view UserOf(const schema::Envelope& e) {
  switch (e.body_type()) {
    case EventBody::UserCreated: return Sv(e.body_as_UserCreated()->user_id());
    case EventBody::UserLevelChanged: return Sv(e.body_as_UserLevelChanged()->user_id());
    case EventBody::PermissionGranted: return Sv(e.body_as_PermissionGranted()->user_id());
    case EventBody::PermissionRevoked: return Sv(e.body_as_PermissionRevoked()->user_id());
    case EventBody::PasswordChanged: return Sv(e.body_as_PasswordChanged()->user_id());
    case EventBody::PasswordResetForced: return Sv(e.body_as_PasswordResetForced()->user_id());
    case EventBody::LoginEnabledChanged: return Sv(e.body_as_LoginEnabledChanged()->user_id());
    case EventBody::UserArchived: return Sv(e.body_as_UserArchived()->user_id());
    case EventBody::SessionStarted: return Sv(e.body_as_SessionStarted()->user_id());
    case EventBody::LoginFailed: return Sv(e.body_as_LoginFailed()->user_id());
    case EventBody::UserLockedOut: return Sv(e.body_as_UserLockedOut()->user_id());
    case EventBody::SessionEnded: return Sv(e.body_as_SessionEnded()->user_id());
    case EventBody::RegistrationDecided: return Sv(e.body_as_RegistrationDecided()->user_id());
    case EventBody::ContactDetailsUpdated: return Sv(e.body_as_ContactDetailsUpdated()->user_id());
    case EventBody::UserAlertSetsAssigned: return Sv(e.body_as_UserAlertSetsAssigned()->user_id());
    case EventBody::AlertSubscriptionsSet: return Sv(e.body_as_AlertSubscriptionsSet()->user_id());
    case EventBody::AlertsMarkedRead: return Sv(e.body_as_AlertsMarkedRead()->user_id());
    case EventBody::PasswordResetRequested: return Sv(e.body_as_PasswordResetRequested()->user_id());
    case EventBody::PasswordResetCompleted: return Sv(e.body_as_PasswordResetCompleted()->user_id());
    case EventBody::LoginDetailsSent: return Sv(e.body_as_LoginDetailsSent()->user_id());
    default: return {};
  }
}

}  // namespace

Status AuditModel::Apply(const schema::Envelope& event, Position position) {
  std::unique_lock lock(mu_);
  RETURN_IF_ERROR(CheckNextPosition(name(), applied(), event, position));
  Index(event, position.value());
  applied_.store(position.value(), std::memory_order_release);
  return Status::Ok();
}

void AuditModel::ExpectEvents(std::uint64_t count) {
  std::unique_lock lock(mu_);
  records_.reserve(records_.size() + static_cast<std::size_t>(count));
  keys_.Reserve(count);
}

void AuditModel::Index(const schema::Envelope& e, std::uint64_t position) {
  Subjects about(keys_);
  const std::uint32_t stream = StreamKey(keys_, Sv(e.stream_id()));
  switch (e.body_type()) {
    case EventBody::OrgRegistered: {
      const auto* b = e.body_as_OrgRegistered();
      about.Org(Sv(b->org_id()));
      about.Org(Sv(b->parent_org_id()));
      break;
    }
    case EventBody::OrgAccessChanged: about.Org(Sv(e.body_as_OrgAccessChanged()->org_id())); break;
    case EventBody::OrgAllowedLevelsSet: about.Org(Sv(e.body_as_OrgAllowedLevelsSet()->org_id())); break;
    case EventBody::UserCreated: {
      const auto* b = e.body_as_UserCreated();
      LinkUserToOrg(Sv(b->user_id()), Sv(b->org_id()));
      about.User(Sv(b->user_id()));
      break;
    }
    case EventBody::RegistrationRequested: {  // the user to be, of the organisation it asks to join
      const auto* b = e.body_as_RegistrationRequested();
      LinkUserToOrg(Sv(b->user_id()), Sv(b->org_id()));
      about.User(Sv(b->user_id()));
      about.Org(Sv(b->org_id()));
      break;
    }
    case EventBody::RegistrationCodeSet: about.Org(Sv(e.body_as_RegistrationCodeSet()->org_id())); break;
    case EventBody::ImportRowsRecorded: {  // the users the import is about to create
      const auto* b = e.body_as_ImportRowsRecorded();
      if (b->accepted() != nullptr) {
        for (const auto* row : *b->accepted()) about.User(Sv(row->user_id()), /*with_org=*/false);
      }
      break;
    }
    case EventBody::UsersImported: about.Org(Sv(e.body_as_UsersImported()->org_id())); break;
    case EventBody::PortalRequestSubmitted: {
      const auto* b = e.body_as_PortalRequestSubmitted();
      about.User(Sv(b->user_id()));
      about.Org(Sv(b->org_id()));
      break;
    }
    case EventBody::EstimateApproved: AboutResourceAction(about, *e.body_as_EstimateApproved()); break;
    case EventBody::PaymentIntentRecorded: AboutResourceAction(about, *e.body_as_PaymentIntentRecorded()); break;
    case EventBody::ResourceUpserted: {
      const auto* b = e.body_as_ResourceUpserted();
      const std::uint32_t resource = keys_.Intern(KeyKind::kResource, Sv(b->resource_id()));
      about.Resource(resource);  // with its previous organisation, if any
      if (const std::uint32_t org = about.Org(Sv(b->org_id())); org != KeyTable::kNone) keys_.set_link(resource, org);
      about.Org(Sv(b->assigned_org_id()));
      about.User(Sv(b->contact_user_id()), /*with_org=*/false);
      if (b->assigned_user_ids() != nullptr) {
        for (const auto* user : *b->assigned_user_ids()) about.User(Sv(user), /*with_org=*/false);
      }
      break;
    }
    case EventBody::NoteShared: {
      const auto* b = e.body_as_NoteShared();
      const std::uint32_t note = keys_.Intern(KeyKind::kNote, Sv(b->note_id()));
      if (keys_.link(note) == KeyTable::kNone && b->resource_id() != nullptr && b->resource_id()->size() > 0) {
        keys_.set_link(note, keys_.Intern(KeyKind::kResource, Sv(b->resource_id())));
      }
      about.Note(Sv(b->note_id()));
      about.User(Sv(b->author_user_id()), /*with_org=*/false);
      break;
    }
    case EventBody::NoteVisibilityChanged: about.Note(Sv(e.body_as_NoteVisibilityChanged()->note_id())); break;
    // The types above name their stream's user, organisation or resource in their bodies;
    // any other event is about its stream's (every event on "user:u1" is about u1), and a
    // user-stream event's user also brings the user's organisation.
    default:
      about.User(UserOf(e));
      about.Stream(stream);
      break;
  }

  Record record{};
  record.recorded_at_us = e.recorded_at_us();
  record.stream = stream;
  record.type = e.body_type();
  record.actor_kind = e.actor() != nullptr ? e.actor()->kind() : schema::ActorKind::System;
  const std::string_view actor = e.actor() != nullptr ? Sv(e.actor()->id()) : std::string_view();
  record.actor = actor.empty() ? KeyTable::kNone : keys_.Intern(KeyKind::kActor, actor);
  const std::string_view on_behalf_of = Sv(e.on_behalf_of());
  record.on_behalf_of = on_behalf_of.empty() ? KeyTable::kNone : keys_.Intern(KeyKind::kActor, on_behalf_of);
  about.Actor(actor);
  about.Actor(on_behalf_of);
  about.Post(position);

  if (!records_.empty() && record.recorded_at_us < records_.back().recorded_at_us) time_ordered_ = false;
  records_.push_back(record);
  const auto type = static_cast<std::size_t>(record.type);
  if (type < by_type_.size()) by_type_[type].push_back(position);
}

void AuditModel::LinkUserToOrg(std::string_view user_id, std::string_view org_id) {
  if (user_id.empty() || org_id.empty()) return;
  const std::uint32_t user = keys_.Intern(KeyKind::kUser, user_id);
  if (keys_.link(user) == KeyTable::kNone) keys_.set_link(user, keys_.Intern(KeyKind::kOrg, org_id));
}

AuditRecord AuditModel::Render(std::uint64_t position) const {
  const Record& r = records_[position - 1];
  AuditRecord out;
  out.position = Position(position);
  out.recorded_at_us = r.recorded_at_us;
  out.type = r.type;
  out.actor_kind = r.actor_kind;
  if (r.actor != KeyTable::kNone) out.actor = keys_.id(r.actor);
  if (r.on_behalf_of != KeyTable::kNone) out.on_behalf_of = keys_.id(r.on_behalf_of);
  out.stream = StreamName(keys_, r.stream);
  return out;
}

AuditPage AuditModel::Query(const AuditFilter& filter) const {
  const std::size_t limit = filter.limit == 0 ? kDefaultAuditLimit : std::min(filter.limit, kMaxAuditLimit);
  AuditPage page;
  std::shared_lock lock(mu_);
  // Nothing after the last record; checked first so that after + 1 below cannot wrap to 0.
  if (filter.after.value() >= records_.size()) return page;

  // Positions lo..hi, narrowed by time when the records are in time order.
  std::uint64_t lo = filter.after.value() + 1, hi = records_.size();
  if (time_ordered_) {
    if (filter.from_us) {
      const auto it = std::partition_point(records_.begin(), records_.end(),
                                           [&](const Record& r) { return r.recorded_at_us < *filter.from_us; });
      lo = std::max<std::uint64_t>(lo, static_cast<std::uint64_t>(it - records_.begin()) + 1);
    }
    if (filter.to_us) {
      const auto it = std::partition_point(records_.begin(), records_.end(),
                                           [&](const Record& r) { return r.recorded_at_us < *filter.to_us; });
      hi = std::min<std::uint64_t>(hi, static_cast<std::uint64_t>(it - records_.begin()));
    }
  }

  std::vector<const Postings*> lists;
  const std::pair<const std::optional<std::string>*, KeyKind> named[] = {
      {&filter.user_id, KeyKind::kUser},
      {&filter.org_id, KeyKind::kOrg},
      {&filter.actor, KeyKind::kActor},
      {&filter.resource_id, KeyKind::kResource},
  };
  for (const auto& [value, kind] : named) {
    if (!value->has_value()) continue;
    const std::uint32_t key = keys_.Find(kind, **value);
    if (key == KeyTable::kNone) return page;  // nothing is about an unknown id
    lists.push_back(&keys_.postings(key));
  }
  if (filter.type) {
    const auto type = static_cast<std::size_t>(*filter.type);
    if (type >= by_type_.size()) return page;
    lists.push_back(&by_type_[type]);
  }

  // Collect one more than asked, to know whether there is a next page.
  auto accept = [&](std::uint64_t p) {
    const Record& r = records_[p - 1];
    if ((filter.from_us && r.recorded_at_us < *filter.from_us) || (filter.to_us && r.recorded_at_us >= *filter.to_us)) {
      return true;
    }
    page.records.push_back(Render(p));
    return page.records.size() <= limit;
  };
  if (lists.empty()) {
    for (std::uint64_t p = lo; p <= hi && accept(p); ++p) {
    }
  } else {
    IntersectPostings(std::move(lists), lo, hi, accept);
  }
  if (page.records.size() > limit) {
    page.records.pop_back();
    page.next = page.records.back().position;
  }
  return page;
}

}  // namespace portico::projections
