// A whole portico System (log, embedded Kafka, relay, projections, HTTP) on a fresh temporary
// data directory, with the helpers every end-to-end test needs: staff requests with the admin
// key, the log's head, creating users, logging in. One per test suite is the usual shape:
//
//   class MyTest : public ::testing::Test {
//    protected:
//     static void SetUpTestSuite() { sys_ = new RunningSystem("my-test"); }
//     static void TearDownTestSuite() { delete sys_; }
//     static inline RunningSystem* sys_ = nullptr;
//   };
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "app/http_client.h"
#include "gateway/app/system.h"

namespace portico::app_testing {

inline constexpr const char* kAdminKey = "app-test-admin-key-0123456789abcdefghijk";

class RunningSystem {
 public:
  // `name` keeps the data directories of concurrently running test binaries apart.
  explicit RunningSystem(const std::string& name,
                         gateway::ServeOptions options = gateway::ServeOptions{})
      : dir_(std::filesystem::temp_directory_path() /
             ("portico-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    ::setenv("PORTICO_ADMIN_KEY", kAdminKey, 1);
    options.data_dir = dir_.string();
    options.http = "127.0.0.1:0";
    options_ = std::move(options);
    Start();
  }

  // Stops the System and starts a new one on the same data directory (a restart); the
  // client then speaks to the new one. False (and a test failure) when it does not start.
  bool Restart() {
    Stop();
    return Start();
  }

  // Stops the System and closes its data directory, which stays for the test to look at or
  // start on; started() is then false.
  void Stop() {
    client_.reset();
    system_.reset();
  }

  ~RunningSystem() {
    client_.reset();
    system_.reset();
    std::filesystem::remove_all(dir_);
  }

  RunningSystem(const RunningSystem&) = delete;
  RunningSystem& operator=(const RunningSystem&) = delete;

  bool started() const { return system_ != nullptr; }
  gateway::System& system() { return *system_; }
  const HttpClient& client() const { return *client_; }
  const std::filesystem::path& data_dir() const { return dir_; }

  // A request with the admin staff key.
  HttpReply Staff(boost::beast::http::verb verb, const std::string& target,
                  const boost::json::value& body = nullptr) const {
    return client_->Send(verb, target, kAdminKey,
                         body.is_null() ? "" : boost::json::serialize(body));
  }

  // The log's head position, from /v1/status.
  std::uint64_t Head() const { return Position(client_->Get("/v1/status")); }

  // The "position" of a command's reply (0 when the reply has none).
  static std::uint64_t Position(const HttpReply& reply) {
    const auto body = reply.json();
    if (!body.is_object() || !body.as_object().contains("position")) return 0;
    return body.as_object().at("position").to_number<std::uint64_t>();
  }

  // Creates an active user whose user name is "<id>@example.com" and whose password is
  // PasswordOf(id).
  void CreateUser(const std::string& org, const std::string& id, const std::string& level) const {
    const auto reply = Staff(boost::beast::http::verb::post, "/v1/orgs/" + org + "/users",
                             {{"user_id", id},
                              {"username", id + "@example.com"},
                              {"display_name", "User " + id},
                              {"email", id + "@example.com"},
                              {"user_type", "active"},
                              {"level", level},
                              {"password", PasswordOf(id)}});
    EXPECT_EQ(reply.status, 200u) << reply.body;
  }

  // Registers an organisation and sets its access mode.
  void CreateOrg(const std::string& org, const std::string& kind = "client",
                 const std::string& mode = "enabled") const {
    const auto registered = Staff(boost::beast::http::verb::post, "/v1/orgs",
                                  {{"org_id", org}, {"name", org}, {"kind", kind}});
    EXPECT_EQ(registered.status, 200u) << registered.body;
    const auto access = Staff(boost::beast::http::verb::post, "/v1/orgs/" + org + "/access",
                              {{"mode", mode}});
    EXPECT_EQ(access.status, 200u) << access.body;
  }

  static std::string PasswordOf(const std::string& id) { return "correct horse " + id; }

  HttpReply Login(const std::string& id, const std::string& password) const {
    return client_->Post("/v1/portal/login", "",
                         {{"username", id + "@example.com"}, {"password", password}});
  }

  // Logs in with PasswordOf(id); the token, or "" (and a test failure) when refused.
  std::string LoginOk(const std::string& id) const {
    const auto reply = Login(id, PasswordOf(id));
    EXPECT_EQ(reply.status, 200u) << reply.body;
    if (reply.status != 200) return {};
    return std::string(reply.json().as_object().at("token").as_string());
  }

 private:
  bool Start() {
    auto started = gateway::System::Start(options_);
    if (!started.ok()) {
      ADD_FAILURE() << "System::Start: " << started.status().ToString();
      return false;
    }
    system_ = std::move(started).value();
    client_ = std::make_unique<HttpClient>(system_->http_url());
    return true;
  }

  std::filesystem::path dir_;
  gateway::ServeOptions options_;
  std::unique_ptr<gateway::System> system_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace portico::app_testing
