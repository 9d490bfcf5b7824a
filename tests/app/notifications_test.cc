// Mails end to end: the account mails (welcome, "Notify Client", lockout notice), e-mail
// alerts and the password-reset link, produced to the Kafka topic portico.notifications and
// written by the development mailer into DATA_DIR/mail/. The topic is read with kcat (an
// external Kafka client) and every value decoded and checked. Also the password-reset
// workflow over HTTP, including its rejections.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/http_client.h"
#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::HttpReply;
using app_testing::kAdminKey;
using app_testing::RunningSystem;
using boost::beast::http::verb;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(20);

struct KafkaMessage {
  std::string key;
  std::map<std::string, std::string> headers;
  json::object value;
};

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

class NotificationsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("notifications-test");
    ASSERT_TRUE(sys_->started());
    sys_->CreateOrg("acme");
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }
  static std::uint64_t Ok(const HttpReply& reply) {
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return RunningSystem::Position(reply);
  }

  // Every message of portico.notifications, read with kcat: key, headers and the JSON value.
  // The value is one line (JSON escapes new lines and tabs), so tab-separated fields are safe.
  static std::vector<KafkaMessage> ConsumeWithKcat() {
    const std::string out = RunCommand("kcat -b " + sys_->system().kafka_bootstrap() +
                                " -t portico.notifications -C -o beginning -e -q -f '%k\\t%h\\t%s\\n' 2>/dev/null");
    std::vector<KafkaMessage> messages;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      const auto a = line.find('\t'), b = line.find('\t', a + 1);
      if (a == std::string::npos || b == std::string::npos) continue;
      KafkaMessage m;
      m.key = line.substr(0, a);
      std::istringstream headers(line.substr(a + 1, b - a - 1));
      std::string h;
      while (std::getline(headers, h, ',')) {
        const auto eq = h.find('=');
        if (eq != std::string::npos) m.headers[h.substr(0, eq)] = h.substr(eq + 1);
      }
      boost::system::error_code ec;
      auto v = json::parse(line.substr(b + 1), ec);
      EXPECT_FALSE(ec) << "undecodable value: " << line.substr(b + 1);
      if (ec || !v.is_object()) continue;
      m.value = v.as_object();
      messages.push_back(std::move(m));
    }
    return messages;
  }

  // The message with id `id`, polling kcat until it shows up (bounded).
  static std::optional<KafkaMessage> AwaitMessage(const std::string& id_prefix, const std::string& user) {
    const auto until = Clock::now() + kDeadline;
    while (Clock::now() < until) {
      for (auto& m : ConsumeWithKcat()) {
        if (std::string(m.value.at("id").as_string()).starts_with(id_prefix) && m.value.at("user_id").as_string() == user) {
          return m;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::nullopt;
  }

  static std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Checks one message as a downstream mailer would, and its .eml twin.
  static void CheckMessage(const KafkaMessage& m, const std::string& kind, const std::string& user,
                           const std::string& to) {
    for (const char* field : {"id", "kind", "to", "user_id", "subject", "text", "link"}) {
      ASSERT_TRUE(m.value.contains(field) && m.value.at(field).is_string()) << field << " in " << json::serialize(m.value);
    }
    ASSERT_TRUE(m.value.at("created_at").is_int64());
    EXPECT_EQ(m.value.at("kind").as_string(), kind);
    EXPECT_EQ(m.value.at("user_id").as_string(), user);
    EXPECT_EQ(m.value.at("to").as_string(), to);
    EXPECT_EQ(m.key, user);
    EXPECT_EQ(m.headers.at("kind"), kind);
    EXPECT_EQ(m.headers.at("notification_id"), m.value.at("id").as_string());
    const std::string all = json::serialize(m.value);
    EXPECT_EQ(all.find(RunningSystem::PasswordOf(user)), std::string::npos) << "a password in a mail";
    EXPECT_EQ(all.find("argon2"), std::string::npos) << "a password hash in a mail";
    // The development mailer wrote it, named by its id.
    const auto eml = sys_->data_dir() / "mail" / (std::string(m.value.at("id").as_string()) + ".eml");
    const auto until = Clock::now() + kDeadline;
    while (!std::filesystem::exists(eml) && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string text = ReadFile(eml);
    EXPECT_NE(text.find("To: " + to + "\r\n"), std::string::npos) << text;
    EXPECT_NE(text.find("From: "), std::string::npos);
    EXPECT_NE(text.find("Date: "), std::string::npos);
    EXPECT_NE(text.find("Message-ID: <" + std::string(m.value.at("id").as_string()) + "@"), std::string::npos);
    EXPECT_NE(text.find("Subject: " + std::string(m.value.at("subject").as_string())), std::string::npos);
    EXPECT_EQ(text.find("argon2"), std::string::npos);
  }

  static std::string TokenFromLink(const std::string& link) {
    const auto at = link.find("token=");
    return at == std::string::npos ? std::string() : link.substr(at + 6);
  }

  // A new user `id` of acme, and the token of the reset link mailed to it.
  static std::string ResetTokenFor(const std::string& id) {
    sys_->CreateUser("acme", id, "portal-advanced");
    const auto requested = sys_->client().Post("/v1/portal/password-reset", "", {{"username", id + "@example.com"}});
    EXPECT_EQ(requested.status, 202u) << requested.body;
    auto mail = AwaitMessage("password_reset-", id);
    EXPECT_TRUE(mail) << "no reset mail for " << id;
    return mail ? TokenFromLink(std::string(mail->value.at("link").as_string())) : std::string();
  }

  static HttpReply Confirm(const std::string& token, const std::string& password,
                           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return sys_->client().Send(verb::post, "/v1/portal/password-reset/confirm", "",
                               json::serialize(json::object{{"token", token}, {"new_password", password}}),
                               "application/json", headers);
  }

  static inline RunningSystem* sys_ = nullptr;
};

TEST_F(NotificationsTest, AccountMailsReachTheTopicAndTheMailDirectory) {
  sys_->CreateUser("acme", "wendy", "portal-advanced");
  auto welcome = AwaitMessage("welcome-", "wendy");
  ASSERT_TRUE(welcome) << "no welcome mail";
  CheckMessage(*welcome, "welcome", "wendy", "wendy@example.com");
  EXPECT_NE(std::string(welcome->value.at("text").as_string()).find("wendy@example.com"), std::string::npos);
  EXPECT_TRUE(std::string(welcome->value.at("link").as_string()).ends_with("/portal/login"));

  // "Notify Client" after a forced reset: the login link and the user name, no password.
  Ok(sys_->Staff(verb::post, "/v1/users/wendy/force-reset"));
  Ok(sys_->Staff(verb::post, "/v1/users/wendy/notify"));
  auto details = AwaitMessage("login_details-", "wendy");
  ASSERT_TRUE(details);
  CheckMessage(*details, "login_details", "wendy", "wendy@example.com");
  EXPECT_EQ(sys_->Staff(verb::post, "/v1/users/ghost/notify").status, 404u);
  EXPECT_EQ(sys_->client().Post("/v1/users/wendy/notify", "", json::object{}).status, 401u);
  Ok(sys_->Staff(verb::post, "/v1/orgs/acme/users",
                 {{"user_id", "pat"}, {"username", "pat"}, {"display_name", "Pat"}, {"email", "pat@example.com"},
                  {"user_type", "passive"}, {"level", "portal-basic"}}));
  EXPECT_EQ(sys_->Staff(verb::post, "/v1/users/pat/notify").status, 422u);  // passive users never log in

  // Lockout notice after too many bad passwords.
  sys_->CreateUser("acme", "lou", "portal-advanced");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(sys_->Login("lou", "wrong password!").status, 401u);
  auto lockout = AwaitMessage("lockout-", "lou");
  ASSERT_TRUE(lockout);
  CheckMessage(*lockout, "lockout", "lou", "lou@example.com");
}

TEST_F(NotificationsTest, EmailAlertsOnlyForVisibleThings) {
  sys_->CreateOrg("other");
  sys_->CreateUser("acme", "erin", "portal-advanced");
  sys_->CreateUser("other", "olga", "portal-advanced");
  const json::value subs = {{"subscriptions", json::array{{{"kind", "note_added"}, {"channels", json::array{"email"}}}}}};
  Ok(sys_->client().Put("/v1/portal/subscriptions", sys_->LoginOk("erin"), subs));
  Ok(sys_->client().Put("/v1/portal/subscriptions", sys_->LoginOk("olga"), subs));
  Ok(sys_->Staff(verb::put, "/v1/resources/t1", {{"type", "task"}, {"org_id", "acme"}, {"title", "Roof"}}));
  Ok(sys_->Staff(verb::post, "/v1/notes", {{"note_id", "secret"}, {"resource_id", "t1"}, {"body", "x"}, {"visibility", "internal"}}));
  Ok(sys_->Staff(verb::post, "/v1/notes", {{"note_id", "shown"}, {"resource_id", "t1"}, {"body", "y"}, {"visibility", "client"}}));
  auto alert = AwaitMessage("alert-", "erin");
  ASSERT_TRUE(alert);
  CheckMessage(*alert, "alert", "erin", "erin@example.com");
  EXPECT_NE(std::string(alert->value.at("link").as_string()).find("/resources/t1"), std::string::npos);
  // Exactly one alert mail for erin (the client note), none for olga (another organisation).
  int erin = 0, olga = 0;
  for (const auto& m : ConsumeWithKcat()) {
    if (m.value.at("kind") != "alert") continue;
    erin += m.value.at("user_id") == "erin";
    olga += m.value.at("user_id") == "olga";
  }
  EXPECT_EQ(erin, 1);
  EXPECT_EQ(olga, 0);
}

// A changed e-mail address gets a notice at the OLD address (its owner learns of a change it
// may not have made), naming neither the new address nor any secret. A change of name alone
// sends nothing.
TEST_F(NotificationsTest, AChangedAddressIsToldToTheOldOne) {
  sys_->CreateUser("acme", "cora", "portal-advanced");
  const std::string token = sys_->LoginOk("cora");
  Ok(sys_->client().Put("/v1/portal/me", token, {{"display_name", "Cora B."}, {"email", "cora@example.com"}}));
  Ok(sys_->client().Put("/v1/portal/me", token,
                        {{"display_name", "Cora B."},
                         {"email", "cora.new@example.org"},
                         {"current_password", RunningSystem::PasswordOf("cora")}}));
  auto notice = AwaitMessage("email_changed-", "cora");
  ASSERT_TRUE(notice);
  CheckMessage(*notice, "email_changed", "cora", "cora@example.com");
  EXPECT_EQ(json::serialize(notice->value).find("cora.new@example.org"), std::string::npos)
      << "the notice names the new address: " << json::serialize(notice->value);
  int notices = 0;
  for (const auto& m : ConsumeWithKcat()) notices += m.value.at("kind") == "email_changed" && m.value.at("user_id") == "cora";
  EXPECT_EQ(notices, 1) << "the change of name alone sent a notice too";
}

TEST_F(NotificationsTest, PasswordResetByMailLink) {
  sys_->CreateUser("acme", "rita", "portal-advanced");
  const std::string old_session = sys_->LoginOk("rita");
  const auto known = sys_->client().Post("/v1/portal/password-reset", "", {{"username", "rita@example.com"}});
  const auto unknown = sys_->client().Post("/v1/portal/password-reset", "", {{"username", "nobody@example.com"}});
  EXPECT_EQ(known.status, 202u);
  EXPECT_EQ(unknown.status, known.status);
  EXPECT_EQ(unknown.body, known.body);  // the same answer: existence does not leak
  EXPECT_EQ(sys_->client().Post("/v1/portal/password-reset", "", {{"user", "rita"}}).status, 400u);

  auto mail = AwaitMessage("password_reset-", "rita");
  ASSERT_TRUE(mail);
  CheckMessage(*mail, "password_reset", "rita", "rita@example.com");
  const std::string token = TokenFromLink(std::string(mail->value.at("link").as_string()));
  ASSERT_GE(token.size(), 22u);  // >= 128 bits, base64
  // Only the hash is in the log.
  const auto events = sys_->Staff(verb::get, "/v1/events?limit=1000");
  EXPECT_EQ(events.body.find(token), std::string::npos);
  EXPECT_NE(events.body.find("password_reset_requested"), std::string::npos);

  const auto weak = sys_->client().Post("/v1/portal/password-reset/confirm", "", {{"token", token}, {"new_password", "x"}});
  EXPECT_EQ(weak.status, 422u) << weak.body;
  EXPECT_EQ(weak.json().at("field"), "new_password");
  const auto bogus = sys_->client().Post("/v1/portal/password-reset/confirm", "",
                                         {{"token", "not-a-real-token-aaaaaaaaaaaaaaaa"}, {"new_password", "a fine new password"}});
  EXPECT_EQ(bogus.status, 422u);

  const auto done = sys_->client().Post("/v1/portal/password-reset/confirm", "",
                                        {{"token", token}, {"new_password", "a fine new password"}});
  ASSERT_EQ(done.status, 200u) << done.body;
  EXPECT_EQ(done.json().at("ended_sessions"), 1);
  EXPECT_EQ(sys_->client().Get("/v1/portal/me", old_session).status, 401u);  // every session ended
  EXPECT_EQ(sys_->Login("rita", RunningSystem::PasswordOf("rita")).status, 401u);
  EXPECT_EQ(sys_->Login("rita", "a fine new password").status, 200u);

  // Single use.
  const auto again = sys_->client().Post("/v1/portal/password-reset/confirm", "",
                                         {{"token", token}, {"new_password", "another new password"}});
  EXPECT_EQ(again.status, 422u);
  EXPECT_EQ(again.json().at("detail"), bogus.json().at("detail"));
}

// A token issued before the latest password change is answered exactly as an unknown token,
// whatever the new password: neither the policy's answer nor a hash tells that it existed.
TEST_F(NotificationsTest, ASupersededResetTokenIsAnsweredLikeAnUnknownOne) {
  const std::string token = ResetTokenFor("sam");
  Ok(sys_->Staff(verb::post, "/v1/users/sam/password", {{"password", "set by the staff desk"}}));
  for (const std::string password : {"x", "a fine new password"}) {
    const auto superseded = Confirm(token, password);
    const auto unknown = Confirm("not-a-real-token-bbbbbbbbbbbbbbbb", password);
    EXPECT_EQ(unknown.status, 422u) << unknown.body;
    EXPECT_EQ(unknown.json().at("field"), "token");
    EXPECT_EQ(superseded.status, unknown.status) << password;
    EXPECT_EQ(superseded.body, unknown.body) << password;
  }
  EXPECT_EQ(sys_->Login("sam", "a fine new password").status, 401u);
}

// Confirming has no credentials to scope an Idempotency-Key by: it is scoped by the token, so
// a retry with the same key and body gets the first reply (not the 422 of a spent token) and
// appends nothing.
TEST_F(NotificationsTest, ARetriedResetConfirmWithTheSameKeyGetsTheFirstReply) {
  const std::string token = ResetTokenFor("tia");
  const std::vector<std::pair<std::string, std::string>> key{{"Idempotency-Key", "confirm-once"}};
  const auto first = Confirm(token, "a fine new password", key);
  ASSERT_EQ(first.status, 200u) << first.body;
  const auto head = sys_->Head();
  const auto retry = Confirm(token, "a fine new password", key);
  EXPECT_EQ(retry.status, 200u) << retry.body;
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(sys_->Head(), head);
  EXPECT_EQ(Confirm(token, "another new password", key).status, 422u);  // another body
  EXPECT_EQ(sys_->Login("tia", "a fine new password").status, 200u);
}

}  // namespace
}  // namespace portico::gateway
