// A small world for domain tests: a MemoryLog plus helpers that register organisations,
// users and resources through real commands (so every test exercises Decide and Evolve).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/check.h"
#include "domain/commands.h"
#include "domain/decide.h"
#include "domain/memory_log.h"
#include "domain/validate.h"

namespace portico::domain::testing {

inline constexpr std::int64_t kT0 = 1'700'000'000'000'000;  // 2023-11-14, in microseconds
inline constexpr std::int64_t kMinute = 60'000'000;
inline const std::string kHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

inline schemas::Hash TokenHash(std::uint8_t seed) {
  schemas::Hash h{};
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(seed + i + 1);
  return h;
}

class World {
 public:
  std::int64_t now = kT0;

  const AccessState& state() const { return log.state(); }

  // Runs the command; a rejection fails the test.
  std::vector<DomainEvent> Do(const Command& command) {
    auto result = log.Execute(command, now);
    if (!result.ok()) {
      ADD_FAILURE() << "command rejected: " << result.status().ToString();
      return {};
    }
    return std::move(result).value();
  }

  // Runs the command and returns its status.
  Status Try(const Command& command) { return log.Execute(command, now).status(); }

  void Org(const std::string& id, schema::OrgKind kind = schema::OrgKind::Client, const std::string& parent = "",
           schema::AccessMode mode = schema::AccessMode::Enabled) {
    Do(RegisterOrg{OrgId(id), "Org " + id, kind, OrgId(parent)});
    if (mode != schema::AccessMode::Disabled) Do(SetOrgAccess{OrgId(id), mode});
  }
  void ContractorOrg(const std::string& id) { Org(id, schema::OrgKind::Contractor); }

  void User(const std::string& id, const std::string& org, const std::string& level,
            schema::UserType type = schema::UserType::Active) {
    CreateUser c;
    c.user_id = UserId(id);
    c.org_id = OrgId(org);
    c.username = id;
    c.display_name = "User " + id;
    c.user_type = type;
    c.level = LevelId(level);
    c.password = NewPassword{"correct horse battery", kHash};
    Do(c);
  }

  void Resource(const std::string& id, schema::ResourceType type, const std::string& org,
                schema::ResourceStatus status = schema::ResourceStatus::Current, const std::string& contact = "",
                const std::vector<std::string>& assigned = {}, const std::string& assigned_org = "") {
    UpsertResource c;
    c.resource_id = ResourceId(id);
    c.type = type;
    c.org_id = OrgId(org);
    c.title = "Resource " + id;
    c.status = status;
    c.contact_user_id = UserId(contact);
    for (const auto& u : assigned) c.assigned_user_ids.emplace_back(u);
    c.assigned_org_id = OrgId(assigned_org);
    Do(c);
  }
  void Task(const std::string& id, const std::string& org, schema::ResourceStatus status,
            const std::string& contact = "", const std::vector<std::string>& assigned = {},
            const std::string& assigned_org = "") {
    Resource(id, schema::ResourceType::Task, org, status, contact, assigned, assigned_org);
  }

  void Note(const std::string& id, const std::string& resource, schema::NoteVisibility visibility,
            const std::string& author = "") {
    Do(ShareNote{NoteId(id), ResourceId(resource), "note " + id, visibility, UserId(author)});
  }

  // A login as the gateway makes it: the password checked (or not) against the hash the user
  // named `username` has now.
  Login LoginNow(const std::string& username, bool verified, const std::string& session, const schemas::Hash& token) const {
    Login login{username, verified, SessionId(session), token};
    auto canonical = NormaliseUsername(username);
    if (const domain::User* u = canonical.ok() ? state().FindUserByUsername(*canonical) : nullptr) {
      login.user_id = u->id;
      login.checked_hash = u->password_hash;
    }
    return login;
  }

  // Logs the user in with a verified password; returns the session id.
  std::string LogIn(const std::string& user) {
    const std::string session = "s" + std::to_string(++sessions_);
    auto events = Do(LoginNow(user, true, session, TokenHash(static_cast<std::uint8_t>(sessions_))));
    if (events.size() != 1 || events[0].body.type != schema::EventBody::SessionStarted) {
      ADD_FAILURE() << "login of " << user << " did not start a session";
    }
    return session;
  }

  // The access check, by ids; resource "" means none.
  CheckResult Can(const std::string& user, const std::string& capability, const std::string& resource = "") const {
    const ResourceId rid(resource);
    return Check(state(), UserId(user), capability, resource.empty() ? nullptr : &rid, now);
  }

  CheckResult SeesNote(const std::string& user, const std::string& note) const {
    const domain::User* u = state().FindUser(user);
    const domain::Note* n = state().FindNote(note);
    if (u == nullptr || n == nullptr) {
      ADD_FAILURE() << "unknown user or note";
      return {};
    }
    return CanSeeNote(state(), *u, *n, now);
  }

  MemoryLog log;

 private:
  int sessions_ = 0;
};

// Counts the events of a type in a command's result.
inline int CountOf(const std::vector<DomainEvent>& events, schema::EventBody type) {
  int n = 0;
  for (const auto& e : events) n += e.body.type == type ? 1 : 0;
  return n;
}

}  // namespace portico::domain::testing

// Asserts a rejection: its code, and that its message names the rule.
#define EXPECT_REJECTED(status_expr, expected_code, rule_text)                        \
  do {                                                                              \
    const ::portico::Status _s = (status_expr);                                     \
    EXPECT_EQ(::portico::StatusCodeName(_s.code()),                                 \
              ::portico::StatusCodeName(::portico::StatusCode::expected_code))      \
        << _s.ToString();                                                           \
    EXPECT_THAT(_s.message(), ::testing::HasSubstr(rule_text));                     \
  } while (0)
