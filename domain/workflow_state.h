// What the portal workflows (issue 6) add to AccessState: registration codes, pending
// self-registrations and the import history. Folded by domain/evolve_workflows.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/ids.h"

namespace portico::domain {

// An organisation's self-registration code: only its hash is kept (hex BLAKE2b-256).
struct RegistrationCode {
  OrgId org;
  std::string code_hash;
  LevelId level;  // the level self-registered users of the organisation get
  bool operator==(const RegistrationCode&) const = default;
};

enum class RegistrationStatus : std::uint8_t { kPending, kApproved, kRejected };

struct Registration {
  UserId user_id;
  OrgId org;
  std::string username;  // canonical; reserved while pending
  std::string display_name;
  std::string email;
  LevelId level;
  std::string password_hash;
  RegistrationStatus status = RegistrationStatus::kPending;
  std::string reason;  // rejection reason
  std::int64_t requested_at_us = 0;
  std::int64_t decided_at_us = 0;
  bool operator==(const Registration&) const = default;
};

// One import, as its closing UsersImported event summarises it. The rows' outcomes are in
// the import's stream ("import:<id>"), read back from the log on request.
struct ImportSummary {
  std::string import_id;
  OrgId org;
  std::string file_name;
  std::string file_hash;
  std::string actor;  // who ran it (staff key name)
  std::uint32_t rows_total = 0;
  std::uint32_t created = 0;
  std::uint32_t rejected = 0;
  std::uint32_t without_password = 0;
  std::int64_t imported_at_us = 0;
  std::uint64_t position = 0;  // of UsersImported
  bool operator==(const ImportSummary&) const = default;
};

struct WorkflowState {
  std::unordered_map<std::string, RegistrationCode> codes_by_org;   // org id -> code
  std::unordered_map<std::string, std::string> org_by_code_hash;    // code hash -> org id
  std::unordered_map<std::string, Registration> registrations;      // user id -> registration
  std::unordered_map<std::string, std::string> pending_by_username;  // canonical name -> user id
  std::vector<ImportSummary> imports;                               // in log order
  std::unordered_map<std::string, std::size_t> import_index;        // import id -> index

  const Registration* FindRegistration(std::string_view user_id) const {
    const auto it = registrations.find(std::string(user_id));
    return it == registrations.end() ? nullptr : &it->second;
  }
  const ImportSummary* FindImport(std::string_view import_id) const {
    const auto it = import_index.find(std::string(import_id));
    return it == import_index.end() ? nullptr : &imports[it->second];
  }
  bool operator==(const WorkflowState&) const = default;
};

}  // namespace portico::domain
