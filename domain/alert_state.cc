#include "domain/alert_state.h"

#include <algorithm>
#include <unordered_set>

namespace portico::domain {
namespace {

void Merge(const std::vector<AlertSubscriptionEntry>& entries, std::string_view kind, AlertChannels& out) {
  for (const auto& e : entries) {
    if (e.kind != kind) continue;
    out.in_portal = out.in_portal || e.in_portal;
    out.email = out.email || e.email;
  }
}

}  // namespace

bool IsAlertKind(std::string_view kind) {
  return std::find(kAlertKinds.begin(), kAlertKinds.end(), kind) != kAlertKinds.end();
}

AlertChannels AlertingState::ChannelsFor(std::string_view user_id, std::string_view kind) const {
  AlertChannels out;
  const std::string user(user_id);
  if (auto it = subscriptions.find(user); it != subscriptions.end()) Merge(it->second, kind, out);
  if (auto it = assigned_sets.find(user); it != assigned_sets.end()) {
    for (const std::string& set_id : it->second) {
      if (auto set = alert_sets.find(set_id); set != alert_sets.end()) {
        Merge(set->second.subscriptions, kind, out);
      }
    }
  }
  return out;
}

std::vector<std::string> AlertingState::Subscribers() const {
  std::unordered_set<std::string> users;
  for (const auto& [user, entries] : subscriptions) {
    if (!entries.empty()) users.insert(user);
  }
  for (const auto& [user, sets] : assigned_sets) {
    if (!sets.empty()) users.insert(user);
  }
  return {users.begin(), users.end()};
}

}  // namespace portico::domain
