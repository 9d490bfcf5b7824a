#include "app/running_system.h"

#include <unistd.h>

#include <cstdlib>
#include <utility>

namespace portico::app_testing {

using boost::beast::http::verb;

RunningSystem::RunningSystem(const std::string& name, gateway::ServeOptions options)
    : dir_(std::filesystem::temp_directory_path() / ("portico-" + name + "-" + std::to_string(::getpid()))) {
  std::filesystem::remove_all(dir_);
  ::setenv("PORTICO_ADMIN_KEY", kAdminKey, 1);
  options.data_dir = dir_.string();
  options.http = "127.0.0.1:0";
  options_ = std::move(options);
  Start();
}

RunningSystem::~RunningSystem() {
  Stop();
  std::filesystem::remove_all(dir_);
}

bool RunningSystem::Restart() {
  Stop();
  return Start();
}

void RunningSystem::Stop() {
  client_.reset();
  system_.reset();
}

HttpReply RunningSystem::Staff(verb method, const std::string& target, const boost::json::value& body) const {
  return client_->Send(method, target, kAdminKey, body.is_null() ? "" : boost::json::serialize(body));
}

std::uint64_t RunningSystem::Head() const { return Position(client_->Get("/v1/status")); }

std::uint64_t RunningSystem::Position(const HttpReply& reply) {
  const auto body = reply.json();
  if (!body.is_object() || !body.as_object().contains("position")) return 0;
  return body.as_object().at("position").to_number<std::uint64_t>();
}

void RunningSystem::CreateUser(const std::string& org, const std::string& id, const std::string& level) const {
  const auto reply = Staff(verb::post, "/v1/orgs/" + org + "/users",
                           {{"user_id", id},
                            {"username", id + "@example.com"},
                            {"display_name", "User " + id},
                            {"email", id + "@example.com"},
                            {"user_type", "active"},
                            {"level", level},
                            {"password", PasswordOf(id)}});
  EXPECT_EQ(reply.status, 200u) << reply.body;
}

void RunningSystem::CreateOrg(const std::string& org, const std::string& kind, const std::string& mode) const {
  const auto registered = Staff(verb::post, "/v1/orgs", {{"org_id", org}, {"name", org}, {"kind", kind}});
  EXPECT_EQ(registered.status, 200u) << registered.body;
  const auto access = Staff(verb::post, "/v1/orgs/" + org + "/access", {{"mode", mode}});
  EXPECT_EQ(access.status, 200u) << access.body;
}

HttpReply RunningSystem::Login(const std::string& id, const std::string& password) const {
  return client_->Post("/v1/portal/login", "", {{"username", id + "@example.com"}, {"password", password}});
}

std::string RunningSystem::LoginOk(const std::string& id) const {
  const auto reply = Login(id, PasswordOf(id));
  EXPECT_EQ(reply.status, 200u) << reply.body;
  if (reply.status != 200) return {};
  return std::string(reply.json().as_object().at("token").as_string());
}

bool RunningSystem::Start() {
  auto started = gateway::System::Start(options_);
  if (!started.ok()) {
    ADD_FAILURE() << "System::Start: " << started.status().ToString();
    return false;
  }
  system_ = std::move(started).value();
  client_ = std::make_unique<HttpClient>(system_->http_url());
  return true;
}

}  // namespace portico::app_testing
