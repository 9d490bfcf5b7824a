// The OpenAPI 3.1 document served at GET /v1/openapi.json.
//
// It is assembled from files in gateway/app/openapi/, embedded at build time (openapi.cmake):
// base.json (info, security schemes, shared components, and an empty or partial "paths") and
// any number of *.paths.json fragments, each a JSON object of OpenAPI paths
// ({"/v1/x": {"get": {...}}}). A new area of routes documents itself in its own fragment, so
// nobody edits a shared file. MergeOpenApi puts every fragment's operations into the base's
// "paths"; the same operation (path and method) in two files is an error, as is a file that
// is not a JSON object.
#pragma once

#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gateway/http/router.h"

namespace portico::gateway {

struct OpenApiSource {
  std::string_view name;  // file name, e.g. "portal.paths.json"
  std::string_view text;
};

// The embedded files, sorted by name (generated: openapi_embedded.cc).
const std::vector<OpenApiSource>& OpenApiSources();

// base.json with every *.paths.json merged in; InvalidArgument naming the file otherwise.
Result<boost::json::object> MergeOpenApi(const std::vector<OpenApiSource>& sources);

// GET /v1/openapi.json: `document` (serialised once), without authentication.
void AddOpenApiRoute(Router& router, const boost::json::object& document);

}  // namespace portico::gateway
