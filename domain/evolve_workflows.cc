#include "domain/evolve_workflows.h"

namespace portico::domain {
namespace {

std::string Str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

void On(AccessState& s, const schema::RegistrationCodeSet& e) {
  WorkflowState& w = s.workflows;
  const std::string org = Str(e.org_id());
  if (s.FindOrg(org) == nullptr) return;
  if (const auto old = w.codes_by_org.find(org); old != w.codes_by_org.end()) {
    w.org_by_code_hash.erase(old->second.code_hash);
    w.codes_by_org.erase(old);
  }
  const std::string hash = Str(e.code_hash());
  if (hash.empty() || w.org_by_code_hash.count(hash) != 0) return;
  w.org_by_code_hash.emplace(hash, org);
  w.codes_by_org.emplace(org, RegistrationCode{OrgId(org), hash, LevelId(Str(e.level()))});
}

void On(AccessState& s, const schema::RegistrationRequested& e, std::int64_t now_us) {
  WorkflowState& w = s.workflows;
  const std::string id = Str(e.user_id()), username = Str(e.username());
  if (id.empty() || username.empty() || w.registrations.count(id) != 0 || w.pending_by_username.count(username) != 0) {
    return;
  }
  Registration r;
  r.user_id = UserId(id);
  r.org = OrgId(Str(e.org_id()));
  r.username = username;
  r.display_name = Str(e.display_name());
  r.email = Str(e.email());
  r.level = LevelId(Str(e.level()));
  r.password_hash = Str(e.password_hash());
  r.requested_at_us = now_us;
  w.pending_by_username.emplace(username, id);
  w.registrations.emplace(id, std::move(r));
}

void On(AccessState& s, const schema::RegistrationDecided& e, std::int64_t now_us) {
  WorkflowState& w = s.workflows;
  const auto it = w.registrations.find(Str(e.user_id()));
  if (it == w.registrations.end() || it->second.status != RegistrationStatus::kPending) return;
  Registration& r = it->second;
  r.status = e.approved() ? RegistrationStatus::kApproved : RegistrationStatus::kRejected;
  r.reason = Str(e.reason());
  r.decided_at_us = now_us;
  r.password_hash.clear();  // the user holds it now (approved), or nobody needs it (rejected)
  w.pending_by_username.erase(r.username);
}

void On(AccessState& s, const schema::UsersImported& e, const schema::Envelope& env) {
  WorkflowState& w = s.workflows;
  const std::string id = Str(e.import_id());
  if (id.empty() || w.import_index.count(id) != 0) return;
  ImportSummary summary;
  summary.import_id = id;
  summary.org = OrgId(Str(e.org_id()));
  summary.file_name = Str(e.file_name());
  summary.file_hash = Str(e.file_hash());
  summary.actor = env.actor() != nullptr ? Str(env.actor()->id()) : std::string();
  summary.rows_total = e.rows_total();
  summary.created = e.created();
  summary.rejected = e.rejected();
  summary.without_password = e.without_password();
  summary.imported_at_us = env.recorded_at_us();
  summary.position = env.position();
  w.import_index.emplace(id, w.imports.size());
  w.imports.push_back(std::move(summary));
}

void On(AccessState& s, const schema::ContactDetailsUpdated& e) {
  User* user = s.users.Find(Str(e.user_id()));
  if (user == nullptr) return;
  user->display_name = Str(e.display_name());
  user->email = Str(e.email());
  user->phone = Str(e.phone());
}

}  // namespace

void EvolveWorkflows(AccessState& state, const schema::Envelope& env) {
  if (env.body() == nullptr) return;
  const std::int64_t now = env.recorded_at_us();
  switch (env.body_type()) {
    case schema::EventBody::RegistrationCodeSet: return On(state, *env.body_as_RegistrationCodeSet());
    case schema::EventBody::RegistrationRequested: return On(state, *env.body_as_RegistrationRequested(), now);
    case schema::EventBody::RegistrationDecided: return On(state, *env.body_as_RegistrationDecided(), now);
    case schema::EventBody::UsersImported: return On(state, *env.body_as_UsersImported(), env);
    case schema::EventBody::ContactDetailsUpdated: return On(state, *env.body_as_ContactDetailsUpdated());
    // Recorded for downstream systems; nothing in the access state depends on them.
    case schema::EventBody::ImportRowsRecorded:
    case schema::EventBody::PortalRequestSubmitted:
    case schema::EventBody::EstimateApproved:
    case schema::EventBody::PaymentIntentRecorded:
    default: return;
  }
}

}  // namespace portico::domain
