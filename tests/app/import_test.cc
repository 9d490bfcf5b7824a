// Bulk import of users end to end: a CSV of 1,000 rows with 50 broken in ten different ways,
// the template, the history, Idempotency-Key and the refusals of bad files; over HTTP against
// a whole System (log, embedded Kafka, projections).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <future>
#include <map>
#include <string>

#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::HttpReply;
using app_testing::RunningSystem;
using boost::beast::http::verb;
namespace json = boost::json;

class ImportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("import-test");
    ASSERT_TRUE(sys_->started());
    sys_->CreateOrg("imp-acme");
    const auto allowed = sys_->Staff(verb::put, "/v1/orgs/imp-acme/allowed-levels",
                                     {{"levels", json::array{"client-base", "client-manager"}}});
    ASSERT_EQ(allowed.status, 200u) << allowed.body;
    sys_->CreateUser("imp-acme", "taken", "client-base");  // user name taken@example.com
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }

  static HttpReply PostCsv(const std::string& target, const std::string& csv, const std::string& key = {},
                           const std::string& content_type = "text/csv") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    return sys_->client().Send(verb::post, target, app_testing::kAdminKey, csv, content_type, headers);
  }

  // 1,000 rows; every 20th row is broken, cycling through ten reasons. Rows 1, 101, ... 901
  // carry a password.
  static std::string ThousandRows(std::map<unsigned, std::string>& broken) {
    static const char* kReasons[] = {"duplicate_username", "duplicate_username", "unknown_level",
                                     "level_not_allowed",  "bad_email",          "missing_column",
                                     "quoting_error",      "field_too_long",     "missing_value",
                                     "bad_user_type"};
    std::string csv = "username,email,display_name,level,user_type,password\r\n";
    for (unsigned i = 1; i <= 1000; ++i) {
      std::string name = "imp" + std::to_string(i) + "@example.com";
      std::string email = name, display = "Imported " + std::to_string(i), level = "client-base", type = "active";
      std::string password = i % 100 == 1 ? "imported pass " + std::to_string(i) : "";
      if (i % 20 == 0) {
        const unsigned kind = (i / 20 - 1) % 10;
        broken[i] = kReasons[kind];
        switch (kind) {
          case 0: name = "imp" + std::to_string(i - 1) + "@example.com"; break;  // an earlier row's
          case 1: name = "Taken@Example.com"; break;                                // an existing user's
          case 2: level = "no-such-level"; break;
          case 3: level = "portal-manager"; break;  // a preset, not allowed for imp-acme
          case 4: email = "not-an-email"; break;
          case 5: csv += name + "," + email + "," + display + "\r\n"; continue;
          case 6: name = "imp\"" + std::to_string(i) + "@example.com"; break;
          case 7: display = std::string(300, 'x'); break;
          case 8: display = ""; break;
          case 9: type = "admin"; break;
        }
      }
      csv += name + "," + email + ",\"" + display + "\"," + level + "," + type + "," + password + "\n";
    }
    return csv;
  }

  static inline RunningSystem* sys_ = nullptr;
};

TEST_F(ImportTest, ThousandRowsWithFiftyBrokenGiveExactly950UsersAndTheRightReasons) {
  std::map<unsigned, std::string> broken;
  const std::string csv = ThousandRows(broken);
  ASSERT_EQ(broken.size(), 50u);
  const auto idempotency_log = sys_->data_dir() / "idempotency.log";
  const auto log_size_before = std::filesystem::file_size(idempotency_log);
  const auto reply = PostCsv("/v1/imports?org_id=imp-acme&file_name=contacts.csv", csv, "import-1000");
  ASSERT_EQ(reply.status, 200u) << reply.body.substr(0, 2000);
  const auto body = reply.json().as_object();
  EXPECT_EQ(body.at("rows_total").to_number<int>(), 1000);
  EXPECT_EQ(body.at("created").to_number<int>(), 950);
  EXPECT_EQ(body.at("rejected").to_number<int>(), 50);
  EXPECT_EQ(body.at("without_password").to_number<int>(), 940);
  EXPECT_EQ(body.at("users").as_array().size(), 950u);
  std::map<unsigned, std::string> reasons;
  for (const auto& r : body.at("rejected_rows").as_array()) {
    reasons[r.at("row").to_number<unsigned>()] = std::string(r.at("reason").as_string());
    EXPECT_FALSE(r.at("detail").as_string().empty());
  }
  EXPECT_EQ(reasons, broken);

  const std::string id(body.at("import_id").as_string());
  const auto position = RunningSystem::Position(reply);
  // Through Kafka into the read model, then the users themselves.
  const auto fetched = sys_->Staff(verb::get, "/v1/imports/" + id + "?min_position=" + std::to_string(position));
  ASSERT_EQ(fetched.status, 200u) << fetched.body.substr(0, 500);
  EXPECT_EQ(fetched.json().at("rejected_rows").as_array().size(), 50u);
  EXPECT_EQ(fetched.json().at("users").as_array().size(), 950u);
  const auto history = sys_->Staff(verb::get, "/v1/imports?org_id=imp-acme&min_position=" + std::to_string(position));
  ASSERT_EQ(history.status, 200u);
  EXPECT_NE(history.body.find(id), std::string::npos);
  const auto user = sys_->Staff(verb::get, "/v1/users/" + id + "-19?min_position=" + std::to_string(position));
  ASSERT_EQ(user.status, 200u) << user.body;
  EXPECT_NE(user.body.find("imp19@example.com"), std::string::npos);
  EXPECT_EQ(sys_->Staff(verb::get, "/v1/users/" + id + "-20").status, 404u) << "a broken row makes no user";

  // A row with a password logs in; one without must first get a password.
  EXPECT_EQ(sys_->Login("imp101", "imported pass 101").status, 200u);
  EXPECT_EQ(sys_->Login("imp2", "anything at all").status, 401u);

  // The same file with the same key creates nothing new.
  const auto head = sys_->Head();
  const auto again = PostCsv("/v1/imports?org_id=imp-acme&file_name=contacts.csv", csv, "import-1000");
  ASSERT_EQ(again.status, 200u);
  EXPECT_EQ(again.json().at("import_id").as_string(), id);
  EXPECT_EQ(sys_->Head(), head);
  // It is answered from the recorded import: the same rows, marked as a replay; the first
  // reply (every row) was not kept in the idempotency store, whose file grew by one small record.
  EXPECT_TRUE(again.json().at("replayed").as_bool());
  EXPECT_FALSE(body.at("replayed").as_bool());
  EXPECT_EQ(again.json().at("users"), body.at("users"));
  EXPECT_EQ(again.json().at("rejected_rows"), body.at("rejected_rows"));
  EXPECT_LT(std::filesystem::file_size(idempotency_log) - log_size_before, 1024u)
      << "the reply was " << reply.body.size() << " bytes";
  // The key with another file is refused.
  EXPECT_EQ(PostCsv("/v1/imports?org_id=imp-acme", csv + "late@example.com,late@example.com,Late,client-base,,\n",
                    "import-1000")
                .status,
            422u);
  EXPECT_EQ(sys_->Head(), head);
}

TEST_F(ImportTest, TheTemplateDownloadsAndImports) {
  const auto tpl = sys_->Staff(verb::get, "/v1/imports/template");
  ASSERT_EQ(tpl.status, 200u);
  EXPECT_EQ(tpl.content_type.rfind("text/csv", 0), 0u);
  EXPECT_EQ(tpl.body.rfind("username,email,display_name,level,user_type,password,user_id", 0), 0u);
  const auto imported = PostCsv("/v1/imports?org_id=imp-acme", tpl.body);
  ASSERT_EQ(imported.status, 200u) << imported.body;
  EXPECT_EQ(imported.json().at("created").to_number<int>(), 2);
  EXPECT_EQ(imported.json().at("rejected").to_number<int>(), 0);
  EXPECT_EQ(sys_->client().Get("/v1/imports/template").status, 401u);
}

TEST_F(ImportTest, BadFilesAreRefusedWhole) {
  const std::string ok = "username,email,display_name,level\nw1,w1@example.com,W,client-base\n";
  EXPECT_EQ(PostCsv("/v1/imports?org_id=imp-acme", ok, "", "application/json").status, 415u);
  EXPECT_EQ(PostCsv("/v1/imports?org_id=no-such-org", ok).status, 404u);
  EXPECT_EQ(PostCsv("/v1/imports", ok).status, 400u);
  const auto no_level = PostCsv("/v1/imports?org_id=imp-acme", "username,email,display_name\nw,w@example.com,W\n");
  EXPECT_EQ(no_level.status, 400u);
  EXPECT_NE(no_level.body.find("level"), std::string::npos);
  EXPECT_EQ(PostCsv("/v1/imports?org_id=imp-acme", "username,email,display_name,level,shoe_size\n").status, 400u);
  EXPECT_EQ(PostCsv("/v1/imports?org_id=imp-acme", "\n\n").status, 400u);
  EXPECT_EQ(sys_->Staff(verb::get, "/v1/imports/imp_nope").status, 404u);
}

TEST_F(ImportTest, QuotedFieldsMayHoldCommasQuotesAndLineBreaks) {
  const std::string csv =
      "Display_Name,Username,Email,Level\r\n"
      "\"Smith, \"\"Jo\"\"\",jo.smith,jo@example.com,client-base\r\n"
      "\"Two\nlines\",two.lines,two@example.com,client-base\r\n"
      "\"never closed,x,x@example.com,client-base\r\n";
  const auto reply = PostCsv("/v1/imports?org_id=imp-acme", csv);
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.json().at("created").to_number<int>(), 1);  // the two-line name has a control character
  const auto rejected = reply.json().at("rejected_rows").as_array();
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].at("reason").as_string(), "bad_display_name");
  EXPECT_EQ(rejected[1].at("reason").as_string(), "quoting_error");
  const auto users = reply.json().at("users").as_array();
  const auto user = sys_->Staff(verb::get, "/v1/users/" + std::string(users[0].at("user_id").as_string()) +
                                               "?min_position=" + std::to_string(RunningSystem::Position(reply)));
  EXPECT_NE(user.body.find("Smith, \\\"Jo\\\""), std::string::npos) << user.body;
}

// Logins check passwords on the worker pool; an import hashes its passwords on its own pool.
// Before, an import took every worker thread until its last password was hashed, so logins
// waited for the whole import: here each of ten logins in a row (two users, within their
// rate limits) completes while an import of 80 password rows (40 hashes per import thread)
// is still running.
TEST_F(ImportTest, LoginsCompleteWhileAnImportHashesPasswords) {
  const std::string users[] = {"logs-in-meanwhile", "also-logs-in"};
  for (const auto& user : users) sys_->CreateUser("imp-acme", user, "client-base");
  std::string csv = "username,email,display_name,level,password\n";
  for (int i = 1; i <= 80; ++i) {
    const std::string n = std::to_string(i);
    const std::string name = "hashed" + n + "@example.com";
    csv += name + "," + name + ",Hashed " + n + ",client-base,imported pass " + n + "\n";
  }
  std::atomic<bool> import_replied{false};
  auto import = std::async(std::launch::async, [&] {
    auto reply = PostCsv("/v1/imports?org_id=imp-acme&file_name=passwords.csv", csv);
    import_replied = true;
    return reply;
  });
  for (int i = 1; i <= 10; ++i) {
    const std::string& user = users[i % 2];
    const auto login = sys_->Login(user, RunningSystem::PasswordOf(user));
    ASSERT_EQ(login.status, 200u) << login.body;
    EXPECT_FALSE(import_replied) << "login " << i << " waited for the import's passwords";
  }
  const auto reply = import.get();
  ASSERT_EQ(reply.status, 200u) << reply.body.substr(0, 500);
  EXPECT_EQ(reply.json().at("created").to_number<int>(), 80);
  EXPECT_EQ(sys_->Login("hashed7", "imported pass 7").status, 200u);
}

// A file that is not UTF-8 is refused whole, naming the line, before anything is written:
// its bytes would otherwise be echoed into replies (invalid JSON) and stored in the log.
TEST_F(ImportTest, AFileThatIsNotUtf8IsRefusedNamingTheLine) {
  const auto head = sys_->Head();
  const auto bad_row = PostCsv("/v1/imports?org_id=imp-acme", "username,email,display_name,level\n"
                                                              "u8ok@example.com,u8ok@example.com,Ok,client-base\n"
                                                              "\xff\xfe,a@x.io,A,client-base\n");
  EXPECT_EQ(bad_row.status, 400u);
  ASSERT_TRUE(bad_row.json().is_object()) << "the reply is not JSON: " << bad_row.body;
  EXPECT_NE(bad_row.json().at("detail").as_string().find("line 3"), std::string::npos) << bad_row.body;

  const auto bad_header = PostCsv("/v1/imports?org_id=imp-acme", "username,email,display_name,level,\xc3\n"
                                                                 "u8ok@example.com,u8ok@example.com,Ok,client-base,x\n");
  EXPECT_EQ(bad_header.status, 400u);
  ASSERT_TRUE(bad_header.json().is_object()) << "the reply is not JSON: " << bad_header.body;
  EXPECT_NE(bad_header.json().at("detail").as_string().find("line 1"), std::string::npos) << bad_header.body;
  EXPECT_EQ(sys_->Head(), head) << "nothing is written";
  EXPECT_EQ(sys_->Staff(verb::get, "/v1/usernames/u8ok@example.com").json().at("available"), true);
}

}  // namespace
}  // namespace portico::gateway
