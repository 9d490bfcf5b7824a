#include "gateway/app/json_views.h"

#include "domain/catalogue.h"
#include "domain/check.h"
#include "domain/level.h"
#include "gateway/http/freshness.h"
#include "gateway/http/response.h"
#include "schemas/envelope.h"

namespace portico::gateway {

std::string OrgKindName(schema::OrgKind kind) { return schemas::SnakeCaseName(schema::EnumNameOrgKind(kind)); }
std::string AccessModeName(schema::AccessMode mode) {
  return schemas::SnakeCaseName(schema::EnumNameAccessMode(mode));
}
std::string UserTypeName(schema::UserType type) {
  return schemas::SnakeCaseName(schema::EnumNameUserType(type));
}
std::string VisibilityName(schema::NoteVisibility visibility) {
  return schemas::SnakeCaseName(schema::EnumNameNoteVisibility(visibility));
}

namespace {
boost::json::array StringArray(const auto& items) {
  boost::json::array out;
  for (const auto& item : items) {
    if constexpr (requires { item.value(); }) {
      out.emplace_back(item.value());
    } else {
      out.emplace_back(item);
    }
  }
  return out;
}
}  // namespace

boost::json::object OrgJson(const domain::AccessState& state, const domain::Org& org) {
  boost::json::object out;
  out["org_id"] = org.id.value();
  out["name"] = org.name;
  out["kind"] = OrgKindName(org.kind);
  out["parent_org_id"] = org.parent.value().empty() ? boost::json::value(nullptr)
                                                    : boost::json::value(org.parent.value());
  out["access_mode"] = AccessModeName(org.mode);
  out["effective_access_mode"] = AccessModeName(state.EffectiveMode(org));
  out["allowed_levels"] = StringArray(org.allowed_levels);
  out["children"] = StringArray(org.children);
  out["registered_at_us"] = org.registered_at_us;
  return out;
}

boost::json::object UserJson(const domain::AccessState& state, const domain::User& user,
                             std::int64_t now_us) {
  boost::json::object out;
  out["user_id"] = user.id.value();
  out["org_id"] = user.org.value();
  out["username"] = user.username;
  out["display_name"] = user.display_name;
  out["email"] = user.email;
  out["user_type"] = UserTypeName(user.type);
  out["level"] = user.level.value();
  out["must_reset_password"] = user.must_reset_password;
  out["login_enabled"] = user.login_enabled;
  out["archived"] = user.archived;
  out["has_password"] = !user.password_hash.empty();
  out["locked"] = now_us < user.locked_until_us;
  out["failed_logins"] = user.failed_logins;
  boost::json::array grants;
  for (const auto& g : user.grants) {
    grants.push_back({{"capability", domain::CapabilityName(g.capability)},
                      {"scope", domain::ScopeName(g.scope)},
                      {"expires_at_us", g.expires_at_us}});
  }
  out["grants"] = std::move(grants);
  boost::json::array revoked;
  for (unsigned c = 0; c < domain::kCapabilityCount; ++c) {
    if (user.IsRevoked(static_cast<domain::Capability>(c))) {
      revoked.emplace_back(domain::CapabilityName(static_cast<domain::Capability>(c)));
    }
  }
  out["revocations"] = std::move(revoked);
  boost::json::array caps;
  for (const auto& [capability, scope] : domain::EffectiveCapabilities(state, user, now_us).Entries()) {
    caps.push_back({{"capability", domain::CapabilityName(capability)},
                    {"scope", domain::ScopeName(scope)}});
  }
  out["capabilities"] = std::move(caps);
  out["created_at_us"] = user.created_at_us;
  return out;
}

boost::json::object ResourceJson(const domain::Resource& resource) {
  boost::json::object out;
  out["resource_id"] = resource.id.value();
  out["type"] = domain::ResourceTypeName(resource.type);
  out["org_id"] = resource.org.value();
  out["title"] = resource.title;
  out["status"] = domain::ResourceStatusName(resource.status);
  out["contact_user_id"] = resource.contact.value();
  out["assigned_user_ids"] = StringArray(resource.assigned_users);
  out["assigned_org_id"] = resource.assigned_org.value();
  out["updated_at_us"] = resource.updated_at_us;
  return out;
}

boost::json::object NoteJson(const domain::Note& note) {
  boost::json::object out;
  out["note_id"] = note.id.value();
  out["resource_id"] = note.resource.value();
  out["body"] = note.body;
  out["visibility"] = VisibilityName(note.visibility);
  out["author_user_id"] = note.author.value();
  out["shared_at_us"] = note.shared_at_us;
  return out;
}

boost::json::object SessionJson(const projections::ActiveSession& session) {
  return {{"session_id", session.session_id},
          {"started_at", session.started_at_us},
          {"last_seen_at", session.last_seen_us},
          {"expires_at", session.absolute_expires_at_us},
          {"impersonated_by", session.impersonated_by}};
}

Response CommandReply(const Result<CommandOutcome>& outcome, boost::json::object extra) {
  if (!outcome.ok()) return ProblemResponse(Problem::FromStatus(outcome.status()));
  extra["position"] = outcome->position.value();
  return JsonResponse(HttpStatus::ok, extra);
}

// WaitForPosition with a zero bound only checks, and still tells the runner that someone waits
// for the position (its log fallback depends on that).
PositionReached AppliedBy(const projections::ProjectionRunner& runner, std::string projection) {
  return [&runner, projection = std::move(projection)](Position p) {
    return runner.WaitForPosition(p, std::chrono::milliseconds(0), projection);
  };
}

// The wait is a timer on the handler's executor, not a worker-pool thread: blocking there held
// one of its few threads per request for up to the whole bound (and logins hash passwords
// there).
boost::asio::awaitable<std::optional<Problem>> AwaitFresh(
    QueryReader& query, const projections::ProjectionRunner& runner,
    const eventstore::EventStore& store, std::string projection) {
  const PositionReached reached = AppliedBy(runner, std::move(projection));
  const LogHead head = [&store] { return store.Head(); };
  co_return co_await AwaitMinPosition(query, reached, head);
}

}  // namespace portico::gateway
