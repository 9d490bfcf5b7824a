// GET /v1/stream end to end: a real WebSocket client over loopback. A portal user receives its
// new alerts and a notice when its session ends (then the socket closes); staff receive the
// event feed as the JSON of GET /v1/events; bad credentials get a plain 401.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/http_client.h"
#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::RunningSystem;
using boost::beast::http::verb;
namespace json = boost::json;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

// A blocking WebSocket client; every message read has a deadline (Next).
class WsClient {
 public:
  WsClient(const std::string& url, const std::string& target, const std::string& bearer,
           const std::string& subprotocols = {}) {
    const auto hostport = url.substr(url.find("//") + 2);
    const auto host = hostport.substr(0, hostport.rfind(':'));
    const auto port = hostport.substr(hostport.rfind(':') + 1);
    tcp::resolver resolver(io_);
    boost::asio::connect(ws_.next_layer(), resolver.resolve(host, port));
    timeval tv{20, 0};  // a bound on the blocking handshake's reads
    ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ws_.set_option(websocket::stream_base::decorator([bearer, subprotocols](websocket::request_type& request) {
      if (!bearer.empty()) request.set(boost::beast::http::field::authorization, "Bearer " + bearer);
      if (!subprotocols.empty()) request.set(boost::beast::http::field::sec_websocket_protocol, subprotocols);
    }));
    ws_.handshake(response_, host, target, ec_);
  }

  const boost::system::error_code& handshake_error() const { return ec_; }
  const websocket::response_type& response() const { return response_; }

  // The next message as JSON; null when the socket closed or failed, or after 20 s without
  // one (closed() is then timed_out). The deadline is kept by running the read for at most
  // that long: a blocking read would retry past SO_RCVTIMEO (Asio polls again on EAGAIN), and
  // a test whose message never comes would hang instead of failing.
  json::value Next() {
    boost::beast::flat_buffer buffer;
    boost::system::error_code ec;
    bool done = false;
    ws_.async_read(buffer, [&](boost::system::error_code read_ec, std::size_t) {
      ec = read_ec;
      done = true;
    });
    io_.restart();
    io_.run_for(std::chrono::seconds(20));
    if (!done) {
      boost::system::error_code ignored;
      ws_.next_layer().cancel(ignored);
      io_.restart();
      io_.run();  // the read completes, aborted
      ec = boost::asio::error::timed_out;
    }
    if (ec) {
      closed_ = ec;
      return nullptr;
    }
    return json::parse(boost::beast::buffers_to_string(buffer.data()));
  }
  const boost::system::error_code& closed() const { return closed_; }
  websocket::close_reason close_reason() const { return ws_.reason(); }
  void Close() {
    boost::system::error_code ec;
    ws_.close(websocket::close_code::normal, ec);
  }

 private:
  boost::asio::io_context io_;
  websocket::stream<tcp::socket> ws_{io_};
  websocket::response_type response_;
  boost::system::error_code ec_, closed_;
};

class StreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("stream-test");
    ASSERT_TRUE(sys_->started());
    sys_->CreateOrg("acme");
    sys_->CreateOrg("globex");
    sys_->CreateUser("acme", "alice", "portal-advanced");
    EXPECT_EQ(sys_->Staff(verb::put, "/v1/resources/t1", {{"type", "task"}, {"org_id", "acme"}, {"title", "Roof"}}).status,
              200u);
    EXPECT_EQ(sys_->Staff(verb::put, "/v1/resources/g1", {{"type", "task"}, {"org_id", "globex"}, {"title", "Other"}}).status,
              200u);
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }
  static void Note(const std::string& id, const std::string& resource, const std::string& visibility) {
    EXPECT_EQ(sys_->Staff(verb::post, "/v1/notes",
                          {{"note_id", id}, {"resource_id", resource}, {"body", "b"}, {"visibility", visibility}})
                  .status,
              200u);
  }
  static inline RunningSystem* sys_ = nullptr;
};

TEST_F(StreamTest, PortalUserGetsItsAlertsThenTheEndOfItsSession) {
  const std::string token = sys_->LoginOk("alice");
  const json::value subs = {{"subscriptions", json::array{{{"kind", "note_added"}, {"channels", json::array{"in_portal"}}}}}};
  ASSERT_EQ(sys_->client().Put("/v1/portal/subscriptions", token, subs).status, 200u);
  WsClient ws(sys_->system().http_url(), "/v1/stream", token);
  ASSERT_FALSE(ws.handshake_error()) << ws.handshake_error().message();

  Note("hidden", "t1", "internal");  // not visible: no message
  Note("elsewhere", "g1", "client");  // another organisation: no message
  Note("shown", "t1", "client");
  const auto first = ws.Next();
  ASSERT_TRUE(first.is_object()) << ws.closed().message();
  EXPECT_EQ(first.at("type"), "alert");
  EXPECT_EQ(first.at("alert").at("note_id"), "shown");
  EXPECT_EQ(first.at("alert").at("kind"), "note_added");

  ASSERT_EQ(sys_->Staff(verb::delete_, "/v1/users/alice/sessions").status, 200u);
  const auto ended = ws.Next();
  ASSERT_TRUE(ended.is_object()) << ws.closed().message();
  EXPECT_EQ(ended.at("type"), "session_ended");
  EXPECT_TRUE(ws.Next().is_null());  // then the server closes
  EXPECT_EQ(ws.closed(), websocket::error::closed) << ws.closed().message();
  EXPECT_EQ(ws.close_reason().code, websocket::close_code::policy_error);
}

// A user told by staff to change its password may use nothing but the password change: its
// open stream ends too, with a reason the client can act on.
TEST_F(StreamTest, AForcedPasswordResetEndsTheUsersStream) {
  sys_->CreateUser("acme", "rita", "portal-advanced");
  const std::string token = sys_->LoginOk("rita");
  WsClient ws(sys_->system().http_url(), "/v1/stream", token);
  ASSERT_FALSE(ws.handshake_error()) << ws.handshake_error().message();

  const auto reset = sys_->Staff(verb::post, "/v1/users/rita/force-reset", json::object{});
  ASSERT_EQ(reset.status, 200u) << reset.body;
  const auto ended = ws.Next();
  ASSERT_TRUE(ended.is_object()) << ws.closed().message();
  EXPECT_EQ(ended.at("type"), "session_ended");
  EXPECT_EQ(ended.at("reason"), "password_change_required");
  EXPECT_TRUE(ws.Next().is_null());
  EXPECT_EQ(ws.close_reason().code, websocket::close_code::policy_error);
  // The session itself lives on for the password change.
  EXPECT_EQ(sys_->client().Get("/v1/portal/me", token).status, 200u);
}

TEST_F(StreamTest, BrowsersAuthenticateThroughTheSubprotocol) {
  const std::string token = sys_->LoginOk("alice");
  WsClient ws(sys_->system().http_url(), "/v1/stream", "", "portico.v1, bearer." + token);
  ASSERT_FALSE(ws.handshake_error()) << ws.handshake_error().message();
  EXPECT_EQ(ws.response()[boost::beast::http::field::sec_websocket_protocol], "portico.v1");
  ws.Close();
}

TEST_F(StreamTest, StaffGetTheEventFeed) {
  const auto from = sys_->Head() + 1;
  WsClient ws(sys_->system().http_url(), "/v1/stream?from=" + std::to_string(from), app_testing::kAdminKey);
  ASSERT_FALSE(ws.handshake_error()) << ws.handshake_error().message();
  ASSERT_EQ(sys_->Staff(verb::post, "/v1/orgs", {{"org_id", "initech"}, {"name", "Initech"}, {"kind", "client"}}).status,
            200u);
  const auto event = ws.Next();
  ASSERT_TRUE(event.is_object()) << ws.closed().message();
  EXPECT_EQ(event.at("position").to_number<std::uint64_t>(), from);
  EXPECT_EQ(event.at("type"), "org_registered");
  EXPECT_EQ(event.at("data").at("org_id"), "initech");
  // The same JSON as GET /v1/events.
  const auto listed = sys_->Staff(verb::get, "/v1/events?from=" + std::to_string(from) + "&limit=1");
  ASSERT_EQ(listed.status, 200u);
  EXPECT_EQ(json::serialize(listed.json().at("events").as_array()[0]), json::serialize(event));
  ws.Close();
}

TEST_F(StreamTest, BadCredentialsAreRefusedBeforeTheHandshake) {
  WsClient none(sys_->system().http_url(), "/v1/stream", "");
  EXPECT_EQ(none.handshake_error(), websocket::error::upgrade_declined);
  EXPECT_EQ(none.response().result_int(), 401u);
  WsClient wrong(sys_->system().http_url(), "/v1/stream", "not-a-token");
  EXPECT_EQ(wrong.response().result_int(), 401u);
  WsClient bad_query(sys_->system().http_url(), "/v1/stream?token=abc", app_testing::kAdminKey);
  EXPECT_EQ(bad_query.response().result_int(), 400u);  // tokens are never taken from the URL
  EXPECT_EQ(sys_->client().Get("/v1/stream", app_testing::kAdminKey).status, 400u);  // not an upgrade
}

TEST_F(StreamTest, OneUserCannotHoldMoreThanSixteenStreams) {
  const std::string token = sys_->LoginOk("alice");
  std::vector<std::unique_ptr<WsClient>> open;
  for (int i = 0; i < 16; ++i) {
    open.push_back(std::make_unique<WsClient>(sys_->system().http_url(), "/v1/stream", token));
    ASSERT_FALSE(open.back()->handshake_error()) << i << ": " << open.back()->handshake_error().message();
  }
  WsClient refused(sys_->system().http_url(), "/v1/stream", token);
  EXPECT_EQ(refused.handshake_error(), websocket::error::upgrade_declined);
  EXPECT_EQ(refused.response().result_int(), 429u);
  EXPECT_EQ(refused.response()[boost::beast::http::field::retry_after], "5");
  // The cap is per user: a staff feed is still served.
  WsClient staff(sys_->system().http_url(), "/v1/stream", app_testing::kAdminKey);
  EXPECT_FALSE(staff.handshake_error()) << staff.handshake_error().message();
  staff.Close();

  // A closed stream gives its place back (once the server has seen it close).
  open.back()->Close();
  open.pop_back();
  bool served = false;
  for (int attempt = 0; attempt < 200 && !served; ++attempt) {
    WsClient again(sys_->system().http_url(), "/v1/stream", token);
    served = !again.handshake_error();
    if (served) again.Close();
    else std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(served);
  for (auto& ws : open) ws->Close();
}

}  // namespace
}  // namespace portico::gateway
