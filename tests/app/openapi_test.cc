// The OpenAPI document: served at /v1/openapi.json, parses, and documents exactly the routes
// the router serves (every route added by any file, every fragment's operations served).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <string>

#include "app/http_client.h"
#include "app/running_system.h"
#include "gateway/app/openapi_document.h"

namespace portico::gateway {
namespace {

using app_testing::RunningSystem;
namespace json = boost::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(OpenApiTest, DocumentsEveryRouteTheServerServes) {
  RunningSystem sys("openapi");
  ASSERT_TRUE(sys.started());
  const auto reply = sys.client().Get("/v1/openapi.json");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.content_type, "application/json");
  const auto doc = reply.json();
  ASSERT_TRUE(doc.is_object()) << "the document does not parse";
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  const auto& paths = doc.at("paths").as_object();

  std::set<std::string> served;
  for (const auto& route : sys.system().router().routes()) {
    const std::string method = Lower(boost::beast::http::to_string(route->method));
    served.insert(method + " " + route->pattern);
    const auto* item = paths.if_contains(route->pattern);
    EXPECT_TRUE(item != nullptr && item->as_object().contains(method))
        << method << " " << route->pattern << " is served but not in gateway/app/openapi/*.paths.json";
  }
  for (const auto& [path, item] : paths) {
    for (const auto& [method, operation] : item.as_object()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      EXPECT_TRUE(served.count(std::string(method) + " " + std::string(path)))
          << method << " " << path << " is documented but not served";
      EXPECT_TRUE(operation.as_object().contains("responses")) << method << " " << path;
    }
  }
}

TEST(OpenApiTest, MergeRefusesBrokenAndDuplicateFragments) {
  const OpenApiSource base{"base.json", R"({"openapi": "3.1.0", "paths": {}})"};
  const OpenApiSource a{"a.paths.json", R"({"/x": {"get": {"responses": {}}}})"};
  const OpenApiSource b{"b.paths.json", R"({"/x": {"post": {"responses": {}}}})"};
  auto merged = MergeOpenApi({base, a, b});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->at("paths").at("/x").as_object().size(), 2u);

  auto duplicate = MergeOpenApi({base, a, {"c.paths.json", R"({"/x": {"get": {}}})"}});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("c.paths.json"), std::string::npos);
  auto broken = MergeOpenApi({base, {"d.paths.json", R"({"/y": )"}});
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("d.paths.json"), std::string::npos);
  EXPECT_FALSE(MergeOpenApi({a}).ok());  // no base
}

TEST(OpenApiTest, EmbeddedFilesMerge) {
  auto merged = MergeOpenApi(OpenApiSources());
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(merged->at("paths").as_object().contains("/v1/portal/sessions"));
}

}  // namespace
}  // namespace portico::gateway
