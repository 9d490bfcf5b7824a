#include "gateway/http/server.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "gateway/http/async.h"
#include "gateway/http/auth.h"
#include "gateway/http/builtin_routes.h"
#include "gateway/http/response.h"
#include "gateway/http/staff_keys.h"
#include "test_util.h"

namespace portico::gateway {
namespace {

using testing::BodyJson;
using testing::MakeRequest;
using testing::TestClient;
using field = boost::beast::http::field;
using Awaitable = boost::asio::awaitable<Response>;

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add(Verb::get, "/echo/{id}", [](Request&, RouteContext& context) -> Awaitable {
      co_return JsonResponse(HttpStatus::ok, {{"id", std::string(context.Param("id"))}});
    });
    router_.Add(Verb::post, "/upload",
                [](Request& request, RouteContext&) -> Awaitable {
                  co_return JsonResponse(HttpStatus::ok, {{"bytes", request.body().size()}});
                },
                {.body_limit = 1024});
    // Waits until the test calls the callback it hands over through gate_.
    router_.Add(Verb::get, "/slow", [this](Request&, RouteContext&) -> Awaitable {
      int value = co_await AwaitCallback<int>(
          [this](auto done) { gate_.set_value(std::function<void(int)>(done)); });
      co_return JsonResponse(HttpStatus::ok, {{"value", value}});
    });
    // Holds every request until the test calls the callbacks it collects in held_.
    router_.Add(Verb::get, "/hold", [this](Request&, RouteContext&) -> Awaitable {
      int value = co_await AwaitCallback<int>([this](auto done) {
        std::lock_guard lock(held_mutex_);
        held_.emplace_back(done);
      });
      co_return JsonResponse(HttpStatus::ok, {{"value", value}});
    });
    router_.Add(Verb::get, "/work", [this](Request&, RouteContext&) -> Awaitable {
      int value = co_await OnWorkerPool(pool_, [] { return 6 * 7; });
      co_return JsonResponse(HttpStatus::ok, {{"value", value}});
    });
    AddBuiltinRoutes(router_, metrics_);
  }

  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<Server>(options, router_, &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  static Request Echo(int id) { return MakeRequest(Verb::get, "/echo/" + std::to_string(id)); }

  // The callbacks of the first `count` requests /hold holds, once that many are held (empty
  // after 20 s).
  std::vector<std::function<void(int)>> AwaitHeld(std::size_t count) {
    for (int waited_ms = 0; waited_ms < 20'000; ++waited_ms) {
      {
        std::lock_guard lock(held_mutex_);
        if (held_.size() >= count) return held_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return {};
  }

  Router router_;
  MetricsRegistry metrics_;
  std::promise<std::function<void(int)>> gate_;
  std::mutex held_mutex_;
  std::vector<std::function<void(int)>> held_;  // GUARDED_BY(held_mutex_)
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  // Declared after server_ so that it is destroyed (joined) first: a pool thread may still be
  // releasing its handle on the server's io_context after the reply went out (server.h).
  boost::asio::thread_pool pool_{2};
};

TEST_F(ServerTest, AnswersOverARealSocket) {
  StartServer();
  TestClient client(port_);
  Response response = client.RoundTrip(Echo(5));
  EXPECT_EQ(response.result(), HttpStatus::ok);
  EXPECT_EQ(BodyJson(response).at("id").as_string(), "5");
  EXPECT_TRUE(response.keep_alive());

  response = client.RoundTrip(MakeRequest(Verb::get, "/work"));
  EXPECT_EQ(BodyJson(response).at("value").as_int64(), 42);
}

TEST_F(ServerTest, SecurityHeadersOnEveryReply) {
  StartServer();
  TestClient client(port_);
  for (const char* target : {"/echo/1", "/nowhere", "/healthz"}) {
    Response response = client.RoundTrip(MakeRequest(Verb::get, target));
    EXPECT_EQ(response["X-Content-Type-Options"], "nosniff") << target;
    EXPECT_EQ(response["X-Frame-Options"], "DENY") << target;
    EXPECT_EQ(response["Referrer-Policy"], "no-referrer") << target;
    EXPECT_EQ(response[field::cache_control], "no-store") << target;
  }
  Response missing = client.RoundTrip(MakeRequest(Verb::get, "/nowhere"));
  EXPECT_EQ(missing.result(), HttpStatus::not_found);
  EXPECT_EQ(missing[field::content_type], "application/problem+json");
}

TEST_F(ServerTest, BodyOverRouteLimitIs413AndCloses) {
  StartServer();
  TestClient ok_client(port_);
  Response fits = ok_client.RoundTrip(MakeRequest(Verb::post, "/upload", std::string(1000, 'x')));
  EXPECT_EQ(fits.result(), HttpStatus::ok);

  TestClient client(port_);
  Response response = client.RoundTrip(MakeRequest(Verb::post, "/upload", std::string(4096, 'x')));
  EXPECT_EQ(response.result(), HttpStatus::payload_too_large);
  EXPECT_EQ(response[field::content_type], "application/problem+json");
  EXPECT_EQ(BodyJson(response).at("status").as_int64(), 413);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client.ReadsClosed());
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  StartServer();
  TestClient client(port_);
  std::string chunk(2048, 'x');
  client.SendRaw(
      "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n800\r\n" +
      chunk + "\r\n0\r\n\r\n");
  Response response = client.Read();
  EXPECT_EQ(response.result(), HttpStatus::payload_too_large);
  EXPECT_EQ(response[field::content_type], "application/problem+json");
}

TEST_F(ServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  StartServer();
  TestClient client(port_);
  client.SendRaw(
      "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.Read().result(), HttpStatus::continue_);
  client.SendRaw("12345");
  Response response = client.Read();
  EXPECT_EQ(response.result(), HttpStatus::ok);
  EXPECT_EQ(BodyJson(response).at("bytes").as_int64(), 5);

  // Too large: refused at once, before the client sends the body.
  client.SendRaw(
      "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.Read().result(), HttpStatus::payload_too_large);
}

TEST_F(ServerTest, HeaderOverLimitIs431) {
  ServerOptions options;
  options.header_limit = 1024;
  StartServer(options);
  TestClient client(port_);
  Request request = Echo(1);
  request.set("X-Padding", std::string(4096, 'p'));
  Response response = client.RoundTrip(request);
  EXPECT_EQ(response.result(), HttpStatus::request_header_fields_too_large);
  EXPECT_EQ(response[field::content_type], "application/problem+json");
}

TEST_F(ServerTest, MalformedRequestIs400) {
  StartServer();
  TestClient client(port_);
  client.SendRaw("GET /echo/1 HTTP/9.9\r\n\r\n");
  Response response = client.Read();
  EXPECT_EQ(response.result(), HttpStatus::bad_request);
  EXPECT_EQ(response[field::content_type], "application/problem+json");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  TestClient client(port_);
  for (int id = 1; id <= 3; ++id) {
    Response response = client.RoundTrip(Echo(id));
    ASSERT_EQ(response.result(), HttpStatus::ok);
    EXPECT_EQ(BodyJson(response).at("id").as_string(), std::to_string(id));
  }
  EXPECT_EQ(server_->active_connections(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestClient client(port_);
  std::ostringstream all;
  all << Echo(1) << MakeRequest(Verb::get, "/work") << Echo(3);
  client.SendRaw(all.str());  // one write
  EXPECT_EQ(BodyJson(client.Read()).at("id").as_string(), "1");
  EXPECT_EQ(BodyJson(client.Read()).at("value").as_int64(), 42);
  EXPECT_EQ(BodyJson(client.Read()).at("id").as_string(), "3");
}

TEST_F(ServerTest, HeaderTimeoutClosesIdleConnections) {
  ServerOptions options;
  options.header_timeout = std::chrono::milliseconds(100);
  StartServer(options);
  TestClient silent(port_);
  EXPECT_TRUE(silent.ReadsClosed());

  TestClient partial(port_);
  partial.SendRaw("GET /echo/1 HTTP/1.1\r\nHo");
  EXPECT_TRUE(partial.ReadsClosed());

  TestClient idle_after_request(port_);
  EXPECT_EQ(idle_after_request.RoundTrip(Echo(1)).result(), HttpStatus::ok);
  EXPECT_TRUE(idle_after_request.ReadsClosed());
}

// The body's timeout is a pause between reads, not a bound on the whole body: a body that
// keeps arriving, slowly, is served even when it takes longer than body_timeout in all.
TEST_F(ServerTest, ASlowBodyThatKeepsArrivingIsServed) {
  ServerOptions options;
  options.body_timeout = std::chrono::milliseconds(1000);
  options.body_min_rate = 100;  // 1,000 bytes may take 10 s more
  StartServer(options);
  TestClient client(port_);
  client.SendRaw("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n");
  for (int piece = 0; piece < 8; ++piece) {  // 1.4 s in all, never a pause of 1 s
    if (piece > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    client.SendRaw(std::string(125, 'x'));
  }
  Response response = client.Read();
  EXPECT_EQ(response.result(), HttpStatus::ok) << response.body();
  EXPECT_EQ(BodyJson(response).at("bytes").as_int64(), 1000);
}

// A body that stops arriving for body_timeout is answered 408 problem, not a silent reset.
TEST_F(ServerTest, ABodyThatStopsArrivingIs408) {
  ServerOptions options;
  options.body_timeout = std::chrono::milliseconds(300);
  StartServer(options);
  TestClient client(port_);
  client.SendRaw("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + std::string(500, 'x'));
  Response response = client.Read();
  EXPECT_EQ(response.result(), HttpStatus::request_timeout);
  EXPECT_EQ(response[field::content_type], "application/problem+json");
  EXPECT_EQ(BodyJson(response).at("type").as_string(), "urn:portico:problem:request-timeout");
  EXPECT_TRUE(client.ReadsClosed());
}

// A client trickling a byte now and then, never pausing for body_timeout, still gets no more
// than body_timeout plus the body's size at body_min_rate: here 0.5 s + 1 s, then 408.
TEST_F(ServerTest, ABodyTrickledSlowerThanTheMinimumRateIs408) {
  ServerOptions options;
  options.body_timeout = std::chrono::milliseconds(500);
  options.body_min_rate = 1000;
  StartServer(options);
  TestClient client(port_);
  client.SendRaw("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n");
  int sent = 0;
  for (; sent < 1000 && !client.HasInput(); ++sent) {  // a byte every 100 ms would take 100 s
    client.SendRaw("x");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_LT(sent, 1000);
  Response response = client.Read();
  EXPECT_EQ(response.result(), HttpStatus::request_timeout);
  EXPECT_EQ(response[field::content_type], "application/problem+json");
}

TEST_F(ServerTest, AtTheLimitANewConnectionTakesTheLongestIdleOnesPlace) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  TestClient older(port_);
  EXPECT_EQ(older.RoundTrip(Echo(1)).result(), HttpStatus::ok);
  // Orders the two idle times beyond any scheduling delay of the server's threads.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  TestClient newer(port_);
  EXPECT_EQ(newer.RoundTrip(Echo(2)).result(), HttpStatus::ok);

  TestClient newcomer(port_);
  EXPECT_EQ(newcomer.RoundTrip(Echo(3)).result(), HttpStatus::ok);
  EXPECT_TRUE(older.ReadsClosed());
  EXPECT_EQ(newer.RoundTrip(Echo(4)).result(), HttpStatus::ok);
  EXPECT_EQ(metrics_.GetCounter("portico_http_connections_evicted_total", "").value(), 1u);
  EXPECT_EQ(metrics_.GetCounter("portico_http_connections_rejected_total", "").value(), 0u);
}

TEST_F(ServerTest, AClientTricklingItsHeaderIsEvictedForANewConnection) {
  ServerOptions options;
  options.max_connections = 1;
  StartServer(options);
  // Half a header, then nothing, as a slow-header attack sends: it would hold the only slot
  // for the whole header timeout.
  TestClient trickler(port_);
  trickler.SendRaw("GET /echo/1 HTTP/1.1\r\nHost: x\r\n");
  bool served = false;
  for (int attempt = 0; attempt < 1000 && !served; ++attempt) {
    TestClient newcomer(port_);
    // A 503 only while the server has not yet begun reading the trickler's header.
    served = newcomer.RoundTrip(Echo(2)).result() == HttpStatus::ok;
  }
  EXPECT_TRUE(served);
  EXPECT_TRUE(trickler.ReadsClosed());
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitGet503WhenNoneIsIdle) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  TestClient a(port_);
  TestClient b(port_);
  a.Send(MakeRequest(Verb::get, "/hold"));
  b.Send(MakeRequest(Verb::get, "/hold"));
  const std::vector<std::function<void(int)>> held = AwaitHeld(2);  // both are in their handlers
  ASSERT_EQ(held.size(), 2u);

  TestClient c(port_);
  Response refused = c.RoundTrip(Echo(3));
  EXPECT_EQ(refused.result(), HttpStatus::service_unavailable);
  EXPECT_EQ(refused[field::retry_after], "1");
  EXPECT_EQ(refused[field::content_type], "application/problem+json");
  EXPECT_TRUE(c.ReadsClosed());
  EXPECT_EQ(metrics_.GetCounter("portico_http_connections_rejected_total", "").value(), 1u);

  // The busy connections were left alone: both get their replies, and once they are idle a
  // newcomer is served again.
  for (const auto& release : held) release(7);
  EXPECT_EQ(a.Read().result(), HttpStatus::ok);
  EXPECT_EQ(b.Read().result(), HttpStatus::ok);
  TestClient d(port_);
  EXPECT_EQ(d.RoundTrip(Echo(4)).result(), HttpStatus::ok);
}

TEST_F(ServerTest, StopDrainsInFlightRequestsAndClosesIdleOnes) {
  StartServer();
  TestClient idle(port_);
  EXPECT_EQ(idle.RoundTrip(Echo(1)).result(), HttpStatus::ok);  // now idle, kept alive

  TestClient busy(port_);
  busy.Send(MakeRequest(Verb::get, "/slow"));
  std::function<void(int)> release = gate_.get_future().get();  // the handler is in flight

  std::thread stopper([this] { server_->Stop(); });
  while (!server_->stopping()) std::this_thread::yield();
  EXPECT_TRUE(idle.ReadsClosed());

  release(42);  // from this thread, as the event store's writer thread would
  Response response = busy.Read();
  EXPECT_EQ(response.result(), HttpStatus::ok);
  EXPECT_EQ(BodyJson(response).at("value").as_int64(), 42);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(busy.ReadsClosed());
  busy.Close();  // ends the server's lingering close at once
  stopper.join();

  EXPECT_THROW(TestClient{port_}, boost::system::system_error);  // no longer accepting
}

TEST_F(ServerTest, MetricsCountRequestsByRoutePattern) {
  StartServer();
  TestClient client(port_);
  client.RoundTrip(Echo(1));
  client.RoundTrip(Echo(2));
  client.RoundTrip(MakeRequest(Verb::get, "/nowhere/at/all"));
  Response metrics = client.RoundTrip(MakeRequest(Verb::get, "/metrics"));
  EXPECT_EQ(metrics.result(), HttpStatus::ok);
  EXPECT_EQ(metrics[field::content_type].substr(0, 10), "text/plain");
  const std::string& text = metrics.body();
  EXPECT_NE(
      text.find(
          "portico_http_requests_total{route=\"/echo/{id}\",method=\"GET\",status=\"200\"} 2"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("portico_http_requests_total{route=\"unmatched\",method=\"any\",status=\"404\"} 1"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "portico_http_request_duration_seconds_count{route=\"/echo/{id}\",method=\"GET\"} 2"),
      std::string::npos);
  EXPECT_EQ(text.find("/nowhere"), std::string::npos);  // raw paths never become labels
}

TEST_F(ServerTest, RefusedUpgradesAreCountedWithTheStatusWritten) {
  router_.Add(Verb::get, "/ws",
              [](Request&, RouteContext&) -> Awaitable {
                co_return ProblemResponse(Problem::BadRequest("upgrade to a WebSocket"));
              },
              {.upgrade = [](Request& request, boost::beast::tcp_stream& stream,
                             RouteContext& context) -> boost::asio::awaitable<void> {
                co_await RefuseUpgrade(stream, request,
                                       Problem::Unauthenticated("no session token"), context);
              }});
  StartServer();
  {
    TestClient client(port_);
    Request upgrade = MakeRequest(Verb::get, "/ws");
    upgrade.set(field::connection, "Upgrade");
    upgrade.set(field::upgrade, "websocket");
    upgrade.set(field::sec_websocket_version, "13");
    upgrade.set(field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    Response refused = client.RoundTrip(upgrade);
    EXPECT_EQ(refused.result(), HttpStatus::unauthorized);
    EXPECT_TRUE(client.ReadsClosed());  // the server closes after counting the request
  }
  TestClient client(port_);
  const std::string text = client.RoundTrip(MakeRequest(Verb::get, "/metrics")).body();
  EXPECT_NE(text.find("portico_http_requests_total{route=\"/ws\",method=\"GET\",status=\"401\"} 1"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("status=\"101\""), std::string::npos) << text;
}

// A staff key outside RFC 6750's b64token charset, as an operator may choose one.
class StaffKeyServerTest : public ServerTest {
 protected:
  static constexpr const char* kOperatorKey = "correct-horse-battery-staple-2026!";

  StaffKeyServerTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("portico_server_keys_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto opened = StaffKeys::Open((dir_ / std::string(kStaffKeysFileName)).string(),
                                  std::string(kOperatorKey));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) keys_ = std::move(opened->keys);
    router_.Add(Verb::get, "/staff",
                RequireStaff(*keys_, [](Request&, RouteContext& context) -> Awaitable {
                  co_return JsonResponse(HttpStatus::ok, {{"actor", context.actor}});
                }));
  }
  ~StaffKeyServerTest() override { std::filesystem::remove_all(dir_); }

  static Request StaffRequest(std::string_view key) {
    Request request = MakeRequest(Verb::get, "/staff");
    request.set(field::authorization, "Bearer " + std::string(key));
    return request;
  }

  std::filesystem::path dir_;
  std::unique_ptr<StaffKeys> keys_;
};

TEST_F(StaffKeyServerTest, AKeyAcceptedAtStartAuthenticates) {
  ASSERT_TRUE(keys_);
  StartServer();
  TestClient client(port_);
  Response response = client.RoundTrip(StaffRequest(kOperatorKey));
  EXPECT_EQ(response.result(), HttpStatus::ok) << response.body();
  EXPECT_EQ(BodyJson(response).at("actor").as_string(), "admin");

  response = client.RoundTrip(StaffRequest("correct-horse-battery-staple-2026?"));
  EXPECT_EQ(response.result(), HttpStatus::unauthorized);
}

TEST_F(StaffKeyServerTest, LargeBodyRouteRefusesAnonymousRequestsBeforeReadingTheBody) {
  ASSERT_TRUE(keys_);
  router_.Add(Verb::post, "/import",
              RequireStaff(*keys_,
                           [](Request& request, RouteContext&) -> Awaitable {
                             co_return JsonResponse(HttpStatus::ok,
                                                    {{"bytes", request.body().size()}});
                           }),
              {.body_limit = std::size_t{8} << 20});
  StartServer();
  const std::string announced = std::to_string(std::size_t{4} << 20);
  {
    // Only the header: a server waiting for the 4 MiB body would never answer.
    TestClient client(port_);
    client.SendRaw("POST /import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                   "Content-Length: " + announced + "\r\n\r\n");
    Response refused = client.Read();
    EXPECT_EQ(refused.result(), HttpStatus::unauthorized);
    EXPECT_FALSE(refused.keep_alive());
  }
  TestClient client(port_);
  Request upload = MakeRequest(Verb::post, "/import", std::string(2000, 'x'), "text/csv");
  upload.set(field::authorization, std::string("Bearer ") + kOperatorKey);
  Response accepted = client.RoundTrip(upload);
  EXPECT_EQ(accepted.result(), HttpStatus::ok) << accepted.body();
  EXPECT_EQ(BodyJson(accepted).at("bytes").as_int64(), 2000);
}

TEST(SplitHostPortTest, ParsesHostAndPort) {
  auto v4 = SplitHostPort("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->first, "127.0.0.1");
  EXPECT_EQ(v4->second, 8080);
  auto v6 = SplitHostPort("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::1");
  EXPECT_FALSE(SplitHostPort("localhost").ok());
  EXPECT_FALSE(SplitHostPort("host:99999").ok());
  EXPECT_FALSE(SplitHostPort(":80").ok());
}

}  // namespace
}  // namespace portico::gateway
