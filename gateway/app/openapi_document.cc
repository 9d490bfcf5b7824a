#include "gateway/app/openapi_document.h"

#include <memory>
#include <string>

#include "gateway/http/response.h"

namespace portico::gateway {
namespace {

constexpr std::string_view kBase = "base.json";
constexpr std::string_view kFragmentSuffix = ".paths.json";

Result<boost::json::object> ParseObject(const OpenApiSource& source) {
  boost::system::error_code ec;
  auto value = boost::json::parse(source.text, ec);
  if (ec) {
    return Status::InvalidArgument("OpenAPI file " + std::string(source.name) +
                                   " is not valid JSON: " + ec.message());
  }
  if (!value.is_object()) {
    return Status::InvalidArgument("OpenAPI file " + std::string(source.name) +
                                   " is not a JSON object");
  }
  return std::move(value.as_object());
}

// Adds `fragment`'s operations to `paths`; an operation already there is an error.
Status MergePaths(boost::json::object& paths, const boost::json::object& fragment,
                  std::string_view file) {
  for (const auto& [path, item] : fragment) {
    if (!item.is_object()) {
      return Status::InvalidArgument("OpenAPI file " + std::string(file) + ": path " +
                                     std::string(path) + " is not an object");
    }
    auto& target = paths[path];
    if (!target.is_object()) target = boost::json::object();
    for (const auto& [method, operation] : item.as_object()) {
      if (target.as_object().contains(method)) {
        return Status::InvalidArgument("OpenAPI file " + std::string(file) + ": " +
                                       std::string(method) + " " + std::string(path) +
                                       " is documented twice");
      }
      target.as_object()[method] = operation;
    }
  }
  return Status::Ok();
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<boost::json::object> MergeOpenApi(const std::vector<OpenApiSource>& sources) {
  const OpenApiSource* base = nullptr;
  for (const auto& source : sources) {
    if (source.name == kBase) base = &source;
  }
  if (base == nullptr) return Status::InvalidArgument("OpenAPI: no base.json");
  ASSIGN_OR_RETURN(auto document, ParseObject(*base));
  boost::json::object paths;
  if (auto* existing = document.if_contains("paths"); existing && existing->is_object()) {
    RETURN_IF_ERROR(MergePaths(paths, existing->as_object(), kBase));
  }
  for (const auto& source : sources) {
    if (!EndsWith(source.name, kFragmentSuffix)) continue;
    ASSIGN_OR_RETURN(auto fragment, ParseObject(source));
    RETURN_IF_ERROR(MergePaths(paths, fragment, source.name));
  }
  document["paths"] = std::move(paths);
  return document;
}

void AddOpenApiRoute(Router& router, const boost::json::object& document) {
  auto body = std::make_shared<const std::string>(boost::json::serialize(document));
  router.Add(Verb::get, "/v1/openapi.json",
             [body](Request&, RouteContext&) -> boost::asio::awaitable<Response> {
               co_return TextResponse(HttpStatus::ok, "application/json", *body);
             });
}

}  // namespace portico::gateway
