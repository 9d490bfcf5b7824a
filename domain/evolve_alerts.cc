#include "domain/evolve_alerts.h"

namespace portico::domain {
namespace {

std::string Str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

std::string Bytes(const flatbuffers::Vector<std::uint8_t>* v) {
  return v == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(v->data()), v->size());
}

std::vector<AlertSubscriptionEntry> Entries(
    const flatbuffers::Vector<flatbuffers::Offset<schema::AlertSubscription>>* v) {
  std::vector<AlertSubscriptionEntry> out;
  if (v == nullptr) return out;
  for (const auto* e : *v) {
    if (e == nullptr) continue;
    out.push_back({Str(e->kind()), e->in_portal(), e->email()});
  }
  return out;
}

std::vector<std::string> Strings(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  for (const auto* s : *v) out.push_back(Str(s));
  return out;
}

// Forgets the user's outstanding reset token, if any.
void DropReset(AlertingState& a, const std::string& user_id) {
  const auto it = a.resets.find(user_id);
  if (it == a.resets.end()) return;
  a.reset_by_token.erase(it->second.token_hash);
  a.resets.erase(it);
}

}  // namespace

void EvolveAlerting(AccessState& state, const schema::Envelope& env) {
  AlertingState& a = state.alerting;
  switch (env.body_type()) {
    case schema::EventBody::AlertSetDefined: {
      const auto* e = env.body_as_AlertSetDefined();
      const std::string id = Str(e->alert_set_id());
      if (id.empty()) return;
      a.alert_sets[id] = AlertSet{id, Str(e->name()), Entries(e->subscriptions())};
      return;
    }
    case schema::EventBody::UserAlertSetsAssigned: {
      const auto* e = env.body_as_UserAlertSetsAssigned();
      if (state.FindUser(Str(e->user_id())) == nullptr) return;
      auto ids = Strings(e->alert_set_ids());
      if (ids.empty()) {
        a.assigned_sets.erase(Str(e->user_id()));
      } else {
        a.assigned_sets[Str(e->user_id())] = std::move(ids);
      }
      return;
    }
    case schema::EventBody::AlertSubscriptionsSet: {
      const auto* e = env.body_as_AlertSubscriptionsSet();
      if (state.FindUser(Str(e->user_id())) == nullptr) return;
      auto entries = Entries(e->subscriptions());
      if (entries.empty()) {
        a.subscriptions.erase(Str(e->user_id()));
      } else {
        a.subscriptions[Str(e->user_id())] = std::move(entries);
      }
      return;
    }
    case schema::EventBody::PasswordResetRequested: {
      const auto* e = env.body_as_PasswordResetRequested();
      const std::string user = Str(e->user_id());
      const std::string hash = Bytes(e->token_hash());
      if (state.FindUser(user) == nullptr || hash.size() != 32 || a.reset_by_token.contains(hash)) return;
      DropReset(a, user);
      a.resets[user] = PasswordReset{user, hash, env.recorded_at_us(), e->expires_at_us()};
      a.reset_by_token[hash] = user;
      return;
    }
    case schema::EventBody::PasswordResetCompleted:
      DropReset(a, Str(env.body_as_PasswordResetCompleted()->user_id()));
      return;
    default:
      return;  // AlertsMarkedRead, LoginDetailsSent: only read models care
  }
}

}  // namespace portico::domain
