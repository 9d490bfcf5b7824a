// Decide for the bulk import of users (Autotask's import template). Every row is judged on
// its own, against the state and against the rows before it in the same file; the reasons
// are stable codes (the API's `reason`):
//   duplicate_username  the user name is taken, by an existing user, a pending registration
//                       or an earlier row of the file
//   duplicate_user_id   the user id is taken (existing user, a registration, or an earlier row)
//   bad_username        not a valid user name (domain/validate.h)
//   bad_user_id         not a valid id
//   unknown_level       no such level
//   level_not_allowed   the level exists but the organisation does not allow it
//   bad_email           not an e-mail address
//   bad_display_name    empty, too long or with control characters
//   bad_user_type       the user type does not fit the organisation (contractor vs client)
//   password_policy     the password breaks the provider's policy
//   invalid             any other rule of CreateUser (the detail says which)
// Rows the gateway could not parse arrive already rejected (missing_column, quoting_error,
// field_too_long...: gateway/app/import_csv.h) and are recorded with the others.
#include <algorithm>
#include <unordered_set>

#include "domain/decide_workflows_internal.h"
#include "domain/validate.h"

namespace portico::domain::internal {
namespace {

constexpr std::size_t kRowsPerChunk = 1000;  // keeps every event far below Kafka's 1 MB

struct Seen {
  std::unordered_set<std::string> usernames;
  std::unordered_set<std::string> user_ids;
};

ImportRowRejection Reject(std::uint32_t row, std::string reason, std::string detail) {
  return ImportRowRejection{row, std::move(reason), std::move(detail)};
}

// The rejection of the row, or nothing when it is valid; on success `created` holds its
// UserCreated.
std::optional<ImportRowRejection> JudgeRow(const AccessState& s, const Org& org, const ImportRowInput& row,
                                           Seen& seen, std::int64_t now_us, Events& created) {
  if (!ValidateId("user id", row.user_id.value()).ok()) return Reject(row.row, "bad_user_id", "not a valid user id");
  if (IsUserIdTaken(s, row.user_id.value()) || seen.user_ids.count(row.user_id.value()) != 0) {
    return Reject(row.row, "duplicate_user_id", "user id " + Quoted(row.user_id.value()) + " is taken");
  }
  auto username = NormaliseUsername(row.username);
  if (!username.ok()) return Reject(row.row, "bad_username", username.status().message());
  if (seen.usernames.count(*username) != 0) {
    return Reject(row.row, "duplicate_username", "user name " + Quoted(*username) + " appears earlier in the file");
  }
  if (IsUsernameTaken(s, *username)) {
    return Reject(row.row, "duplicate_username", "user name " + Quoted(*username) + " is taken");
  }
  if (const Status st = ValidateText("display name", row.display_name, kMaxNameLength, false); !st.ok()) {
    return Reject(row.row, "bad_display_name", st.message());
  }
  if (const Status st = row.email.empty() ? Status::InvalidArgument("email is required") : ValidateEmail(row.email);
      !st.ok()) {
    return Reject(row.row, "bad_email", st.message());
  }
  if (const Status st = RequireAssignableLevel(s, org, LevelId(row.level)); !st.ok()) {
    const bool unknown = st.code() == StatusCode::kNotFound || st.code() == StatusCode::kInvalidArgument;
    return Reject(row.row, unknown ? "unknown_level" : "level_not_allowed", st.message());
  }
  if (!row.password_plaintext.empty()) {
    if (const Status st = CheckPasswordPolicy(s.settings, row.password_plaintext); !st.ok()) {
      return Reject(row.row, "password_policy", st.message());
    }
  }
  CreateUser create;
  create.user_id = row.user_id;
  create.org_id = org.id;
  create.username = row.username;
  create.display_name = row.display_name;
  create.email = row.email;
  create.user_type = row.user_type;
  create.level = LevelId(row.level);
  if (!row.password_plaintext.empty()) create.password = NewPassword{row.password_plaintext, row.password_hash};
  create.must_reset_password = row.password_plaintext.empty();
  auto events = DecideOne(s, create, now_us);
  if (!events.ok()) {
    const bool type = events.status().message().find("contractor") != std::string::npos;
    return Reject(row.row, type ? "bad_user_type" : "invalid", events.status().message());
  }
  seen.usernames.insert(std::move(username).value());
  seen.user_ids.insert(row.user_id.value());
  for (auto& e : *events) created.push_back(std::move(e));
  return std::nullopt;
}

}  // namespace

std::string ImportStream(std::string_view import_id) { return "import:" + std::string(import_id); }

Result<Events> DecideOne(const AccessState& s, const ImportUsers& c, std::int64_t now_us) {
  RETURN_IF_ERROR(ValidateId("import id", c.import_id));
  if (s.workflows.FindImport(c.import_id) != nullptr) {
    return Status::AlreadyExists("import " + Quoted(c.import_id) + " already exists");
  }
  ASSIGN_OR_RETURN(const Org* org, RequireOrg(s, c.org_id));
  RETURN_IF_ERROR(ValidateText("file name", c.file_name, kMaxNameLength, true));

  Seen seen;
  Events users;
  users.reserve(c.rows.size());
  std::vector<ImportRowRejection> rejected = c.rejected;
  std::vector<std::pair<std::uint32_t, std::string>> accepted;
  std::uint32_t without_password = 0;
  for (const ImportRowInput& row : c.rows) {
    if (auto rejection = JudgeRow(s, *org, row, seen, now_us, users)) {
      rejected.push_back(std::move(*rejection));
    } else {
      accepted.emplace_back(row.row, row.user_id.value());
      if (row.password_plaintext.empty()) ++without_password;
    }
  }
  std::sort(rejected.begin(), rejected.end(), [](const auto& a, const auto& b) { return a.row < b.row; });

  Events out;
  const std::string stream = ImportStream(c.import_id);
  for (std::size_t a = 0, r = 0; a < accepted.size() || r < rejected.size() || out.empty();) {
    schema::ImportRowsRecordedT chunk;
    chunk.import_id = c.import_id;
    for (std::size_t n = 0; n < kRowsPerChunk && a < accepted.size(); ++n, ++a) {
      auto row = std::make_unique<schema::ImportedRowT>();
      row->row = accepted[a].first;
      row->user_id = accepted[a].second;
      chunk.accepted.push_back(std::move(row));
    }
    for (std::size_t n = 0; n < kRowsPerChunk && r < rejected.size(); ++n, ++r) {
      auto row = std::make_unique<schema::RejectedRowT>();
      row->row = rejected[r].row;
      row->reason = rejected[r].reason;
      row->detail = rejected[r].detail;
      chunk.rejected.push_back(std::move(row));
    }
    out.push_back(MakeEvent(stream, std::move(chunk)));
  }
  for (auto& e : users) out.push_back(std::move(e));
  schema::UsersImportedT done;
  done.import_id = c.import_id;
  done.org_id = c.org_id.value();
  done.file_name = c.file_name;
  done.file_hash = c.file_hash;
  done.rows_total = c.rows_total;
  done.created = static_cast<std::uint32_t>(accepted.size());
  done.rejected = static_cast<std::uint32_t>(rejected.size());
  done.without_password = without_password;
  out.push_back(MakeEvent(stream, std::move(done)));
  return out;
}

}  // namespace portico::domain::internal
