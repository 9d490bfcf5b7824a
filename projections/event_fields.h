// The fields of every event body, in one place, for every view of an event as a record: the
// `data` of GET /v1/audit and GET /v1/events (event_json.h) and the auditors' exports and
// timelines (replay/event_json.h). A new body type or field is added here once, and both show it.
//
// WalkBodyFields(envelope, detail, fields) calls, field by field in schema order and under the
// schema's names (events.fbs, workflow_events.fbs, alert_events.fbs: snake_case already), one of
//   fields.Str(key, std::string_view)        absent strings as ""
//   fields.Int(key, std::int64_t)            counts, amounts and durations
//   fields.Time(key, std::int64_t)           a moment: microseconds since the epoch, key "*_us"
//   fields.Bool(key, bool)
//   fields.Enum(key, std::int64_t, name)     name is the generated name ("WorkOrder"), or ""
//                                            when this build does not know the value
//   fields.StrList(key, strings)             strings may be null (an empty list)
//   fields.Secret(what, bool set)            a secret's hash ("password"): only whether it is set
//   fields.Objects(key, n, item)             a list of n objects: item(i, f) walks the i-th one's
//                                            fields into f, a sink of the same kind
// Secrets are never handed to the sink: password hashes only as Secret, registration codes
// only as "code_set", and session and reset token hashes not at all (they would let anyone
// holding the log find a live session or reset a password).
//
// `detail` kSummary gives an import's recorded rows as counts ("accepted_rows",
// "rejected_rows"; the rows themselves are at GET /v1/imports/{id}), kFull the rows.
//
// The envelope must have been verified (schemas::VerifyEnvelope). A body type this build does
// not know walks no fields (schemas::VisitBody).
#pragma once

#include <cstdint>
#include <string_view>

#include "schemas/events_generated.h"
#include "schemas/visit_body.h"

namespace portico::projections {

enum class FieldDetail { kSummary, kFull };

namespace event_fields_internal {

inline std::string_view View(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->c_str(), s->size());
}
inline bool IsSet(const flatbuffers::String* s) { return s != nullptr && s->size() > 0; }
template <typename E>
std::int64_t Number(E value) {
  return static_cast<std::int64_t>(value);
}

template <typename F>
void Walk(F& f, const schema::ProviderSettingsChanged& b, FieldDetail) {
  f.Bool("portal_enabled", b.portal_enabled());
  f.Enum("self_registration", Number(b.self_registration()), schema::EnumNameSelfRegistration(b.self_registration()));
  f.Int("password_min_length", b.password_min_length());
  f.Int("session_idle_minutes", b.session_idle_minutes());
  f.Int("session_absolute_hours", b.session_absolute_hours());
  f.Int("lockout_threshold", b.lockout_threshold());
  f.Int("lockout_minutes", b.lockout_minutes());
}
template <typename F>
void Walk(F& f, const schema::OrgRegistered& b, FieldDetail) {
  f.Str("org_id", View(b.org_id()));
  f.Str("name", View(b.name()));
  f.Enum("kind", Number(b.kind()), schema::EnumNameOrgKind(b.kind()));
  f.Str("parent_org_id", View(b.parent_org_id()));
}
template <typename F>
void Walk(F& f, const schema::OrgAccessChanged& b, FieldDetail) {
  f.Str("org_id", View(b.org_id()));
  f.Enum("mode", Number(b.mode()), schema::EnumNameAccessMode(b.mode()));
}
template <typename F>
void Walk(F& f, const schema::OrgAllowedLevelsSet& b, FieldDetail) {
  f.Str("org_id", View(b.org_id()));
  f.StrList("levels", b.levels());
}
template <typename F>
void Walk(F& f, const schema::LevelDefined& b, FieldDetail) {
  f.Str("level_id", View(b.level_id()));
  f.Str("name", View(b.name()));
  const auto* caps = b.capabilities();
  f.Objects("capabilities", caps == nullptr ? 0 : caps->size(), [caps](std::size_t i, auto& entry) {
    entry.Str("capability", View(caps->Get(i)->capability()));
    entry.Str("scope", View(caps->Get(i)->scope()));
  });
}
template <typename F>
void Walk(F& f, const schema::UserCreated& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Str("org_id", View(b.org_id()));
  f.Str("username", View(b.username()));
  f.Str("display_name", View(b.display_name()));
  f.Str("email", View(b.email()));
  f.Enum("user_type", Number(b.user_type()), schema::EnumNameUserType(b.user_type()));
  f.Str("level", View(b.level()));
  f.Secret("password", IsSet(b.password_hash()));
  f.Bool("must_reset_password", b.must_reset_password());
}
template <typename F>
void Walk(F& f, const schema::UserLevelChanged& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Str("level", View(b.level()));
}
template <typename F>
void Walk(F& f, const schema::PermissionGranted& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Str("capability", View(b.capability()));
  f.Str("scope", View(b.scope()));
  f.Time("expires_at_us", b.expires_at_us());
}
template <typename F>
void Walk(F& f, const schema::PermissionRevoked& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Str("capability", View(b.capability()));
}
template <typename F>
void Walk(F& f, const schema::PasswordChanged& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Secret("password", IsSet(b.password_hash()));
  f.Bool("must_reset_password", b.must_reset_password());
}
template <typename F>
void Walk(F& f, const schema::PasswordResetForced& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
}
template <typename F>
void Walk(F& f, const schema::LoginEnabledChanged& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Bool("enabled", b.enabled());
}
template <typename F>
void Walk(F& f, const schema::UserArchived& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
}
template <typename F>
void Walk(F& f, const schema::SessionStarted& b, FieldDetail) {  // token_hash: never
  f.Str("session_id", View(b.session_id()));
  f.Str("user_id", View(b.user_id()));
  f.Str("impersonated_by", View(b.impersonated_by()));
  f.Int("idle_timeout_us", b.idle_timeout_us());
  f.Time("absolute_expires_at_us", b.absolute_expires_at_us());
}
template <typename F>
void Walk(F& f, const schema::LoginFailed& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Enum("reason", Number(b.reason()), schema::EnumNameLoginFailureReason(b.reason()));
  f.Int("consecutive_failures", b.consecutive_failures());
  // The name typed only when it matched no user; for a known one user_id says who.
  if (b.reason() == schema::LoginFailureReason::UnknownUser) f.Str("username", View(b.username()));
}
template <typename F>
void Walk(F& f, const schema::UserLockedOut& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Time("until_us", b.until_us());
}
template <typename F>
void Walk(F& f, const schema::SessionEnded& b, FieldDetail) {
  f.Str("session_id", View(b.session_id()));
  f.Str("user_id", View(b.user_id()));
  f.Enum("reason", Number(b.reason()), schema::EnumNameSessionEndReason(b.reason()));
}
template <typename F>
void Walk(F& f, const schema::ResourceUpserted& b, FieldDetail) {
  f.Str("resource_id", View(b.resource_id()));
  f.Enum("type", Number(b.type()), schema::EnumNameResourceType(b.type()));
  f.Str("org_id", View(b.org_id()));
  f.Str("title", View(b.title()));
  f.Enum("status", Number(b.status()), schema::EnumNameResourceStatus(b.status()));
  f.Str("contact_user_id", View(b.contact_user_id()));
  f.StrList("assigned_user_ids", b.assigned_user_ids());
  f.Str("assigned_org_id", View(b.assigned_org_id()));
}
template <typename F>
void Walk(F& f, const schema::NoteShared& b, FieldDetail) {
  f.Str("note_id", View(b.note_id()));
  f.Str("resource_id", View(b.resource_id()));
  f.Str("body", View(b.body()));
  f.Enum("visibility", Number(b.visibility()), schema::EnumNameNoteVisibility(b.visibility()));
  f.Str("author_user_id", View(b.author_user_id()));
}
template <typename F>
void Walk(F& f, const schema::NoteVisibilityChanged& b, FieldDetail) {
  f.Str("note_id", View(b.note_id()));
  f.Enum("visibility", Number(b.visibility()), schema::EnumNameNoteVisibility(b.visibility()));
}

// -- Portal workflows (workflow_events.fbs) --
template <typename F>
void Walk(F& f, const schema::RegistrationCodeSet& b, FieldDetail) {  // the code's hash: only whether set
  f.Str("org_id", View(b.org_id()));
  f.Bool("code_set", IsSet(b.code_hash()));
  f.Str("level", View(b.level()));
}
template <typename F>
void Walk(F& f, const schema::RegistrationRequested& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Str("org_id", View(b.org_id()));
  f.Str("username", View(b.username()));
  f.Str("display_name", View(b.display_name()));
  f.Str("email", View(b.email()));
  f.Str("level", View(b.level()));
  f.Secret("password", IsSet(b.password_hash()));
}
template <typename F>
void Walk(F& f, const schema::RegistrationDecided& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Bool("approved", b.approved());
  f.Str("reason", View(b.reason()));
}
template <typename F>
void Walk(F& f, const schema::ImportRowsRecorded& b, FieldDetail detail) {
  f.Str("import_id", View(b.import_id()));
  const auto* accepted = b.accepted();
  const auto* rejected = b.rejected();
  const std::size_t accepted_n = accepted == nullptr ? 0 : accepted->size();
  const std::size_t rejected_n = rejected == nullptr ? 0 : rejected->size();
  if (detail == FieldDetail::kSummary) {
    f.Int("accepted_rows", static_cast<std::int64_t>(accepted_n));
    f.Int("rejected_rows", static_cast<std::int64_t>(rejected_n));
    return;
  }
  f.Objects("accepted", accepted_n, [accepted](std::size_t i, auto& row) {
    row.Int("row", accepted->Get(i)->row());
    row.Str("user_id", View(accepted->Get(i)->user_id()));
  });
  f.Objects("rejected", rejected_n, [rejected](std::size_t i, auto& row) {
    row.Int("row", rejected->Get(i)->row());
    row.Str("reason", View(rejected->Get(i)->reason()));
    row.Str("detail", View(rejected->Get(i)->detail()));
  });
}
template <typename F>
void Walk(F& f, const schema::UsersImported& b, FieldDetail) {
  f.Str("import_id", View(b.import_id()));
  f.Str("org_id", View(b.org_id()));
  f.Str("file_name", View(b.file_name()));
  f.Int("rows_total", b.rows_total());
  f.Int("created", b.created());
  f.Int("rejected", b.rejected());
  f.Int("without_password", b.without_password());
  f.Str("file_hash", View(b.file_hash()));
}
template <typename F>
void Walk(F& f, const schema::PortalRequestSubmitted& b, FieldDetail) {
  f.Str("request_id", View(b.request_id()));
  f.Enum("kind", Number(b.kind()), schema::EnumNamePortalRequestKind(b.kind()));
  f.Str("user_id", View(b.user_id()));
  f.Str("org_id", View(b.org_id()));
  f.Str("title", View(b.title()));
  f.Str("description", View(b.description()));
}
template <typename F>
void Walk(F& f, const schema::EstimateApproved& b, FieldDetail) {
  f.Str("resource_id", View(b.resource_id()));
  f.Str("user_id", View(b.user_id()));
  f.Str("comment", View(b.comment()));
}
template <typename F>
void Walk(F& f, const schema::PaymentIntentRecorded& b, FieldDetail) {
  f.Str("intent_id", View(b.intent_id()));
  f.Str("resource_id", View(b.resource_id()));
  f.Str("user_id", View(b.user_id()));
  f.Int("amount_cents", b.amount_cents());
  f.Str("currency", View(b.currency()));
  f.Str("method", View(b.method()));
}
template <typename F>
void Walk(F& f, const schema::ContactDetailsUpdated& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Str("display_name", View(b.display_name()));
  f.Str("email", View(b.email()));
  f.Str("phone", View(b.phone()));
  f.Str("previous_email", View(b.previous_email()));
}

// -- Alerts (alert_events.fbs); reset token hashes are left out, as session ones are --
template <typename F>
void WalkSubscriptions(F& f, const flatbuffers::Vector<flatbuffers::Offset<schema::AlertSubscription>>* list) {
  f.Objects("subscriptions", list == nullptr ? 0 : list->size(), [list](std::size_t i, auto& item) {
    item.Str("kind", View(list->Get(i)->kind()));
    item.Bool("in_portal", list->Get(i)->in_portal());
    item.Bool("email", list->Get(i)->email());
  });
}
template <typename F>
void Walk(F& f, const schema::AlertSetDefined& b, FieldDetail) {
  f.Str("alert_set_id", View(b.alert_set_id()));
  f.Str("name", View(b.name()));
  WalkSubscriptions(f, b.subscriptions());
}
template <typename F>
void Walk(F& f, const schema::UserAlertSetsAssigned& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.StrList("alert_set_ids", b.alert_set_ids());
}
template <typename F>
void Walk(F& f, const schema::AlertSubscriptionsSet& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  WalkSubscriptions(f, b.subscriptions());
}
template <typename F>
void Walk(F& f, const schema::AlertsMarkedRead& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.StrList("alert_ids", b.alert_ids());
}
template <typename F>
void Walk(F& f, const schema::PasswordResetRequested& b, FieldDetail) {  // token_hash: never
  f.Str("user_id", View(b.user_id()));
  f.Time("expires_at_us", b.expires_at_us());
}
template <typename F>
void Walk(F& f, const schema::PasswordResetCompleted& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
}
template <typename F>
void Walk(F& f, const schema::LoginDetailsSent& b, FieldDetail) {
  f.Str("user_id", View(b.user_id()));
  f.Str("email", View(b.email()));
}

}  // namespace event_fields_internal

template <typename Fields>
void WalkBodyFields(const schema::Envelope& e, FieldDetail detail, Fields& fields) {
  schemas::VisitBody(e, [&](const auto& body) { event_fields_internal::Walk(fields, body, detail); });
}

}  // namespace portico::projections
