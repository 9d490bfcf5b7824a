// Bulk import of users from a CSV file (Autotask's import template), staff only:
//   GET  /v1/imports/template          the template (text/csv): the header and example rows
//   POST /v1/imports?org_id=&file_name=  the CSV body (Content-Type: text/csv, up to 64 MiB;
//                                      every other route keeps the 1 MiB default): each valid
//                                      row becomes a user, each invalid row is listed with its
//                                      row number and reason (gateway/app/import_csv.h,
//                                      domain/decide_import.cc)
//   GET  /v1/imports?org_id=&limit=    the history, newest first
//   GET  /v1/imports/{import_id}       one import: counts, created users, rejected rows
// Idempotency-Key: the import id is derived from the staff key's name and the key, so the
// same file sent again with the same key creates nothing and answers with the first import,
// after a restart too (durably: the import is in the log); with another file it is a 422.
// Passwords in the file are checked against the policy, then argon2id-hashed on the import
// pool (AppRouteDeps::import_pool, kImportPoolThreads threads; the file is parsed there too),
// so that a file of thousands of passwords never delays logins and the other requests of the
// worker pool; rows without one create users who must set a password
// (UsersImported.without_password; a mailer sends the welcome mail from the events).
#pragma once

#include <cstddef>

#include "gateway/app/staff_routes.h"
#include "gateway/http/router.h"

namespace portico::gateway {

// The import pool's threads: imports take at most these for parsing and hashing, whatever
// the number of password rows (one import's rows spread over all of them).
inline constexpr std::size_t kImportPoolThreads = 2;

// `deps` must outlive the router.
void AddImportRoutes(Router& router, const AppRouteDeps& deps);

}  // namespace portico::gateway
