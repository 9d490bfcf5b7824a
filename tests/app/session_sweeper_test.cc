// The session sweeper end to end: a session left idle past its idle timeout gets its
// SessionEnded event (reason expired, actor session-sweeper) in the log without anyone
// touching it, and leaves the staff session list.
//
// The shortest idle timeout the domain allows is one minute, so this test waits a little over
// a minute (bounded polling, no fixed sleep decides the outcome).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "app/http_client.h"
#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::kAdminKey;
using app_testing::RunningSystem;
using boost::beast::http::verb;
namespace json = boost::json;

gateway::ServeOptions FastSweeps() {
  gateway::ServeOptions options;
  options.session_sweep_interval = std::chrono::milliseconds(250);
  return options;
}

TEST(SessionSweeperTest, EndsAnIdleSessionInTheLog) {
  RunningSystem sys("session-sweeper", FastSweeps());
  ASSERT_TRUE(sys.started());
  const auto settings = sys.Staff(verb::put, "/v1/settings",
                                  {{"portal_enabled", true}, {"self_registration", "off"},
                                   {"password_min_length", 8}, {"session_idle_minutes", 1},
                                   {"session_absolute_hours", 1}, {"lockout_threshold", 5},
                                   {"lockout_minutes", 15}});
  ASSERT_EQ(settings.status, 200u) << settings.body;
  sys.CreateOrg("idle-org");
  sys.CreateUser("idle-org", "idler", "client-manager");
  const auto login = sys.Login("idler", RunningSystem::PasswordOf("idler"));
  ASSERT_EQ(login.status, 200u) << login.body;
  const std::string token(login.json().at("token").as_string());
  const std::string session(login.json().at("session_id").as_string());
  ASSERT_EQ(sys.client().Get("/v1/portal/me", token).status, 200u);

  // Poll the audit for the sweeper's SessionEnded (idle timeout 60 s; deadline 3 minutes).
  json::value ended;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (ended.is_null() && std::chrono::steady_clock::now() < deadline) {
    const auto audit = sys.client().Get("/v1/audit?user_id=idler&type=session_ended", kAdminKey);
    ASSERT_EQ(audit.status, 200u) << audit.body;
    const auto audit_json = audit.json();
    for (const auto& e : audit_json.at("events").as_array()) {
      if (e.at("data").at("session_id").as_string() == session) ended = e;
    }
    if (ended.is_null()) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  ASSERT_FALSE(ended.is_null()) << "no SessionEnded for the idle session within 3 minutes";
  EXPECT_EQ(ended.at("actor"), "session-sweeper");
  EXPECT_EQ(ended.at("data").at("reason"), "expired");

  const auto position = ended.at("position").to_number<std::uint64_t>();
  const auto sessions = sys.client().Get(
      "/v1/users/idler/sessions?min_position=" + std::to_string(position), kAdminKey);
  ASSERT_EQ(sessions.status, 200u);
  EXPECT_TRUE(sessions.json().at("sessions").as_array().empty()) << sessions.body;
  EXPECT_EQ(sys.client().Get("/v1/portal/me", token).status, 401u);
  // Ended once: later sweeps find nothing more to end.
  const auto again = sys.client().Get("/v1/audit?user_id=idler&type=session_ended", kAdminKey);
  EXPECT_EQ(again.json().at("events").as_array().size(), 1u) << again.body;
}

}  // namespace
}  // namespace portico::gateway
