// Decide for alerts: alert sets (staff), their assignment to users (staff), a portal user's
// own subscriptions, marking in-portal alerts read, and the "Notify Client" mail.
#include <algorithm>
#include <set>

#include "domain/check.h"
#include "domain/decide_internal.h"
#include "domain/validate.h"

namespace portico::domain::internal {
namespace {

constexpr std::size_t kMaxSubscriptions = 32;
constexpr std::size_t kMaxAlertSets = 32;
constexpr std::size_t kMaxAlertIds = 1000;

Status CheckSubscriptions(const std::vector<AlertSubscriptionEntry>& entries) {
  if (entries.size() > kMaxSubscriptions) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxSubscriptions) + " subscriptions");
  }
  std::set<std::string_view> seen;
  for (const auto& e : entries) {
    if (!IsAlertKind(e.kind)) return Status::InvalidArgument("unknown alert kind " + Quoted(e.kind));
    if (!seen.insert(e.kind).second) {
      return Status::InvalidArgument("alert kind " + Quoted(e.kind) + " is listed twice");
    }
  }
  return Status::Ok();
}

std::vector<std::unique_ptr<schema::AlertSubscriptionT>> ToSchema(
    const std::vector<AlertSubscriptionEntry>& entries) {
  std::vector<std::unique_ptr<schema::AlertSubscriptionT>> out;
  for (const auto& e : entries) {
    auto s = std::make_unique<schema::AlertSubscriptionT>();
    s->kind = e.kind;
    s->in_portal = e.in_portal;
    s->email = e.email;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Result<Events> DecideOne(const AccessState&, const DefineAlertSet& c, std::int64_t) {
  RETURN_IF_ERROR(ValidateId("alert set id", c.alert_set_id));
  RETURN_IF_ERROR(ValidateText("alert set name", c.name, kMaxNameLength, false));
  RETURN_IF_ERROR(CheckSubscriptions(c.subscriptions));
  schema::AlertSetDefinedT defined;
  defined.alert_set_id = c.alert_set_id;
  defined.name = c.name;
  defined.subscriptions = ToSchema(c.subscriptions);
  Events out;
  out.push_back(MakeEvent(AlertSetStream(c.alert_set_id), std::move(defined)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const AssignAlertSets& c, std::int64_t) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id));
  // Alerts reach only users who may see the resource, and a passive user never may: the
  // assignment would be accepted and then silently deliver nothing. Clearing stays allowed.
  if (user->type == schema::UserType::Passive && !c.alert_set_ids.empty()) {
    return Status::FailedPrecondition("user " + Quoted(user->id.value()) +
                                      " is passive and never logs in, so no alert would reach them");
  }
  if (c.alert_set_ids.size() > kMaxAlertSets) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxAlertSets) + " alert sets");
  }
  std::vector<std::string> ids = c.alert_set_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const std::string& id : ids) {
    RETURN_IF_ERROR(ValidateId("alert set id", id));
    if (!s.alerting.alert_sets.contains(id)) {
      return Status::NotFound("alert set " + Quoted(id) + " does not exist");
    }
  }
  schema::UserAlertSetsAssignedT assigned;
  assigned.user_id = user->id.value();
  assigned.alert_set_ids = std::move(ids);
  Events out;
  out.push_back(MakeEvent(UserStream(user->id.value()), std::move(assigned)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const SetAlertSubscriptions& c, std::int64_t now_us) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id));
  RETURN_IF_ERROR(CheckSubscriptions(c.subscriptions));
  const CheckResult allowed = Check(s, *user, Capability::kAlertsSubscribe, nullptr, now_us);
  if (!allowed) return Status::FailedPrecondition("may not subscribe to alerts: " + allowed.detail);
  schema::AlertSubscriptionsSetT set;
  set.user_id = user->id.value();
  set.subscriptions = ToSchema(c.subscriptions);
  Events out;
  out.push_back(MakeEvent(UserStream(user->id.value()), std::move(set)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const MarkAlertsRead& c, std::int64_t) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id));
  if (c.alert_ids.empty() || c.alert_ids.size() > kMaxAlertIds) {
    return Status::InvalidArgument("between 1 and " + std::to_string(kMaxAlertIds) + " alert ids");
  }
  for (const std::string& id : c.alert_ids) RETURN_IF_ERROR(ValidateId("alert id", id));
  schema::AlertsMarkedReadT read;
  read.user_id = user->id.value();
  read.alert_ids = c.alert_ids;
  Events out;
  out.push_back(MakeEvent(UserStream(user->id.value()), std::move(read)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const SendLoginDetails& c, std::int64_t) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id));
  if (user->email.empty()) {
    return Status::FailedPrecondition("user " + Quoted(user->id.value()) + " has no e-mail address");
  }
  if (user->type == schema::UserType::Passive) {
    return Status::FailedPrecondition("user " + Quoted(user->id.value()) + " is passive and never logs in");
  }
  schema::LoginDetailsSentT sent;
  sent.user_id = user->id.value();
  sent.email = user->email;
  Events out;
  out.push_back(MakeEvent(UserStream(user->id.value()), std::move(sent)));
  return out;
}

}  // namespace portico::domain::internal
