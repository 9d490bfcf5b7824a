#include "projections/alerts_model.h"

#include <algorithm>
#include <mutex>

#include "domain/catalogue.h"
#include "domain/check.h"
#include "projections/next_position.h"

namespace portico::projections {
namespace {

std::string_view Sv(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->c_str(), s->size());
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

MailIntent MailFor(const domain::User& user, std::string kind, std::string id, std::int64_t at_us) {
  MailIntent m;
  m.notification_id = std::move(id);
  m.kind = std::move(kind);
  m.user_id = user.id.value();
  m.to = user.email;
  m.display_name = user.display_name;
  m.username = user.username;
  m.created_at_us = at_us;
  return m;
}

// Whether anyone subscribes to any alert (Raise alerts no one otherwise): most events of a
// log with no subscriber then cost no alert text at all.
bool AnySubscriber(const domain::AlertingState& a) {
  const auto non_empty = [](const auto& entry) { return !entry.second.empty(); };
  return std::any_of(a.subscriptions.begin(), a.subscriptions.end(), non_empty) ||
         std::any_of(a.assigned_sets.begin(), a.assigned_sets.end(), non_empty);
}

// A new alert raised by the event: its id, position and time.
Alert AlertAt(const schema::Envelope& env) {
  Alert a;
  a.alert_id = std::to_string(env.position());
  a.position = env.position();
  a.created_at_us = env.recorded_at_us();
  return a;
}

}  // namespace

std::vector<std::string_view> UsersRelatedTo(const domain::AccessState& s, const domain::Resource& r) {
  std::vector<std::string_view> users;
  const auto add_chain = [&](std::string_view org_id) {
    const domain::Org* org = s.FindOrg(org_id);
    for (int depth = 0; org != nullptr && depth < domain::kMaxOrgDepth; ++depth, org = s.Parent(*org)) {
      const auto members = s.users_by_org.find(org->id.value());
      if (members != s.users_by_org.end()) users.insert(users.end(), members->second.begin(), members->second.end());
    }
  };
  add_chain(r.org.value());
  if (!r.assigned_org.value().empty()) add_chain(r.assigned_org.value());
  for (const domain::UserId& u : r.assigned_users) users.push_back(u.value());
  std::sort(users.begin(), users.end());  // also the deterministic order of mails
  users.erase(std::unique(users.begin(), users.end()), users.end());
  return users;
}

Status AlertsModel::Apply(const schema::Envelope& event, Position position) {
  std::vector<MailIntent> mails;
  {
    std::unique_lock lock(mu_);
    RETURN_IF_ERROR(CheckNextPosition(name(), applied(), event, position));
    Status status = access_.Read([&](const AccessIndex& index) -> Status {
      const domain::AccessState& s = index.state();
      if (s.position != position.value()) {
        return Status::FailedPrecondition("alerts: the access model is at position " +
                                          std::to_string(s.position) + ", not " +
                                          std::to_string(position.value()));
      }
      switch (event.body_type()) {
        case schema::EventBody::ResourceUpserted:
          if (const auto& change = index.last_resource_change(); change.resource != nullptr) {
            OnResource(s, change, event, mails);
          }
          break;
        case schema::EventBody::NoteShared:
          OnNote(s, Sv(event.body_as_NoteShared()->note_id()), "note_added", event, mails);
          break;
        case schema::EventBody::NoteVisibilityChanged:
          if (event.body_as_NoteVisibilityChanged()->visibility() != schema::NoteVisibility::Internal) {
            OnNote(s, Sv(event.body_as_NoteVisibilityChanged()->note_id()), "note_shared", event, mails);
          }
          break;
        case schema::EventBody::AlertsMarkedRead: {
          const auto* e = event.body_as_AlertsMarkedRead();
          auto it = inbox_.find(Sv(e->user_id()));
          if (it == inbox_.end() || e->alert_ids() == nullptr) break;
          for (const auto* id : *e->alert_ids()) {
            for (Alert& a : it->second) {
              if (a.alert_id == Sv(id)) a.read = true;
            }
          }
          break;
        }
        default:
          AccountMail(s, event, mails);
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(status);
    applied_.store(position.value(), std::memory_order_release);
  }
  if (sink_ != nullptr && !mails.empty()) sink_->Deliver(std::move(mails), position);
  return Status::Ok();
}

void AlertsModel::OnResource(const domain::AccessState& s, const AccessIndex::ResourceChange& change,
                             const schema::Envelope& env, std::vector<MailIntent>& mails) {
  if (!AnySubscriber(s.alerting)) return;
  if (!change.changed) return;  // upserted as it was: nothing to tell anyone
  const domain::Resource& r = *change.resource;
  // A task whose status differs from its status just before this event, when it was a task
  // then too.
  const bool status_changed = r.type == schema::ResourceType::Task &&
                              change.type_before == schema::ResourceType::Task &&
                              change.status_before != r.status;
  std::vector<std::string_view> kinds;
  Alert alert = AlertAt(env);
  alert.resource_id = r.id.value();
  alert.resource_type = std::string(domain::ResourceTypeName(r.type));
  alert.title = r.title;
  const std::string what = alert.resource_type + " " + Quoted(r.title);
  if (env.stream_version() == 1) {
    kinds.push_back(r.type == schema::ResourceType::File ? "file_added" : "resource_added");
    alert.text = "New " + what;
  } else {
    if (status_changed) {
      kinds.push_back("task_status_changed");
      alert.text = "Task " + Quoted(r.title) + " is now " + std::string(domain::ResourceStatusName(r.status));
    }
    kinds.push_back("resource_updated");
    if (alert.text.empty()) alert.text = "Updated " + what;
  }
  const std::int64_t now = env.recorded_at_us();
  Raise(s, r, kinds, std::move(alert),
        [&](const domain::User& u) { return domain::CanSeeResource(s, u, r, now).allowed; }, mails);
}

void AlertsModel::OnNote(const domain::AccessState& s, std::string_view note_id, std::string_view kind,
                         const schema::Envelope& env, std::vector<MailIntent>& mails) {
  if (!AnySubscriber(s.alerting)) return;
  const domain::Note* n = s.FindNote(note_id);
  if (n == nullptr || n->visibility == schema::NoteVisibility::Internal) return;
  const domain::Resource* r = s.FindResource(n->resource.value());
  if (r == nullptr) return;
  Alert alert = AlertAt(env);
  alert.resource_id = r->id.value();
  alert.resource_type = std::string(domain::ResourceTypeName(r->type));
  alert.title = r->title;
  alert.note_id = n->id.value();
  alert.text = (kind == "note_added" ? "New note on " : "Note shared on ") + alert.resource_type + " " +
               Quoted(r->title);
  const std::int64_t now = env.recorded_at_us();
  Raise(s, *r, {kind}, std::move(alert),
        [&](const domain::User& u) { return domain::CanSeeNote(s, u, *n, now).allowed; }, mails,
        n->author.value());
}

template <typename Visible>
void AlertsModel::Raise(const domain::AccessState& s, const domain::Resource& r,
                        const std::vector<std::string_view>& kinds, Alert alert, Visible&& visible,
                        std::vector<MailIntent>& mails, std::string_view skip_user) {
  for (const std::string_view user_id : UsersRelatedTo(s, r)) {
    if (user_id == skip_user) continue;
    std::string_view kind;
    domain::AlertChannels channels;
    for (std::string_view k : kinds) {
      channels = s.alerting.ChannelsFor(user_id, k);
      if (channels.any()) {
        kind = k;
        break;
      }
    }
    if (kind.empty()) continue;
    const domain::User* user = s.FindUser(user_id);
    if (user == nullptr || !visible(*user)) continue;
    Alert a = alert;
    a.kind = std::string(kind);
    if (channels.in_portal) AddToInbox(user_id, a);
    if (channels.email && !user->email.empty()) {
      MailIntent m = MailFor(*user, "alert", "alert-" + a.alert_id + "-" + user->id.value(), a.created_at_us);
      m.alert = std::move(a);
      mails.push_back(std::move(m));
    }
  }
}

void AlertsModel::AddToInbox(std::string_view user_id, Alert alert) {
  auto it = inbox_.find(user_id);
  if (it == inbox_.end()) it = inbox_.emplace(std::string(user_id), std::deque<Alert>()).first;
  std::deque<Alert>& inbox = it->second;
  inbox.push_back(std::move(alert));
  if (inbox.size() > kMaxInboxAlerts) inbox.pop_front();
}

void AlertsModel::AccountMail(const domain::AccessState& s, const schema::Envelope& env,
                              std::vector<MailIntent>& mails) {
  const auto pos = [&] { return std::to_string(env.position()); };
  const std::int64_t at = env.recorded_at_us();
  switch (env.body_type()) {
    case schema::EventBody::UserCreated: {
      const domain::User* u = s.FindUser(Sv(env.body_as_UserCreated()->user_id()));
      if (u != nullptr && !u->email.empty() && u->type != schema::UserType::Passive) {
        mails.push_back(MailFor(*u, "welcome", "welcome-" + pos(), at));
      }
      return;
    }
    case schema::EventBody::LoginDetailsSent: {
      const domain::User* u = s.FindUser(Sv(env.body_as_LoginDetailsSent()->user_id()));
      if (u != nullptr && !u->email.empty()) mails.push_back(MailFor(*u, "login_details", "login_details-" + pos(), at));
      return;
    }
    case schema::EventBody::ContactDetailsUpdated: {
      // A changed address: a notice to the old one, so that its owner learns of a change it
      // did not make.
      const auto* e = env.body_as_ContactDetailsUpdated();
      const domain::User* u = s.FindUser(Sv(e->user_id()));
      if (u != nullptr && !Sv(e->previous_email()).empty()) {
        MailIntent m = MailFor(*u, "email_changed", "email_changed-" + pos(), at);
        m.to = std::string(Sv(e->previous_email()));
        mails.push_back(std::move(m));
      }
      return;
    }
    case schema::EventBody::UserLockedOut: {
      const domain::User* u = s.FindUser(Sv(env.body_as_UserLockedOut()->user_id()));
      if (u != nullptr && !u->email.empty()) {
        MailIntent m = MailFor(*u, "lockout", "lockout-" + pos(), at);
        m.locked_until_us = env.body_as_UserLockedOut()->until_us();
        mails.push_back(std::move(m));
      }
      return;
    }
    default:
      return;
  }
}

AlertsModel::Inbox AlertsModel::InboxOf(std::string_view user_id, bool unread_only, std::size_t limit) const {
  std::shared_lock lock(mu_);
  Inbox out;
  auto it = inbox_.find(user_id);
  if (it == inbox_.end()) return out;
  out.total = it->second.size();
  for (auto a = it->second.rbegin(); a != it->second.rend(); ++a) {
    if (!a->read) ++out.unread;
    if ((unread_only && a->read) || out.alerts.size() >= limit) continue;
    out.alerts.push_back(*a);
  }
  return out;
}

bool AlertsModel::HasAlert(std::string_view user_id, std::string_view alert_id) const {
  std::shared_lock lock(mu_);
  auto it = inbox_.find(user_id);
  if (it == inbox_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [&](const Alert& a) { return a.alert_id == alert_id; });
}

std::vector<Alert> AlertsModel::AlertsAfter(std::string_view user_id, std::uint64_t after_position) const {
  std::shared_lock lock(mu_);
  std::vector<Alert> out;
  auto it = inbox_.find(user_id);
  if (it == inbox_.end()) return out;
  for (const Alert& a : it->second) {
    if (a.position > after_position) out.push_back(a);
  }
  return out;
}

}  // namespace portico::projections
