// AlertsModel: the "alerts" projection. It derives, from each event, the in-portal alerts of
// the users subscribed to the event's kind (own subscriptions or staff-assigned alert sets,
// domain/alert_state.h), keeps each user's inbox with its read state (AlertsMarkedRead), and
// hands the mails the event calls for (e-mail alerts, welcome, "Notify Client", lockout
// notice) to a NotificationSink.
//
// A user is never alerted about something it may not see: recipients are decided with
// domain::CanSeeResource / CanSeeNote on the access model's state AT THE EVENT'S POSITION
// (the runner applies each event to the projections in order, and this one is registered
// after "access": Apply() refuses, and so halts, if the access model is not exactly at the
// event's position), with the event's recorded time as "now". An internal note, another
// organisation's resource, a revoked view capability or a disabled organisation give no
// alert and no mail. A user is not alerted about a note it wrote itself.
//
// Alert kinds and what raises them: see domain/alert_state.h. One event gives a user at most
// one alert: a task update whose status changed is "task_status_changed" for users who
// subscribe to it and "resource_updated" for the others. "Changed" compares with the status
// just before the event, which the access model's fold reports (AccessIndex::
// last_resource_change); a resource that was not a task just before has no status change. An
// update that changes none of the resource's fields (a re-sync upserting it as it is) raises
// no alert. The alert id is the event's position (decimal): stable, so rebuilding the model
// from the log gives the same ids.
//
// Each inbox keeps the newest kMaxInboxAlerts alerts; a new one beyond that drops the oldest
// (read or not), so inboxes, and the scans of InboxOf, HasAlert, AlertsAfter and
// AlertsMarkedRead, stay bounded.
//
// The model is a pure function of the log and keeps no snapshot: it is rebuilt at every
// start. The sink sees every event's mails again then; it must skip those it delivered
// (NotificationOutbox keeps a checkpoint).
//
// Thread safety: Apply() on the runner's thread (exclusive lock); queries from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "domain/state.h"
#include "projections/access_model.h"
#include "projections/projection.h"

namespace portico::projections {

struct Alert {
  std::string alert_id;  // the event's position, decimal
  std::string kind;      // domain::kAlertKinds
  std::uint64_t position = 0;
  std::int64_t created_at_us = 0;
  std::string resource_id;
  std::string resource_type;  // "task", "file"...
  std::string title;          // the resource's title
  std::string note_id;        // note alerts
  std::string text;           // "New note on 'Boiler service'"
  bool read = false;
};

// A mail an event calls for; NotificationOutbox composes and sends it.
struct MailIntent {
  std::string notification_id;  // stable: "<kind>-<position>" or "alert-<position>-<user_id>"
  std::string kind;             // "alert", "welcome", "login_details", "lockout", "email_changed"
  std::string user_id;
  std::string to;
  std::string display_name;
  std::string username;
  std::int64_t created_at_us = 0;
  std::int64_t locked_until_us = 0;  // lockout
  std::optional<Alert> alert;        // kind "alert"
};

class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // The mails of the event at `position`, on the runner's thread; must not block for long.
  virtual void Deliver(std::vector<MailIntent> mails, Position position) = 0;
};

// Every user who may be related to `r` as domain::Check relates them (domain/check.cc,
// Relate), and so every user who may see it or its notes: the users of its organisation and
// of the organisations above it (org_tree), of its assigned business and above it (a
// contractor's work tree), and its assigned users. Sorted, unique; views into `s`. The alerts
// model asks only these instead of every subscriber in the system.
std::vector<std::string_view> UsersRelatedTo(const domain::AccessState& s, const domain::Resource& r);

class AlertsModel final : public Projection {
 public:
  // The most alerts one user's inbox keeps (README, "Alerts").
  static constexpr std::size_t kMaxInboxAlerts = 1000;

  // `access` must be registered with the runner before this model; both, and `sink` (may be
  // null), must outlive it.
  explicit AlertsModel(const AccessModel& access, NotificationSink* sink = nullptr)
      : access_(access), sink_(sink) {}
  AlertsModel(const AlertsModel&) = delete;
  AlertsModel& operator=(const AlertsModel&) = delete;

  std::string_view name() const override { return "alerts"; }
  Position applied() const override { return Position(applied_.load(std::memory_order_acquire)); }
  Status Apply(const schema::Envelope& event, Position position) override;

  struct Inbox {
    std::vector<Alert> alerts;  // newest first
    std::size_t unread = 0;     // in the whole inbox
    std::size_t total = 0;
  };
  // GET /v1/portal/alerts: up to `limit` alerts, newest first, only unread ones if asked.
  Inbox InboxOf(std::string_view user_id, bool unread_only, std::size_t limit) const;
  // Whether the user has an alert with this id.
  bool HasAlert(std::string_view user_id, std::string_view alert_id) const;
  // The user's alerts after `after_position`, oldest first (the WebSocket's feed).
  std::vector<Alert> AlertsAfter(std::string_view user_id, std::uint64_t after_position) const;

 private:
  void OnResource(const domain::AccessState& s, const AccessIndex::ResourceChange& change,
                  const schema::Envelope& env, std::vector<MailIntent>& mails);
  void OnNote(const domain::AccessState& s, std::string_view note_id, std::string_view kind,
              const schema::Envelope& env, std::vector<MailIntent>& mails);
  // Alerts every subscriber to one of `kinds` (the first it subscribes to wins) for which
  // `visible(user)` holds; `visible` implies seeing `r`, so only users related to `r` are
  // asked (UsersRelatedTo in alerts_model.cc).
  template <typename Visible>
  void Raise(const domain::AccessState& s, const domain::Resource& r, const std::vector<std::string_view>& kinds,
             Alert alert, Visible&& visible, std::vector<MailIntent>& mails, std::string_view skip_user = {});
  void AccountMail(const domain::AccessState& s, const schema::Envelope& env, std::vector<MailIntent>& mails);
  void AddToInbox(std::string_view user_id, Alert alert);  // requires mu_ (exclusive)

  const AccessModel& access_;
  NotificationSink* const sink_;
  mutable std::shared_mutex mu_;
  // GUARDED_BY(mu_), by user, oldest first, at most kMaxInboxAlerts each.
  domain::StringMap<std::deque<Alert>> inbox_;
  std::atomic<std::uint64_t> applied_{0};
};

}  // namespace portico::projections
