#include "gateway/app/import_routes.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <memory>

#include "common/hex.h"
#include "domain/decide.h"
#include "gateway/app/import_csv.h"
#include "gateway/app/json_views.h"
#include "gateway/app/staff_route_helpers.h"
#include "gateway/app/workflow_route_helpers.h"
#include "gateway/http/async.h"
#include "gateway/http/query.h"
#include "gateway/http/response.h"

namespace portico::gateway {
namespace {

using boost::asio::awaitable;

std::string HexBlake2b(std::string_view data, std::size_t bytes = 32) {
  unsigned char hash[32];
  crypto_generichash(hash, bytes, reinterpret_cast<const unsigned char*>(data.data()), data.size(), nullptr, 0);
  return HexEncode(hash, bytes);
}

bool IsCsv(const Request& request) {
  std::string type(request[boost::beast::http::field::content_type]);
  type = type.substr(0, type.find(';'));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "text/csv";
}

// argon2id for every row that has a password (policy already checked), on the import pool
// (kImportPoolThreads helpers): never on the worker pool, whose threads logins, password
// changes and the other interactive requests need. No thread waits for the helpers: the one
// that finishes the last row resumes the awaiting handler.
awaitable<Status> HashPasswords(boost::asio::thread_pool& import_pool, std::vector<domain::ImportRowInput*> todo) {
  struct Job {
    std::vector<domain::ImportRowInput*> todo;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<bool> failed{false};
  };
  auto job = std::make_shared<Job>();
  job->todo = std::move(todo);
  if (job->todo.empty()) co_return Status::Ok();
  const std::size_t helpers = std::min(kImportPoolThreads, job->todo.size());
  // By reference: GCC 12 destroys some by-value coroutine arguments twice, and a lambda
  // holding the shared_ptr would then free the job early (a use-after-free valgrind showed
  // here). `job` lives in this frame until the await is over; the helpers hold copies.
  const bool hashed = co_await AwaitCallback<bool>([&job, &import_pool, helpers](auto finished) {
    for (std::size_t h = 0; h < helpers; ++h) {
      boost::asio::post(import_pool, [job, finished] {
        for (std::size_t i; (i = job->next++) < job->todo.size();) {
          auto hash = HashPassword(job->todo[i]->password_plaintext);
          if (hash.ok()) {
            job->todo[i]->password_hash = std::move(hash).value();
          } else {
            job->failed = true;
          }
          if (++job->done == job->todo.size()) finished(!job->failed);
        }
      });
    }
  });
  if (!hashed) co_return Status::Unavailable("out of memory hashing passwords");
  co_return Status::Ok();
}

// The import as GET /v1/imports/{id} shows it: the summary, then every row's outcome read
// back from the import's stream.
Result<boost::json::object> ImportJson(const eventstore::EventStore& store, const domain::ImportSummary& s) {
  boost::json::object out{{"import_id", s.import_id},       {"org_id", s.org.value()},
                          {"file_name", s.file_name},        {"actor", s.actor},
                          {"imported_at", s.imported_at_us}, {"rows_total", s.rows_total},
                          {"created", s.created},            {"rejected", s.rejected},
                          {"without_password", s.without_password}};
  boost::json::array accepted, rejected;
  ASSIGN_OR_RETURN(auto events, store.ReadStream(StreamId("import:" + s.import_id), StreamVersion(0),
                                                 eventstore::Direction::kForward, 1'000'000));
  for (const auto& event : events) {
    const auto* rows = event.envelope().body_as_ImportRowsRecorded();
    if (rows == nullptr) continue;
    if (rows->accepted() != nullptr) {
      for (const auto* r : *rows->accepted()) {
        accepted.push_back(boost::json::object{{"row", r->row()}, {"user_id", r->user_id() ? r->user_id()->str() : ""}});
      }
    }
    if (rows->rejected() != nullptr) {
      for (const auto* r : *rows->rejected()) {
        rejected.push_back(boost::json::object{{"row", r->row()},
                                               {"reason", r->reason() ? r->reason()->str() : ""},
                                               {"detail", r->detail() ? r->detail()->str() : ""}});
      }
    }
  }
  out["users"] = std::move(accepted);
  out["rejected_rows"] = std::move(rejected);
  return out;
}

awaitable<Response> ImportReply(const AppRouteDeps* d, std::string import_id, std::uint64_t position, bool replayed) {
  auto summary = d->processor->Read([&](const domain::AccessState& state) -> std::optional<domain::ImportSummary> {
    const auto* s = state.workflows.FindImport(import_id);
    return s == nullptr ? std::nullopt : std::optional(*s);
  });
  if (!summary) co_return ProblemResponse(Problem::NotFound("no import '" + import_id + "'"));
  auto json = co_await OnWorkerPool(*d->pool, [d, &summary] { return ImportJson(*d->store, *summary); });
  if (!json.ok()) co_return ProblemResponse(Problem::FromStatus(json.status()));
  json->emplace("position", position);
  json->emplace("replayed", replayed);
  co_return JsonResponse(HttpStatus::ok, *json);
}

awaitable<Response> PostImport(const AppRouteDeps* d, Request& request, RouteContext& context) {
  if (!IsCsv(request)) {
    co_return ProblemResponse(Problem::UnsupportedMediaType("the import body must be Content-Type: text/csv"));
  }
  QueryReader q(request.target());
  const auto org_id = q.RequiredString("org_id", kId);
  const auto file_name = q.OptionalString("file_name", {.max_length = 200}).value_or("");
  if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
  const std::string key = IdempotencyKey(request);
  const std::string file_hash = HexBlake2b(request.body());
  const std::string import_id =
      "imp_" + (key.empty() ? RandomHex(12) : HexBlake2b(context.actor + "\n" + key, 12));

  struct Before {
    bool org_found = false;
    bool contractor = false;
    bool existing = false;
    std::string existing_hash;
    domain::Settings settings;
  };
  const Before before = d->processor->Read([&](const domain::AccessState& state) {
    Before b;
    const auto* org = state.FindOrg(org_id);
    b.org_found = org != nullptr;
    b.contractor = org != nullptr && org->kind == schema::OrgKind::Contractor;
    if (const auto* existing = state.workflows.FindImport(import_id)) {
      b.existing = true;
      b.existing_hash = existing->file_hash;
    }
    b.settings = state.settings;
    return b;
  });
  if (before.existing) {  // the same Idempotency-Key again
    if (before.existing_hash != file_hash) {
      co_return ProblemResponse(
          Problem::FailedPrecondition("Idempotency-Key '" + key + "' was used for another file"));
    }
    co_return co_await ImportReply(d, import_id, d->store->Head().value(), true);
  }
  if (!before.org_found) co_return ProblemResponse(Problem::NotFound("no organisation '" + org_id + "'"));

  auto parsed = co_await OnWorkerPool(*d->import_pool, [&request, &import_id, &before] {
    return ParseImportCsv(request.body(), import_id, before.contractor);
  });
  if (!parsed.ok()) co_return ProblemResponse(parsed.problem());
  std::vector<domain::ImportRowInput*> to_hash;
  for (auto& row : parsed->rows) {
    if (!row.password_plaintext.empty() && domain::CheckPasswordPolicy(before.settings, row.password_plaintext).ok()) {
      to_hash.push_back(&row);
    }
  }
  if (Status hashed = co_await HashPasswords(*d->import_pool, std::move(to_hash)); !hashed.ok()) {
    co_return ProblemResponse(Problem::FromStatus(hashed));
  }
  domain::ImportUsers cmd;
  cmd.import_id = import_id;
  cmd.org_id = domain::OrgId(org_id);
  cmd.file_name = file_name;
  cmd.file_hash = file_hash;
  cmd.rows_total = parsed->rows_total;
  cmd.rows = std::move(parsed->rows);
  cmd.rejected = std::move(parsed->rejected);
  auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context), key);
  if (!out.ok()) co_return ProblemResponse(Problem::FromStatus(out.status()));
  co_return co_await ImportReply(d, import_id, out->position.value(), false);
}

}  // namespace

void AddImportRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;

  router.Add(Verb::get, "/v1/imports/template",
             StaffHandler(deps, [d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               // The template depends on no position, but min_position is accepted (and
               // validated, and waited for) as on every GET (API.md).
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store)) co_return ProblemResponse(*problem);
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               Response reply = TextResponse(HttpStatus::ok, "text/csv; charset=utf-8", std::string(ImportTemplateCsv()));
               reply.set(boost::beast::http::field::content_disposition, "attachment; filename=\"portico-users.csv\"");
               co_return reply;
             }));

  // An import's reply lists every row, so it is not kept for Idempotency-Key retries: a retry
  // runs PostImport again, which answers from the recorded import.
  router.Add(Verb::post, "/v1/imports",
             StaffHandler(deps, [d](Request& request, RouteContext& context) { return PostImport(d, request, context); },
                          ReplyRetention::kRunAgain),
             RouteOptions{.body_limit = kImportBodyLimit});

  router.Add(Verb::get, "/v1/imports",
             StaffHandler(deps, [d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               const auto org = q.OptionalString("org_id", kId);
               const auto limit = q.OptionalInt("limit", {.min = 1, .max = 1000}).value_or(100);
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               auto list = d->access->Read([&](const projections::AccessIndex& index) {
                 boost::json::array out;
                 const auto& imports = index.state().workflows.imports;
                 for (auto it = imports.rbegin(); it != imports.rend() && std::ssize(out) < limit; ++it) {
                   if (org && it->org.value() != *org) continue;
                   out.push_back({{"import_id", it->import_id}, {"org_id", it->org.value()},
                                  {"file_name", it->file_name},  {"actor", it->actor},
                                  {"imported_at", it->imported_at_us}, {"rows_total", it->rows_total},
                                  {"created", it->created},      {"rejected", it->rejected},
                                  {"without_password", it->without_password}});
                 }
                 return out;
               });
               co_return JsonResponse(HttpStatus::ok, {{"imports", std::move(list)}});
             }));

  router.Add(Verb::get, "/v1/imports/{import_id}",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               co_return co_await ImportReply(d, std::string(context.Param("import_id")), d->store->Head().value(),
                                              false);
             }));
}

}  // namespace portico::gateway
