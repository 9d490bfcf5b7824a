// `portico serve --demo`: the demo dataset is seeded through real commands on an empty log,
// its client manager logs in over HTTP and sees its own organisation's resources only, and a
// second start on the same data directory does not seed again.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "app/http_client.h"
#include "gateway/app/demo_data.h"
#include "gateway/app/system.h"

namespace portico::gateway {
namespace {

using app_testing::HttpClient;
namespace json = boost::json;

std::uint64_t StatusPosition(const HttpClient& client) {
  auto reply = client.Get("/v1/status");
  return reply.json().as_object().at("position").to_number<std::uint64_t>();
}

TEST(DemoTest, SeedsOnceAndScopesThePortal) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("portico-demo-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ::setenv("PORTICO_ADMIN_KEY", "demo-test-admin-key-0123456789abcdefghijk", 1);
  ServeOptions options;
  options.data_dir = dir.string();
  options.http = "127.0.0.1:0";
  options.demo = true;

  std::uint64_t head = 0;
  {
    auto started = System::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    auto& system = *started;
    EXPECT_TRUE(system->demo_seeded());
    HttpClient client(system->http_url());
    head = StatusPosition(client);
    EXPECT_GT(head, 0u);

    auto login = client.Post("/v1/portal/login", "",
                             {{"username", std::string(kDemoUsername)},
                              {"password", std::string(kDemoPassword)}});
    ASSERT_EQ(login.status, 200u) << login.body;
    const std::string token(login.json().as_object().at("token").as_string());

    auto resources = client.Get("/v1/portal/resources", token);
    ASSERT_EQ(resources.status, 200u) << resources.body;
    std::set<std::string> ids;
    const auto body = resources.json();
    for (const auto& r : body.as_object().at("resources").as_array()) {
      ids.emplace(r.as_object().at("resource_id").as_string());
    }
    EXPECT_TRUE(ids.count("acme-t1")) << resources.body;
    EXPECT_TRUE(ids.count("acme-q1")) << resources.body;
    for (const auto& id : ids) EXPECT_EQ(id.rfind("globex", 0), std::string::npos) << id;
    head = StatusPosition(client);  // the seed plus the login
    system->Stop();
  }
  {
    auto started = System::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    EXPECT_FALSE((*started)->demo_seeded());
    HttpClient client((*started)->http_url());
    EXPECT_EQ(StatusPosition(client), head);
    (*started)->Stop();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace portico::gateway
