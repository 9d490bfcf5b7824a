// The CSV file of POST /v1/imports (Autotask's import template), parsed into the rows of a
// domain::ImportUsers command. Pure; no I/O.
//
// The file: UTF-8 (a leading BOM is ignored), RFC 4180: fields separated by commas, a field
// may be quoted with "..." (a quote inside doubled ""), quoted fields may hold commas and line
// breaks; records end with LF, CRLF or CR alone; blank lines are skipped. The first record is the
// header naming the columns, in any order and case:
//   username       required  1-128 characters; the login name (e-mail addresses qualify)
//   email          required  up to 254 characters
//   display_name   required  up to 200 characters
//   level          required  a level id allowed for the organisation
//   user_type      optional  active (default in a client organisation), passive, contractor
//                            (default in a contractor organisation)
//   password       optional  empty: the user has no password, must set one (welcome mail)
//   user_id        optional  empty: "<import_id>-<row>"
// A header that lacks a required column, repeats one or names an unknown one refuses the
// whole file (400); so does a file holding bytes that are not UTF-8 (the problem names the
// first such line, counted from 1 with the header). Every other problem rejects only its row,
// with a reason:
//   quoting_error   a quote inside an unquoted field or text after a closing quote (the row
//                   then ends at the end of its line), or a quoted field never closed (it then
//                   runs to the end of the file)
//   missing_column  fewer fields than the header has columns
//   extra_column    more fields than the header has columns (those past the header's count
//                   are counted, never kept)
//   missing_value   a required column is empty
//   field_too_long  a field longer than its column allows
//   bad_user_type   user_type is not active, passive or contractor
// Rows are numbered from 1 for the first record after the header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/commands.h"
#include "gateway/http/problem.h"

namespace portico::gateway {

inline constexpr std::size_t kMaxImportRows = 200'000;
inline constexpr std::size_t kImportBodyLimit = std::size_t{64} << 20;  // 64 MiB

struct ParsedImport {
  std::uint32_t rows_total = 0;
  std::vector<domain::ImportRowInput> rows;          // parsed, to be judged by Decide
  std::vector<domain::ImportRowRejection> rejected;  // could not be parsed
};

// `import_id` names generated user ids. `contractor_org` picks the default user_type.
ProblemOr<ParsedImport> ParseImportCsv(std::string_view csv, std::string_view import_id, bool contractor_org);

// The template served by GET /v1/imports/template: the header and two example rows.
std::string_view ImportTemplateCsv();

}  // namespace portico::gateway
