#include "readmodels_corpus.h"

#include <array>

namespace portico::bench {
namespace {

const std::string kHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2g";
const std::array<const char*, 6> kClientLevels = {"client-manager", "client-base",    "portal-basic",
                                                  "portal-advanced", "portal-manager", "client-self-service"};

}  // namespace

CorpusWriter::CorpusWriter() { corpus_.envelopes.reserve(1'200'000); }

std::uint64_t CorpusWriter::Next(std::uint64_t n) {
  seed_ = seed_ * 6364136223846793005ull + 1442695040888963407ull;
  return (seed_ >> 33) % n;
}

void CorpusWriter::Append(const domain::DomainEvent& event, schema::ActorKind kind, const std::string& actor) {
  schemas::EventMeta meta;
  meta.actor_kind = kind;
  meta.actor_id = actor;
  std::string bytes = domain::EncodeEvent(event, meta);
  schemas::StoreFields fields;
  fields.position = corpus_.envelopes.size() + 1;
  for (int i = 0; i < 8; ++i) fields.event_id[15 - i] = static_cast<std::uint8_t>(fields.position >> (8 * i));
  fields.stream_version = 1;  // not read by the read models
  fields.recorded_at_us = now_us_ += 1000;
  fields.prev_hash = last_hash_;
  last_hash_ = schemas::StampEnvelope(bytes, fields);
  corpus_.envelopes.push_back(std::move(bytes));
}

void CorpusWriter::Enable(const std::string& org) {
  schema::OrgAccessChangedT changed;
  changed.org_id = org;
  changed.mode = schema::AccessMode::Enabled;
  Emit(domain::OrgStream(org), std::move(changed));
}

Corpus CorpusWriter::Build() {
  Emit(std::string(domain::kSettingsStream), schema::ProviderSettingsChangedT{});
  for (int c = 0; c < kClientOrgs; ++c) {
    schema::OrgRegisteredT org;
    org.org_id = ClientOrg(c);
    org.name = "Client organisation " + std::to_string(c);
    if (c % 5 != 0) org.parent_org_id = ClientOrg(c - c % 5);
    Emit(domain::OrgStream(org.org_id), std::move(org));
    Enable(ClientOrg(c));
  }
  for (int k = 0; k < kBusinesses; ++k) {
    schema::OrgRegisteredT org;
    org.org_id = Business(k);
    org.name = "Contractor business " + std::to_string(k);
    org.kind = schema::OrgKind::Contractor;
    Emit(domain::OrgStream(org.org_id), std::move(org));
    Enable(Business(k));
  }
  auto user = [&](const std::string& id, const std::string& org, const char* level, schema::UserType type) {
    schema::UserCreatedT u;
    u.user_id = id;
    u.org_id = org;
    u.username = id;
    u.display_name = "User " + id;
    u.email = id + "@example.com";
    u.user_type = type;
    u.level = level;
    u.password_hash = kHash;
    Emit(domain::UserStream(id), std::move(u));
  };
  for (int i = 0; i < kClientOrgs * kUsersPerClientOrg; ++i) {
    user(ClientUser(i), ClientOrg(i / kUsersPerClientOrg), kClientLevels[i % kClientLevels.size()],
         schema::UserType::Active);
  }
  for (int i = 0; i < kBusinesses * kUsersPerBusiness; ++i) {
    user(ContractorUser(i), Business(i / kUsersPerBusiness), i % 2 ? "contractor-base" : "contractor-manager",
         schema::UserType::Contractor);
  }
  corpus_.resources.reserve(kResources);
  for (int r = 0; r < kResources; ++r) {
    const int org = r / kResourcesPerOrg;
    ResourceFacts facts;
    facts.type = Next(2) == 0 ? schema::ResourceType::Task : static_cast<schema::ResourceType>(1 + Next(10));
    facts.status = static_cast<schema::ResourceStatus>(Next(3));
    schema::ResourceUpsertedT res;
    res.resource_id = ResourceName(r);
    res.type = facts.type;
    res.org_id = ClientOrg(org);
    res.title = "Record " + std::to_string(r) + " of " + res.org_id;
    res.status = facts.status;
    if (Next(2) == 0) res.contact_user_id = ClientUser(org * kUsersPerClientOrg + static_cast<int>(Next(kUsersPerClientOrg)));
    if (facts.type == schema::ResourceType::Task && Next(10) < 3) {
      facts.business = org % kBusinesses;
      facts.assigned_user = facts.business * kUsersPerBusiness + static_cast<int>(Next(kUsersPerBusiness));
      res.assigned_org_id = Business(facts.business);
      res.assigned_user_ids.push_back(ContractorUser(facts.assigned_user));
    }
    Emit(domain::ResourceStream(res.resource_id), std::move(res), schema::ActorKind::System, "erp-sync");
    corpus_.resources.push_back(facts);
  }
  for (int s = 0; s < kSessions; ++s) {
    schema::SessionStartedT started;
    started.session_id = "sess-" + std::to_string(s);
    started.user_id = ClientUser(static_cast<int>(Next(kClientOrgs * kUsersPerClientOrg)));
    const schemas::Hash token = SessionToken(s);
    started.token_hash = std::make_unique<schema::Hash256>(flatbuffers::span<const std::uint8_t, 32>(token.data(), 32));
    started.idle_timeout_us = 30LL * 60'000'000;
    started.absolute_expires_at_us = now_us_ + 12LL * 3600'000'000;
    const std::string user_id = started.user_id;
    Emit(domain::UserStream(user_id), std::move(started), schema::ActorKind::PortalUser, user_id);
  }
  for (int n = 0; n < kNotes; ++n) {
    schema::NoteSharedT note;
    note.note_id = "note-" + std::to_string(n);
    note.resource_id = ResourceName(static_cast<int>(Next(kResources)));
    note.body = "A note shared with the client about the work done today (" + std::to_string(n) + ").";
    note.visibility = static_cast<schema::NoteVisibility>(Next(3));
    Emit(domain::NoteStream(note.note_id), std::move(note));
  }
  corpus_.last_recorded_us = now_us_;
  return std::move(corpus_);
}

}  // namespace portico::bench
