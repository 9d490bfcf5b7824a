#include "gateway/app/import_csv.h"

#include <array>
#include <optional>
#include <variant>

#include "domain/validate.h"
#include "gateway/http/utf8.h"

namespace portico::gateway {
namespace {

enum Column : std::size_t { kUsername, kEmail, kDisplayName, kLevel, kUserType, kPassword, kUserId, kColumns };

struct ColumnInfo {
  std::string_view name;
  bool required;
  std::size_t max_chars;
};

constexpr std::array<ColumnInfo, kColumns> kColumnInfo{{
    {"username", true, domain::kMaxUsernameLength},
    {"email", true, domain::kMaxEmailLength},
    {"display_name", true, domain::kMaxNameLength},
    {"level", true, domain::kMaxIdLength},
    {"user_type", false, 32},
    {"password", false, domain::kMaxPasswordLength},
    {"user_id", false, domain::kMaxIdLength},
}};

// One record: its fields, or the quoting error that spoilt it.
struct Record {
  std::vector<std::string> fields;  // the first ones only: at most the reader's `max_kept`
  std::size_t field_count = 0;      // all of them
  std::optional<std::string> quoting_error;
  bool blank = false;
};

// Reads records one at a time from the text.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }

  // Keeps at most `max_kept` fields of the record and only counts the others: a line of
  // millions of commas must not become millions of strings.
  Record Next(std::size_t max_kept) {
    Record record;
    const auto end_field = [&](std::string& field) {
      if (record.fields.size() < max_kept) record.fields.push_back(std::move(field));
      ++record.field_count;
      field.clear();
    };
    std::string field;
    bool quoted = false;       // inside a quoted field
    bool was_quoted = false;   // the current field was quoted and has closed
    const std::size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (quoted) {
        if (c != '"') {
          field += c;
        } else if (pos_ < text_.size() && text_[pos_] == '"') {
          field += '"';
          ++pos_;
        } else {
          quoted = false;
          was_quoted = true;
        }
        continue;
      }
      if (c == ',') {
        end_field(field);
        was_quoted = false;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
        break;
      } else if (c == '"') {
        if (!field.empty() || was_quoted) return Fail(record, "a quote inside an unquoted field");
        quoted = true;
      } else if (was_quoted) {
        return Fail(record, "text after a closing quote");
      } else {
        field += c;
      }
    }
    if (quoted) {
      record.quoting_error = "a quoted field is never closed";
      return record;
    }
    end_field(field);
    record.blank = record.field_count == 1 && record.fields[0].empty() && !was_quoted && pos_ - start <= 2;
    return record;
  }

 private:
  // The record is spoilt: skip to the end of its line (LF, CR or CRLF, as Next ends records)
  // and say why. The next record starts on the next line.
  Record Fail(Record& record, std::string why) {
    while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    record.quoting_error = std::move(why);
    return std::move(record);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// For each column of the file, which Column it is.
ProblemOr<std::vector<Column>> ReadHeader(const Record& header) {
  if (header.quoting_error) return Problem::BadRequest("the header row has a quoting error: " + *header.quoting_error);
  std::vector<Column> columns;
  std::array<bool, kColumns> seen{};
  for (const std::string& raw : header.fields) {
    const std::string name = Lower(Trim(raw));
    std::optional<Column> found;
    for (std::size_t c = 0; c < kColumns; ++c) {
      if (kColumnInfo[c].name == name) found = static_cast<Column>(c);
    }
    if (!found) return Problem::BadRequest("unknown column '" + name + "' in the header row");
    if (seen[*found]) return Problem::BadRequest("column '" + name + "' appears twice in the header row");
    seen[*found] = true;
    columns.push_back(*found);
  }
  for (std::size_t c = 0; c < kColumns; ++c) {
    if (kColumnInfo[c].required && !seen[c]) {
      return Problem::BadRequest("the header row lacks the required column '" + std::string(kColumnInfo[c].name) + "'");
    }
  }
  return columns;
}

std::optional<schema::UserType> ParseUserType(std::string_view s, bool contractor_org) {
  if (s.empty()) return contractor_org ? schema::UserType::Contractor : schema::UserType::Active;
  if (s == "active") return schema::UserType::Active;
  if (s == "passive") return schema::UserType::Passive;
  if (s == "contractor") return schema::UserType::Contractor;
  return std::nullopt;
}

// The row, or the reason it is rejected.
std::variant<domain::ImportRowInput, domain::ImportRowRejection> ReadRow(const Record& record,
                                                                        const std::vector<Column>& columns,
                                                                        std::uint32_t row, std::string_view import_id,
                                                                        bool contractor_org) {
  const auto reject = [row](std::string reason, std::string detail) {
    return domain::ImportRowRejection{row, std::move(reason), std::move(detail)};
  };
  if (record.quoting_error) return reject("quoting_error", *record.quoting_error);
  if (record.field_count < columns.size()) {
    return reject("missing_column", "the row has " + std::to_string(record.field_count) + " fields, the header " +
                                        std::to_string(columns.size()) + "; '" +
                                        std::string(kColumnInfo[columns[record.field_count]].name) + "' is missing");
  }
  if (record.field_count > columns.size()) {
    return reject("extra_column", "the row has " + std::to_string(record.field_count) + " fields, the header " +
                                      std::to_string(columns.size()));
  }
  std::array<std::string, kColumns> value;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const ColumnInfo& info = kColumnInfo[columns[i]];
    // Passwords are taken as they are; other fields lose surrounding blanks.
    std::string v = columns[i] == kPassword ? record.fields[i] : Trim(record.fields[i]);
    if (domain::CountCharacters(v) > info.max_chars) {
      return reject("field_too_long", "'" + std::string(info.name) + "' is longer than " +
                                          std::to_string(info.max_chars) + " characters");
    }
    value[columns[i]] = std::move(v);
  }
  for (std::size_t c = 0; c < kColumns; ++c) {
    if (kColumnInfo[c].required && value[c].empty()) {
      return reject("missing_value", "'" + std::string(kColumnInfo[c].name) + "' is empty");
    }
  }
  const auto type = ParseUserType(Lower(value[kUserType]), contractor_org);
  if (!type) return reject("bad_user_type", "user_type must be active, passive or contractor");
  domain::ImportRowInput input;
  input.row = row;
  input.user_id = domain::UserId(value[kUserId].empty() ? std::string(import_id) + "-" + std::to_string(row)
                                                        : value[kUserId]);
  input.username = std::move(value[kUsername]);
  input.display_name = std::move(value[kDisplayName]);
  input.email = std::move(value[kEmail]);
  input.level = std::move(value[kLevel]);
  input.user_type = *type;
  input.password_plaintext = std::move(value[kPassword]);
  return input;
}

// The line (from 1) holding the first bytes that are not UTF-8; nothing when `text` is UTF-8.
// A line break is never part of a multi-byte sequence, so the lines can be checked apart.
std::optional<std::size_t> FirstLineNotUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return std::nullopt;
  for (std::size_t line = 1;; ++line) {
    const std::size_t end = text.find('\n');
    if (!IsValidUtf8(text.substr(0, end))) return line;
    if (end == std::string_view::npos) return std::nullopt;
    text.remove_prefix(end + 1);
  }
}

}  // namespace

ProblemOr<ParsedImport> ParseImportCsv(std::string_view csv, std::string_view import_id, bool contractor_org) {
  if (csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);
  // Checked before anything else: fields end up in replies and in the log, and must not
  // carry bytes that would make either invalid.
  if (const auto line = FirstLineNotUtf8(csv)) {
    return Problem::BadRequest("the file is not UTF-8: line " + std::to_string(*line) +
                               " holds bytes that are not UTF-8 (save the file as UTF-8)");
  }
  CsvReader reader(csv);
  Record header;
  do {
    if (reader.done()) return Problem::BadRequest("the file is empty: it needs a header row");
    // One field past the known columns is enough to refuse the header (unknown or repeated).
    header = reader.Next(kColumns + 1);
  } while (header.blank);
  auto columns = ReadHeader(header);
  if (!columns.ok()) return std::move(columns).problem();

  ParsedImport parsed;
  while (!reader.done()) {
    Record record = reader.Next(columns->size());
    if (record.blank) continue;
    if (parsed.rows_total == kMaxImportRows) {
      return Problem::BadRequest("the file has more than " + std::to_string(kMaxImportRows) + " rows");
    }
    const std::uint32_t row = ++parsed.rows_total;
    auto result = ReadRow(record, *columns, row, import_id, contractor_org);
    if (auto* input = std::get_if<domain::ImportRowInput>(&result)) {
      parsed.rows.push_back(std::move(*input));
    } else {
      parsed.rejected.push_back(std::get<domain::ImportRowRejection>(std::move(result)));
    }
  }
  return parsed;
}

std::string_view ImportTemplateCsv() {
  return "username,email,display_name,level,user_type,password,user_id\r\n"
         "jane.doe@example.com,jane.doe@example.com,Jane Doe,client-base,active,,\r\n"
         "sam.site,sam@example.com,\"Site Manager, North\",client-manager,active,a long passphrase 42,sam-01\r\n";
}

}  // namespace portico::gateway
