// Decide for self-registration (Daftra's "Enable Client Registration"): registration codes,
// registration requests under the provider's self_registration setting, staff decisions.
#include "domain/decide_workflows_internal.h"
#include "domain/validate.h"
#include "domain/workflows.h"

namespace portico::domain::internal {

// One answer for every closed door: the setting is off, the portal is off, or the code is
// unknown. The caller cannot tell them apart.
Status RegistrationClosed() {
  return Status::FailedPrecondition("self-registration is not available for this organisation code");
}

namespace {

bool IsHexHash(std::string_view hash) {
  if (hash.size() != 64) return false;
  for (char c : hash) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

DomainEvent Decided(const UserId& user, bool approved, std::string reason) {
  schema::RegistrationDecidedT decided;
  decided.user_id = user.value();
  decided.approved = approved;
  decided.reason = std::move(reason);
  return MakeEvent(RegistrationStream(user.value()), std::move(decided));
}

// The user a registration becomes, through CreateUser's own rules (the level may have been
// withdrawn from the organisation, the user name taken by staff meanwhile).
Result<Events> CreateFrom(const AccessState& s, const Registration& r) {
  // Built here rather than through CreateUser: CreateUser checks the password policy on the
  // plaintext, which is long gone; the hash was checked when the registration was requested.
  RETURN_IF_ERROR(ValidateId("user id", r.user_id.value()));
  if (s.FindUser(r.user_id.value()) != nullptr) {
    return Status::AlreadyExists("user " + Quoted(r.user_id.value()) + " already exists");
  }
  if (const User* other = s.FindUserByUsername(r.username); other != nullptr) {
    return Status::AlreadyExists("username " + Quoted(r.username) + " is taken");
  }
  ASSIGN_OR_RETURN(const Org* org, RequireOrg(s, r.org));
  RETURN_IF_ERROR(RequireAssignableLevel(s, *org, r.level));
  schema::UserCreatedT created;
  created.user_id = r.user_id.value();
  created.org_id = r.org.value();
  created.username = r.username;
  created.display_name = r.display_name;
  created.email = r.email;
  created.user_type = schema::UserType::Active;
  created.level = r.level.value();
  created.password_hash = r.password_hash;
  Events out;
  out.push_back(MakeEvent(UserStream(r.user_id.value()), std::move(created)));
  return out;
}

}  // namespace

std::string RegistrationStream(std::string_view user_id) { return "registration:" + std::string(user_id); }

Result<Events> DecideOne(const AccessState& s, const SetRegistrationCode& c, std::int64_t) {
  ASSIGN_OR_RETURN(const Org* org, RequireOrg(s, c.org_id));
  if (!c.code_hash.empty()) {
    if (!IsHexHash(c.code_hash)) return Status::InvalidArgument("code hash is not 64 lower-case hex digits");
    const auto taken = s.workflows.org_by_code_hash.find(c.code_hash);
    if (taken != s.workflows.org_by_code_hash.end() && taken->second != c.org_id.value()) {
      return Status::AlreadyExists("this registration code is in use");
    }
    RETURN_IF_ERROR(RequireAssignableLevel(s, *org, c.level));
  }
  schema::RegistrationCodeSetT set;
  set.org_id = c.org_id.value();
  set.code_hash = c.code_hash;
  set.level = c.code_hash.empty() ? std::string() : c.level.value();
  Events out;
  out.push_back(MakeEvent(OrgStream(c.org_id.value()), std::move(set)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const RequestRegistration& c, std::int64_t) {
  RETURN_IF_ERROR(CheckRegistrationOpen(s, c.code_hash));
  const RegistrationCode& reg_code = s.workflows.codes_by_org.at(s.workflows.org_by_code_hash.at(c.code_hash));

  RETURN_IF_ERROR(ValidateId("user id", c.user_id.value()));
  if (IsUserIdTaken(s, c.user_id.value())) {
    return Status::AlreadyExists("user " + Quoted(c.user_id.value()) + " already exists");
  }
  ASSIGN_OR_RETURN(std::string username, NormaliseUsername(c.username));
  if (IsUsernameTaken(s, username)) {
    return Status::AlreadyExists("username " + Quoted(username) + " is taken");
  }
  RETURN_IF_ERROR(ValidateText("display name", c.display_name, kMaxNameLength, false));
  if (c.email.empty()) return Status::InvalidArgument("email is required");
  RETURN_IF_ERROR(ValidateEmail(c.email));
  RETURN_IF_ERROR(CheckPasswordPolicy(s.settings, c.password_plaintext));
  RETURN_IF_ERROR(ValidatePasswordHash(c.password_hash));
  ASSIGN_OR_RETURN(const Org* org, RequireOrg(s, reg_code.org));
  if (org->kind != schema::OrgKind::Client) return RegistrationClosed();  // contacts of clients only
  RETURN_IF_ERROR(RequireAssignableLevel(s, *org, reg_code.level));

  Registration registration;
  registration.user_id = c.user_id;
  registration.org = reg_code.org;
  registration.username = username;
  registration.display_name = c.display_name;
  registration.email = c.email;
  registration.level = reg_code.level;
  registration.password_hash = c.password_hash;

  schema::RegistrationRequestedT requested;
  requested.user_id = c.user_id.value();
  requested.org_id = reg_code.org.value();
  requested.username = username;
  requested.display_name = c.display_name;
  requested.email = c.email;
  requested.level = reg_code.level.value();
  requested.password_hash = c.password_hash;
  Events out;
  out.push_back(MakeEvent(RegistrationStream(c.user_id.value()), std::move(requested)));
  if (s.settings.self_registration == schema::SelfRegistration::Open) {
    ASSIGN_OR_RETURN(Events created, CreateFrom(s, registration));
    out.push_back(Decided(c.user_id, true, {}));
    for (auto& e : created) out.push_back(std::move(e));
  }
  return out;
}

Result<Events> DecideOne(const AccessState& s, const DecideRegistration& c, std::int64_t) {
  RETURN_IF_ERROR(ValidateId("user id", c.user_id.value()));
  const Registration* r = s.workflows.FindRegistration(c.user_id.value());
  if (r == nullptr) return Status::NotFound("no registration " + Quoted(c.user_id.value()));
  if (r->status != RegistrationStatus::kPending) {
    return Status::FailedPrecondition("registration " + Quoted(c.user_id.value()) + " was already " +
                                      (r->status == RegistrationStatus::kApproved ? "approved" : "rejected"));
  }
  RETURN_IF_ERROR(ValidateText("reason", c.reason, kMaxNameLength, true));
  Events out;
  out.push_back(Decided(c.user_id, c.approve, c.approve ? std::string() : c.reason));
  if (c.approve) {
    ASSIGN_OR_RETURN(Events created, CreateFrom(s, *r));
    for (auto& e : created) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace portico::domain::internal

namespace portico::domain {

Status CheckRegistrationOpen(const AccessState& s, std::string_view code_hash) {
  if (s.settings.self_registration == schema::SelfRegistration::Off || !s.settings.portal_enabled) {
    return internal::RegistrationClosed();
  }
  const auto code = s.workflows.org_by_code_hash.find(std::string(code_hash));
  if (code == s.workflows.org_by_code_hash.end() || s.workflows.codes_by_org.count(code->second) == 0) {
    return internal::RegistrationClosed();
  }
  return Status::Ok();
}

}  // namespace portico::domain
