// VisitBody(envelope, f): calls f with the envelope's body as its generated table type
// (f(const schema::UserCreated&), f(const schema::NoteShared&), ...) and returns true; returns
// false, without calling f, when the envelope has no body or one of a type this build does not
// know. f is usually a generic lambda handing the body to an overload set:
//   VisitBody(envelope, [&](const auto& body) { out = Describe(body); });
// A new body type is added here, in the order of the union (events.fbs).
#pragma once

#include "schemas/events_generated.h"

namespace portico::schemas {

// Fails the build when events.fbs gains a body type that is not visited below.
static_assert(schema::EventBody::MAX == schema::EventBody::LoginDetailsSent,
              "a new event body type: add it to VisitBody");

template <typename F>
bool VisitBody(const schema::Envelope& e, F&& f) {
  if (e.body() == nullptr) return false;
  switch (e.body_type()) {
#define PORTICO_VISIT(T)             \
  case schema::EventBody::T:         \
    f(*e.body_as_##T());             \
    return true;
    PORTICO_VISIT(ProviderSettingsChanged)
    PORTICO_VISIT(OrgRegistered)
    PORTICO_VISIT(OrgAccessChanged)
    PORTICO_VISIT(OrgAllowedLevelsSet)
    PORTICO_VISIT(LevelDefined)
    PORTICO_VISIT(UserCreated)
    PORTICO_VISIT(UserLevelChanged)
    PORTICO_VISIT(PermissionGranted)
    PORTICO_VISIT(PermissionRevoked)
    PORTICO_VISIT(PasswordChanged)
    PORTICO_VISIT(PasswordResetForced)
    PORTICO_VISIT(LoginEnabledChanged)
    PORTICO_VISIT(UserArchived)
    PORTICO_VISIT(SessionStarted)
    PORTICO_VISIT(LoginFailed)
    PORTICO_VISIT(UserLockedOut)
    PORTICO_VISIT(SessionEnded)
    PORTICO_VISIT(ResourceUpserted)
    PORTICO_VISIT(NoteShared)
    PORTICO_VISIT(NoteVisibilityChanged)
    PORTICO_VISIT(RegistrationCodeSet)
    PORTICO_VISIT(RegistrationRequested)
    PORTICO_VISIT(RegistrationDecided)
    PORTICO_VISIT(ImportRowsRecorded)
    PORTICO_VISIT(UsersImported)
    PORTICO_VISIT(PortalRequestSubmitted)
    PORTICO_VISIT(EstimateApproved)
    PORTICO_VISIT(PaymentIntentRecorded)
    PORTICO_VISIT(ContactDetailsUpdated)
    PORTICO_VISIT(AlertSetDefined)
    PORTICO_VISIT(UserAlertSetsAssigned)
    PORTICO_VISIT(AlertSubscriptionsSet)
    PORTICO_VISIT(AlertsMarkedRead)
    PORTICO_VISIT(PasswordResetRequested)
    PORTICO_VISIT(PasswordResetCompleted)
    PORTICO_VISIT(LoginDetailsSent)
#undef PORTICO_VISIT
    default: return false;  // NONE, or newer than this build
  }
}

}  // namespace portico::schemas
