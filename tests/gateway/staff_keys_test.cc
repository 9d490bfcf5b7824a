#include "gateway/http/staff_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/http/auth.h"
#include "gateway/http/response.h"
#include "test_util.h"

namespace portico::gateway {
namespace {

using testing::MakeRequest;
using testing::RunSync;
namespace fs = std::filesystem;

class StaffKeysTest : public ::testing::Test {
 protected:
  StaffKeysTest() {
    dir_ = fs::temp_directory_path() /
           ("portico_staff_keys_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / std::string(kStaffKeysFileName)).string();
    ::unsetenv("PORTICO_ADMIN_KEY");
  }
  ~StaffKeysTest() override { fs::remove_all(dir_); }

  std::string FileContents() const {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StaffKeysTest, GeneratedKeyWorksOnlyAsIs) {
  auto opened = StaffKeys::Open(path_, std::nullopt);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_TRUE(opened->generated_admin_key);
  const std::string key = *opened->generated_admin_key;
  EXPECT_EQ(key.size(), 43u);  // 32 bytes, base64url without padding
  auto& keys = *opened->keys;
  EXPECT_EQ(keys.Authenticate(key), "admin");
  EXPECT_EQ(keys.Authenticate(key.substr(0, 42) + (key[42] == 'A' ? "B" : "A")), std::nullopt);
  EXPECT_EQ(keys.Authenticate(""), std::nullopt);
}

TEST_F(StaffKeysTest, FileIsPrivateAndHoldsNoPlaintextKey) {
  auto opened = StaffKeys::Open(path_, std::nullopt);
  ASSERT_TRUE(opened.ok());
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string contents = FileContents();
  EXPECT_EQ(contents.find(*opened->generated_admin_key), std::string::npos);
  EXPECT_NE(contents.find("admin "), std::string::npos);
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
}

TEST_F(StaffKeysTest, SurvivesReopenAndHonoursTheOperatorsKey) {
  std::string first;
  {
    auto opened = StaffKeys::Open(path_, std::nullopt);
    ASSERT_TRUE(opened.ok());
    first = *opened->generated_admin_key;
  }
  {
    auto reopened = StaffKeys::Open(path_, std::nullopt);
    ASSERT_TRUE(reopened.ok());
    EXPECT_FALSE(reopened->generated_admin_key);
    EXPECT_EQ(reopened->keys->Authenticate(first), "admin");
  }
  const std::string given(40, 'k');
  auto replaced = StaffKeys::Open(path_, given);
  ASSERT_TRUE(replaced.ok());
  EXPECT_FALSE(replaced->generated_admin_key);
  EXPECT_EQ(replaced->keys->Authenticate(given), "admin");
  EXPECT_EQ(replaced->keys->Authenticate(first), std::nullopt);
  EXPECT_EQ(FileContents().find(given), std::string::npos);
}

TEST_F(StaffKeysTest, CreateAndRevokeNamedKeys) {
  auto opened = StaffKeys::Open(path_, std::string(32, 'a'));
  ASSERT_TRUE(opened.ok());
  auto& keys = *opened->keys;
  auto billing = keys.Create("billing-sync");
  ASSERT_TRUE(billing.ok());
  EXPECT_EQ(keys.Authenticate(*billing), "billing-sync");
  EXPECT_EQ(keys.Create("billing-sync").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(keys.Create("bad name").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(keys.Names(), (std::vector<std::string>{"admin", "billing-sync"}));

  auto reopened = StaffKeys::Open(path_, std::nullopt);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->keys->Authenticate(*billing), "billing-sync");

  EXPECT_TRUE(keys.Revoke("billing-sync").ok());
  EXPECT_EQ(keys.Authenticate(*billing), std::nullopt);
  EXPECT_TRUE(keys.Revoke("billing-sync").IsNotFound());
}

TEST_F(StaffKeysTest, RejectsShortOperatorKeysAndDamagedFiles) {
  EXPECT_EQ(StaffKeys::Open(path_, std::string("short")).status().code(),
            StatusCode::kInvalidArgument);
  std::ofstream(path_) << "something else\n";
  EXPECT_TRUE(StaffKeys::Open(path_, std::nullopt).status().IsCorruption());
}

TEST_F(StaffKeysTest, LoadAdminKeyFromEnvironmentOrFile) {
  auto none = LoadAdminKey("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);

  const std::string file = (dir_ / "admin.key").string();
  std::ofstream(file) << "  " << std::string(36, 'f') << "\n";
  auto from_file = LoadAdminKey(file);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(**from_file, std::string(36, 'f'));

  ::setenv("PORTICO_ADMIN_KEY", std::string(33, 'e').c_str(), 1);
  auto from_env = LoadAdminKey(file);
  ::unsetenv("PORTICO_ADMIN_KEY");
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(**from_env, std::string(33, 'e'));

  EXPECT_FALSE(LoadAdminKey((dir_ / "missing").string()).ok());
}

TEST(BearerTokenTest, ExtractsTheToken) {
  Request request = MakeRequest(Verb::get, "/v1/orgs/a");
  EXPECT_EQ(BearerToken(request), std::nullopt);
  request.set(boost::beast::http::field::authorization, "Bearer abc-DEF_12.3~+/==");
  EXPECT_EQ(BearerToken(request), "abc-DEF_12.3~+/==");
  request.set(boost::beast::http::field::authorization, "bearer   tok");
  EXPECT_EQ(BearerToken(request), "tok");
  // Any visible ASCII is a token character (an operator's key may hold any of them).
  request.set(boost::beast::http::field::authorization, "Bearer horse-battery!2026#=x");
  EXPECT_EQ(BearerToken(request), "horse-battery!2026#=x");
  for (const char* bad : {"Basic dXNlcg==", "Bearer", "Bearer ", "Bearer a b", "Bearer a\x01b",
                          "Bearer caf\xC3\xA9"}) {
    request.set(boost::beast::http::field::authorization, bad);
    EXPECT_EQ(BearerToken(request), std::nullopt) << bad;
  }
}

TEST_F(StaffKeysTest, RequireStaffSetsTheActorOrAnswers401) {
  auto opened = StaffKeys::Open(path_, std::nullopt);
  ASSERT_TRUE(opened.ok());
  Handler handler = RequireStaff(
      *opened->keys, [](Request&, RouteContext& context) -> boost::asio::awaitable<Response> {
        co_return JsonResponse(HttpStatus::ok, {{"actor", context.actor}});
      });

  Request request = MakeRequest(Verb::get, "/v1/settings");
  RouteContext context;
  Response denied = RunSync(handler(request, context));
  EXPECT_EQ(denied.result(), HttpStatus::unauthorized);
  EXPECT_EQ(denied[boost::beast::http::field::www_authenticate], "Bearer");

  request.set(boost::beast::http::field::authorization, "Bearer " + *opened->generated_admin_key);
  Response allowed = RunSync(handler(request, context));
  EXPECT_EQ(allowed.result(), HttpStatus::ok);
  EXPECT_EQ(context.actor, "admin");
}

}  // namespace
}  // namespace portico::gateway
