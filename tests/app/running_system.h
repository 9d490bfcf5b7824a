// A whole portico System (log, embedded Kafka, relay, projections, HTTP) on a fresh temporary
// data directory, with the helpers every end-to-end test needs: staff requests with the admin
// key, the log's head, creating users, logging in (compiled once, in running_system.cc). One
// per test suite is the usual shape:
//
//   class MyTest : public ::testing::Test {
//    protected:
//     static void SetUpTestSuite() { sys_ = new RunningSystem("my-test"); }
//     static void TearDownTestSuite() { delete sys_; }
//     static inline RunningSystem* sys_ = nullptr;
//   };
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
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
  explicit RunningSystem(const std::string& name, gateway::ServeOptions options = gateway::ServeOptions{});
  ~RunningSystem();
  RunningSystem(const RunningSystem&) = delete;
  RunningSystem& operator=(const RunningSystem&) = delete;

  // Stops the System and starts a new one on the same data directory (a restart); the
  // client then speaks to the new one. False (and a test failure) when it does not start.
  bool Restart();

  // Stops the System and closes its data directory, which stays for the test to look at or
  // start on; started() is then false.
  void Stop();

  bool started() const { return system_ != nullptr; }
  gateway::System& system() { return *system_; }
  const HttpClient& client() const { return *client_; }
  const std::filesystem::path& data_dir() const { return dir_; }

  // A request with the admin staff key.
  HttpReply Staff(boost::beast::http::verb verb, const std::string& target,
                  const boost::json::value& body = nullptr) const;

  // The log's head position, from /v1/status.
  std::uint64_t Head() const;

  // The "position" of a command's reply (0 when the reply has none).
  static std::uint64_t Position(const HttpReply& reply);

  // Creates an active user whose user name is "<id>@example.com" and whose password is
  // PasswordOf(id).
  void CreateUser(const std::string& org, const std::string& id, const std::string& level) const;

  // Registers an organisation and sets its access mode.
  void CreateOrg(const std::string& org, const std::string& kind = "client",
                 const std::string& mode = "enabled") const;

  static std::string PasswordOf(const std::string& id) { return "correct horse " + id; }

  HttpReply Login(const std::string& id, const std::string& password) const;

  // Logs in with PasswordOf(id); the token, or "" (and a test failure) when refused.
  std::string LoginOk(const std::string& id) const;

 private:
  bool Start();

  std::filesystem::path dir_;
  gateway::ServeOptions options_;
  std::unique_ptr<gateway::System> system_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace portico::app_testing
