// DomainEvent: what Decide returns, one event to append to one stream.
//
// Streams: "settings"; "org:<org_id>"; "level:<level_id>"; "user:<user_id>" (the user's
// grants, password, sessions and login failures included); "resource:<resource_id>";
// "note:<note_id>". A command's events may span several streams (disabling an organisation
// ends sessions on its users' streams); they are listed in the order they are to be appended.
#pragma once

#include <string>
#include <string_view>

#include "schemas/envelope.h"
#include "schemas/events_generated.h"

namespace portico::domain {

struct DomainEvent {
  std::string stream;
  schema::EventBodyUnion body;
};

inline constexpr std::string_view kSettingsStream = "settings";
// Refused logins with a user name that names no user (Login).
inline constexpr std::string_view kLoginFailuresStream = "login-failures";
std::string OrgStream(std::string_view org_id);
std::string LevelStream(std::string_view level_id);
std::string UserStream(std::string_view user_id);
std::string ResourceStream(std::string_view resource_id);
std::string NoteStream(std::string_view note_id);
std::string AlertSetStream(std::string_view alert_set_id);  // "alertset:<id>"

// Envelope bytes for the event (schemas::EncodeEnvelope) with meta.stream_id set to the
// event's stream; the other meta fields (actor, on-behalf-of, ids) are the caller's.
std::string EncodeEvent(const DomainEvent& event, schemas::EventMeta meta);

// Builds a DomainEvent from an object-API body: MakeEvent(UserStream(id), std::move(body)).
// The body is taken by reference and moved only inside, so a stream named from the body itself,
// MakeEvent(ResourceStream(body.resource_id), std::move(body)), is named before the move (a
// by-value parameter could be move-constructed first: argument order is unspecified).
template <typename T>
DomainEvent MakeEvent(std::string stream, T&& body) {
  DomainEvent event;
  event.stream = std::move(stream);
  event.body.Set(std::forward<T>(body));
  return event;
}

}  // namespace portico::domain
