// AccessWatch: decides, event by event during a fold, whether an event changed the access of
// one subject (a user, an organisation, a resource), and what the change was. timeline prints
// what it reports.
//
// What counts as a change that affected access:
//   user U: every event of U's own stream (level, grants, revocations, password, login, lockout,
//     archive, sessions); provider settings; access or allowed levels of U's organisation or an
//     ancestor; a redefinition of U's level; and a resource or note event that changes whether U
//     can see that resource or note. The effect names what U gained or lost: portal access,
//     capabilities, visibility.
//   organisation O: events of O's stream and its ancestors' (with the effective mode before
//     and after); provider settings; every event of the stream of a user of O; and resource
//     events of resources owned by or assigned to O.
//   resource R: events of R's stream and of its notes; and any other event that changes who
//     can see R (the users of R's organisation and its ancestors, of its assigned organisation
//     and its ancestors, its assigned users and contact), named in the effect.
// Changes that happen with time alone (a grant expiring, a lockout ending) have no event; as-of
// and diff show them.
//
// Not thread-safe; the states passed are the fold's, before and after the same event.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "domain/state.h"
#include "schemas/envelope.h"

namespace portico::replay {

class AccessWatch {
 public:
  enum class Subject : std::uint8_t { kUser, kOrg, kResource };
  static std::unique_ptr<AccessWatch> Make(Subject subject, std::string id);

  virtual ~AccessWatch() = default;
  virtual void Before(const schema::Envelope& event, const domain::AccessState& state) = 0;
  // nullopt: the event did not affect the subject's access; else the effect (possibly empty).
  virtual std::optional<boost::json::object> After(const schema::Envelope& event, const domain::AccessState& state) = 0;
};

}  // namespace portico::replay
