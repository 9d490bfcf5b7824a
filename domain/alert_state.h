// The part of AccessState that alerts and password resets need (issue 6): alert sets defined
// by staff, each user's own subscriptions and assigned alert sets, and the outstanding
// password-reset token of each user. Folded by domain/evolve_alerts.cc; read by Decide
// (decide_alerts.cc, decide_password_reset.cc) and by the alerts read model.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace portico::domain {

// The alert kinds a user may subscribe to, and what raises each (projections/alerts_model.h):
//   note_added           a note is shared on a resource (NoteShared)
//   note_shared          a note's visibility changes to client or contractor
//   file_added           a new resource of type file
//   resource_added       a new resource of any other type
//   resource_updated     an existing resource changes (title, status, assignment...)
//   task_status_changed  a task's status changes
inline constexpr std::array<std::string_view, 6> kAlertKinds = {
    "note_added", "note_shared", "file_added", "resource_added", "resource_updated",
    "task_status_changed"};

bool IsAlertKind(std::string_view kind);

struct AlertSubscriptionEntry {
  std::string kind;
  bool in_portal = false;
  bool email = false;
  bool operator==(const AlertSubscriptionEntry&) const = default;
};

struct AlertSet {
  std::string id;
  std::string name;
  std::vector<AlertSubscriptionEntry> subscriptions;
  bool operator==(const AlertSet&) const = default;
};

struct PasswordReset {
  std::string user_id;
  std::string token_hash;  // 32 raw bytes
  std::int64_t requested_at_us = 0;
  std::int64_t expires_at_us = 0;
  bool operator==(const PasswordReset&) const = default;
};

// The channels one user gets one kind on.
struct AlertChannels {
  bool in_portal = false;
  bool email = false;
  bool any() const { return in_portal || email; }
};

struct AlertingState {
  std::unordered_map<std::string, AlertSet> alert_sets;  // by alert set id
  // By user id: its own subscriptions and the alert sets staff assigned to it.
  std::unordered_map<std::string, std::vector<AlertSubscriptionEntry>> subscriptions;
  std::unordered_map<std::string, std::vector<std::string>> assigned_sets;
  // The outstanding reset of each user (a newer request replaces it), and token hash -> user.
  std::unordered_map<std::string, PasswordReset> resets;
  std::unordered_map<std::string, std::string> reset_by_token;

  // The union of the user's own subscriptions and its alert sets' for `kind`.
  AlertChannels ChannelsFor(std::string_view user_id, std::string_view kind) const;
  // Every user with at least one subscription, own or through a set (unsorted).
  std::vector<std::string> Subscribers() const;

  bool operator==(const AlertingState&) const = default;
};

}  // namespace portico::domain
