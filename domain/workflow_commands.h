// Commands of the portal workflows (issue 6): self-registration, bulk import, portal-user
// actions and portal managers. Included by domain/commands.h, whose conventions they follow:
// raw input, validated by Decide (domain/decide_registration.cc, decide_import.cc,
// decide_portal_actions.cc, decide_portal_managers.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/ids.h"
#include "schemas/events_generated.h"

namespace portico::domain {

// -- Self-registration -------------------------------------------------------------------

// Sets the organisation's self-registration code (its hash: lower-case hex BLAKE2b-256 of a
// random code the gateway generated and shows once) and the level its registrants get, which
// must be assignable in the organisation. An empty code_hash turns the code off.
struct SetRegistrationCode {
  OrgId org_id;
  std::string code_hash;
  LevelId level;
};

// POST /v1/portal/register. Refused with one and the same FailedPrecondition when the
// provider's self_registration is off, the portal is off, or no organisation has this code
// (so that a caller cannot tell a wrong code from a closed door). Under `approval` the
// registration waits as pending (its user name reserved); under `open` the user is created
// at once. The password is checked against the policy and arrives hashed.
struct RequestRegistration {
  std::string code_hash;
  UserId user_id;  // fresh, from the gateway
  std::string username;
  std::string display_name;
  std::string email;
  std::string password_plaintext;  // for the policy check only
  std::string password_hash;
};

// Staff approve (the user is created, active) or reject a pending registration.
struct DecideRegistration {
  UserId user_id;
  bool approve = true;
  std::string reason;  // for a rejection; may be empty
};

// -- Bulk import -------------------------------------------------------------------------

// One data row of the CSV file that parsed (the gateway rejects rows it cannot parse).
struct ImportRowInput {
  std::uint32_t row = 0;  // 1-based data row number
  UserId user_id;          // from the file, or generated from the import id and row
  std::string username;
  std::string display_name;
  std::string email;
  std::string level;
  schema::UserType user_type = schema::UserType::Active;
  std::string password_plaintext;  // "" : no password (must_reset, welcome mail)
  std::string password_hash;       // argon2id of it, hashed by the gateway
};

struct ImportRowRejection {
  std::uint32_t row = 0;
  std::string reason;  // stable code, see decide_import.cc
  std::string detail;
};

// Every row validated on its own: each valid row becomes a user (UserCreated), each invalid
// one is recorded with its reason (ImportRowsRecorded); UsersImported closes the import. An
// import id already used is AlreadyExists (the gateway then answers with that import).
struct ImportUsers {
  std::string import_id;
  OrgId org_id;
  std::string file_name;
  std::string file_hash;  // hex BLAKE2b-256 of the file
  std::uint32_t rows_total = 0;
  std::vector<ImportRowInput> rows;
  std::vector<ImportRowRejection> rejected;  // rows the gateway could not parse
};

// -- Portal-user actions (each checked with domain::Check; none allowed in a restricted
//    organisation, since every one of them writes) --------------------------------------

// tasks.create (kind Task) or work_requests.submit (kind WorkRequest).
struct SubmitPortalRequest {
  UserId user_id;
  std::string request_id;  // fresh, from the gateway
  schema::PortalRequestKind kind = schema::PortalRequestKind::Task;
  std::string title;
  std::string description;
};

// A note written by a portal user: it must see the resource and, on a task, hold
// tasks.notes.add. Its visibility is its organisation's kind (client or contractor), and
// CanSeeNote shows it to the portal users of the author's organisation.
struct AddPortalNote {
  UserId user_id;
  NoteId note_id;  // fresh, from the gateway
  ResourceId resource_id;
  std::string body;
};

struct ApproveEstimate {  // estimates.approve on the estimate
  UserId user_id;
  ResourceId resource_id;
  std::string comment;
};

struct RecordPaymentIntent {  // invoices.pay on the invoice
  UserId user_id;
  std::string intent_id;  // fresh, from the gateway
  ResourceId resource_id;
  std::int64_t amount_cents = 0;
  std::string currency;
  std::string method;
};

struct UpdateContactDetails {  // profile.update, on oneself
  UserId user_id;
  std::string display_name;
  std::string email;
  std::string phone;
};

// -- Portal managers -----------------------------------------------------------------------
// PortalManagerAction is defined in domain/commands.h, after the staff commands it wraps.

}  // namespace portico::domain
