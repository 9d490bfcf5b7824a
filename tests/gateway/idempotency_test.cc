#include "gateway/http/idempotency.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "gateway/http/file_idempotency_store.h"
#include "gateway/http/response.h"
#include "test_util.h"

namespace portico::gateway {
namespace {

using State = IdempotencyStore::State;
using testing::BodyJson;
using testing::MakeRequest;
using testing::RunSync;

TEST(InMemoryIdempotencyStoreTest, Semantics) {
  InMemoryIdempotencyStore store;
  EXPECT_EQ(store.Begin("k1", "fp-a").state, State::kNew);
  EXPECT_EQ(store.Begin("k1", "fp-a").state, State::kInFlight);
  EXPECT_EQ(store.Begin("k1", "fp-b").state, State::kMismatch);
  store.Complete("k1", {201, "application/json", R"({"position":9})"});
  auto replay = store.Begin("k1", "fp-a");
  EXPECT_EQ(replay.state, State::kReplay);
  ASSERT_TRUE(replay.reply);
  EXPECT_EQ(replay.reply->status, 201u);
  EXPECT_EQ(replay.reply->body, R"({"position":9})");
  EXPECT_EQ(store.Begin("k1", "fp-b").state, State::kMismatch);

  EXPECT_EQ(store.Begin("k2", "fp-a").state, State::kNew);
  store.Abandon("k2");
  EXPECT_EQ(store.Begin("k2", "fp-b").state, State::kNew);
}

TEST(InMemoryIdempotencyStoreTest, EvictsTheOldestCompletedBeyondCapacity) {
  InMemoryIdempotencyStore store(2);
  for (const char* key : {"a", "b", "c"}) {
    ASSERT_EQ(store.Begin(key, "fp").state, State::kNew);
    store.Complete(key, {200, "application/json", "{}"});
  }
  EXPECT_EQ(store.Begin("a", "fp").state, State::kNew);  // forgotten
  EXPECT_EQ(store.Begin("c", "fp").state, State::kReplay);
}

class WithIdempotencyTest : public ::testing::Test {
 protected:
  Response Send(const std::string& key, const std::string& body, const std::string& actor = "admin",
                CallerKind caller = CallerKind::kStaff, const Handler* handler = nullptr) {
    Request request = MakeRequest(Verb::post, "/v1/orgs", body);
    if (!key.empty()) request.set("Idempotency-Key", key);
    RouteContext context;
    context.actor = actor;
    context.caller = caller;
    return RunSync((handler != nullptr ? *handler : handler_)(request, context));
  }

  InMemoryIdempotencyStore store_;
  int runs_ = 0;
  Handler handler_ = Idempotent(
      store_, [this](Request& request, RouteContext&) -> boost::asio::awaitable<Response> {
        ++runs_;
        if (request.body() == "bad") co_return ProblemResponse(Problem::FailedPrecondition("no"));
        co_return JsonResponse(HttpStatus::created, {{"position", runs_}});
      });
};

TEST_F(WithIdempotencyTest, SameKeySameRequestReplaysTheFirstReply) {
  Response first = Send("key-1", R"({"org_id":"a"})");
  Response second = Send("key-1", R"({"org_id":"a"})");
  EXPECT_EQ(runs_, 1);
  EXPECT_EQ(second.result(), HttpStatus::created);
  EXPECT_EQ(second.body(), first.body());
  EXPECT_EQ(second["Idempotent-Replayed"], "true");
}

TEST_F(WithIdempotencyTest, SameKeyOtherRequestIs422) {
  Send("key-1", R"({"org_id":"a"})");
  Response other = Send("key-1", R"({"org_id":"b"})");
  EXPECT_EQ(other.result(), HttpStatus::unprocessable_entity);
  EXPECT_EQ(runs_, 1);
}

// Keys belong to their caller: the same key from another caller is another key, whatever the
// body, and the first caller's reply is never shown to it.
TEST_F(WithIdempotencyTest, AKeyBelongsToItsCaller) {
  Response first = Send("key-1", R"({"org_id":"a"})");
  Response other_staff = Send("key-1", R"({"org_id":"b"})", "someone-else");
  EXPECT_EQ(other_staff.result(), HttpStatus::created);
  EXPECT_EQ(other_staff["Idempotent-Replayed"], "");
  // A portal user whose id is the staff key's name is still another caller.
  Response portal = Send("key-1", R"({"org_id":"a"})", "admin", CallerKind::kPortalUser);
  EXPECT_EQ(portal.result(), HttpStatus::created);
  EXPECT_EQ(portal["Idempotent-Replayed"], "");
  EXPECT_EQ(runs_, 3);
  EXPECT_NE(portal.body(), first.body());
  // Each one's retry gets its own reply.
  EXPECT_EQ(Send("key-1", R"({"org_id":"a"})", "admin", CallerKind::kPortalUser).body(), portal.body());
  EXPECT_EQ(Send("key-1", R"({"org_id":"a"})").body(), first.body());
  EXPECT_EQ(runs_, 3);
  EXPECT_NE(ScopedIdempotencyKey("staff", "a:1", "b"), ScopedIdempotencyKey("staff", "a", "1:b"));
}

// A reply holding a secret is never kept: its retry is a 409 saying so, and runs nothing.
TEST_F(WithIdempotencyTest, ASecretIsNeverKept) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("portico-idem-secret-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(path);
  auto opened = FileIdempotencyStore::Open(path.string());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const Handler secret = Idempotent(
      **opened,
      [this](Request&, RouteContext&) -> boost::asio::awaitable<Response> {
        ++runs_;
        co_return JsonResponse(HttpStatus::ok, {{"code", "reg_TOPSECRET"}});
      },
      ReplyRetention::kSecret, "already issued");
  Response first = Send("key-s", "{}", "admin", CallerKind::kStaff, &secret);
  EXPECT_EQ(first.result(), HttpStatus::ok);
  EXPECT_NE(first.body().find("reg_TOPSECRET"), std::string::npos);
  Response again = Send("key-s", "{}", "admin", CallerKind::kStaff, &secret);
  EXPECT_EQ(again.result(), HttpStatus::conflict);
  EXPECT_EQ(BodyJson(again).at("type").as_string(), "urn:portico:problem:secret-already-issued");
  EXPECT_EQ(BodyJson(again).at("detail").as_string(), "already issued");
  EXPECT_EQ(again.body().find("reg_TOPSECRET"), std::string::npos);
  EXPECT_EQ(runs_, 1);
  opened->reset();
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find("TOPSECRET"), std::string::npos) << "the secret reached the file";
  std::filesystem::remove(path);
}

// A reply too large to keep (an import's) is not stored: a retry runs the handler again,
// also after the store is reopened; another request with the key is still a 422.
TEST_F(WithIdempotencyTest, ARunAgainReplyIsNotKeptAndItsRetryRunsTheHandler) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("portico-idem-run-again-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(path);
  const std::string large(64 * 1024, 'r');
  auto handler_on = [&](IdempotencyStore& store) {
    return Idempotent(
        store,
        [this, &large](Request&, RouteContext&) -> boost::asio::awaitable<Response> {
          ++runs_;
          co_return TextResponse(HttpStatus::ok, "text/plain", large + std::to_string(runs_));
        },
        ReplyRetention::kRunAgain);
  };
  {
    auto opened = FileIdempotencyStore::Open(path.string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    const Handler handler = handler_on(**opened);
    Response first = Send("key-r", "rows", "admin", CallerKind::kStaff, &handler);
    EXPECT_EQ(first.body(), large + "1");
    EXPECT_EQ(first["Idempotent-Replayed"], "");
    Response again = Send("key-r", "rows", "admin", CallerKind::kStaff, &handler);
    EXPECT_EQ(again.body(), large + "2") << "the handler answers the retry";
    EXPECT_EQ(again["Idempotent-Replayed"], "true");
    EXPECT_EQ(Send("key-r", "other rows", "admin", CallerKind::kStaff, &handler).result(),
              HttpStatus::unprocessable_entity);
    EXPECT_EQ(runs_, 2);
  }
  EXPECT_LT(std::filesystem::file_size(path), 1024u) << "the reply reached the file";
  auto reopened = FileIdempotencyStore::Open(path.string());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->loaded(), 1u);
  const Handler handler = handler_on(**reopened);
  Response after_restart = Send("key-r", "rows", "admin", CallerKind::kStaff, &handler);
  EXPECT_EQ(after_restart.body(), large + "3");
  EXPECT_EQ(after_restart["Idempotent-Replayed"], "true");
  reopened->reset();
  std::filesystem::remove(path);
}

TEST_F(WithIdempotencyTest, NoKeyRunsEveryTimeAndFailuresAreNotStored) {
  Send("", "{}");
  Send("", "{}");
  EXPECT_EQ(runs_, 2);
  EXPECT_EQ(Send("key-2", "bad").result(), HttpStatus::unprocessable_entity);
  EXPECT_EQ(Send("key-2", "bad").result(), HttpStatus::unprocessable_entity);
  EXPECT_EQ(runs_, 4);  // a rejected command is run again
}

// Idempotency is for commands: a GET with a key runs every time (a reused key never replays
// a stale read) and leaves nothing in the store.
TEST_F(WithIdempotencyTest, AGetIgnoresTheKeyAndStoresNothing) {
  auto get = [this] {
    Request request = MakeRequest(Verb::get, "/v1/orgs/a");
    request.set("Idempotency-Key", "read-key");
    RouteContext context;
    context.actor = "admin";
    context.caller = CallerKind::kStaff;
    return RunSync(handler_(request, context));
  };
  Response first = get();
  Response second = get();  // the handler's answer changed in between (runs_)
  EXPECT_EQ(runs_, 2);
  EXPECT_NE(second.body(), first.body());
  EXPECT_EQ(second["Idempotent-Replayed"], "");
  // Nothing kept under the key: it is new to the store.
  EXPECT_EQ(store_.Begin(ScopedIdempotencyKey("staff", "admin", "read-key"), "any").state, State::kNew);
}

TEST_F(WithIdempotencyTest, MalformedKeyIs400NamingTheHeader) {
  Response response = Send(std::string(300, 'k'), "{}");
  EXPECT_EQ(response.result(), HttpStatus::bad_request);
  EXPECT_EQ(BodyJson(response).at("field").as_string(), "Idempotency-Key");
  EXPECT_EQ(runs_, 0);
}

}  // namespace
}  // namespace portico::gateway

namespace portico::gateway {
namespace {

using State = IdempotencyStore::State;

class FileIdempotencyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("portico-idem-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "idempotency.log").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<FileIdempotencyStore> Open(std::size_t capacity = 100) {
    auto store = FileIdempotencyStore::Open(path_, capacity);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(FileIdempotencyStoreTest, CompletedRepliesSurviveReopening) {
  {
    auto store = Open();
    ASSERT_EQ(store->Begin("k1", "fp-a").state, State::kNew);
    store->Complete("k1", {200, "application/json", R"({"position":7})"});
    ASSERT_EQ(store->Begin("k2", "fp-a").state, State::kNew);  // in flight at the "crash"
    ASSERT_EQ(store->Begin("k3", "fp-a").state, State::kNew);
    store->Abandon("k3");
  }
  auto store = Open();
  EXPECT_EQ(store->loaded(), 1u);
  auto replay = store->Begin("k1", "fp-a");
  ASSERT_EQ(replay.state, State::kReplay);
  EXPECT_EQ(replay.reply->status, 200u);
  EXPECT_EQ(replay.reply->content_type, "application/json");
  EXPECT_EQ(replay.reply->body, R"({"position":7})");
  EXPECT_EQ(store->Begin("k1", "fp-b").state, State::kMismatch);
  EXPECT_EQ(store->Begin("k2", "fp-a").state, State::kNew);  // never completed: runs again
  EXPECT_EQ(store->Begin("k3", "fp-b").state, State::kNew);
}

TEST_F(FileIdempotencyStoreTest, ATornTailIsDroppedAndTheRestKept) {
  {
    auto store = Open();
    for (const char* key : {"a", "b"}) {
      ASSERT_EQ(store->Begin(key, "fp").state, State::kNew);
      store->Complete(key, {200, "application/json", std::string("{\"key\":\"") + key + "\"}"});
    }
  }
  const auto size = std::filesystem::file_size(path_);
  std::filesystem::resize_file(path_, size - 3);  // the last record loses its end
  {
    std::ofstream garbage(path_, std::ios::app | std::ios::binary);
    garbage << "xyz";
  }
  {
    auto store = Open();
    EXPECT_EQ(store->loaded(), 1u);
    EXPECT_EQ(store->Begin("a", "fp").state, State::kReplay);
    EXPECT_EQ(store->Begin("b", "fp").state, State::kNew);
    store->Complete("b", {200, "application/json", "{}"});
  }
  auto store = Open();  // the file was repaired: both records read back
  EXPECT_EQ(store->loaded(), 2u);
  EXPECT_EQ(store->Begin("b", "fp").state, State::kReplay);
}

// A write that fails midway (here the file-size limit, as a full disk would) must not leave part
// of a record in the file: the next start reads up to the first damaged record, and every reply
// completed after it would be lost.
TEST_F(FileIdempotencyStoreTest, AWriteFailingMidwayLeavesNoPartOfItsRecord) {
  {
    auto store = Open();
    ASSERT_EQ(store->Begin("before", "fp").state, State::kNew);
    store->Complete("before", {200, "application/json", "{}"});
    const auto size = std::filesystem::file_size(path_);

    struct rlimit original {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &original), 0);
    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of the signal
    struct rlimit limited = original;
    limited.rlim_cur = size + 100;  // room for part of the next record only
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    ASSERT_EQ(store->Begin("torn", "fp").state, State::kNew);
    store->Complete("torn", {200, "application/json", std::string(4096, 'x')});
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &original), 0);
    std::signal(SIGXFSZ, previous_handler);
    EXPECT_EQ(std::filesystem::file_size(path_), size) << "part of the failed record was left";

    ASSERT_EQ(store->Begin("after", "fp").state, State::kNew);
    store->Complete("after", {201, "application/json", R"({"after":true})"});
  }
  auto store = Open();
  EXPECT_EQ(store->loaded(), 2u);
  EXPECT_EQ(store->Begin("before", "fp").state, State::kReplay);
  auto after = store->Begin("after", "fp");
  ASSERT_EQ(after.state, State::kReplay);
  EXPECT_EQ(after.reply->status, 201u);
  EXPECT_EQ(after.reply->body, R"({"after":true})");
  EXPECT_EQ(store->Begin("torn", "fp").state, State::kNew);  // its reply did not survive: it runs again
}

TEST_F(FileIdempotencyStoreTest, KeepsTheNewestWithinCapacityAndCompacts) {
  {
    auto store = Open(2);
    for (int i = 0; i < 7; ++i) {
      const std::string key = "k" + std::to_string(i);
      ASSERT_EQ(store->Begin(key, "fp").state, State::kNew);
      store->Complete(key, {200, "application/json", "{}"});
    }
  }
  const auto before = std::filesystem::file_size(path_);
  auto store = Open(2);
  EXPECT_EQ(store->loaded(), 2u);
  EXPECT_EQ(store->Begin("k6", "fp").state, State::kReplay);
  EXPECT_EQ(store->Begin("k5", "fp").state, State::kReplay);
  EXPECT_EQ(store->Begin("k0", "fp").state, State::kNew);
  EXPECT_LT(std::filesystem::file_size(path_), before);  // rewritten with the newest two
}

}  // namespace
}  // namespace portico::gateway
